// Services and their instances and pipelines: the create form generated from the
// service template's schema (each instance's inputs, the pipeline's), and the pages of a
// service and of an instance with live status, outputs, deployments, components and tags.
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
import { api, ApiError, listAll, unwrap } from "../api/client";
import { DeploymentsTable, ErrorAlert, NavLink, OutputsTable, ProvisionedResources, Status, Tags, Yaml } from "../components";
import { SchemaFields } from "../SchemaFields";
import { inProgress, useLoad } from "../lib/hooks";
import { navigate, query } from "../lib/router";
import { errorFor, fieldErrors, fieldsOf, initialValues, inputsOf, serviceSpec, specWithout, type FieldError, type Values } from "../lib/schema";
import { listEnvironments, UpdateTarget } from "./Environments";
import { AddInstance, PipelineSection } from "./ServiceParts";
import { TemplatePicker, type Picked } from "./TemplatePicker";

export const listServices = () => listAll((nextToken) => api.GET("/v1/services", { params: { query: { nextToken } } }));

export function ServicesPage() {
  const list = useLoad(listServices, [], 3000, (items) => items.some((s) => inProgress(s.status)));
  return (
    <SpaceBetween size="l">
      <ErrorAlert error={list.error} />
      <Table
        data-testid="services"
        variant="full-page"
        header={
          <Header variant="h1" counter={list.data ? `(${list.data.length})` : undefined}
            actions={<Button variant="primary" onClick={() => navigate("/services/new")}>Create service</Button>}>
            Services
          </Header>
        }
        loading={list.loading && !list.data}
        loadingText="Loading services"
        items={list.data ?? []}
        columnDefinitions={[
          { id: "name", header: "Name", cell: (s) => <NavLink href={`/services/${s.name}`}>{s.name}</NavLink> },
          { id: "template", header: "Template", cell: (s) => s.templateName },
          { id: "status", header: "Status", cell: (s) => <Status status={s.status} /> },
          { id: "pipeline", header: "Pipeline", cell: (s) => (s.pipeline ? <Status status={s.pipeline.deploymentStatus} /> : "-") },
        ]}
        empty={<Box textAlign="center">No services</Box>}
      />
    </SpaceBetween>
  );
}

interface DraftInstance {
  name: string;
  environment: string;
  values: Values;
}

