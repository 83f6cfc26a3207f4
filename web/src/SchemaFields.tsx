// A form generated from a template version's schema: one field per input, with its
// title, description, default, enum, bounds and pattern as the schema states them, and
// the API's message about it under it.
import FormField from "@cloudscape-design/components/form-field";
import Input from "@cloudscape-design/components/input";
import Select from "@cloudscape-design/components/select";
import SpaceBetween from "@cloudscape-design/components/space-between";
import Textarea from "@cloudscape-design/components/textarea";
import { errorFor, type Field, type FieldError, type Values } from "./lib/schema";

function constraints(f: Field): string {
  const parts: string[] = [f.type];
  if (f.required) parts.push("required");
  if (f.minimum !== undefined) parts.push(`min ${f.minimum}`);
  if (f.maximum !== undefined) parts.push(`max ${f.maximum}`);
  if (f.minLength !== undefined) parts.push(`at least ${f.minLength} characters`);
  if (f.maxLength !== undefined) parts.push(`at most ${f.maxLength} characters`);
  if (f.pattern) parts.push(`pattern ${f.pattern}`);
  if (f.default !== undefined && f.default !== "") parts.push(`default ${JSON.stringify(f.default)}`);
  return parts.join(" · ");
}

export function SchemaFields({ fields, values, onChange, errors, scope = "", idPrefix }: {
  fields: Field[];
  values: Values;
  onChange: (v: Values) => void;
  errors: FieldError[];
  scope?: string;
  idPrefix: string;
}) {
  const set = (name: string, v: string) => onChange({ ...values, [name]: v });
  return (
    <SpaceBetween size="m">
      {fields.map((f) => {
        const id = `${idPrefix}-${f.name}`;
        const error = errorFor(errors, f.name, scope);
        const label = f.required ? f.title : (
          <span>
            {f.title} <i>- optional</i>
          </span>
        );
        let control;
        if (f.enum) {
          const options = f.enum.map((e) => ({ label: String(e), value: String(e) }));
          const selected = options.find((o) => o.value === values[f.name]) ?? null;
          control = (
            <Select controlId={id} selectedOption={selected} options={options} invalid={!!error}
              onChange={(e) => set(f.name, e.detail.selectedOption.value ?? "")} />
          );
        } else if (f.type === "boolean") {
          const options = [{ label: "true", value: "true" }, { label: "false", value: "false" }];
          control = (
            <Select controlId={id} selectedOption={options.find((o) => o.value === values[f.name]) ?? null} options={options}
              invalid={!!error} onChange={(e) => set(f.name, e.detail.selectedOption.value ?? "")} />
          );
        } else if (f.type === "array" || f.type === "object") {
          control = <Textarea controlId={id} value={values[f.name] ?? ""} invalid={!!error} rows={4} onChange={(e) => set(f.name, e.detail.value)} />;
        } else {
          control = (
            <Input controlId={id} value={values[f.name] ?? ""} invalid={!!error}
              inputMode={f.type === "integer" ? "numeric" : f.type === "number" ? "decimal" : undefined}
              onChange={(e) => set(f.name, e.detail.value)} />
          );
        }
        return (
          <div key={f.name} data-field={f.name}>
            <FormField label={label} description={f.description} constraintText={constraints(f)} errorText={error} controlId={id}>
              {control}
            </FormField>
          </div>
        );
      })}
    </SpaceBetween>
  );
}
