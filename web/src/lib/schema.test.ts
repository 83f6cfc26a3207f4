import { readFileSync } from "node:fs";
import { join } from "node:path";
import { dump, load } from "js-yaml";
import { describe, expect, it } from "vitest";
import { environmentSpec, errorFor, fieldErrors, fieldsOf, initialValues, inputsOf, serviceSpec, specInputs, specWithout, valuesOf } from "./schema";

const repo = join(__dirname, "..", "..", "..");
const vpcSchema = readFileSync(join(repo, "templates/environments/vpc-ecs/v1/schema/schema.yaml"), "utf8");
const webSchema = readFileSync(join(repo, "templates/services/public-web-service/v1/schema/schema.yaml"), "utf8");

describe("fieldsOf", () => {
  it("reads the environment inputs of a golden-path schema in order, with their constraints", () => {
    const fields = fieldsOf(vpcSchema, "environment")!;
    expect(fields.map((f) => f.name).slice(0, 3)).toEqual(["vpc_cidr", "subnet_host_bits", "availability_zones"]);
    const cidr = fields.find((f) => f.name === "vpc_cidr")!;
    expect(cidr).toMatchObject({ title: "VPC CIDR block", type: "string", default: "10.0.0.0/16", required: false });
    expect(cidr.pattern).toMatch(/^\^\(25/);
    expect(fields.find((f) => f.name === "subnet_host_bits")).toMatchObject({ type: "integer", minimum: 4, maximum: 12, default: 8 });
    expect(fields.find((f) => f.name === "nat_gateways")!.enum).toEqual(["single", "per-az"]);
    expect(fieldsOf(vpcSchema, "service")).toBeNull();
  });

  it("reads a service template's instance and pipeline inputs apart", () => {
    const instance = fieldsOf(webSchema, "service")!.map((f) => f.name);
    const pipeline = fieldsOf(webSchema, "pipeline")!.map((f) => f.name);
    expect(instance).toContain("image");
    expect(pipeline).toContain("dockerfile");
    expect(instance).not.toContain("dockerfile");
  });

  it("marks required inputs", () => {
    const schema = `schema:\n  format: {openapi: "3.0.0"}\n  environment_input_type: T\n  types:\n    T:\n      type: object\n      required: [a]\n      properties:\n        a: {type: string}\n        b: {type: number}\n`;
    expect(fieldsOf(schema, "environment")!.map((f) => [f.name, f.required])).toEqual([["a", true], ["b", false]]);
  });
});

describe("inputsOf", () => {
  const fields = fieldsOf(vpcSchema, "environment")!;
  it("types what the form holds, and sends what is not of its type as written for the API to name", () => {
    const values = { ...initialValues(fields), subnet_host_bits: "10", availability_zones: "three" };
    const inputs = inputsOf(fields, values);
    expect(inputs.subnet_host_bits).toBe(10);
    expect(inputs.availability_zones).toBe("three");
    expect(inputs.vpc_cidr).toBe("10.0.0.0/16");
  });
  it("leaves out an emptied non-string input so its default applies", () => {
    const inputs = inputsOf(fields, { ...initialValues(fields), flow_log_retention_days: "" });
    expect(inputs).not.toHaveProperty("flow_log_retention_days");
    expect(inputs.namespace_name).toBe("");
  });
  it("writes Proton specs", () => {
    expect(load(environmentSpec({ vpc_cidr: "10.1.0.0/16" }))).toEqual({ proton: "EnvironmentSpec", spec: { vpc_cidr: "10.1.0.0/16" } });
    expect(load(serviceSpec([{ name: "a", environment: "beta", inputs: { port: 80 } }], { dockerfile: "Dockerfile" }))).toEqual({
      proton: "ServiceSpec", pipeline: { dockerfile: "Dockerfile" }, instances: [{ name: "a", environment: "beta", spec: { port: 80 } }],
    });
  });
  it("reads a spec back into the form", () => {
    const spec = "proton: ServiceSpec\ninstances:\n  - name: a\n    environment: beta\n    spec:\n      port: 8080\n";
    const f = fieldsOf(webSchema, "service")!;
    expect(valuesOf(f, specInputs(spec, "a")).port).toBe("8080");
    expect(valuesOf(f, specInputs(spec, "a")).task_size).toBe("small");
  });
});

describe("fieldErrors", () => {
  // The message the API answered for an EnvironmentSpec with three bad inputs.
  const message = 'spec.nat_gateways: must be one of "single", "per-az"; spec.subnet_host_bits: must be <= 12; spec.vpc_cidr: must match pattern "^(25[0-5])$"';
  it("splits the API's message into the fields it names, in its words", () => {
    expect(fieldErrors(message)).toEqual([
      { field: "spec.nat_gateways", message: 'must be one of "single", "per-az"' },
      { field: "spec.subnet_host_bits", message: "must be <= 12" },
      { field: "spec.vpc_cidr", message: 'must match pattern "^(25[0-5])$"' },
    ]);
    expect(fieldErrors("the template vpc-ecs has no published version")).toEqual([]);
  });
  it("puts each error on its input, and an instance's on that instance's", () => {
    const errs = fieldErrors("spec.instances[1].spec.port: must be >= 1; spec.pipeline.dockerfile: is required; name: must match ^[0-9A-Za-z]+");
    expect(errorFor(errs, "port", "instances[1]")).toBe("must be >= 1");
    expect(errorFor(errs, "port", "instances[0]")).toBeUndefined();
    expect(errorFor(errs, "port")).toBeUndefined();
    expect(errorFor(errs, "dockerfile", "pipeline")).toBe("is required");
    expect(errorFor(errs, "name")).toBe("must match ^[0-9A-Za-z]+");
    expect(errorFor(fieldErrors(message), "vpc_cidr")).toBe('must match pattern "^(25[0-5])$"');
  });
});

describe("specWithout", () => {
  it("lists every other instance with its current inputs, and keeps the pipeline", () => {
    const svcSpec = dump({ proton: "ServiceSpec", pipeline: { dockerfile: "Dockerfile" }, instances: [{ name: "a", environment: "beta", spec: { port: 80 } }] });
    const instances = [
      { name: "a", environmentName: "beta", spec: "spec:\n  port: 81\n" },
      { name: "b", environmentName: "gamma", spec: "spec:\n  port: 82\n" },
      { name: "c", environmentName: "beta", spec: "spec:\n  port: 83\n" },
    ];
    expect(load(specWithout(svcSpec, instances, "b"))).toEqual({
      proton: "ServiceSpec", pipeline: { dockerfile: "Dockerfile" },
      instances: [{ name: "a", environment: "beta", spec: { port: 81 } }, { name: "c", environment: "beta", spec: { port: 83 } }],
    });
  });
  it("has no pipeline section when the service has none", () => {
    expect(load(specWithout(undefined, [{ name: "a", environmentName: "beta" }, { name: "b", environmentName: "beta" }], "a"))).toEqual({
      proton: "ServiceSpec", instances: [{ name: "b", environment: "beta", spec: {} }],
    });
  });
});
