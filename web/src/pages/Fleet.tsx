// The fleet dashboard: per template, how many environments or service instances run the
// recommended version, are behind a minor or a major, or failed; "update all behind
// minor" first shows the rollout's preview (per target what would change, how many
// resources would be replaced), then, once confirmed, starts the deployments in one action
// and follows them to the end.
import { useState, type ReactNode } from "react";
import Box from "@cloudscape-design/components/box";
import Button from "@cloudscape-design/components/button";
import ColumnLayout from "@cloudscape-design/components/column-layout";
import Container from "@cloudscape-design/components/container";
import Header from "@cloudscape-design/components/header";
import ProgressBar from "@cloudscape-design/components/progress-bar";
import SpaceBetween from "@cloudscape-design/components/space-between";
import Table from "@cloudscape-design/components/table";
import { api, listAll, unwrap, type Deployment, type Environment, type Schemas, type ServiceInstance, type Template } from "../api/client";
import { ErrorAlert, NavLink, Status } from "../components";
import { countStandings, standingLabel, standingOf, type Counts, type Standing } from "../lib/fleet";
import { inProgress, useLoad } from "../lib/hooks";
import { useIsAdmin } from "../lib/session";
import { listEnvironments } from "./Environments";
import { getTemplate, listTemplates, listVersions, type Kind } from "./Templates";

type Target = (Environment & { kind: "environment" }) | (ServiceInstance & { kind: "service" });

async function targetsOf(kind: Kind, name: string): Promise<Target[]> {
  if (kind === "environment") {
    return (await listEnvironments()).filter((e) => e.templateName === name).map((e) => ({ ...e, kind: "environment" as const }));
  }
  // ListServiceInstances reads by template version (an index query each), so the fleet
  // of a template is that of each of its versions.
  const versions = (await listVersions(kind, name)).filter((v) => v.status !== "REGISTRATION_FAILED" && v.status !== "REGISTRATION_IN_PROGRESS");
  const pages = await Promise.all(versions.map((v) =>
    listAll((nextToken) => api.GET("/v1/service-instances", {
      params: { query: { templateName: name, templateMajorVersion: String(v.majorVersion), templateMinorVersion: String(v.minorVersion), nextToken } },
    }))));
  return pages.flat().map((i) => ({ ...i, kind: "service" as const }));
}

const order: Standing[] = ["recommended", "behindMinor", "behindMajor", "failed"];

function CountsRow({ counts, testId }: { counts: Counts; testId: string }) {
  return (
    <ColumnLayout columns={4} variant="text-grid">
      {order.map((s) => (
        <div key={s} data-testid={`${testId}-${s}`}>
          <Box variant="awsui-key-label">{standingLabel[s]}</Box>
          <Box variant="awsui-value-large" data-count={counts[s]}>{counts[s]}</Box>
        </div>
      ))}
    </ColumnLayout>
  );
}

const summaryRows: { key: keyof Schemas["ResourcesSummary"]["counts"]; label: string }[] = [
  { key: "environmentTemplates", label: "Environment templates" },
  { key: "serviceTemplates", label: "Service templates" },
  { key: "environments", label: "Environments" },
  { key: "services", label: "Services" },
  { key: "serviceInstances", label: "Service instances" },
  { key: "pipelines", label: "Pipelines" },
  { key: "components", label: "Components" },
];

/** Summary is Proton's GetResourcesSummary: the estate's counts against recommended versions. */
function Summary() {
  const summary = useLoad(() => unwrap(api.GET("/v1/resources-summary")), []);
  const counts = summary.data?.counts;
  return (
    <>
      <ErrorAlert error={summary.error} />
      <Table
        data-testid="resources-summary"
        variant="container"
        header={<Header description="Proton's resources summary, counted by the API">Estate</Header>}
        loading={summary.loading && !summary.data}
        loadingText="Loading the summary"
        items={summaryRows.filter((r) => counts?.[r.key])}
        columnDefinitions={[
          { id: "kind", header: "Resources", cell: (r) => r.label },
          { id: "upToDate", header: "Up to date", cell: (r) => counts?.[r.key]?.upToDate ?? 0 },
          { id: "behindMinor", header: "Behind a minor", cell: (r) => counts?.[r.key]?.behindMinor ?? 0 },
          { id: "behindMajor", header: "Behind a major", cell: (r) => counts?.[r.key]?.behindMajor ?? 0 },
          { id: "failed", header: "Failed", cell: (r) => counts?.[r.key]?.failed ?? 0 },
          { id: "total", header: "Total", cell: (r) => counts?.[r.key]?.total ?? 0 },
        ]}
        empty={<Box textAlign="center">Nothing yet</Box>}
      />
    </>
  );
}

