// A service's pipeline (status, outputs, resources, its update from the pipeline inputs of
// the template's schema, cancel) and the form adding an instance to a service.
import { useMemo, useState } from "react";
import Box from "@cloudscape-design/components/box";
import Button from "@cloudscape-design/components/button";
import ColumnLayout from "@cloudscape-design/components/column-layout";
import Container from "@cloudscape-design/components/container";
import FormField from "@cloudscape-design/components/form-field";
import Header from "@cloudscape-design/components/header";
import Input from "@cloudscape-design/components/input";
import Select from "@cloudscape-design/components/select";
import SpaceBetween from "@cloudscape-design/components/space-between";
import { dump, load } from "js-yaml";
import { api, ApiError, listAll, unwrap, type Schemas, type Service } from "../api/client";
import { ErrorAlert, NavLink, OutputsTable, ProvisionedResources, Status } from "../components";
import { SchemaFields } from "../SchemaFields";
import { inProgress, useLoad } from "../lib/hooks";
import { errorFor, fieldErrors, fieldsOf, initialValues, inputsOf, serviceSpec, valuesOf, type FieldError, type Values } from "../lib/schema";
import { listEnvironments } from "./Environments";
import { getVersion } from "./Templates";

type DeploymentType = Schemas["Update"]["deploymentType"];

export function PipelineSection({ service, onChange }: { service: Service; onChange: () => void }) {
  const p = service.pipeline!;
  const name = service.name;
  const status = p.deploymentStatus;
  const revision = `${status}/${p.lastDeploymentId}`;
  const outputs = useLoad(() => unwrap(api.GET("/v1/services/{name}/pipeline/outputs", { params: { path: { name } } })), [name, revision]);
  const version = useLoad(() => getVersion("service", p.templateName, `${p.templateMajorVersion}.${p.templateMinorVersion}`), [p.templateName, p.templateMajorVersion, p.templateMinorVersion]);
  const fields = useMemo(() => fieldsOf(version.data?.schema, "pipeline") ?? [], [version.data]);
  const current = useMemo(() => ((p.spec ? (load(p.spec) as { pipeline?: Record<string, unknown> } | null)?.pipeline : undefined) ?? {}), [p.spec]);
  const [editing, setEditing] = useState(false);
  const [values, setValues] = useState<Values | null>(null);
  const shown = values ?? valuesOf(fields, current);
  const [type, setType] = useState<DeploymentType>("CURRENT_VERSION");
  const [error, setError] = useState<unknown>();
  const [errors, setErrors] = useState<FieldError[]>([]);
  const act = async (f: () => Promise<unknown>) => {
    setError(undefined);
    setErrors([]);
    try {
      await f();
      setEditing(false);
      onChange();
    } catch (e) {
      setError(e);
      if (e instanceof ApiError && e.status === 400) setErrors(fieldErrors(e.message));
    }
  };
  const typeOptions = (["CURRENT_VERSION", "MINOR_VERSION", "MAJOR_VERSION", "NONE"] as DeploymentType[]).map((t) => ({ label: t, value: t }));
  return (
    <SpaceBetween size="l">
      <Container header={
        <Header actions={
          <SpaceBetween direction="horizontal" size="xs">
            <Button onClick={() => setEditing(!editing)}>Update pipeline</Button>
            {inProgress(status) ? <Button onClick={() => act(() => unwrap(api.POST("/v1/services/{name}/pipeline/cancel", { params: { path: { name } } })))}>Cancel pipeline deployment</Button> : null}
          </SpaceBetween>
        }>Pipeline</Header>
      }>
        <SpaceBetween size="m">
          <ErrorAlert error={error} />
          <ColumnLayout columns={3} variant="text-grid">
            <div><Box variant="awsui-key-label">Deployment status</Box><Status status={status} testId="pipeline-status" /></div>
            <div><Box variant="awsui-key-label">Template</Box>{`${p.templateName} ${p.templateMajorVersion}.${p.templateMinorVersion}`}</div>
            <div><Box variant="awsui-key-label">Last deployment</Box>{p.lastDeploymentId ? <NavLink href={`/deployments/${p.lastDeploymentId}`}>{p.lastDeploymentId.slice(0, 8)}</NavLink> : "-"}</div>
            <div><Box variant="awsui-key-label">Status message</Box>{p.deploymentStatusMessage ?? "-"}</div>
            <div><Box variant="awsui-key-label">Last run</Box>{p.lastExecution ? [p.lastExecution.state, p.lastExecution.stage, p.lastExecution.summary].filter(Boolean).join(" · ") : "-"}</div>
          </ColumnLayout>
          {editing ? (
            <SpaceBetween size="m">
              <FormField label="Deployment type" controlId="pipeline-type">
                <Select controlId="pipeline-type" selectedOption={typeOptions.find((o) => o.value === type)!} options={typeOptions} onChange={(e) => setType(e.detail.selectedOption.value as DeploymentType)} />
              </FormField>
              <SchemaFields fields={fields} values={shown} onChange={setValues} errors={errors} scope="pipeline" idPrefix="pipeline-update" />
              <Button variant="primary" onClick={() => act(() => unwrap(api.PATCH("/v1/services/{name}/pipeline", {
                params: { path: { name } },
                body: { deploymentType: type, spec: type === "MAJOR_VERSION" ? undefined : dump({ proton: "ServiceSpec", pipeline: inputsOf(fields, shown) }) },
              })))}>Deploy pipeline</Button>
            </SpaceBetween>
          ) : null}
        </SpaceBetween>
      </Container>
      <OutputsTable outputs={outputs.data?.outputs} loading={outputs.loading} />
      <ProvisionedResources deps={[name, revision]}
        load={() => listAll((nextToken) => api.GET("/v1/services/{name}/pipeline/provisioned-resources", { params: { path: { name }, query: { nextToken } } }))} />
    </SpaceBetween>
  );
}

