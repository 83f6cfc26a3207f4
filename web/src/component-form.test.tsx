import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { componentBody, CreateComponentPage, defaultManifest, type ComponentForm } from "./pages/Components";

afterEach(cleanup);

const form: ComponentForm = { name: "queue", description: "", attach: "environment", environmentName: "beta", instance: "uploads/uploads-a", manifest: "m", templateFile: "t" };

describe("componentBody", () => {
  it("sends a detached component with its environment only", () => {
    expect(componentBody(form)).toEqual({ name: "queue", manifest: "m", templateFile: "t", environmentName: "beta" });
  });
  it("sends an attached component with its service and instance only", () => {
    expect(componentBody({ ...form, attach: "instance", description: "d" })).toEqual({ name: "queue", description: "d", manifest: "m", templateFile: "t", serviceName: "uploads", serviceInstanceName: "uploads-a" });
  });
});

describe("CreateComponentPage", () => {
  it("starts from a working manifest and offers an environment or, switched, a service instance", () => {
    const { container } = render(<CreateComponentPage />);
    expect((container.querySelector("#comp-manifest") as HTMLTextAreaElement).value).toBe(defaultManifest);
    expect(screen.getByText("Environment")).toBeTruthy();
    fireEvent.click(screen.getByLabelText("A service instance (attached)"));
    expect(screen.getByText("Service instance")).toBeTruthy();
    expect(screen.queryByText("Environment")).toBeNull();
  });
});
