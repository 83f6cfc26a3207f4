// The OIDC sign-in against a fake issuer: the authorization request carries PKCE (S256)
// and a state, and the callback exchanges the code with the verifier the request's
// challenge was made from, refusing an answer this tab did not ask for.
import { afterEach, describe, expect, it, vi } from "vitest";
import { authorizeURL, challengeOf, completeSignIn, type OidcConfig } from "./auth";

const cfg: OidcConfig = { mode: "oidc", issuer: "https://idp.example/pool", clientId: "console-client", groupsClaim: "cognito:groups", adminGroups: ["platform"], developerGroups: ["devs"] };
const b64url = (o: object) => btoa(JSON.stringify(o)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

function fakeIssuer(groups: string[]) {
  const tokenRequests: URLSearchParams[] = [];
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input);
    if (url === "https://idp.example/pool/.well-known/openid-configuration") {
      return new Response(JSON.stringify({ authorization_endpoint: "https://idp.example/oauth2/authorize", token_endpoint: "https://idp.example/oauth2/token" }));
    }
    if (url === "https://idp.example/oauth2/token" && init?.method === "POST") {
      tokenRequests.push(new URLSearchParams(String(init.body)));
      const idToken = `${b64url({ alg: "RS256" })}.${b64url({ sub: "ana", exp: 4102444800, "cognito:groups": groups })}.sig`;
      return new Response(JSON.stringify({ id_token: idToken, access_token: "opaque" }));
    }
    return new Response("not found", { status: 404 });
  });
  vi.stubGlobal("fetch", fetchMock);
  return tokenRequests;
}

afterEach(() => {
  vi.unstubAllGlobals();
  sessionStorage.clear();
});

describe("OIDC authorization code with PKCE", () => {
  it("signs in: S256 challenge of the verifier sent at the token endpoint, role from the groups", async () => {
    const tokens = fakeIssuer(["platform"]);
    const auth = new URL(await authorizeURL(cfg, "/fleet"));
    expect(auth.origin + auth.pathname).toBe("https://idp.example/oauth2/authorize");
    const q = auth.searchParams;
    expect(q.get("response_type")).toBe("code");
    expect(q.get("client_id")).toBe("console-client");
    expect(q.get("code_challenge_method")).toBe("S256");
    expect(q.get("redirect_uri")).toBe(`${location.origin}/callback`);
    const callback = new URL(`${location.origin}/callback?code=abc&state=${q.get("state")}`);
    const { session, returnTo } = await completeSignIn(cfg, callback);
    expect(returnTo).toBe("/fleet");
    expect(session).toMatchObject({ role: "admin", subject: "ana" });
    expect(tokens).toHaveLength(1);
    expect(tokens[0].get("grant_type")).toBe("authorization_code");
    expect(tokens[0].get("code")).toBe("abc");
    expect(await challengeOf(tokens[0].get("code_verifier")!)).toBe(q.get("code_challenge"));
    expect(localStorage.length).toBe(0);
  });

  it("refuses a callback whose state this tab did not send, without calling the token endpoint", async () => {
    const tokens = fakeIssuer(["devs"]);
    await authorizeURL(cfg, "/");
    await expect(completeSignIn(cfg, new URL(`${location.origin}/callback?code=abc&state=forged`))).rejects.toThrow(/does not match/);
    expect(tokens).toHaveLength(0);
  });

  it("refuses a token whose groups grant no role", async () => {
    fakeIssuer(["others"]);
    const state = new URL(await authorizeURL(cfg, "/")).searchParams.get("state");
    await expect(completeSignIn(cfg, new URL(`${location.origin}/callback?code=abc&state=${state}`))).rejects.toThrow(/no Gantry role/);
  });

  it("reports the issuer's refusal", async () => {
    fakeIssuer(["devs"]);
    await authorizeURL(cfg, "/");
    await expect(completeSignIn(cfg, new URL(`${location.origin}/callback?error=access_denied&error_description=user+cancelled`))).rejects.toThrow(/access_denied: user cancelled/);
  });
});
