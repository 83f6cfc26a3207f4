import { describe, expect, it } from "vitest";
import { environmentRoles } from "./pages/Environments";

describe("environmentRoles", () => {
  it("sends no role when none is filled in", () => {
    expect(environmentRoles({ componentRoleArn: "", codebuildRoleArn: "  " })).toEqual({});
  });
  it("sends the roles filled in, trimmed", () => {
    expect(environmentRoles({ componentRoleArn: " arn:aws:iam::000000000000:role/c ", codebuildRoleArn: "" })).toEqual({ componentRoleArn: "arn:aws:iam::000000000000:role/c" });
    expect(environmentRoles({ componentRoleArn: "arn:aws:iam::000000000000:role/c", codebuildRoleArn: "arn:aws:iam::000000000000:role/b" }))
      .toEqual({ componentRoleArn: "arn:aws:iam::000000000000:role/c", codebuildRoleArn: "arn:aws:iam::000000000000:role/b" });
  });
});