export function FleetPage() {
  const data = useLoad(async () => {
    const out: { kind: Kind; template: Template; counts: Counts; total: number }[] = [];
    for (const kind of ["environment", "service"] as Kind[]) {
      for (const t of await listTemplates(kind)) {
        const targets = await targetsOf(kind, t.name);
        out.push({ kind, template: t, counts: countStandings(targets, t), total: targets.length });
      }
    }
    return out;
  }, []);
  return (
    <SpaceBetween size="l">
      <Header variant="h1" description="Where each template's environments and instances stand against its recommended version">Fleet</Header>
      <Summary />
      <ErrorAlert error={data.error} />
      <Table
        data-testid="fleet"
        variant="container"
        header={<Header>By template</Header>}
        loading={data.loading && !data.data}
        loadingText="Loading the fleet"
        items={data.data ?? []}
        columnDefinitions={[
          { id: "template", header: "Template", cell: (r) => <NavLink href={`/fleet/${r.kind}/${r.template.name}`}>{r.template.name}</NavLink> },
          { id: "kind", header: "Kind", cell: (r) => r.kind },
          { id: "recommended", header: "Recommended", cell: (r) => r.template.recommendedVersion ?? "-" },
          ...order.map((s) => ({ id: s, header: standingLabel[s], cell: (r: { counts: Counts }) => r.counts[s] })),
          { id: "total", header: "Total", cell: (r) => r.total },
        ]}
        empty={<Box textAlign="center">No templates</Box>}
      />
    </SpaceBetween>
  );
}

interface Rollout {
  started: { target: string; deploymentId?: string; error?: string }[];
}

