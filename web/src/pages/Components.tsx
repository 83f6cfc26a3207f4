// Directly defined components: the list, the form that creates one (attached to a service
// instance or in an environment, its manifest and template file as text), and a
// component's status, outputs, deployments and tags.
import { useState } from "react";
import Box from "@cloudscape-design/components/box";
import ColumnLayout from "@cloudscape-design/components/column-layout";
import Container from "@cloudscape-design/components/container";
import Button from "@cloudscape-design/components/button";
import Form from "@cloudscape-design/components/form";
import FormField from "@cloudscape-design/components/form-field";
import Header from "@cloudscape-design/components/header";
import Input from "@cloudscape-design/components/input";
import RadioGroup from "@cloudscape-design/components/radio-group";
import Select from "@cloudscape-design/components/select";
import Textarea from "@cloudscape-design/components/textarea";
import SpaceBetween from "@cloudscape-design/components/space-between";
import Table from "@cloudscape-design/components/table";
import { api, ApiError, listAll, unwrap, type Schemas } from "../api/client";
import { DeploymentsTable, ErrorAlert, NavLink, OutputsTable, ProvisionedResources, Status, Tags, Yaml } from "../components";
import { inProgress, useLoad } from "../lib/hooks";
import { navigate } from "../lib/router";
import { errorFor, fieldErrors, type FieldError } from "../lib/schema";
import { listEnvironments } from "./Environments";

export function ComponentsPage() {
  const list = useLoad(() => listAll((nextToken) => api.GET("/v1/components", { params: { query: { nextToken } } })), [], 3000,
    (items) => items.some((c) => inProgress(c.deploymentStatus)));
  return (
    <SpaceBetween size="l">
      <ErrorAlert error={list.error} />
      <Table
        data-testid="components"
        variant="full-page"
        header={<Header variant="h1" counter={list.data ? `(${list.data.length})` : undefined}
          actions={<Button variant="primary" onClick={() => navigate("/components/new")}>Create component</Button>}>Components</Header>}
        loading={list.loading && !list.data}
        loadingText="Loading components"
        items={list.data ?? []}
        columnDefinitions={[
          { id: "name", header: "Name", cell: (c) => <NavLink href={`/components/${c.name}`}>{c.name}</NavLink> },
          { id: "env", header: "Environment", cell: (c) => c.environmentName },
          { id: "attached", header: "Attached to", cell: (c) => (c.serviceInstanceName ? `${c.serviceName}/${c.serviceInstanceName}` : "-") },
          { id: "status", header: "Deployment status", cell: (c) => <Status status={c.deploymentStatus} /> },
        ]}
        empty={<Box textAlign="center">No components</Box>}
      />
    </SpaceBetween>
  );
}

