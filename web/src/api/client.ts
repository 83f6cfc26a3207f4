// The API client: openapi-fetch typed by schema.d.ts, which scripts/gen-api.mjs generates
// from the API's own OpenAPI document. Request and answer shapes come from there only.
import createClient, { type Middleware } from "openapi-fetch";
import type { components, paths } from "./schema";

export type Schemas = components["schemas"];
export type Template = Schemas["Template"];
export type TemplateVersion = Schemas["TemplateVersion"];
export type Environment = Schemas["Environment"];
export type Service = Schemas["Service"];
export type ServiceInstance = Schemas["ServiceInstance"];
export type ServicePipeline = Schemas["ServicePipeline"];
export type Deployment = Schemas["Deployment"];
export type Component = Schemas["Component"];
export type Output = Schemas["Outputs"]["outputs"][number];
export type Tag = Schemas["Tags"]["tags"][number];
export type DeploymentStatus = Deployment["deploymentStatus"];
export type ApiErrorBody = Schemas["Error"];

/** ApiError is an answer of the API other than 2xx: its status and its Error body. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId?: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

let bearer: string | null = null;

/** setToken sets the bearer token every call carries (null: none). */
export function setToken(token: string | null) {
  bearer = token;
}

const auth: Middleware = {
  onRequest({ request }) {
    if (bearer) request.headers.set("Authorization", `Bearer ${bearer}`);
    return request;
  },
};

export const api = createClient<paths>({ baseUrl: globalThis.location?.origin ?? "" });
api.use(auth);

type Result<T> = { data?: T; error?: unknown; response: Response };

/** unwrap returns the data of an openapi-fetch result or throws its ApiError. */
export async function unwrap<T>(p: Promise<Result<T>>): Promise<T> {
  const { data, error, response } = await p;
  if (response.ok) return data as T;
  const body = (error ?? {}) as Partial<ApiErrorBody>;
  throw new ApiError(response.status, body.code ?? `HTTP ${response.status}`, body.message ?? response.statusText, body.requestId);
}

/** listAll reads every page of a list operation. */
export async function listAll<T>(page: (nextToken?: string) => Promise<Result<{ items: T[]; nextToken?: string }>>): Promise<T[]> {
  const all: T[] = [];
  let token: string | undefined;
  do {
    const r = await unwrap(page(token));
    all.push(...r.items);
    token = r.nextToken;
  } while (token);
  return all;
}
