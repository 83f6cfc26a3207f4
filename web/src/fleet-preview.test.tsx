import { cleanup, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import type { Schemas } from "./api/client";
import { behindMinorOf, RolloutPreview } from "./pages/Fleet";

afterEach(cleanup);

const summary = (add: number, modify: number, replace: number, remove: number) => ({ add, modify, replace, remove });
const preview: Schemas["FleetPreview"] = {
  templateName: "s3-bucket", templateMajorVersion: 1, templateMinorVersion: 1,
  previewed: 3, changed: 1, failed: 1, summary: summary(0, 2, 1, 0),
  targets: [
    { targetResourceType: "SERVICE_INSTANCE", serviceName: "uploads", serviceInstanceName: "uploads-a", fromTemplateMajorVersion: 1, fromTemplateMinorVersion: 0, empty: false, previewId: "p1", summary: summary(0, 2, 1, 0) },
    { targetResourceType: "SERVICE_INSTANCE", serviceName: "uploads", serviceInstanceName: "uploads-b", fromTemplateMajorVersion: 1, fromTemplateMinorVersion: 0, empty: false,
      error: { code: "ConflictException", message: "a deployment is in progress", requestId: "r1" } },
    { targetResourceType: "SERVICE_INSTANCE", serviceName: "old", serviceInstanceName: "old-a", fromTemplateMajorVersion: 0, fromTemplateMinorVersion: 3, empty: true },
  ],
};

describe("RolloutPreview", () => {
  it("keeps the targets behind a minor, not those on an older major", () => {
    expect(behindMinorOf(preview).map((x) => x.serviceInstanceName)).toEqual(["uploads-a", "uploads-b"]);
  });
  it("shows per target its changes, how many resources are replaced, and why one could not be previewed", () => {
    const { container } = render(<RolloutPreview preview={preview} />);
    expect(screen.getByText(/2 behind a minor move to 1\.1; 1 resource\(s\) would be replaced/)).toBeTruthy();
    expect(screen.getByText("uploads/uploads-a")).toBeTruthy();
    expect(screen.getByText("ConflictException: a deployment is in progress")).toBeTruthy();
    expect(container.textContent).not.toContain("old/old-a");
  });
});
