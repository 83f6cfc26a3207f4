import { describe, expect, it } from "vitest";
import { countStandings, standingOf } from "./fleet";

const at = (M: number, m: number, status = "SUCCEEDED") => ({ templateMajorVersion: M, templateMinorVersion: m, deploymentStatus: status });
const rec = { recommendedMajorVersion: 2, recommendedMinorVersion: 3 };

describe("standingOf", () => {
  it("places targets against the recommended version", () => {
    expect(standingOf(at(2, 3), rec)).toBe("recommended");
    expect(standingOf(at(2, 1), rec)).toBe("behindMinor");
    expect(standingOf(at(1, 9), rec)).toBe("behindMajor");
    expect(standingOf(at(2, 4), rec)).toBe("other"); // ahead of a pinned recommendation
    expect(standingOf(at(3, 0), rec)).toBe("other");
  });
  it("counts a failed target as failed whatever its version", () => {
    expect(standingOf(at(2, 3, "FAILED"), rec)).toBe("failed");
    expect(standingOf(at(1, 0, "DELETE_FAILED"), rec)).toBe("failed");
  });
  it("has no standing but other without a recommendation", () => {
    expect(standingOf(at(1, 0), {})).toBe("other");
  });
  it("counts", () => {
    expect(countStandings([at(2, 3), at(2, 0), at(2, 2), at(1, 0), at(2, 3, "FAILED")], rec)).toEqual({ recommended: 1, behindMinor: 2, behindMajor: 1, failed: 1, other: 0 });
  });
});
