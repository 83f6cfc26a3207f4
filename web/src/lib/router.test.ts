import { describe, expect, it } from "vitest";
import { match, query } from "./router";

describe("match", () => {
  it("matches patterns and decodes parameters", () => {
    expect(match("/services/:service/instances/:name", "/services/web/instances/web-a")).toEqual({ service: "web", name: "web-a" });
    expect(match("/templates/:kind/:name/versions/:version", "/templates/service/s3/versions/1.2?x=1")).toEqual({ kind: "service", name: "s3", version: "1.2" });
    expect(match("/environments/:name", "/environments")).toBeNull();
    expect(match("/environments", "/services")).toBeNull();
    expect(query("/environments/new?template=vpc-ecs&major=1").get("major")).toBe("1");
  });
});
