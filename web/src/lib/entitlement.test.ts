import { describe, expect, it } from "vitest";
import { createsEnvironments, managesEnvironments } from "./entitlement";

describe("environment entitlement", () => {
  it("gives admins every environment, developers those of self-service templates", () => {
    expect(managesEnvironments(true, { selfService: false })).toBe(true);
    expect(managesEnvironments(true, undefined)).toBe(true);
    expect(managesEnvironments(false, { selfService: true })).toBe(true);
    expect(managesEnvironments(false, { selfService: false })).toBe(false);
    expect(managesEnvironments(false, {})).toBe(false);
    expect(managesEnvironments(false, undefined)).toBe(false);
  });
  it("offers developers Create environment only when some template is self-service", () => {
    expect(createsEnvironments(false, [{}, { selfService: false }])).toBe(false);
    expect(createsEnvironments(false, [{}, { selfService: true }])).toBe(true);
    expect(createsEnvironments(false, undefined)).toBe(false);
    expect(createsEnvironments(true, [])).toBe(true);
  });
});