export function TemplateFleetPage({ kind, name }: { kind: Kind; name: string }) {
  const admin = useIsAdmin();
  const template = useLoad(() => getTemplate(kind, name), [kind, name]);
  const targets = useLoad(() => targetsOf(kind, name), [kind, name], 2000, (ts) => ts.some((t) => inProgress(t.deploymentStatus)));
  const [rollout, setRollout] = useState<Rollout | null>(null);
  const [preview, setPreview] = useState<FleetPreview | null>(null);
  const [previewError, setPreviewError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const t = template.data;
  const list = targets.data ?? [];
  const behind = t ? list.filter((x) => standingOf(x, t) === "behindMinor") : [];
  const mayUpdate = kind === "service" || admin; // environments are the admins'
  // previewBehindMinor asks for the rollout's preview of the recommended version; the
  // update starts only once the preview is confirmed.
  const previewBehindMinor = async () => {
    if (!t?.recommendedVersion) return;
    setBusy(true);
    setPreviewError(undefined);
    setRollout(null);
    const path = { params: { path: { name, version: t.recommendedVersion } } };
    try {
      setPreview(kind === "environment"
        ? await unwrap(api.POST("/v1/environment-templates/{name}/versions/{version}/preview", path))
        : await unwrap(api.POST("/v1/service-templates/{name}/versions/{version}/preview", path)));
    } catch (e) {
      setPreviewError(e);
    } finally {
      setBusy(false);
    }
  };
  const updateBehindMinor = async () => {
    setPreview(null);
    setBusy(true);
    const started: Rollout["started"] = [];
    await Promise.all(behind.map(async (x) => {
      const label = x.kind === "service" ? `${x.serviceName}/${x.name}` : x.name;
      try {
        const body = { deploymentType: "MINOR_VERSION" as const };
        const r = x.kind === "service"
          ? await unwrap(api.PATCH("/v1/services/{name}/instances/{instance}", { params: { path: { name: x.serviceName, instance: x.name } }, body }))
          : await unwrap(api.PATCH("/v1/environments/{name}", { params: { path: { name: x.name } }, body }));
        started.push({ target: label, deploymentId: r.lastDeploymentId });
      } catch (e) {
        started.push({ target: label, error: (e as Error).message });
      }
    }));
    setRollout({ started });
    setBusy(false);
    targets.reload();
  };
  return (
    <SpaceBetween size="l">
      <Header variant="h1" description={t ? `Recommended version ${t.recommendedVersion ?? "none"}` : undefined}
        actions={mayUpdate ? (
          <Button variant="primary" disabled={!behind.length || busy || !!preview} loading={busy} onClick={previewBehindMinor}>
            Update all behind minor ({behind.length})
          </Button>
        ) : undefined}>
        Fleet of {name}
      </Header>
      <ErrorAlert error={template.error ?? targets.error} />
      {t ? <Container><CountsRow counts={countStandings(list, t)} testId="fleet-count" /></Container> : null}
      <ErrorAlert error={previewError} />
      {preview ? (
        <RolloutPreview preview={preview} actions={
          <SpaceBetween direction="horizontal" size="xs">
            <Button onClick={() => setPreview(null)}>Cancel</Button>
            <Button variant="primary" onClick={updateBehindMinor}>Confirm update ({behind.length})</Button>
          </SpaceBetween>
        } />
      ) : null}
      {rollout ? <RolloutProgress rollout={rollout} /> : null}
      <Table
        data-testid="fleet-targets"
        variant="container"
        header={<Header counter={`(${list.length})`}>{kind === "environment" ? "Environments" : "Service instances"}</Header>}
        loading={targets.loading && !targets.data}
        loadingText="Loading"
        items={list}
        columnDefinitions={[
          { id: "name", header: "Name", cell: (x) => (x.kind === "service" ? <NavLink href={`/services/${x.serviceName}/instances/${x.name}`}>{`${x.serviceName}/${x.name}`}</NavLink> : <NavLink href={`/environments/${x.name}`}>{x.name}</NavLink>) },
          { id: "version", header: "Version", cell: (x) => `${x.templateMajorVersion}.${x.templateMinorVersion}` },
          { id: "standing", header: "Standing", cell: (x) => (t ? standingLabel[standingOf(x, t)] : "-") },
          { id: "status", header: "Deployment status", cell: (x) => <Status status={x.deploymentStatus} /> },
        ]}
        empty={<Box textAlign="center">Nothing runs this template</Box>}
      />
    </SpaceBetween>
  );
}

function RolloutProgress({ rollout }: { rollout: Rollout }) {
  const ids = rollout.started.filter((s) => s.deploymentId).map((s) => s.deploymentId!);
  const deps = useLoad(() => Promise.all(ids.map((id) => unwrap(api.GET("/v1/deployments/{id}", { params: { path: { id } } })))), [ids.join(",")], 1000,
    (ds: Deployment[]) => ds.some((d) => inProgress(d.deploymentStatus)));
  const byId = new Map((deps.data ?? []).map((d) => [d.id, d]));
  const done = (deps.data ?? []).filter((d) => !inProgress(d.deploymentStatus)).length;
  const failed = rollout.started.filter((s) => s.error).length + (deps.data ?? []).filter((d) => d.deploymentStatus === "FAILED").length;
  const total = rollout.started.length;
  const finished = done + rollout.started.filter((s) => s.error).length;
  return (
    <Container header={<Header>Update of the instances behind a minor</Header>} data-testid="rollout">
      <SpaceBetween size="m">
        <ProgressBar value={total ? (finished / total) * 100 : 100} label="Deployments finished"
          additionalInfo={`${finished} of ${total} finished, ${failed} failed`}
          status={finished === total ? (failed ? "error" : "success") : "in-progress"}
          resultText={failed ? `${failed} failed` : `All ${total} deployments succeeded`} />
        <Table
          variant="embedded"
          items={rollout.started}
          columnDefinitions={[
            { id: "target", header: "Target", cell: (s) => s.target },
            { id: "deployment", header: "Deployment", cell: (s) => (s.deploymentId ? <NavLink href={`/deployments/${s.deploymentId}`}>{s.deploymentId.slice(0, 8)}</NavLink> : "-") },
            { id: "status", header: "Status", cell: (s) => (s.error ? s.error : <Status status={byId.get(s.deploymentId!)?.deploymentStatus} />) },
          ]}
        />
      </SpaceBetween>
    </Container>
  );
}

type FleetPreview = Schemas["FleetPreview"];

/**
 * RolloutPreview shows what moving the targets behind a minor to the previewed version
 * would change: per target the resources added, modified (and of those replaced) and
 * removed, or why it could not be previewed; actions confirm or cancel.
 */
export function RolloutPreview({ preview, actions }: { preview: FleetPreview; actions?: ReactNode }) {
  const targets = behindMinorOf(preview);
  const replaced = targets.reduce((n, x) => n + (x.summary?.replace ?? 0), 0);
  return (
    <Table
      data-testid="rollout-preview"
      variant="container"
      header={
        <Header actions={actions}
          description={`${targets.length} behind a minor move to ${preview.templateMajorVersion}.${preview.templateMinorVersion}; ${replaced} resource(s) would be replaced`}>
          Preview of the update
        </Header>
      }
      items={targets}
      columnDefinitions={[
        { id: "target", header: "Target", cell: (x) => targetLabel(x) },
        { id: "from", header: "From", cell: (x) => `${x.fromTemplateMajorVersion}.${x.fromTemplateMinorVersion}` },
        { id: "add", header: "Add", cell: (x) => x.summary?.add ?? "-" },
        { id: "modify", header: "Modify", cell: (x) => x.summary?.modify ?? "-" },
        { id: "replace", header: "Replace", cell: (x) => x.summary?.replace ?? "-" },
        { id: "remove", header: "Remove", cell: (x) => x.summary?.remove ?? "-" },
        { id: "result", header: "Preview", cell: (x) => (x.error ? `${x.error.code}: ${x.error.message}` : x.empty ? "No change" : "Changes listed") },
      ]}
      empty={<Box textAlign="center">No target behind a minor</Box>}
    />
  );
}

/** behindMinorOf keeps a rollout preview's targets within the previewed major (a MINOR_VERSION update). */
export function behindMinorOf(preview: FleetPreview): FleetPreview["targets"] {
  return preview.targets.filter((x) => x.fromTemplateMajorVersion === preview.templateMajorVersion);
}

const targetLabel = (x: FleetPreview["targets"][number]) =>
  x.targetResourceType === "SERVICE_INSTANCE" ? `${x.serviceName}/${x.serviceInstanceName}` : x.environmentName ?? "-";
