// Linked repositories (admins link and unlink them) and what syncs from each: template
// sync and service sync definitions with their latest sync's status and events, and a
// synced service's blockers, which a developer resolves.
import { useState } from "react";
import Box from "@cloudscape-design/components/box";
import Button from "@cloudscape-design/components/button";
import Container from "@cloudscape-design/components/container";
import FormField from "@cloudscape-design/components/form-field";
import Header from "@cloudscape-design/components/header";
import Input from "@cloudscape-design/components/input";
import Select from "@cloudscape-design/components/select";
import SpaceBetween from "@cloudscape-design/components/space-between";
import Table from "@cloudscape-design/components/table";
import { api, ApiError, listAll, unwrap, type Schemas } from "../api/client";
import { ErrorAlert, NavLink, Status } from "../components";
import { useLoad } from "../lib/hooks";
import { errorFor, fieldErrors, type FieldError } from "../lib/schema";
import { useIsAdmin } from "../lib/session";

type Provider = Schemas["CreateRepository"]["provider"];
type SyncType = "TEMPLATE_SYNC" | "SERVICE_SYNC";
const providers: Provider[] = ["GITHUB", "GITHUB_ENTERPRISE", "BITBUCKET"];

/** repositoryPath is the console's path of repository name ("owner/repo") at provider. */
export const repositoryPath = (provider: string, name: string) => `/repositories/${provider}/${name}`;

export function RepositoriesPage() {
  const admin = useIsAdmin();
  const list = useLoad(() => listAll((nextToken) => api.GET("/v1/repositories", { params: { query: { nextToken } } })), []);
  const [error, setError] = useState<unknown>();
  const unlink = async (provider: string, name: string) => {
    setError(undefined);
    const [owner, repo] = name.split("/");
    try {
      await unwrap(api.DELETE("/v1/repositories/{provider}/{owner}/{repo}", { params: { path: { provider, owner, repo } } }));
    } catch (e) {
      setError(e);
    }
    list.reload();
  };
  return (
    <SpaceBetween size="l">
      <Header variant="h1" description="Git repositories Gantry reads templates and services from, and opens pull requests on">Repositories</Header>
      <ErrorAlert error={list.error ?? error} />
      {admin ? <LinkRepository onLinked={list.reload} /> : null}
      <Table
        data-testid="repositories"
        variant="container"
        header={<Header counter={list.data ? `(${list.data.length})` : undefined}>Linked repositories</Header>}
        loading={list.loading && !list.data}
        loadingText="Loading repositories"
        items={list.data ?? []}
        columnDefinitions={[
          { id: "name", header: "Name", cell: (r) => <NavLink href={repositoryPath(r.provider, r.name)}>{r.name}</NavLink> },
          { id: "provider", header: "Provider", cell: (r) => r.provider },
          { id: "connection", header: "Connection", cell: (r) => <span style={{ wordBreak: "break-all" }}>{r.connectionArn}</span> },
          ...(admin ? [{ id: "actions", header: "Actions", cell: (r: Schemas["Repository"]) => <Button ariaLabel={`Unlink ${r.name}`} onClick={() => unlink(r.provider, r.name)}>Unlink</Button> }] : []),
        ]}
        empty={<Box textAlign="center">No linked repository</Box>}
      />
    </SpaceBetween>
  );
}

