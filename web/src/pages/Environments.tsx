// Environments: the list, the form generated from the template's schema, and an
// environment's status (polled while deploying), outputs, deployments, spec and tags.
import { useMemo, useState } from "react";
import Box from "@cloudscape-design/components/box";
import Button from "@cloudscape-design/components/button";
import ColumnLayout from "@cloudscape-design/components/column-layout";
import Container from "@cloudscape-design/components/container";
import Form from "@cloudscape-design/components/form";
import FormField from "@cloudscape-design/components/form-field";
import Header from "@cloudscape-design/components/header";
import Input from "@cloudscape-design/components/input";
import Select from "@cloudscape-design/components/select";
import SpaceBetween from "@cloudscape-design/components/space-between";
import Table from "@cloudscape-design/components/table";
import { api, ApiError, listAll, unwrap, type Schemas } from "../api/client";
import { DeploymentsTable, ErrorAlert, NavLink, OutputsTable, ProvisionedResources, Status, Tags, Yaml } from "../components";
import { SchemaFields } from "../SchemaFields";
import { inProgress, useLoad } from "../lib/hooks";
import { navigate, query } from "../lib/router";
import { environmentSpec, errorFor, instanceSpec, fieldErrors, fieldsOf, initialValues, inputsOf, specInputs, valuesOf, type FieldError, type Values } from "../lib/schema";
import { useIsAdmin } from "../lib/session";
import { createsEnvironments, managesEnvironments } from "../lib/entitlement";
import { getTemplate, getVersion, listTemplates } from "./Templates";
import { TemplatePicker, type Picked } from "./TemplatePicker";

export const listEnvironments = () => listAll((nextToken) => api.GET("/v1/environments", { params: { query: { nextToken } } }));

export function EnvironmentsPage() {
  const admin = useIsAdmin();
  const list = useLoad(listEnvironments, [], 3000, (items) => items.some((e) => inProgress(e.deploymentStatus)));
  const templates = useLoad(() => (admin ? Promise.resolve([]) : listTemplates("environment")), [admin]);
  return (
    <SpaceBetween size="l">
      <ErrorAlert error={list.error} />
      <Table
        data-testid="environments"
        variant="full-page"
        header={
          <Header variant="h1" counter={list.data ? `(${list.data.length})` : undefined}
            actions={createsEnvironments(admin, templates.data) ? <Button variant="primary" onClick={() => navigate("/environments/new")}>Create environment</Button> : undefined}>
            Environments
          </Header>
        }
        loading={list.loading && !list.data}
        loadingText="Loading environments"
        items={list.data ?? []}
        columnDefinitions={[
          { id: "name", header: "Name", cell: (e) => <NavLink href={`/environments/${e.name}`}>{e.name}</NavLink> },
          { id: "template", header: "Template", cell: (e) => `${e.templateName} ${e.templateMajorVersion}.${e.templateMinorVersion}` },
          { id: "status", header: "Deployment status", cell: (e) => <Status status={e.deploymentStatus} /> },
        ]}
        empty={<Box textAlign="center">No environments</Box>}
      />
    </SpaceBetween>
  );
}

/** The role ARNs an admin may give a new environment, as the create form holds them. */
export type RoleFields = { componentRoleArn: string; codebuildRoleArn: string };

/** environmentRoles is the part of CreateEnvironment's body for roles: the ones filled in, trimmed; none when empty. */
export function environmentRoles(r: RoleFields): { componentRoleArn?: string; codebuildRoleArn?: string } {
  const out: { componentRoleArn?: string; codebuildRoleArn?: string } = {};
  if (r.componentRoleArn.trim()) out.componentRoleArn = r.componentRoleArn.trim();
  if (r.codebuildRoleArn.trim()) out.codebuildRoleArn = r.codebuildRoleArn.trim();
  return out;
}

