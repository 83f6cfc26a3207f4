// Environment account connections (Proton's): those this account requested of a
// management account, and those requested of it; admins request, accept, reject, delete.
import { useState } from "react";
import Box from "@cloudscape-design/components/box";
import Button from "@cloudscape-design/components/button";
import ColumnLayout from "@cloudscape-design/components/column-layout";
import Container from "@cloudscape-design/components/container";
import FormField from "@cloudscape-design/components/form-field";
import Header from "@cloudscape-design/components/header";
import Input from "@cloudscape-design/components/input";
import SegmentedControl from "@cloudscape-design/components/segmented-control";
import SpaceBetween from "@cloudscape-design/components/space-between";
import Table from "@cloudscape-design/components/table";
import { api, ApiError, listAll, unwrap } from "../api/client";
import { ErrorAlert, Status } from "../components";
import { useLoad } from "../lib/hooks";
import { errorFor, fieldErrors, type FieldError } from "../lib/schema";
import { useIsAdmin } from "../lib/session";

type Side = "MANAGEMENT_ACCOUNT" | "ENVIRONMENT_ACCOUNT";

export function AccountConnectionsPage() {
  const admin = useIsAdmin();
  const [side, setSide] = useState<Side>("MANAGEMENT_ACCOUNT");
  const list = useLoad(() => listAll((nextToken) => api.GET("/v1/environment-account-connections", { params: { query: { requestedBy: side, nextToken } } })), [side]);
  const [error, setError] = useState<unknown>();
  const [creating, setCreating] = useState(false);
  const act = async (f: () => Promise<unknown>) => {
    setError(undefined);
    try {
      await f();
    } catch (e) {
      setError(e);
    }
    list.reload();
  };
  const path = (id: string) => ({ params: { path: { id } } });
  return (
    <SpaceBetween size="l">
      <Header variant="h1" description="Environments deployed into other AWS accounts, by a connection the environment account requests and the management account accepts"
        actions={admin ? <Button onClick={() => setCreating(!creating)}>Request a connection</Button> : undefined}>
        Account connections
      </Header>
      <ErrorAlert error={list.error ?? error} />
      {creating ? <RequestConnection onDone={() => { setCreating(false); setSide("ENVIRONMENT_ACCOUNT"); list.reload(); }} /> : null}
      <SegmentedControl selectedId={side} label="Requested by" onChange={(e) => setSide(e.detail.selectedId as Side)}
        options={[{ id: "MANAGEMENT_ACCOUNT", text: "Requested of this account" }, { id: "ENVIRONMENT_ACCOUNT", text: "Requested by this account" }]} />
      <Table
        data-testid="connections"
        variant="container"
        header={<Header counter={list.data ? `(${list.data.length})` : undefined}>Connections</Header>}
        loading={list.loading && !list.data}
        loadingText="Loading connections"
        items={list.data ?? []}
        columnDefinitions={[
          { id: "id", header: "Id", cell: (c) => c.id },
          { id: "env", header: "Environment", cell: (c) => c.environmentName },
          { id: "accounts", header: "Environment account → management account", cell: (c) => `${c.environmentAccountId} → ${c.managementAccountId}` },
          { id: "role", header: "Role", cell: (c) => <span style={{ wordBreak: "break-all" }}>{c.roleArn ?? "-"}</span> },
          { id: "status", header: "Status", cell: (c) => <Status status={c.status} /> },
          ...(admin ? [{
            id: "actions",
            header: "Actions",
            cell: (c: { id: string; status: string }) => (
              <SpaceBetween direction="horizontal" size="xs">
                {side === "MANAGEMENT_ACCOUNT" && c.status === "PENDING" ? (
                  <>
                    <Button ariaLabel={`Accept ${c.id}`} onClick={() => act(() => unwrap(api.POST("/v1/environment-account-connections/{id}/accept", path(c.id))))}>Accept</Button>
                    <Button ariaLabel={`Reject ${c.id}`} onClick={() => act(() => unwrap(api.POST("/v1/environment-account-connections/{id}/reject", path(c.id))))}>Reject</Button>
                  </>
                ) : null}
                {side === "ENVIRONMENT_ACCOUNT" ? (
                  <Button ariaLabel={`Delete ${c.id}`} onClick={() => act(() => unwrap(api.DELETE("/v1/environment-account-connections/{id}", path(c.id))))}>Delete</Button>
                ) : null}
              </SpaceBetween>
            ),
          }] : []),
        ]}
        empty={<Box textAlign="center">No connections</Box>}
      />
    </SpaceBetween>
  );
}

function RequestConnection({ onDone }: { onDone: () => void }) {
  const [form, setForm] = useState({ managementAccountId: "", environmentName: "", roleArn: "", componentRoleArn: "", codebuildRoleArn: "" });
  const [error, setError] = useState<unknown>();
  const [errors, setErrors] = useState<FieldError[]>([]);
  const field = (key: keyof typeof form, label: string, optional = false) => (
    <FormField label={optional ? `${label} - optional` : label} controlId={`conn-${key}`} errorText={errorFor(errors, key)}>
      <Input controlId={`conn-${key}`} value={form[key]} onChange={(e) => setForm({ ...form, [key]: e.detail.value })} />
    </FormField>
  );
  const submit = async () => {
    setError(undefined);
    setErrors([]);
    try {
      await unwrap(api.POST("/v1/environment-account-connections", {
        body: {
          managementAccountId: form.managementAccountId, environmentName: form.environmentName, roleArn: form.roleArn || undefined,
          componentRoleArn: form.componentRoleArn || undefined, codebuildRoleArn: form.codebuildRoleArn || undefined,
        },
      }));
      onDone();
    } catch (e) {
      setError(e);
      if (e instanceof ApiError && e.status === 400) setErrors(fieldErrors(e.message));
    }
  };
  return (
    <Container header={<Header description="From this (environment) account, to the management account that deploys the environment">Request a connection</Header>}>
      <SpaceBetween size="m">
        <ErrorAlert error={error} />
        <ColumnLayout columns={2}>
          {field("managementAccountId", "Management account id")}
          {field("environmentName", "Environment name")}
          {field("roleArn", "Role ARN")}
          {field("componentRoleArn", "Component role ARN", true)}
          {field("codebuildRoleArn", "CodeBuild role ARN", true)}
        </ColumnLayout>
        <Button variant="primary" onClick={submit}>Request</Button>
      </SpaceBetween>
    </Container>
  );
}