function LinkRepository({ onLinked }: { onLinked: () => void }) {
  const [provider, setProvider] = useState<Provider>("GITHUB");
  const [name, setName] = useState("");
  const [connectionArn, setConnectionArn] = useState("");
  const [error, setError] = useState<unknown>();
  const [errors, setErrors] = useState<FieldError[]>([]);
  const link = async () => {
    setError(undefined);
    setErrors([]);
    try {
      await unwrap(api.POST("/v1/repositories", { body: { provider, name, connectionArn } }));
      setName("");
      onLinked();
    } catch (e) {
      setError(e);
      if (e instanceof ApiError && e.status === 400) setErrors(fieldErrors(e.message));
    }
  };
  const options = providers.map((p) => ({ label: p, value: p }));
  return (
    <Container header={<Header actions={<Button onClick={link}>Link repository</Button>}>Link a repository</Header>}>
      <SpaceBetween size="m">
        <ErrorAlert error={error} />
        <SpaceBetween direction="horizontal" size="l">
          <FormField label="Provider" controlId="repo-provider">
            <Select controlId="repo-provider" selectedOption={options.find((o) => o.value === provider)!} options={options} onChange={(e) => setProvider(e.detail.selectedOption.value as Provider)} />
          </FormField>
          <FormField label="Name (owner/repo)" controlId="repo-name" errorText={errorFor(errors, "name")}>
            <Input controlId="repo-name" value={name} onChange={(e) => setName(e.detail.value)} />
          </FormField>
          <FormField label="Connection ARN" controlId="repo-connection" errorText={errorFor(errors, "connectionArn")}>
            <Input controlId="repo-connection" value={connectionArn} onChange={(e) => setConnectionArn(e.detail.value)} />
          </FormField>
        </SpaceBetween>
      </SpaceBetween>
    </Container>
  );
}

export function RepositoryPage({ provider, owner, repo }: { provider: string; owner: string; repo: string }) {
  const path = { provider, owner, repo };
  const repository = useLoad(() => unwrap(api.GET("/v1/repositories/{provider}/{owner}/{repo}", { params: { path } })), [provider, owner, repo]);
  const [synced, setSynced] = useState(0);
  return (
    <SpaceBetween size="l">
      <Header variant="h1" description={repository.data?.connectionArn}>{`Repository ${owner}/${repo}`}</Header>
      <ErrorAlert error={repository.error} />
      <SyncDefinitions path={path} syncType="TEMPLATE_SYNC" title="Template sync" key={`t${synced}`} />
      <SyncDefinitions path={path} syncType="SERVICE_SYNC" title="Service sync" key={`s${synced}`} />
      <ConfigureSync repository={{ provider: provider as Provider, name: `${owner}/${repo}` }} onDone={() => setSynced(synced + 1)} />
    </SpaceBetween>
  );
}

type RepoPath = { provider: string; owner: string; repo: string };

/** SyncDefinitions lists what syncs from the repository for syncType, and per branch its latest sync with its events. */
function SyncDefinitions({ path, syncType, title }: { path: RepoPath; syncType: SyncType; title: string }) {
  const defs = useLoad(() => listAll((nextToken) => api.GET("/v1/repository-syncs/{provider}/{owner}/{repo}/definitions", { params: { path, query: { syncType, nextToken } } })),
    [path.provider, path.owner, path.repo, syncType]);
  const branches = [...new Set((defs.data ?? []).map((d) => d.branch))];
  return (
    <SpaceBetween size="m">
      <ErrorAlert error={defs.error} />
      <Table
        data-testid={`sync-${syncType}`}
        variant="container"
        header={<Header counter={defs.data ? `(${defs.data.length})` : undefined}>{title}</Header>}
        loading={defs.loading && !defs.data}
        loadingText="Loading sync definitions"
        items={defs.data ?? []}
        columnDefinitions={[
          { id: "target", header: syncType === "TEMPLATE_SYNC" ? "Template" : "Service", cell: (d) => (syncType === "SERVICE_SYNC" ? <NavLink href={`/services/${d.target}`}>{d.target}</NavLink> : d.target) },
          { id: "branch", header: "Branch", cell: (d) => d.branch },
          { id: "directory", header: syncType === "TEMPLATE_SYNC" ? "Directory" : "File", cell: (d) => d.directory || "-" },
        ]}
        empty={<Box textAlign="center">Nothing syncs from this repository</Box>}
      />
      {branches.map((b) => <LatestSync key={b} path={path} branch={b} syncType={syncType} />)}
      {syncType === "SERVICE_SYNC" ? (defs.data ?? []).map((d) => <SyncBlockers key={d.target} service={d.target} />) : null}
    </SpaceBetween>
  );
}

