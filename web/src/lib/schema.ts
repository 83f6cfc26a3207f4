// The template version's schema.yaml (Proton's OpenAPI 3 subset) as form fields, the
// values of a form as a Proton spec, and the API's validation errors as field errors.
import { dump, load } from "js-yaml";

export type InputKind = "environment" | "service" | "pipeline";

export interface Field {
  name: string;
  title: string;
  type: "string" | "integer" | "number" | "boolean" | "array" | "object";
  description?: string;
  default?: unknown;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  required: boolean;
}

interface OpenAPIType {
  type?: string;
  title?: string;
  description?: string;
  default?: unknown;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  properties?: Record<string, OpenAPIType>;
  required?: string[];
}

interface SchemaDoc {
  schema?: {
    environment_input_type?: string;
    service_input_type?: string;
    pipeline_input_type?: string;
    types?: Record<string, OpenAPIType>;
  };
}

/** fieldsOf lists the inputs schemaYAML declares for kind, in declaration order; null when it declares none. */
export function fieldsOf(schemaYAML: string | undefined, kind: InputKind): Field[] | null {
  if (!schemaYAML) return null;
  const doc = load(schemaYAML) as SchemaDoc;
  const s = doc?.schema;
  const typeName = kind === "environment" ? s?.environment_input_type : kind === "service" ? s?.service_input_type : s?.pipeline_input_type;
  const t = typeName ? s?.types?.[typeName] : undefined;
  if (!t) return null;
  const required = new Set(t.required ?? []);
  return Object.entries(t.properties ?? {}).map(([name, p]) => ({
    name,
    title: p.title ?? name,
    type: (p.type ?? "string") as Field["type"],
    description: p.description,
    default: p.default,
    enum: p.enum,
    minimum: p.minimum,
    maximum: p.maximum,
    minLength: p.minLength,
    maxLength: p.maxLength,
    pattern: p.pattern,
    required: required.has(name),
  }));
}

/** Values are a form's inputs as typed text, by field name. */
export type Values = Record<string, string>;

/** initialValues are fields' defaults as text (objects and arrays as YAML). */
export function initialValues(fields: Field[]): Values {
  const v: Values = {};
  for (const f of fields) v[f.name] = textOf(f, f.default);
  return v;
}

/** valuesOf is the text of existing inputs (a spec's), defaults for what they lack. */
export function valuesOf(fields: Field[], inputs: Record<string, unknown> | undefined): Values {
  const v = initialValues(fields);
  for (const f of fields) if (inputs && f.name in inputs) v[f.name] = textOf(f, inputs[f.name]);
  return v;
}

function textOf(f: Field, value: unknown): string {
  if (value === undefined || value === null) return "";
  if (f.type === "array" || f.type === "object") return dump(value).trimEnd();
  return String(value);
}

/**
 * inputsOf turns a form's text into the inputs of a spec. Text that is not of the field's
 * type is sent as written, so that the API (the one validator) names the problem; an empty
 * field that is not a string is left out, so the schema's default applies.
 */
export function inputsOf(fields: Field[], values: Values): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    const text = values[f.name] ?? "";
    if (text === "" && f.type !== "string") continue;
    switch (f.type) {
      case "integer":
        out[f.name] = /^-?\d+$/.test(text.trim()) ? Number(text.trim()) : text;
        break;
      case "number":
        out[f.name] = text.trim() !== "" && !Number.isNaN(Number(text)) ? Number(text) : text;
        break;
      case "boolean":
        out[f.name] = text === "true" ? true : text === "false" ? false : text;
        break;
      case "array":
      case "object":
        try {
          out[f.name] = load(text);
        } catch {
          out[f.name] = text;
        }
        break;
      default:
        out[f.name] = text;
    }
  }
  return out;
}

/** environmentSpec is a Proton EnvironmentSpec. */
export function environmentSpec(inputs: Record<string, unknown>): string {
  return dump({ proton: "EnvironmentSpec", spec: inputs });
}

export interface InstanceSpec {
  name: string;
  environment: string;
  inputs: Record<string, unknown>;
}

/** serviceSpec is a Proton ServiceSpec listing instances, with a pipeline section when given. */
export function serviceSpec(instances: InstanceSpec[], pipeline?: Record<string, unknown>): string {
  const doc: Record<string, unknown> = { proton: "ServiceSpec" };
  if (pipeline) doc.pipeline = pipeline;
  doc.instances = instances.map((i) => ({ name: i.name, environment: i.environment, spec: i.inputs }));
  return dump(doc);
}

/**
 * specWithout is the ServiceSpec for UpdateService that removes instance `removed`: every
 * other instance as it runs (its name, environment and current inputs), and the service
 * spec's pipeline section, if any. UpdateService deletes the instances a spec leaves out.
 */
export function specWithout(serviceSpecYAML: string | undefined, instances: { name: string; environmentName: string; spec?: string }[], removed: string): string {
  const doc = (serviceSpecYAML ? (load(serviceSpecYAML) as Record<string, unknown> | null) : null) ?? {};
  const kept = instances.filter((i) => i.name !== removed).map((i) => ({ name: i.name, environment: i.environmentName, inputs: specInputs(i.spec, i.name) }));
  return serviceSpec(kept, doc.pipeline as Record<string, unknown> | undefined);
}

/** specInputs reads the inputs of a spec: an EnvironmentSpec's spec, or the named instance's of a ServiceSpec. */
export function specInputs(specYAML: string | undefined, instance?: string): Record<string, unknown> {
  if (!specYAML) return {};
  const doc = load(specYAML) as Record<string, unknown> | null;
  if (!doc) return {};
  if (instance) {
    const list = (doc.instances as { name: string; spec?: Record<string, unknown> }[] | undefined) ?? [];
    const i = list.find((x) => x.name === instance);
    return i?.spec ?? (doc.spec as Record<string, unknown>) ?? {};
  }
  return (doc.spec as Record<string, unknown>) ?? {};
}

export interface FieldError {
  field: string; // the API's path, e.g. "spec.vpc_cidr" or "spec.instances[0].spec.port"
  message: string;
}

/**
 * fieldErrors splits an API validation message ("field: problem; field: problem") into
 * its field errors, in the API's words; text naming no field is left out.
 */
export function fieldErrors(message: string): FieldError[] {
  const out: FieldError[] = [];
  for (const part of message.split("; ")) {
    const m = /^([A-Za-z0-9_.[\]-]+): ([\s\S]+)$/.exec(part);
    if (m) out.push({ field: m[1], message: m[2] });
  }
  return out;
}

/**
 * errorFor is the API's message about input name of a form whose inputs sit under scope
 * (e.g. "instances[1]" or "pipeline"; "" for an environment's), or undefined.
 */
export function errorFor(errors: FieldError[], name: string, scope = ""): string | undefined {
  for (const e of errors) {
    const path = e.field;
    if (!(path === name || path.endsWith("." + name))) continue;
    if (scope && !path.includes(scope)) continue;
    if (!scope && /instances\[\d+\]|pipeline/.test(path)) continue;
    return e.message;
  }
  return undefined;
}

/** instanceSpec is one instance's spec as an instance update takes it: its bare inputs. */
export function instanceSpec(inputs: Record<string, unknown>): string {
  return dump(inputs);
}