export function ComponentPage({ name }: { name: string }) {
  const comp = useLoad(() => unwrap(api.GET("/v1/components/{name}", { params: { path: { name } } })), [name], 1500, (c) => inProgress(c.deploymentStatus));
  const status = comp.data?.deploymentStatus;
  const revision = `${status}/${comp.data?.lastAttemptedDeploymentId}`;
  const outputs = useLoad(() => unwrap(api.GET("/v1/components/{name}/outputs", { params: { path: { name } } })), [name, revision]);
  const deployments = useLoad(() => listAll((nextToken) => api.GET("/v1/deployments", { params: { query: { componentName: name, nextToken } } })), [name, revision]);
  const c = comp.data;
  const [error, setError] = useState<unknown>();
  const act = async (f: () => Promise<unknown>, then: () => void) => {
    setError(undefined);
    try {
      await f();
      then();
    } catch (e) {
      setError(e);
    }
  };
  return (
    <SpaceBetween size="l">
      <Header variant="h1"
        actions={
          <SpaceBetween direction="horizontal" size="xs">
            {inProgress(status) ? <Button onClick={() => act(() => unwrap(api.POST("/v1/components/{name}/cancel", { params: { path: { name } } })), comp.reload)}>Cancel deployment</Button> : null}
            <Button onClick={() => act(() => unwrap(api.DELETE("/v1/components/{name}", { params: { path: { name } } })), () => navigate("/components"))}>Delete</Button>
          </SpaceBetween>
        }>
        Component {name}
      </Header>
      <ErrorAlert error={comp.error ?? error} />
      <Container header={<Header>Details</Header>}>
        <ColumnLayout columns={3} variant="text-grid">
          <div><Box variant="awsui-key-label">Deployment status</Box><Status status={status} testId="deployment-status" /></div>
          <div><Box variant="awsui-key-label">Environment</Box>{c ? <NavLink href={`/environments/${c.environmentName}`}>{c.environmentName}</NavLink> : "-"}</div>
          <div><Box variant="awsui-key-label">Attached to</Box>{c?.serviceInstanceName ? <NavLink href={`/services/${c.serviceName}/instances/${c.serviceInstanceName}`}>{`${c.serviceName}/${c.serviceInstanceName}`}</NavLink> : "-"}</div>
          <div><Box variant="awsui-key-label">Status message</Box>{c?.deploymentStatusMessage ?? "-"}</div>
          <div><Box variant="awsui-key-label">Stack</Box>{c?.stackName ?? "-"}</div>
        </ColumnLayout>
      </Container>
      <OutputsTable outputs={outputs.data?.outputs} loading={outputs.loading} />
      <ProvisionedResources deps={[name, revision]}
        load={() => listAll((nextToken) => api.GET("/v1/components/{name}/provisioned-resources", { params: { path: { name }, query: { nextToken } } }))} />
      <DeploymentsTable deployments={deployments.data} loading={deployments.loading} />
      {c?.serviceSpec ? <Container header={<Header>Service spec</Header>}><Yaml text={c.serviceSpec} label="Component service spec" /></Container> : null}
      <Tags arn={c?.arn} />
    </SpaceBetween>
  );
}

/** ComponentForm is what the create form holds. */
export interface ComponentForm {
  name: string;
  description: string;
  attach: "environment" | "instance";
  environmentName: string;
  instance: string; // "service/instance"
  manifest: string;
  templateFile: string;
}

/** componentBody is the CreateComponent request of form: an environment or a service instance, never both. */
export function componentBody(form: ComponentForm): Schemas["CreateComponent"] {
  const base = { name: form.name, description: form.description || undefined, manifest: form.manifest, templateFile: form.templateFile };
  if (form.attach === "environment") return { ...base, environmentName: form.environmentName };
  const [serviceName, serviceInstanceName] = form.instance.split("/");
  return { ...base, serviceName, serviceInstanceName };
}

export const defaultManifest = "infrastructure:\n  templates:\n    - file: cloudformation.yaml\n      rendering_engine: jinja\n      template_language: cloudformation\n";
export const defaultComponentTemplate = "Resources:\n  Queue:\n    Type: AWS::SQS::Queue\nOutputs:\n  QueueUrl:\n    Value: !Ref Queue\n";