export function CreateServicePage({ path }: { path: string }) {
  const q = query(path);
  const [picked, setPicked] = useState<Picked | null>(null);
  const envs = useLoad(listEnvironments, []);
  const instanceFields = useMemo(() => fieldsOf(picked?.version.schema, "service") ?? [], [picked]);
  const pipelineFields = useMemo(() => (picked?.version.hasPipeline ? fieldsOf(picked.version.schema, "pipeline") ?? [] : null), [picked]);
  const [name, setName] = useState("");
  const [repositoryId, setRepositoryId] = useState("");
  const [connection, setConnection] = useState("");
  const [branch, setBranch] = useState("main");
  const [instances, setInstances] = useState<DraftInstance[]>([]);
  const [pipeline, setPipeline] = useState<Values>({});
  const [schemaKey, setSchemaKey] = useState("");
  const key = picked ? `${picked.template.name}@${picked.version.majorVersion}.${picked.version.minorVersion}` : "";
  if (key !== schemaKey) {
    setSchemaKey(key);
    setInstances([{ name: "", environment: "", values: initialValues(instanceFields) }]);
    setPipeline(initialValues(pipelineFields ?? []));
  }
  const [error, setError] = useState<unknown>();
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [busy, setBusy] = useState(false);
  const spec = serviceSpec(
    instances.map((i) => ({ name: i.name, environment: i.environment, inputs: inputsOf(instanceFields, i.values) })),
    pipelineFields ? inputsOf(pipelineFields, pipeline) : undefined,
  );
  const envOptions = (envs.data ?? []).map((e) => ({ label: e.name, value: e.name, description: `${e.templateName} ${e.templateMajorVersion}.${e.templateMinorVersion}` }));
  const update = (i: number, d: Partial<DraftInstance>) => setInstances(instances.map((x, j) => (j === i ? { ...x, ...d } : x)));
  const submit = async () => {
    if (!picked) return;
    setBusy(true);
    setError(undefined);
    setErrors([]);
    try {
      await unwrap(api.POST("/v1/services", {
        body: {
          name, spec, templateName: picked.template.name, templateMajorVersion: picked.version.majorVersion, templateMinorVersion: picked.version.minorVersion,
          ...(picked.version.hasPipeline ? { repositoryId, repositoryConnectionArn: connection, branchName: branch } : {}),
        },
      }));
      navigate(`/services/${name}`);
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
        header={<Header variant="h1" description="Each instance's inputs and the pipeline's follow the template version's schema.yaml">Create service</Header>}
        actions={
          <SpaceBetween direction="horizontal" size="xs">
            <Button formAction="none" variant="link" onClick={() => navigate("/services")}>Cancel</Button>
            <Button variant="primary" loading={busy} disabled={!picked}>Create service</Button>
          </SpaceBetween>
        }
        errorText={error instanceof ApiError && error.status === 400 ? `${error.code}: ${error.message}` : undefined}>
        <SpaceBetween size="l">
          {error && !(error instanceof ApiError && error.status === 400) ? <ErrorAlert error={error} /> : null}
          <Container header={<Header>Template</Header>}>
            <SpaceBetween size="m">
              <TemplatePicker kind="service" initial={{ template: q.get("template") ?? undefined, major: q.has("major") ? Number(q.get("major")) : undefined, minor: q.has("minor") ? Number(q.get("minor")) : undefined }} onPick={setPicked} />
              <FormField label="Service name" controlId="svc-name" errorText={errorFor(errors, "name")}>
                <Input controlId="svc-name" value={name} onChange={(e) => setName(e.detail.value)} />
              </FormField>
              {picked?.version.hasPipeline ? (
                <ColumnLayout columns={3}>
                  <FormField label="Repository" controlId="svc-repo" errorText={errorFor(errors, "repositoryId")}><Input controlId="svc-repo" value={repositoryId} placeholder="org/repo" onChange={(e) => setRepositoryId(e.detail.value)} /></FormField>
                  <FormField label="Repository connection ARN" controlId="svc-conn" errorText={errorFor(errors, "repositoryConnectionArn")}><Input controlId="svc-conn" value={connection} onChange={(e) => setConnection(e.detail.value)} /></FormField>
                  <FormField label="Branch" controlId="svc-branch" errorText={errorFor(errors, "branchName")}><Input controlId="svc-branch" value={branch} onChange={(e) => setBranch(e.detail.value)} /></FormField>
                </ColumnLayout>
              ) : null}
            </SpaceBetween>
          </Container>
          {instances.map((inst, i) => (
            <Container key={i} header={<Header actions={instances.length > 1 ? <Button formAction="none" onClick={() => setInstances(instances.filter((_, j) => j !== i))}>Remove instance</Button> : undefined}>Instance {i + 1}</Header>}>
              <SpaceBetween size="m">
                <ColumnLayout columns={2}>
                  <FormField label="Instance name" controlId={`inst-${i}-name`} errorText={errorFor(errors, "name", `instances[${i}]`)}>
                    <Input controlId={`inst-${i}-name`} value={inst.name} onChange={(e) => update(i, { name: e.detail.value })} />
                  </FormField>
                  <FormField label="Environment" controlId={`inst-${i}-env`} errorText={errorFor(errors, "environment", `instances[${i}]`)}>
                    <Select controlId={`inst-${i}-env`} selectedOption={envOptions.find((o) => o.value === inst.environment) ?? null} options={envOptions}
                      placeholder="Choose an environment" onChange={(e) => update(i, { environment: e.detail.selectedOption.value ?? "" })} />
                  </FormField>
                </ColumnLayout>
                <SchemaFields fields={instanceFields} values={inst.values} onChange={(v) => update(i, { values: v })} errors={errors} scope={`instances[${i}]`} idPrefix={`inst-${i}-input`} />
              </SpaceBetween>
            </Container>
          ))}
          <Button formAction="none" onClick={() => setInstances([...instances, { name: "", environment: "", values: initialValues(instanceFields) }])}>Add instance</Button>
          {pipelineFields ? (
            <Container header={<Header>Pipeline</Header>}>
              <SchemaFields fields={pipelineFields} values={pipeline} onChange={setPipeline} errors={errors} scope="pipeline" idPrefix="pipeline-input" />
            </Container>
          ) : null}
          <Container header={<Header description="What the console sends as spec">Spec (YAML)</Header>}>
            <Yaml text={spec} label="Spec YAML" />
          </Container>
        </SpaceBetween>
      </Form>
    </form>
  );
}

export function ServicePage({ name }: { name: string }) {
  const svc = useLoad(() => unwrap(api.GET("/v1/services/{name}", { params: { path: { name } } })), [name], 1500,
    (s) => inProgress(s.status) || inProgress(s.pipeline?.deploymentStatus));
  const status = `${svc.data?.status}/${svc.data?.pipeline?.deploymentStatus}`;
  const instances = useLoad(() => listAll((nextToken) => api.GET("/v1/services/{name}/instances", { params: { path: { name }, query: { nextToken } } })), [name, status]);
  const deployments = useLoad(() => listAll((nextToken) => api.GET("/v1/deployments", { params: { query: { serviceName: name, nextToken } } })), [name, status]);
  const [error, setError] = useState<unknown>();
  const [adding, setAdding] = useState(false);
  const s = svc.data;
  return (
    <SpaceBetween size="l">
      <Header variant="h1"
        actions={
          <SpaceBetween direction="horizontal" size="xs">
            <Button onClick={() => setAdding(!adding)}>Add instance</Button>
            <Button onClick={async () => {
              setError(undefined);
              try { await unwrap(api.DELETE("/v1/services/{name}", { params: { path: { name } } })); svc.reload(); } catch (e) { setError(e); }
            }}>Delete</Button>
          </SpaceBetween>
        }>
        Service {name}
      </Header>
      <ErrorAlert error={svc.error ?? error} />
      <Container header={<Header>Details</Header>}>
        <ColumnLayout columns={3} variant="text-grid">
          <div><Box variant="awsui-key-label">Status</Box><Status status={s?.status} testId="service-status" /></div>
          <div><Box variant="awsui-key-label">Template</Box>{s ? <NavLink href={`/templates/service/${s.templateName}`}>{s.templateName}</NavLink> : "-"}</div>
          <div><Box variant="awsui-key-label">Status message</Box>{s?.statusMessage ?? "-"}</div>
          <div><Box variant="awsui-key-label">Repository</Box>{s?.repositoryId ? `${s.repositoryId} (${s.branchName})` : "-"}</div>
          <div><Box variant="awsui-key-label">Pipeline</Box>{s?.pipeline ? <Status status={s.pipeline.deploymentStatus} /> : "none"}</div>
          <div><Box variant="awsui-key-label">Description</Box>{s?.description ?? "-"}</div>
        </ColumnLayout>
      </Container>
      <Table
        data-testid="instances"
        variant="container"
        header={<Header counter={instances.data ? `(${instances.data.length})` : undefined}>Instances</Header>}
        loading={instances.loading && !instances.data}
        loadingText="Loading instances"
        items={instances.data ?? []}
        columnDefinitions={[
          { id: "name", header: "Name", cell: (i) => <NavLink href={`/services/${name}/instances/${i.name}`}>{i.name}</NavLink> },
          { id: "env", header: "Environment", cell: (i) => <NavLink href={`/environments/${i.environmentName}`}>{i.environmentName}</NavLink> },
          { id: "version", header: "Template version", cell: (i) => `${i.templateMajorVersion}.${i.templateMinorVersion}` },
          { id: "status", header: "Deployment status", cell: (i) => <Status status={i.deploymentStatus} /> },
          {
            id: "remove", header: "Actions", cell: (i) => (instances.data?.length ?? 0) > 1 ? (
              <Button variant="inline-link" ariaLabel={`Remove instance ${i.name}`} onClick={async () => {
                setError(undefined);
                try {
                  await unwrap(api.PATCH("/v1/services/{name}", { params: { path: { name } }, body: { spec: specWithout(s?.spec, instances.data ?? [], i.name) } }));
                  svc.reload();
                } catch (e) { setError(e); }
              }}>Remove</Button>
            ) : "-",
          },
        ]}
        empty={<Box textAlign="center">No instances</Box>}
      />
      {adding && s ? <AddInstance service={s} onDone={() => { setAdding(false); svc.reload(); }} /> : null}
      {s?.pipeline ? <PipelineSection service={s} onChange={svc.reload} /> : null}
      <DeploymentsTable deployments={deployments.data} loading={deployments.loading} />
      <Container header={<Header>Spec</Header>}><Yaml text={s?.spec} label="Service spec" /></Container>
      <Tags arn={s?.arn} />
    </SpaceBetween>
  );
}

export function InstancePage({ service, name }: { service: string; name: string }) {
  const inst = useLoad(() => unwrap(api.GET("/v1/services/{name}/instances/{instance}", { params: { path: { name: service, instance: name } } })),
    [service, name], 1500, (i) => inProgress(i.deploymentStatus));
  const status = inst.data?.deploymentStatus;
  const revision = `${status}/${inst.data?.lastDeploymentId}`;
  const outputs = useLoad(() => unwrap(api.GET("/v1/services/{name}/instances/{instance}/outputs", { params: { path: { name: service, instance: name } } })), [service, name, revision]);
  const deployments = useLoad(() => listAll((nextToken) => api.GET("/v1/deployments", { params: { query: { serviceName: service, serviceInstanceName: name, nextToken } } })), [service, name, revision]);
  const components = useLoad(() => listAll((nextToken) => api.GET("/v1/components", { params: { query: { serviceName: service, serviceInstanceName: name, nextToken } } })), [service, name, revision]);
  const [editing, setEditing] = useState(false);
  const [error, setError] = useState<unknown>();
  const i = inst.data;
  return (
    <SpaceBetween size="l">
      <Header variant="h1"
        actions={
          <SpaceBetween direction="horizontal" size="xs">
            <Button onClick={() => setEditing(!editing)}>Update</Button>
            {inProgress(status) ? <Button onClick={async () => {
              setError(undefined);
              try { await unwrap(api.POST("/v1/services/{name}/instances/{instance}/cancel", { params: { path: { name: service, instance: name } } })); inst.reload(); } catch (e) { setError(e); }
            }}>Cancel deployment</Button> : null}
          </SpaceBetween>
        }>
        Instance {name}
      </Header>
      <ErrorAlert error={inst.error ?? error} />
      <Container header={<Header>Details</Header>}>
        <ColumnLayout columns={3} variant="text-grid">
          <div><Box variant="awsui-key-label">Deployment status</Box><Status status={status} testId="deployment-status" /></div>
          <div><Box variant="awsui-key-label">Service</Box><NavLink href={`/services/${service}`}>{service}</NavLink></div>
          <div><Box variant="awsui-key-label">Environment</Box>{i ? <NavLink href={`/environments/${i.environmentName}`}>{i.environmentName}</NavLink> : "-"}</div>
          <div><Box variant="awsui-key-label">Template</Box>{i ? `${i.templateName} ${i.templateMajorVersion}.${i.templateMinorVersion}` : "-"}</div>
          <div><Box variant="awsui-key-label">Status message</Box>{i?.deploymentStatusMessage ?? "-"}</div>
          <div><Box variant="awsui-key-label">Last deployment</Box>{i?.lastDeploymentId ? <NavLink href={`/deployments/${i.lastDeploymentId}`}>{i.lastDeploymentId.slice(0, 8)}</NavLink> : "-"}</div>
        </ColumnLayout>
      </Container>
      {editing && i ? <UpdateTarget kind="instance" target={{ ...i, serviceName: service }} onDone={() => { setEditing(false); inst.reload(); }} /> : null}
      <OutputsTable outputs={outputs.data?.outputs} loading={outputs.loading} />
      <ProvisionedResources deps={[service, name, revision]}
        load={() => listAll((nextToken) => api.GET("/v1/services/{name}/instances/{instance}/provisioned-resources", { params: { path: { name: service, instance: name }, query: { nextToken } } }))} />
      <Table
        data-testid="components"
        variant="container"
        header={<Header>Components</Header>}
        items={components.data ?? []}
        loading={components.loading && !components.data}
        loadingText="Loading components"
        columnDefinitions={[
          { id: "name", header: "Name", cell: (c) => <NavLink href={`/components/${c.name}`}>{c.name}</NavLink> },
          { id: "status", header: "Deployment status", cell: (c) => <Status status={c.deploymentStatus} /> },
        ]}
        empty={<Box textAlign="center">No component</Box>}
      />
      <DeploymentsTable deployments={deployments.data} loading={deployments.loading} />
      <Container header={<Header>Spec</Header>}><Yaml text={i?.spec} label="Instance spec" /></Container>
      <Tags arn={i?.arn} />
    </SpaceBetween>
  );
}
