import { afterEach, describe, expect, it } from "vitest";
import { challengeOf, claims, currentSession, newVerifier, roleOf, saveSession, signOut } from "./auth";

const b64url = (o: object) => btoa(String.fromCharCode(...new TextEncoder().encode(JSON.stringify(o)))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
const jwt = (payload: object) => `${b64url({ alg: "ES256" })}.${b64url(payload)}.sig`;

describe("PKCE", () => {
  it("derives the S256 challenge of RFC 7636's appendix B", async () => {
    expect(await challengeOf("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")).toBe("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
  });
  it("makes verifiers of 43 unreserved characters, each new", () => {
    const a = newVerifier();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(newVerifier()).not.toBe(a);
  });
});

describe("roles", () => {
  it("reads the role from the groups claim, admin first", () => {
    expect(roleOf(jwt({ groups: ["gantry-developers"] }), {})).toBe("developer");
    expect(roleOf(jwt({ groups: ["gantry-developers", "gantry-admins"] }), {})).toBe("admin");
    expect(roleOf(jwt({ groups: ["others"] }), {})).toBeNull();
    expect(roleOf(jwt({ "cognito:groups": ["platform"] }), { groupsClaim: "cognito:groups", adminGroups: ["platform"] })).toBe("admin");
  });
  it("decodes UTF-8 claims", () => {
    expect(claims(jwt({ sub: "zoë" })).sub).toBe("zoë");
  });
});

describe("session", () => {
  afterEach(() => sessionStorage.clear());
  it("lives in sessionStorage, never localStorage, and ends when it expires or on sign-out", () => {
    saveSession({ token: "t", role: "admin", subject: "a", expiresAt: 2000 });
    expect(currentSession(1000)?.role).toBe("admin");
    expect(currentSession(2001)).toBeNull();
    expect(localStorage.length).toBe(0);
    signOut();
    expect(currentSession(1000)).toBeNull();
  });
});