function LatestSync({ path, branch, syncType }: { path: RepoPath; branch: string; syncType: SyncType }) {
  const status = useLoad(() => unwrap(api.GET("/v1/repository-syncs/{provider}/{owner}/{repo}/status", { params: { path, query: { branch, syncType } } })),
    [path.provider, path.owner, path.repo, branch, syncType]);
  const latest = status.data?.latestSync;
  return (
    <Table
      data-testid={`latest-sync-${syncType}-${branch}`}
      variant="embedded"
      header={<Header description={latest ? `${latest.sha ?? ""} started ${latest.startedAt}` : "No sync yet"}>
        {`Latest sync of ${branch}`} {latest ? <Status status={latest.status} /> : null}
      </Header>}
      loading={status.loading && !status.data}
      loadingText="Loading sync status"
      items={latest?.events ?? []}
      columnDefinitions={[
        { id: "time", header: "Time", cell: (e) => e.time },
        { id: "type", header: "Type", cell: (e) => e.type },
        { id: "event", header: "Event", cell: (e) => e.event },
      ]}
      empty={<Box textAlign="center">No events</Box>}
    />
  );
}

/** SyncBlockers shows a synced service's latest blockers; a developer resolves an active one with a reason. */
export function SyncBlockers({ service }: { service: string }) {
  const blockers = useLoad(() => unwrap(api.GET("/v1/services/{name}/sync-blockers", { params: { path: { name: service } } })), [service]);
  const [reason, setReason] = useState("");
  const [error, setError] = useState<unknown>();
  const resolve = async (id: string) => {
    setError(undefined);
    try {
      await unwrap(api.PATCH("/v1/sync-blockers/{id}", { params: { path: { id } }, body: { resolvedReason: reason } }));
    } catch (e) {
      setError(e);
    }
    blockers.reload();
  };
  type Blocker = Schemas["ServiceSyncBlockerSummary"]["latestBlockers"][number];
  return (
    <Container header={<Header description="Sync stops for a service while a blocker is active">{`Sync blockers of ${service}`}</Header>}>
      <SpaceBetween size="m">
        <ErrorAlert error={blockers.error ?? error} />
        <FormField label="Reason for resolving" controlId={`resolve-reason-${service}`}>
          <Input controlId={`resolve-reason-${service}`} value={reason} onChange={(e) => setReason(e.detail.value)} />
        </FormField>
        <Table
          data-testid={`blockers-${service}`}
          variant="embedded"
          loading={blockers.loading && !blockers.data}
          loadingText="Loading blockers"
          items={blockers.data?.latestBlockers ?? []}
          columnDefinitions={[
            { id: "status", header: "Status", cell: (b: Blocker) => <Status status={b.status} /> },
            { id: "reason", header: "Reason", cell: (b: Blocker) => b.createdReason },
            { id: "created", header: "Created", cell: (b: Blocker) => b.createdAt },
            { id: "resolved", header: "Resolved", cell: (b: Blocker) => b.resolvedReason ?? "-" },
            { id: "action", header: "Action", cell: (b: Blocker) => (b.status === "ACTIVE" ? <Button ariaLabel={`Resolve ${b.id}`} disabled={!reason} onClick={() => resolve(b.id)}>Resolve</Button> : null) },
          ]}
          empty={<Box textAlign="center">No blockers</Box>}
        />
      </SpaceBetween>
    </Container>
  );
}

/**
 * syncConfigBody is the request that makes what syncs from repository: a template sync
 * configuration (template kind and name, branch, subdirectory) or a service sync
 * configuration (service, branch, proton-ops file).
 */
export function syncConfigBody(repository: { provider: Provider; name: string }, f: SyncForm):
  | { syncType: "TEMPLATE_SYNC"; body: Schemas["TemplateSyncConfig"] }
  | { syncType: "SERVICE_SYNC"; body: Schemas["ServiceSyncConfig"] } {
  const repo = { repositoryProvider: repository.provider, repositoryName: repository.name, branch: f.branch };
  if (f.syncType === "TEMPLATE_SYNC") {
    return { syncType: f.syncType, body: { ...repo, templateType: f.templateType, templateName: f.target, subdirectory: f.path || undefined } };
  }
  return { syncType: f.syncType, body: { ...repo, serviceName: f.target, filePath: f.path || undefined } };
}

