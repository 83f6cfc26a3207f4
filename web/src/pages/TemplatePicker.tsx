// Choosing a template and version to create from: the template, its major (published
// versions only), and the schema of the version a create would get.
import { useEffect, useMemo, useState } from "react";
import FormField from "@cloudscape-design/components/form-field";
import Select from "@cloudscape-design/components/select";
import SpaceBetween from "@cloudscape-design/components/space-between";
import type { Template, TemplateVersion } from "../api/client";
import { useLoad } from "../lib/hooks";
import { getVersion, listTemplates, listVersions, type Kind } from "./Templates";

export interface Picked {
  template: Template;
  version: TemplateVersion; // with its schema
}

/**
 * TemplatePicker offers kind's templates and their published versions; it reports the
 * version a create with the chosen major would get (the pinned or highest published minor).
 * offered(t), when given, says whether t may be chosen: true, or why not (the option is
 * shown disabled with that reason).
 */
export function TemplatePicker({ kind, initial, onPick, offered }: {
  kind: Kind;
  initial: { template?: string; major?: number; minor?: number };
  onPick: (p: Picked | null) => void;
  offered?: (t: Template) => true | string;
}) {
  const templates = useLoad(() => listTemplates(kind), [kind]);
  const [name, setName] = useState(initial.template ?? "");
  const versions = useLoad(() => (name ? listVersions(kind, name) : Promise.resolve([])), [kind, name]);
  const published = useMemo(() => (versions.data ?? []).filter((v) => v.status === "PUBLISHED"), [versions.data]);
  const template = templates.data?.find((t) => t.name === name);
  const majors = [...new Set(published.map((v) => v.majorVersion))];
  const [major, setMajor] = useState<number | undefined>(initial.major);
  useEffect(() => {
    if (major === undefined || (published.length && !majors.includes(major))) {
      const m = template?.recommendedMajorVersion ?? majors[0];
      if (m !== undefined && m !== major) setMajor(m);
    }
  }, [template, published]); // eslint-disable-line react-hooks/exhaustive-deps
  const minor = useMemo(() => {
    if (major === undefined) return undefined;
    if (initial.minor !== undefined && initial.major === major && published.some((v) => v.majorVersion === major && v.minorVersion === initial.minor)) return initial.minor;
    if (template?.recommendedMajorVersion === major) return template.recommendedMinorVersion;
    return Math.max(...published.filter((v) => v.majorVersion === major).map((v) => v.minorVersion));
  }, [major, published, template, initial.major, initial.minor]);
  const version = useLoad(
    () => (name && major !== undefined && minor !== undefined && Number.isFinite(minor) ? getVersion(kind, name, `${major}.${minor}`) : Promise.resolve(undefined)),
    [kind, name, major, minor],
  );
  useEffect(() => {
    onPick(template && version.data ? { template, version: version.data } : null);
  }, [template, version.data]); // eslint-disable-line react-hooks/exhaustive-deps
  const templateOptions = (templates.data ?? []).map((t) => {
    const why = offered?.(t) ?? true;
    const recommended = t.recommendedVersion ? `recommended ${t.recommendedVersion}` : "no published version";
    return { label: t.name, value: t.name, disabled: why !== true, description: why === true ? recommended : `${recommended} · ${why}` };
  });
  const majorOptions = majors.map((m) => ({ label: String(m), value: String(m) }));
  return (
    <SpaceBetween direction="horizontal" size="l">
      <FormField label="Template" controlId="pick-template">
        <Select controlId="pick-template" selectedOption={templateOptions.find((o) => o.value === name) ?? null} options={templateOptions}
          placeholder="Choose a template" loadingText="Loading templates" statusType={templates.loading ? "loading" : "finished"}
          onChange={(e) => { setName(e.detail.selectedOption.value ?? ""); setMajor(undefined); }} />
      </FormField>
      <FormField label="Major version" controlId="pick-major">
        <Select controlId="pick-major" selectedOption={majorOptions.find((o) => o.value === String(major)) ?? null} options={majorOptions}
          placeholder="Major" onChange={(e) => setMajor(Number(e.detail.selectedOption.value))} />
      </FormField>
      <FormField label="Version">
        <span data-testid="picked-version">{version.data ? `${version.data.majorVersion}.${version.data.minorVersion}` : "-"}</span>
      </FormField>
    </SpaceBetween>
  );
}
