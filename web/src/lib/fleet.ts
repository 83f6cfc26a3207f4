// The fleet dashboard's arithmetic: where each target of a template stands against the
// template's recommended version.

export type Standing = "recommended" | "behindMinor" | "behindMajor" | "failed" | "other";

export interface Versioned {
  templateMajorVersion: number;
  templateMinorVersion: number;
  deploymentStatus: string;
}

export interface Recommended {
  recommendedMajorVersion?: number;
  recommendedMinorVersion?: number;
}

/**
 * standingOf places a target: failed (its last deployment failed) first, then on the
 * recommended version, behind a minor (same major, lower minor), behind a major (lower
 * major), or other (ahead of a pinned recommendation, or no recommendation yet).
 */
export function standingOf(t: Versioned, rec: Recommended): Standing {
  if (t.deploymentStatus === "FAILED" || t.deploymentStatus === "DELETE_FAILED") return "failed";
  const M = rec.recommendedMajorVersion;
  const m = rec.recommendedMinorVersion;
  if (M === undefined || m === undefined) return "other";
  if (t.templateMajorVersion === M && t.templateMinorVersion === m) return "recommended";
  if (t.templateMajorVersion === M && t.templateMinorVersion < m) return "behindMinor";
  if (t.templateMajorVersion < M) return "behindMajor";
  return "other";
}

export type Counts = Record<Standing, number>;

export function countStandings(targets: Versioned[], rec: Recommended): Counts {
  const c: Counts = { recommended: 0, behindMinor: 0, behindMajor: 0, failed: 0, other: 0 };
  for (const t of targets) c[standingOf(t, rec)]++;
  return c;
}

export const standingLabel: Record<Standing, string> = {
  recommended: "On recommended",
  behindMinor: "Behind a minor",
  behindMajor: "Behind a major",
  failed: "Failed",
  other: "Other",
};
