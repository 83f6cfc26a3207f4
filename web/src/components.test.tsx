import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { useState } from "react";
import { ApiError } from "./api/client";
import { ErrorAlert } from "./components";
import { SchemaFields } from "./SchemaFields";
import { fieldErrors, fieldsOf, initialValues, inputsOf, type Values } from "./lib/schema";

afterEach(cleanup);

const vpcSchema = readFileSync(join(__dirname, "..", "..", "templates/environments/vpc-ecs/v1/schema/schema.yaml"), "utf8");
const fields = fieldsOf(vpcSchema, "environment")!;

function Harness({ message, onValues }: { message: string; onValues?: (v: Values) => void }) {
  const [values, setValues] = useState(initialValues(fields));
  return <SchemaFields fields={fields} values={values} errors={fieldErrors(message)} idPrefix="t" onChange={(v) => { setValues(v); onValues?.(v); }} />;
}

describe("SchemaFields", () => {
  it("renders each input with its title, description, default and constraints", () => {
    const { container } = render(<Harness message="" />);
    expect(screen.getByText("VPC CIDR block")).toBeTruthy();
    expect(screen.getByText(/The IPv4 CIDR block of the VPC/)).toBeTruthy();
    expect((container.querySelector("#t-vpc_cidr") as HTMLInputElement).value).toBe("10.0.0.0/16");
    expect(container.querySelector("[data-field=subnet_host_bits]")!.textContent).toContain("min 4 · max 12");
    expect(container.querySelector("[data-field=vpc_cidr]")!.textContent).toContain("pattern ^(25");
  });

  it("shows the API's message under the input it names, and nowhere else", () => {
    const { container } = render(<Harness message="spec.subnet_host_bits: must be <= 12; spec.alarm_email: must match pattern x" />);
    expect(container.querySelector("[data-field=subnet_host_bits]")!.textContent).toContain("must be <= 12");
    expect(container.querySelector("[data-field=alarm_email]")!.textContent).toContain("must match pattern x");
    expect(container.querySelector("[data-field=vpc_cidr]")!.textContent).not.toContain("must");
  });

  it("turns typing into the spec's inputs", () => {
    let last: Values = {};
    const { container } = render(<Harness message="" onValues={(v) => (last = v)} />);
    fireEvent.change(container.querySelector("#t-subnet_host_bits")!, { target: { value: "10" } });
    expect(inputsOf(fields, last).subnet_host_bits).toBe(10);
  });
});

describe("ErrorAlert", () => {
  it("shows a 403 as access denied, with the API's message", () => {
    render(<ErrorAlert error={new ApiError(403, "AccessDeniedException", "CreateEnvironment needs the admin role", "r1")} />);
    expect(screen.getByText(/Access denied \(403\)/)).toBeTruthy();
    expect(screen.getByText("CreateEnvironment needs the admin role")).toBeTruthy();
  });
  it("shows other refusals with their status and code", () => {
    render(<ErrorAlert error={new ApiError(409, "ConflictException", "a deployment is in progress")} />);
    expect(screen.getByText(/409 ConflictException/)).toBeTruthy();
  });
});