export function CreateEnvironmentPage({ path }: { path: string }) {
  const admin = useIsAdmin();
  const q = query(path);
  const [picked, setPicked] = useState<Picked | null>(null);
  const fields = useMemo(() => fieldsOf(picked?.version.schema, "environment") ?? [], [picked]);
  const [name, setName] = useState("");
  const [roles, setRoles] = useState<RoleFields>({ componentRoleArn: "", codebuildRoleArn: "" });
  const [values, setValues] = useState<Values>({});
  const [schemaKey, setSchemaKey] = useState("");
  const key = picked ? `${picked.template.name}@${picked.version.majorVersion}.${picked.version.minorVersion}` : "";
  if (key !== schemaKey) {
    setSchemaKey(key);
    setValues(initialValues(fields));
  }
  const [error, setError] = useState<unknown>();
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [busy, setBusy] = useState(false);
  const spec = environmentSpec(inputsOf(fields, values));
  const submit = async () => {
    if (!picked) return;
    setBusy(true);
    setError(undefined);
    setErrors([]);
    try {
      await unwrap(api.POST("/v1/environments", {
        body: { name, templateName: picked.template.name, templateMajorVersion: picked.version.majorVersion, templateMinorVersion: picked.version.minorVersion, spec, ...environmentRoles(roles) },
      }));
      navigate(`/environments/${name}`);
    } catch (e) {
      setError(e);
      if (e instanceof ApiError && e.status === 400) setErrors(fieldErrors(e.message));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={(e) => { e.preventDefault(); void submit(); }}>
      <Form
        header={<Header variant="h1" description="The form follows the template version's schema.yaml">Create environment</Header>}
        actions={
          <SpaceBetween direction="horizontal" size="xs">
            <Button formAction="none" variant="link" onClick={() => navigate("/environments")}>Cancel</Button>
            <Button variant="primary" loading={busy} disabled={!picked}>Create environment</Button>
          </SpaceBetween>
        }
        errorText={error instanceof ApiError && error.status === 400 ? `${error.code}: ${error.message}` : undefined}>
        <SpaceBetween size="l">
          {error && !(error instanceof ApiError && error.status === 400) ? <ErrorAlert error={error} /> : null}
          <Container header={<Header>Template</Header>}>
            <SpaceBetween size="m">
              <TemplatePicker kind="environment" offered={(t) => managesEnvironments(admin, t) || "admins only: not self-service"} initial={{ template: q.get("template") ?? undefined, major: q.has("major") ? Number(q.get("major")) : undefined, minor: q.has("minor") ? Number(q.get("minor")) : undefined }} onPick={setPicked} />
              <FormField label="Environment name" controlId="env-name" errorText={errorFor(errors, "name")}>
                <Input controlId="env-name" value={name} onChange={(e) => setName(e.detail.value)} />
              </FormField>
            </SpaceBetween>
          </Container>
          {admin ? (
            <Container header={<Header description="IAM roles (admins only): directly defined components deploy under the component role, CodeBuild provisioning runs under the CodeBuild role">Roles</Header>}>
              <SpaceBetween size="m">
                <FormField label="Component role ARN (optional)" controlId="env-component-role" errorText={errorFor(errors, "componentRoleArn")}>
                  <Input controlId="env-component-role" value={roles.componentRoleArn} onChange={(e) => setRoles({ ...roles, componentRoleArn: e.detail.value })} />
                </FormField>
                <FormField label="CodeBuild role ARN (optional)" controlId="env-codebuild-role" errorText={errorFor(errors, "codebuildRoleArn")}>
                  <Input controlId="env-codebuild-role" value={roles.codebuildRoleArn} onChange={(e) => setRoles({ ...roles, codebuildRoleArn: e.detail.value })} />
                </FormField>
              </SpaceBetween>
            </Container>
          ) : null}
          <Container header={<Header description={picked ? `${picked.template.name} ${picked.version.majorVersion}.${picked.version.minorVersion}` : undefined}>Inputs</Header>}>
            {picked ? <SchemaFields fields={fields} values={values} onChange={setValues} errors={errors} idPrefix="env-input" /> : <Box>Choose a template</Box>}
          </Container>
          <Container header={<Header description="What the console sends as spec">Spec (YAML)</Header>}>
            <Yaml text={spec} label="Spec YAML" />
          </Container>
        </SpaceBetween>
      </Form>
    </form>
  );
}

export function EnvironmentPage({ name }: { name: string }) {
  const admin = useIsAdmin();
  const env = useLoad(() => unwrap(api.GET("/v1/environments/{name}", { params: { path: { name } } })), [name], 1500, (e) => inProgress(e.deploymentStatus));
  const status = env.data?.deploymentStatus;
  // What the target has become: its status and its last deployment (a deployment may
  // start and end between two reads, leaving the status as it was).
  const revision = `${status}/${env.data?.lastDeploymentId}`;
  const outputs = useLoad(() => unwrap(api.GET("/v1/environments/{name}/outputs", { params: { path: { name } } })), [name, revision]);
  const deployments = useLoad(() => listAll((nextToken) => api.GET("/v1/deployments", { params: { query: { environmentName: name, nextToken } } })), [name, revision]);
  const [error, setError] = useState<unknown>();
  const [editing, setEditing] = useState(false);
  const e = env.data;
  const template = useLoad(() => (admin || !e ? Promise.resolve(undefined) : getTemplate("environment", e.templateName)), [admin, e?.templateName]);
  const manages = managesEnvironments(admin, template.data);
  const act = async (f: () => Promise<unknown>) => {
    setError(undefined);
    try {
      await f();
      env.reload();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <SpaceBetween size="l">
      <Header variant="h1"
        actions={manages ? (
          <SpaceBetween direction="horizontal" size="xs">
            <Button onClick={() => setEditing(!editing)}>Update</Button>
            {inProgress(status) ? <Button onClick={() => act(() => unwrap(api.POST("/v1/environments/{name}/cancel", { params: { path: { name } } })))}>Cancel deployment</Button> : null}
            <Button onClick={() => act(() => unwrap(api.DELETE("/v1/environments/{name}", { params: { path: { name } } })))}>Delete</Button>
          </SpaceBetween>
        ) : undefined}>
        Environment {name}
      </Header>
      <ErrorAlert error={env.error ?? error} />
      <Container header={<Header>Details</Header>}>
        <ColumnLayout columns={3} variant="text-grid">
          <div><Box variant="awsui-key-label">Deployment status</Box><Status status={status} testId="deployment-status" /></div>
          <div><Box variant="awsui-key-label">Template</Box>{e ? <NavLink href={`/templates/environment/${e.templateName}`}>{`${e.templateName} ${e.templateMajorVersion}.${e.templateMinorVersion}`}</NavLink> : "-"}</div>
          <div><Box variant="awsui-key-label">Last deployment</Box>{e?.lastDeploymentId ? <NavLink href={`/deployments/${e.lastDeploymentId}`}>{e.lastDeploymentId.slice(0, 8)}</NavLink> : "-"}</div>
          <div><Box variant="awsui-key-label">Status message</Box><span data-testid="status-message">{e?.deploymentStatusMessage ?? "-"}</span></div>
          <div><Box variant="awsui-key-label">Stack</Box>{e?.stackName ?? "-"}</div>
          <div><Box variant="awsui-key-label">ARN</Box><span style={{ wordBreak: "break-all" }}>{e?.arn ?? "-"}</span></div>
          <div><Box variant="awsui-key-label">Region</Box><span data-testid="region">{e?.region ?? "-"}</span></div>
          <div><Box variant="awsui-key-label">Component role</Box><span data-testid="component-role" style={{ wordBreak: "break-all" }}>{e?.componentRoleArn || "-"}</span></div>
          <div><Box variant="awsui-key-label">CodeBuild role</Box><span style={{ wordBreak: "break-all" }}>{e?.codebuildRoleArn || "-"}</span></div>
        </ColumnLayout>
      </Container>
      {editing && e ? <UpdateTarget kind="environment" target={e} onDone={() => { setEditing(false); env.reload(); }} /> : null}
      <OutputsTable outputs={outputs.data?.outputs} loading={outputs.loading} />
      <ProvisionedResources deps={[name, revision]}
        load={() => listAll((nextToken) => api.GET("/v1/environments/{name}/provisioned-resources", { params: { path: { name }, query: { nextToken } } }))} />
      <DeploymentsTable deployments={deployments.data} loading={deployments.loading} />
      <Container header={<Header>Spec</Header>}><Yaml text={e?.spec} label="Environment spec" /></Container>
      <Tags arn={e?.arn} />
    </SpaceBetween>
  );
}

type DeploymentType = Schemas["Update"]["deploymentType"];

/**
 * UpdateTarget updates an environment's or an instance's inputs (a form from its
 * template version's schema) and/or its template version, by deployment type.
 */
export function UpdateTarget({ kind, target, onDone }: {
  kind: "environment" | "instance";
  target: { name: string; templateName: string; templateMajorVersion: number; templateMinorVersion: number; spec?: string; serviceName?: string };
  onDone: () => void;
}) {
  const version = useLoad(
    () => getVersion(kind === "environment" ? "environment" : "service", target.templateName, `${target.templateMajorVersion}.${target.templateMinorVersion}`),
    [kind, target.templateName, target.templateMajorVersion, target.templateMinorVersion],
  );
  const fields = useMemo(() => fieldsOf(version.data?.schema, kind === "environment" ? "environment" : "service") ?? [], [version.data, kind]);
  const current = useMemo(() => specInputs(target.spec, kind === "instance" ? target.name : undefined), [target.spec, target.name, kind]);
  const [values, setValues] = useState<Values | null>(null);
  const shown = values ?? valuesOf(fields, current);
  const types: DeploymentType[] = ["CURRENT_VERSION", "MINOR_VERSION", "MAJOR_VERSION", "NONE"];
  const [type, setType] = useState<DeploymentType>("CURRENT_VERSION");
  const [error, setError] = useState<unknown>();
  const [errors, setErrors] = useState<FieldError[]>([]);
  const spec = kind === "environment"
    ? environmentSpec(inputsOf(fields, shown))
    : instanceSpec(inputsOf(fields, shown));
  const [preview, setPreview] = useState<Schemas["Preview"] | null>(null);
  const body = { deploymentType: type, spec: type === "MAJOR_VERSION" ? undefined : spec, templateMajorVersion: type === "MAJOR_VERSION" ? target.templateMajorVersion + 1 : undefined };
  const fail = (e: unknown) => {
    setError(e);
    if (e instanceof ApiError && e.status === 400) setErrors(fieldErrors(e.message));
  };
  // submit deploys the form, or exactly the previewed change set when there is one.
  const submit = async () => {
    setError(undefined);
    setErrors([]);
    const b = preview ? { deploymentType: type, previewId: preview.id } : body;
    try {
      if (kind === "environment") await unwrap(api.PATCH("/v1/environments/{name}", { params: { path: { name: target.name } }, body: b }));
      else await unwrap(api.PATCH("/v1/services/{name}/instances/{instance}", { params: { path: { name: target.serviceName!, instance: target.name } }, body: b }));
      onDone();
    } catch (e) {
      fail(e);
    }
  };
  const runPreview = async () => {
    setError(undefined);
    setErrors([]);
    try {
      setPreview(kind === "environment"
        ? await unwrap(api.POST("/v1/environments/{name}/preview", { params: { path: { name: target.name } }, body }))
        : await unwrap(api.POST("/v1/services/{name}/instances/{instance}/preview", { params: { path: { name: target.serviceName!, instance: target.name } }, body })));
    } catch (e) {
      fail(e);
    }
  };
  const typeOptions = types.map((t) => ({ label: t, value: t }));
  return (
    <Container header={<Header description="The inputs follow the running version's schema; the deployment type says which version to go to">Update</Header>}>
      <SpaceBetween size="m">
        <ErrorAlert error={error} />
        <FormField label="Deployment type" controlId="update-type">
          <Select controlId="update-type" selectedOption={typeOptions.find((o) => o.value === type)!} options={typeOptions} onChange={(e) => { setType(e.detail.selectedOption.value as DeploymentType); setPreview(null); }} />
        </FormField>
        <SchemaFields fields={fields} values={shown} onChange={(v) => { setValues(v); setPreview(null); }} errors={errors} idPrefix="update-input" />
        {preview ? <PreviewChanges preview={preview} /> : null}
        <SpaceBetween direction="horizontal" size="xs">
          <Button onClick={runPreview}>Preview changes</Button>
          <Button variant="primary" onClick={submit}>{preview ? "Deploy this preview" : "Deploy"}</Button>
        </SpaceBetween>
      </SpaceBetween>
    </Container>
  );
}

/** PreviewChanges shows a preview's change set: what CloudFormation would add, modify, replace, remove. */
export function PreviewChanges({ preview }: { preview: Schemas["Preview"] }) {
  const s = preview.summary;
  return (
    <Table
      data-testid="preview"
      variant="embedded"
      header={<Header description={preview.status === "FAILED" ? preview.statusReason : `${s.add} to add, ${s.modify} to modify (${s.replace} replaced), ${s.remove} to remove`}>
        Preview of {preview.stackName}
      </Header>}
      items={preview.changes}
      columnDefinitions={[
        { id: "action", header: "Action", cell: (c) => c.action },
        { id: "id", header: "Logical id", cell: (c) => c.logicalResourceId },
        { id: "type", header: "Type", cell: (c) => c.resourceType },
        { id: "replacement", header: "Replacement", cell: (c) => c.replacement ?? "-" },
        { id: "attributes", header: "Changes", cell: (c) => (c.details ?? []).map((d) => [d.attribute, d.name].filter(Boolean).join(" ")).join(", ") || "-" },
      ]}
      empty={<Box textAlign="center">{preview.empty ? "No change" : "No changes listed"}</Box>}
    />
  );
}