export function CreateComponentPage() {
  const environments = useLoad(listEnvironments, []);
  const instances = useLoad(() => listAll((nextToken) => api.GET("/v1/service-instances", { params: { query: { nextToken } } })), []);
  const [form, setForm] = useState<ComponentForm>({ name: "", description: "", attach: "environment", environmentName: "", instance: "", manifest: defaultManifest, templateFile: defaultComponentTemplate });
  const set = (patch: Partial<ComponentForm>) => setForm({ ...form, ...patch });
  const [error, setError] = useState<unknown>();
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    setBusy(true);
    setError(undefined);
    setErrors([]);
    try {
      await unwrap(api.POST("/v1/components", { body: componentBody(form) }));
      navigate(`/components/${form.name}`);
    } catch (e) {
      setError(e);
      if (e instanceof ApiError && e.status === 400) setErrors(fieldErrors(e.message));
    } finally {
      setBusy(false);
    }
  };
  const envOptions = (environments.data ?? []).map((e) => ({ label: e.name, value: e.name }));
  const instOptions = (instances.data ?? []).map((i) => ({ label: `${i.serviceName}/${i.name}`, value: `${i.serviceName}/${i.name}`, description: `in ${i.environmentName}` }));
  return (
    <form onSubmit={(e) => { e.preventDefault(); void submit(); }}>
      <Form
        header={<Header variant="h1" description="A directly defined component: one CloudFormation template (Jinja) of your own, deployed beside an environment or a service instance">Create component</Header>}
        actions={
          <SpaceBetween direction="horizontal" size="xs">
            <Button formAction="none" variant="link" onClick={() => navigate("/components")}>Cancel</Button>
            <Button variant="primary" loading={busy}>Create component</Button>
          </SpaceBetween>
        }
        errorText={error instanceof ApiError && error.status === 400 ? `${error.code}: ${error.message}` : undefined}>
        <SpaceBetween size="l">
          {error && !(error instanceof ApiError && error.status === 400) ? <ErrorAlert error={error} /> : null}
          <Container header={<Header>Component</Header>}>
            <SpaceBetween size="m">
              <FormField label="Name" controlId="comp-name" errorText={errorFor(errors, "name")}>
                <Input controlId="comp-name" value={form.name} onChange={(e) => set({ name: e.detail.value })} />
              </FormField>
              <FormField label="Description - optional" controlId="comp-description" errorText={errorFor(errors, "description")}>
                <Input controlId="comp-description" value={form.description} onChange={(e) => set({ description: e.detail.value })} />
              </FormField>
              <FormField label="Deployed beside">
                <RadioGroup value={form.attach} onChange={(e) => set({ attach: e.detail.value as ComponentForm["attach"] })}
                  items={[{ value: "environment", label: "An environment (detached)" }, { value: "instance", label: "A service instance (attached)" }]} />
              </FormField>
              {form.attach === "environment" ? (
                <FormField label="Environment" controlId="comp-env" errorText={errorFor(errors, "environmentName")}>
                  <Select controlId="comp-env" selectedOption={envOptions.find((o) => o.value === form.environmentName) ?? null} options={envOptions}
                    placeholder="Choose an environment" statusType={environments.loading ? "loading" : "finished"} loadingText="Loading environments"
                    onChange={(e) => set({ environmentName: e.detail.selectedOption.value ?? "" })} />
                </FormField>
              ) : (
                <FormField label="Service instance" controlId="comp-instance" errorText={errorFor(errors, "serviceInstanceName") ?? errorFor(errors, "serviceName")}>
                  <Select controlId="comp-instance" selectedOption={instOptions.find((o) => o.value === form.instance) ?? null} options={instOptions}
                    placeholder="Choose a service instance" statusType={instances.loading ? "loading" : "finished"} loadingText="Loading service instances"
                    onChange={(e) => set({ instance: e.detail.selectedOption.value ?? "" })} />
                </FormField>
              )}
            </SpaceBetween>
          </Container>
          <Container header={<Header description="manifest.yaml: lists the one template file">Manifest</Header>}>
            <FormField label="manifest.yaml" controlId="comp-manifest" errorText={errorFor(errors, "manifest")} stretch>
              <Textarea controlId="comp-manifest" rows={6} value={form.manifest} onChange={(e) => set({ manifest: e.detail.value })} />
            </FormField>
          </Container>
          <Container header={<Header description="CloudFormation, rendered with Jinja (environment, service and service_instance inputs)">Template file</Header>}>
            <FormField label="cloudformation.yaml" controlId="comp-template" errorText={errorFor(errors, "templateFile")} stretch>
              <Textarea controlId="comp-template" rows={12} value={form.templateFile} onChange={(e) => set({ templateFile: e.detail.value })} />
            </FormField>
          </Container>
        </SpaceBetween>
      </Form>
    </form>
  );
}
