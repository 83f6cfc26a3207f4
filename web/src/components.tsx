// Pieces every page uses: statuses, errors as the API states them, outputs, tags,
// deployment history.
import { useState } from "react";
import Alert from "@cloudscape-design/components/alert";
import Box from "@cloudscape-design/components/box";
import Button from "@cloudscape-design/components/button";
import Container from "@cloudscape-design/components/container";
import Header from "@cloudscape-design/components/header";
import Input from "@cloudscape-design/components/input";
import Link from "@cloudscape-design/components/link";
import SpaceBetween from "@cloudscape-design/components/space-between";
import StatusIndicator, { type StatusIndicatorProps } from "@cloudscape-design/components/status-indicator";
import Table from "@cloudscape-design/components/table";
import { api, ApiError, unwrap, type Deployment, type Output, type Schemas } from "./api/client";
import { follow } from "./lib/router";
import { useLoad, inProgress } from "./lib/hooks";

const statusType: Record<string, StatusIndicatorProps.Type> = {
  SUCCEEDED: "success",
  ACTIVE: "success",
  PUBLISHED: "success",
  DELETE_COMPLETE: "stopped",
  DRAFT: "pending",
  DEPRECATED: "stopped",
  CANCELLED: "stopped",
  FAILED: "error",
  DELETE_FAILED: "error",
  CREATE_FAILED: "error",
  UPDATE_FAILED: "error",
  REGISTRATION_FAILED: "error",
};

export function Status({ status, testId }: { status?: string; testId?: string }) {
  if (!status) return <>-</>;
  const type = statusType[status] ?? (inProgress(status) ? "in-progress" : "info");
  return (
    <span data-testid={testId} data-status={status}>
      <StatusIndicator type={type}>{status}</StatusIndicator>
    </span>
  );
}

/** ErrorAlert shows an error as the API stated it: its status, code and message. */
export function ErrorAlert({ error, header }: { error: unknown; header?: string }) {
  if (!error) return null;
  if (error instanceof ApiError) {
    const title =
      error.status === 403
        ? "Access denied (403): your role does not allow this"
        : error.status === 401
          ? "Not signed in (401): sign in again"
          : `${header ?? "The API refused the request"} (${error.status} ${error.code})`;
    return (
      <Alert type="error" header={title} data-testid="api-error">
        {error.message}
        {error.requestId ? <Box variant="small"> Request id {error.requestId}</Box> : null}
      </Alert>
    );
  }
  return (
    <Alert type="error" header={header ?? "Something went wrong"} data-testid="api-error">
      {String((error as Error)?.message ?? error)}
    </Alert>
  );
}

export function NavLink({ href, children }: { href: string; children: React.ReactNode }) {
  return (
    <Link href={href} onFollow={follow}>
      {children}
    </Link>
  );
}

export function OutputsTable({ outputs, loading }: { outputs?: Output[]; loading?: boolean }) {
  return (
    <Table
      data-testid="outputs"
      header={<Header counter={outputs ? `(${outputs.length})` : undefined}>Outputs</Header>}
      loading={loading && !outputs}
      loadingText="Loading outputs"
      items={outputs ?? []}
      variant="container"
      columnDefinitions={[
        { id: "key", header: "Key", cell: (o) => o.key },
        { id: "value", header: "Value", cell: (o) => <span style={{ wordBreak: "break-all" }}>{o.valueString}</span> },
      ]}
      empty={<Box textAlign="center">No outputs yet</Box>}
    />
  );
}

export function DeploymentsTable({ deployments, loading }: { deployments?: Deployment[]; loading?: boolean }) {
  return (
    <Table
      data-testid="deployments"
      header={<Header counter={deployments ? `(${deployments.length})` : undefined}>Deployments</Header>}
      variant="container"
      loading={loading && !deployments}
      loadingText="Loading deployments"
      items={deployments ?? []}
      columnDefinitions={[
        { id: "id", header: "Deployment", cell: (d) => <NavLink href={`/deployments/${d.id}`}>{d.id.slice(0, 8)}</NavLink> },
        { id: "target", header: "Target", cell: (d) => [d.targetResourceType, d.serviceInstanceName ?? d.componentName ?? d.environmentName].filter(Boolean).join(" ") },
        { id: "op", header: "Operation", cell: (d) => d.operation },
        { id: "version", header: "Template version", cell: (d) => (d.templateMajorVersion !== undefined ? `${d.templateMajorVersion}.${d.templateMinorVersion ?? 0}` : "-") },
        { id: "status", header: "Status", cell: (d) => <Status status={d.deploymentStatus} /> },
        { id: "created", header: "Started", cell: (d) => new Date(d.createdAt).toLocaleString() },
      ]}
      empty={<Box textAlign="center">No deployments</Box>}
    />
  );
}