export interface SyncForm {
  syncType: SyncType;
  templateType: "ENVIRONMENT" | "SERVICE";
  target: string; // the template's or the service's name
  branch: string;
  path: string; // the subdirectory (template sync) or the proton-ops file (service sync)
}

/** ConfigureSync makes a sync configuration: template sync for admins, service sync for developers (and admins). */
function ConfigureSync({ repository, onDone }: { repository: { provider: Provider; name: string }; onDone: () => void }) {
  const admin = useIsAdmin();
  const [f, setF] = useState<SyncForm>({ syncType: admin ? "TEMPLATE_SYNC" : "SERVICE_SYNC", templateType: "ENVIRONMENT", target: "", branch: "main", path: "" });
  const set = (patch: Partial<SyncForm>) => setF({ ...f, ...patch });
  const [error, setError] = useState<unknown>();
  const [errors, setErrors] = useState<FieldError[]>([]);
  const save = async () => {
    setError(undefined);
    setErrors([]);
    const req = syncConfigBody(repository, f);
    try {
      if (req.syncType === "TEMPLATE_SYNC") await unwrap(api.POST("/v1/template-sync-configs", { body: req.body }));
      else await unwrap(api.POST("/v1/service-sync-configs", { body: req.body }));
      onDone();
    } catch (e) {
      setError(e);
      if (e instanceof ApiError && e.status === 400) setErrors(fieldErrors(e.message));
    }
  };
  const kinds = (admin ? ["TEMPLATE_SYNC", "SERVICE_SYNC"] : ["SERVICE_SYNC"]).map((k) => ({ label: k === "TEMPLATE_SYNC" ? "Template sync" : "Service sync", value: k }));
  const templateTypes = [{ label: "Environment template", value: "ENVIRONMENT" }, { label: "Service template", value: "SERVICE" }];
  const template = f.syncType === "TEMPLATE_SYNC";
  return (
    <Container header={<Header actions={<Button onClick={save}>Create sync configuration</Button>}>Sync from this repository</Header>}>
      <SpaceBetween size="m">
        <ErrorAlert error={error} />
        <SpaceBetween direction="horizontal" size="l">
          <FormField label="Kind" controlId="sync-kind">
            <Select controlId="sync-kind" selectedOption={kinds.find((k) => k.value === f.syncType)!} options={kinds} onChange={(e) => set({ syncType: e.detail.selectedOption.value as SyncType })} />
          </FormField>
          {template ? (
            <FormField label="Template kind" controlId="sync-template-type">
              <Select controlId="sync-template-type" selectedOption={templateTypes.find((k) => k.value === f.templateType)!} options={templateTypes}
                onChange={(e) => set({ templateType: e.detail.selectedOption.value as SyncForm["templateType"] })} />
            </FormField>
          ) : null}
          <FormField label={template ? "Template name" : "Service name"} controlId="sync-target" errorText={errorFor(errors, template ? "templateName" : "serviceName")}>
            <Input controlId="sync-target" value={f.target} onChange={(e) => set({ target: e.detail.value })} />
          </FormField>
          <FormField label="Branch" controlId="sync-branch" errorText={errorFor(errors, "branch")}>
            <Input controlId="sync-branch" value={f.branch} onChange={(e) => set({ branch: e.detail.value })} />
          </FormField>
          <FormField label={template ? "Subdirectory - optional" : "proton-ops file - optional"} controlId="sync-path" errorText={errorFor(errors, template ? "subdirectory" : "filePath")}>
            <Input controlId="sync-path" value={f.path} onChange={(e) => set({ path: e.detail.value })} />
          </FormField>
        </SpaceBetween>
      </SpaceBetween>
    </Container>
  );
}
