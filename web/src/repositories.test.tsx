import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";

// The API as the page meets it: a synced service with one active blocker, resolved by a
// PATCH that must carry the reason typed. fetch is replaced before the client is built.
const calls = vi.hoisted(() => {
  const calls: { method: string; url: string; body?: string }[] = [];
  let resolved = false;
  globalThis.fetch = (async (input: Request) => {
    const body = input.method === "GET" ? undefined : await input.text();
    calls.push({ method: input.method, url: input.url, body });
    const json = (v: unknown) => new Response(JSON.stringify(v), { status: 200, headers: { "Content-Type": "application/json" } });
    if (input.method === "PATCH") {
      resolved = true;
      return json({ serviceName: "web", serviceSyncBlocker: {} });
    }
    return json({ serviceName: "web", latestBlockers: [{ id: "b1", type: "AUTOMATED", status: resolved ? "RESOLVED" : "ACTIVE", createdReason: "changed outside sync by dev",
      createdAt: "2026-12-06T10:00:00Z", contexts: [], resolvedReason: resolved ? "checked" : undefined }] });
  }) as typeof fetch;
  return calls;
});

import { SyncBlockers } from "./pages/Repositories";

afterEach(cleanup);

describe("SyncBlockers", () => {
  it("shows an active blocker and resolves it with the reason typed", async () => {
    render(<SyncBlockers service="web" />);
    await screen.findByText("changed outside sync by dev");
    const resolve = screen.getByRole("button", { name: "Resolve b1" });
    expect(resolve.hasAttribute("disabled") || resolve.getAttribute("aria-disabled") === "true").toBe(true); // no reason yet
    fireEvent.change(document.querySelector("#resolve-reason-web")!, { target: { value: "checked" } });
    fireEvent.click(screen.getByRole("button", { name: "Resolve b1" }));
    await waitFor(() => expect(screen.queryByRole("button", { name: "Resolve b1" })).toBeNull());
    const patch = calls.find((c) => c.method === "PATCH")!;
    expect(patch.url).toMatch(/\/v1\/sync-blockers\/b1$/);
    expect(JSON.parse(patch.body!)).toEqual({ resolvedReason: "checked" });
    expect(calls[0].url).toMatch(/\/v1\/services\/web\/sync-blockers$/);
  });
});

import { syncConfigBody } from "./pages/Repositories";

describe("syncConfigBody", () => {
  const repo = { provider: "GITHUB" as const, name: "example-org/infra" };
  it("makes a template sync configuration of the template's kind and subdirectory", () => {
    expect(syncConfigBody(repo, { syncType: "TEMPLATE_SYNC", templateType: "SERVICE", target: "s3-bucket", branch: "main", path: "templates/s3" })).toEqual({
      syncType: "TEMPLATE_SYNC",
      body: { repositoryProvider: "GITHUB", repositoryName: "example-org/infra", branch: "main", templateType: "SERVICE", templateName: "s3-bucket", subdirectory: "templates/s3" },
    });
  });
  it("makes a service sync configuration, leaving the default proton-ops file out", () => {
    expect(syncConfigBody(repo, { syncType: "SERVICE_SYNC", templateType: "ENVIRONMENT", target: "uploads", branch: "main", path: "" })).toEqual({
      syncType: "SERVICE_SYNC",
      body: { repositoryProvider: "GITHUB", repositoryName: "example-org/infra", branch: "main", serviceName: "uploads", filePath: undefined },
    });
  });
});
