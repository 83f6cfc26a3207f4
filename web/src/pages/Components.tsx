// Directly defined components: the list and a component's status, outputs, deployments,
// template file and tags.
import Box from "@cloudscape-design/components/box";
import ColumnLayout from "@cloudscape-design/components/column-layout";
import Container from "@cloudscape-design/components/container";
import Header from "@cloudscape-design/components/header";
import SpaceBetween from "@cloudscape-design/components/space-between";
import Table from "@cloudscape-design/components/table";
import { api, listAll, unwrap } from "../api/client";
import { DeploymentsTable, ErrorAlert, NavLink, OutputsTable, ProvisionedResources, Status, Tags, Yaml } from "../components";
import { inProgress, useLoad } from "../lib/hooks";

export function ComponentsPage() {
  const list = useLoad(() => listAll((nextToken) => api.GET("/v1/components", { params: { query: { nextToken } } })), [], 3000,
    (items) => items.some((c) => inProgress(c.deploymentStatus)));
  return (
    <SpaceBetween size="l">
      <ErrorAlert error={list.error} />
      <Table
        data-testid="components"
        variant="full-page"
        header={<Header variant="h1" counter={list.data ? `(${list.data.length})` : undefined}>Components</Header>}
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
  return (
    <SpaceBetween size="l">
      <Header variant="h1">Component {name}</Header>
      <ErrorAlert error={comp.error} />
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