export function AddInstance({ service, onDone }: { service: Service; onDone: () => void }) {
  const version = useLoad(() => getVersion("service", service.templateName, `${service.templateMajorVersion ?? 1}.${service.templateMinorVersion ?? 0}`),
    [service.templateName, service.templateMajorVersion, service.templateMinorVersion]);
  const envs = useLoad(listEnvironments, []);
  const fields = useMemo(() => fieldsOf(version.data?.schema, "service") ?? [], [version.data]);
  const [name, setName] = useState("");
  const [environment, setEnvironment] = useState("");
  const [values, setValues] = useState<Values | null>(null);
  const shown = values ?? initialValues(fields);
  const [error, setError] = useState<unknown>();
  const [errors, setErrors] = useState<FieldError[]>([]);
  const envOptions = (envs.data ?? []).map((e) => ({ label: e.name, value: e.name }));
  const submit = async () => {
    setError(undefined);
    setErrors([]);
    try {
      await unwrap(api.POST("/v1/services/{name}/instances", {
        params: { path: { name: service.name } },
        body: { name, spec: serviceSpec([{ name, environment, inputs: inputsOf(fields, shown) }]) },
      }));
      onDone();
    } catch (e) {
      setError(e);
      if (e instanceof ApiError && e.status === 400) setErrors(fieldErrors(e.message));
    }
  };
  return (
    <Container header={<Header description="Its inputs follow the service's template version">Add an instance</Header>}>
      <SpaceBetween size="m">
        <ErrorAlert error={error} />
        <ColumnLayout columns={2}>
          <FormField label="Instance name" controlId="add-inst-name" errorText={errorFor(errors, "name", "instances[0]") ?? errorFor(errors, "name")}>
            <Input controlId="add-inst-name" value={name} onChange={(e) => setName(e.detail.value)} />
          </FormField>
          <FormField label="Environment" controlId="add-inst-env" errorText={errorFor(errors, "environment", "instances[0]")}>
            <Select controlId="add-inst-env" selectedOption={envOptions.find((o) => o.value === environment) ?? null} options={envOptions}
              placeholder="Choose an environment" onChange={(e) => setEnvironment(e.detail.selectedOption.value ?? "")} />
          </FormField>
        </ColumnLayout>
        <SchemaFields fields={fields} values={shown} onChange={setValues} errors={errors} scope="instances[0]" idPrefix="add-inst-input" />
        <Button variant="primary" onClick={submit}>Add instance</Button>
      </SpaceBetween>
    </Container>
  );
}
