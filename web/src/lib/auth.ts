// Sign-in. Locally the console picks one of gantry-local's dev tokens (GET
// /local/console/tokens, loopback only); on AWS it runs OpenID Connect's authorization
// code flow with PKCE (RFC 7636) against the issuer the API trusts. The session lives in
// sessionStorage only: it ends with the tab.

export type Role = "admin" | "developer";

export interface LocalConfig {
  mode: "local";
}
export interface OidcConfig {
  mode: "oidc";
  issuer: string;
  clientId: string;
  scopes?: string;
  groupsClaim?: string;
  adminGroups?: string[];
  developerGroups?: string[];
}
export type ConsoleConfig = LocalConfig | OidcConfig;

export interface Session {
  token: string;
  role: Role;
  subject: string;
  expiresAt: number; // epoch seconds
}

const SESSION = "gantry.session";
const PENDING = "gantry.oidc.pending";

export async function loadConfig(): Promise<ConsoleConfig> {
  const r = await fetch("/console-config.json", { cache: "no-cache" });
  if (!r.ok) throw new Error(`/console-config.json answered ${r.status}`);
  return (await r.json()) as ConsoleConfig;
}

export function currentSession(now = Date.now() / 1000): Session | null {
  const raw = sessionStorage.getItem(SESSION);
  if (!raw) return null;
  try {
    const s = JSON.parse(raw) as Session;
    return s.expiresAt > now ? s : null;
  } catch {
    return null;
  }
}

export function saveSession(s: Session) {
  sessionStorage.setItem(SESSION, JSON.stringify(s));
}

export function signOut() {
  sessionStorage.removeItem(SESSION);
  sessionStorage.removeItem(PENDING);
}

/** claims decodes a JWT's payload (unverified: the API verifies; this only reads). */
export function claims(jwt: string): Record<string, unknown> {
  const part = jwt.split(".")[1];
  if (!part) throw new Error("not a JWT");
  const json = atob(part.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(part.length / 4) * 4, "="));
  return JSON.parse(new TextDecoder().decode(Uint8Array.from(json, (c) => c.charCodeAt(0))));
}

/** roleOf is the role a token's groups give under cfg ("admin" wins), or null. */
export function roleOf(token: string, cfg: { groupsClaim?: string; adminGroups?: string[]; developerGroups?: string[] }): Role | null {
  const c = claims(token);
  const raw = c[cfg.groupsClaim ?? "groups"];
  const groups = Array.isArray(raw) ? raw.map(String) : typeof raw === "string" ? raw.split(/[ ,]+/) : [];
  if (groups.some((g) => (cfg.adminGroups ?? ["gantry-admins"]).includes(g))) return "admin";
  if (groups.some((g) => (cfg.developerGroups ?? ["gantry-developers"]).includes(g))) return "developer";
  return null;
}

/** localTokens fetches gantry-local's dev tokens, one per role. */
export async function localTokens(): Promise<Record<Role, string>> {
  const r = await fetch("/local/console/tokens", { cache: "no-store" });
  const body = await r.json();
  if (!r.ok) throw new Error(body.message ?? `the dev tokens answered ${r.status}`);
  return body as Record<Role, string>;
}

export function sessionFromToken(token: string, role: Role): Session {
  const c = claims(token);
  return { token, role, subject: String(c.sub ?? ""), expiresAt: Number(c.exp ?? 0) };
}

// --- OIDC authorization code + PKCE ---

function base64url(bytes: Uint8Array): string {
  let s = "";
  bytes.forEach((b) => (s += String.fromCharCode(b)));
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** newVerifier returns a code verifier: 32 random bytes, base64url (43 characters). */
export function newVerifier(): string {
  return base64url(crypto.getRandomValues(new Uint8Array(32)));
}

/** challengeOf is the S256 code challenge of verifier: base64url(SHA-256(verifier)). */
export async function challengeOf(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return base64url(new Uint8Array(digest));
}

interface Discovery {
  authorization_endpoint: string;
  token_endpoint: string;
}

async function discover(issuer: string): Promise<Discovery> {
  const r = await fetch(issuer.replace(/\/$/, "") + "/.well-known/openid-configuration");
  if (!r.ok) throw new Error(`the issuer's discovery document answered ${r.status}`);
  return (await r.json()) as Discovery;
}

export function redirectUri(): string {
  return `${location.origin}/callback`;
}

/** authorizeURL builds the authorization request and remembers its verifier and state. */
export async function authorizeURL(cfg: OidcConfig, returnTo: string): Promise<string> {
  const d = await discover(cfg.issuer);
  const verifier = newVerifier();
  const state = newVerifier();
  sessionStorage.setItem(PENDING, JSON.stringify({ verifier, state, returnTo }));
  const u = new URL(d.authorization_endpoint);
  u.search = new URLSearchParams({
    response_type: "code",
    client_id: cfg.clientId,
    redirect_uri: redirectUri(),
    scope: cfg.scopes ?? "openid profile email",
    state,
    code_challenge: await challengeOf(verifier),
    code_challenge_method: "S256",
  }).toString();
  return u.toString();
}

/** completeSignIn exchanges the callback's code for tokens; it returns where to go next. */
export async function completeSignIn(cfg: OidcConfig, callback: URL): Promise<{ session: Session; returnTo: string }> {
  const pending = JSON.parse(sessionStorage.getItem(PENDING) ?? "null") as { verifier: string; state: string; returnTo: string } | null;
  sessionStorage.removeItem(PENDING);
  const err = callback.searchParams.get("error");
  if (err) throw new Error(`${err}: ${callback.searchParams.get("error_description") ?? "sign-in refused"}`);
  if (!pending || callback.searchParams.get("state") !== pending.state) throw new Error("the sign-in answer does not match a sign-in this tab started");
  const code = callback.searchParams.get("code");
  if (!code) throw new Error("the sign-in answer carries no code");
  const d = await discover(cfg.issuer);
  const r = await fetch(d.token_endpoint, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ grant_type: "authorization_code", code, redirect_uri: redirectUri(), client_id: cfg.clientId, code_verifier: pending.verifier }),
  });
  const body = await r.json();
  if (!r.ok) throw new Error(`the token endpoint answered ${r.status}: ${body.error_description ?? body.error ?? ""}`);
  // The API verifies the token whose audience it trusts: the ID token (Cognito's and most
  // issuers' audience is the client id), else the access token.
  const token: string = body.id_token ?? body.access_token;
  const role = roleOf(token, cfg);
  if (!role) throw new Error("your groups grant no Gantry role");
  return { session: sessionFromToken(token, role), returnTo: pending.returnTo || "/" };
}
