// One deployment, live: its status polled while it runs, its failure reason, outputs,
// spec, validated inputs and the CloudFormation template it rendered.
import Box from "@cloudscape-design/components/box";
import Button from "@cloudscape-design/components/button";
import ColumnLayout from "@cloudscape-design/components/column-layout";
import Container from "@cloudscape-design/components/container";
import Header from "@cloudscape-design/components/header";
import SpaceBetween from "@cloudscape-design/components/space-between";
import Tabs from "@cloudscape-design/components/tabs";
import { useState } from "react";
import { dump } from "js-yaml";
import { api, ApiError, unwrap } from "../api/client";
import { ErrorAlert, NavLink, OutputsTable, Status, Yaml } from "../components";
import { inProgress, useLoad } from "../lib/hooks";
import { navigate } from "../lib/router";

export function DeploymentPage({ id }: { id: string }) {
  const dep = useLoad(() => unwrap(api.GET("/v1/deployments/{id}", { params: { path: { id } } })), [id], 1000, (d) => inProgress(d.deploymentStatus));
  const status = dep.data?.deploymentStatus;
  const rendered = useLoad(() => unwrap(api.GET("/v1/deployments/{id}/rendered", { params: { path: { id } } })), [id, status]);
  const [error, setError] = useState<unknown>();
  const d = dep.data;
  const target = d?.targetResourceType === "ENVIRONMENT" ? `/environments/${d.environmentName}`
    : d?.targetResourceType === "SERVICE_INSTANCE" ? `/services/${d.serviceName}/instances/${d.serviceInstanceName}`
    : d?.targetResourceType === "SERVICE_PIPELINE" ? `/services/${d.serviceName}`
    : d?.targetResourceType === "COMPONENT" ? `/components/${d.componentName}` : undefined;
  const renderedMissing = rendered.error instanceof ApiError && rendered.error.status === 404;
  return (
    <SpaceBetween size="l">
      <Header variant="h1"
        actions={inProgress(status) ? <Button onClick={async () => {
          setError(undefined);
          try { await unwrap(api.POST("/v1/deployments/{id}/cancel", { params: { path: { id } } })); dep.reload(); } catch (e) { setError(e); }
        }}>Cancel</Button> : d ? <Button onClick={async () => {
          setError(undefined);
          try { await unwrap(api.DELETE("/v1/deployments/{id}", { params: { path: { id } } })); if (target) navigate(target); } catch (e) { setError(e); }
        }}>Delete from history</Button> : undefined}>
        Deployment {id.slice(0, 8)}
      </Header>
      <ErrorAlert error={dep.error ?? error} />
      <Container header={<Header>Details</Header>}>
        <ColumnLayout columns={3} variant="text-grid">
          <div><Box variant="awsui-key-label">Status</Box><Status status={status} testId="deployment-status" /></div>
          <div><Box variant="awsui-key-label">Target</Box>{target ? <NavLink href={target}>{`${d?.targetResourceType} ${target.split("/").slice(2).join("/")}`}</NavLink> : "-"}</div>
          <div><Box variant="awsui-key-label">Operation</Box>{d?.operation ?? "-"}</div>
          <div><Box variant="awsui-key-label">Template</Box>{d?.templateName ? `${d.templateName} ${d.templateMajorVersion ?? 0}.${d.templateMinorVersion ?? 0}` : "-"}</div>
          <div><Box variant="awsui-key-label">Started</Box>{d ? new Date(d.createdAt).toLocaleString() : "-"}</div>
          <div><Box variant="awsui-key-label">Completed</Box>{d?.completedAt ? new Date(d.completedAt).toLocaleString() : "-"}</div>
        </ColumnLayout>
      </Container>
      {d?.deploymentStatusMessage ? (
        <Container header={<Header>{status === "FAILED" || status === "DELETE_FAILED" ? "Failure reason" : "Status message"}</Header>}>
          <span data-testid="failure-reason">{d.deploymentStatusMessage}</span>
        </Container>
      ) : null}
      <OutputsTable outputs={d?.outputs} loading={dep.loading} />
      <Container>
        <Tabs i18nStrings={{ scrollLeftAriaLabel: "Scroll tabs left", scrollRightAriaLabel: "Scroll tabs right" }} tabs={[
          { id: "rendered", label: "Rendered template", content: renderedMissing ? <Box>{(rendered.error as ApiError).message}</Box> : <SpaceBetween size="s"><ErrorAlert error={rendered.error} /><Yaml text={rendered.data?.template} label="Rendered CloudFormation template" /></SpaceBetween> },
          { id: "spec", label: "Spec", content: <Yaml text={d?.spec} label="Deployment spec" /> },
          { id: "inputs", label: "Validated inputs", content: <Yaml text={d?.inputs ? dump(d.inputs) : ""} label="Validated inputs" /> },
        ]} />
      </Container>
    </SpaceBetween>
  );
}