/** Tags lists a resource's customer tags and, for who may update it, adds and removes them. */
export function Tags({ arn }: { arn?: string }) {
  const tags = useLoad(() => (arn ? unwrap(api.GET("/v1/tags", { params: { query: { resourceArn: arn } } })) : Promise.resolve(undefined)), [arn]);
  const [key, setKey] = useState("");
  const [value, setValue] = useState("");
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  if (!arn) return null;
  const act = async (f: () => Promise<unknown>) => {
    setBusy(true);
    setError(undefined);
    try {
      await f();
      tags.reload();
      return true;
    } catch (e) {
      setError(e);
      return false;
    } finally {
      setBusy(false);
    }
  };
  return (
    <Container header={<Header description={arn}>Tags</Header>} data-testid="tags">
      <SpaceBetween size="s">
        <ErrorAlert error={tags.error ?? error} />
        <Table
          variant="embedded"
          items={tags.data?.tags ?? []}
          loading={tags.loading && !tags.data}
          loadingText="Loading tags"
          columnDefinitions={[
            { id: "key", header: "Key", cell: (t) => t.key },
            { id: "value", header: "Value", cell: (t) => t.value },
            {
              id: "remove",
              header: "Remove",
              cell: (t) => (
                <Button variant="inline-link" ariaLabel={`Remove tag ${t.key}`} disabled={busy}
                  onClick={() => act(() => unwrap(api.POST("/v1/tags/remove", { body: { resourceArn: arn, tagKeys: [t.key] } })))}>
                  Remove
                </Button>
              ),
            },
          ]}
          empty={<Box textAlign="center">No tags</Box>}
        />
        <SpaceBetween direction="horizontal" size="xs">
          <Input value={key} onChange={(e) => setKey(e.detail.value)} placeholder="key" ariaLabel="Tag key" />
          <Input value={value} onChange={(e) => setValue(e.detail.value)} placeholder="value" ariaLabel="Tag value" />
          <Button disabled={busy || !key}
            onClick={async () => {
              if (await act(() => unwrap(api.POST("/v1/tags", { body: { resourceArn: arn, tags: [{ key, value }] } })))) {
                setKey("");
                setValue("");
              }
            }}>
            Add tag
          </Button>
        </SpaceBetween>
      </SpaceBetween>
    </Container>
  );
}

export function Yaml({ text, label }: { text?: string; label: string }) {
  return (
    <pre role="region" aria-label={label} tabIndex={0} style={{ margin: 0, padding: 12, overflowX: "auto", background: "#f4f4f4", color: "#16191f", borderRadius: 8, fontSize: 13 }}>
      {text ?? ""}
    </pre>
  );
}

/** ProvisionedResources lists the resources a target's stack holds (Proton's List*ProvisionedResources). */
export function ProvisionedResources({ load, deps }: { load: () => Promise<Schemas["ProvisionedResource"][]>; deps: unknown[] }) {
  const list = useLoad(load, deps);
  return (
    <>
      <ErrorAlert error={list.error} />
      <Table
        data-testid="provisioned-resources"
        header={<Header counter={list.data ? `(${list.data.length})` : undefined}>Provisioned resources</Header>}
        variant="container"
        loading={list.loading && !list.data}
        loadingText="Loading provisioned resources"
        items={list.data ?? []}
        columnDefinitions={[
          { id: "name", header: "Logical id", cell: (r) => r.name },
          { id: "identifier", header: "Physical id", cell: (r) => <span style={{ wordBreak: "break-all" }}>{r.identifier ?? "being created"}</span> },
          { id: "engine", header: "Engine", cell: (r) => r.provisioningEngine },
        ]}
        empty={<Box textAlign="center">No resources yet</Box>}
      />
    </>
  );
}
