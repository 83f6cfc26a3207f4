// The template catalog: environment and service templates, their versions (status,
// recommended, compatible environments); admins register, publish, deprecate, delete.
import { useState } from "react";
import Box from "@cloudscape-design/components/box";
import Button from "@cloudscape-design/components/button";
import ColumnLayout from "@cloudscape-design/components/column-layout";
import Container from "@cloudscape-design/components/container";
import FileUpload from "@cloudscape-design/components/file-upload";
import Form from "@cloudscape-design/components/form";
import FormField from "@cloudscape-design/components/form-field";
import Header from "@cloudscape-design/components/header";
import Input from "@cloudscape-design/components/input";
import Modal from "@cloudscape-design/components/modal";
import Select from "@cloudscape-design/components/select";
import SpaceBetween from "@cloudscape-design/components/space-between";
import Table from "@cloudscape-design/components/table";
import { api, listAll, unwrap, type Template, type TemplateVersion } from "../api/client";
import { ErrorAlert, NavLink, Status, Yaml } from "../components";
import { useLoad } from "../lib/hooks";
import { navigate } from "../lib/router";
import { useIsAdmin } from "../lib/session";

export type Kind = "environment" | "service";
export const kindPath = (k: Kind) => (k === "environment" ? "/v1/environment-templates" : "/v1/service-templates");
const kindTitle = (k: Kind) => (k === "environment" ? "Environment templates" : "Service templates");

export function listTemplates(kind: Kind): Promise<Template[]> {
  return kind === "environment"
    ? listAll((nextToken) => api.GET("/v1/environment-templates", { params: { query: { nextToken } } }))
    : listAll((nextToken) => api.GET("/v1/service-templates", { params: { query: { nextToken } } }));
}

export function listVersions(kind: Kind, name: string): Promise<TemplateVersion[]> {
  return kind === "environment"
    ? listAll((nextToken) => api.GET("/v1/environment-templates/{name}/versions", { params: { path: { name }, query: { nextToken } } }))
    : listAll((nextToken) => api.GET("/v1/service-templates/{name}/versions", { params: { path: { name }, query: { nextToken } } }));
}

export function getTemplate(kind: Kind, name: string): Promise<Template> {
  return kind === "environment"
    ? unwrap(api.GET("/v1/environment-templates/{name}", { params: { path: { name } } }))
    : unwrap(api.GET("/v1/service-templates/{name}", { params: { path: { name } } }));
}

export function getVersion(kind: Kind, name: string, version: string): Promise<TemplateVersion> {
  return kind === "environment"
    ? unwrap(api.GET("/v1/environment-templates/{name}/versions/{version}", { params: { path: { name, version } } }))
    : unwrap(api.GET("/v1/service-templates/{name}/versions/{version}", { params: { path: { name, version } } }));
}

const versionOf = (v: { majorVersion: number; minorVersion: number }) => `${v.majorVersion}.${v.minorVersion}`;

function TemplateTable({ kind }: { kind: Kind }) {
  const admin = useIsAdmin();
  const list = useLoad(() => listTemplates(kind), [kind]);
  const [creating, setCreating] = useState(false);
  return (
    <>
      <Table
        data-testid={`${kind}-templates`}
        variant="container"
        header={
          <Header counter={list.data ? `(${list.data.length})` : undefined}
            actions={admin ? <Button onClick={() => setCreating(true)}>Create {kind} template</Button> : undefined}>
            {kindTitle(kind)}
          </Header>
        }
        loading={list.loading && !list.data}
        loadingText="Loading templates"
        items={list.data ?? []}
        columnDefinitions={[
          { id: "name", header: "Name", cell: (t) => <NavLink href={`/templates/${kind}/${t.name}`}>{t.name}</NavLink> },
          { id: "display", header: "Display name", cell: (t) => t.displayName ?? "-" },
          { id: "recommended", header: "Recommended version", cell: (t) => (t.recommendedVersion ? `${t.recommendedVersion}${t.recommendedVersionPinned ? " (pinned)" : ""}` : "-") },
          ...(kind === "environment" ? [{ id: "selfService", header: "Environments by", cell: (t: Template) => (t.selfService ? "Developers (self-service)" : "Admins") }] : []),
          { id: "description", header: "Description", cell: (t) => t.description ?? "-" },
        ]}
        empty={<Box textAlign="center">No {kind} templates</Box>}
      />
      <ErrorAlert error={list.error} />
      {creating ? <CreateTemplate kind={kind} onClose={() => setCreating(false)} /> : null}
    </>
  );
}

function CreateTemplate({ kind, onClose }: { kind: Kind; onClose: () => void }) {
  const [name, setName] = useState("");
  const [displayName, setDisplayName] = useState("");
  const [description, setDescription] = useState("");
  const [error, setError] = useState<unknown>();
  const submit = async () => {
    const body = { name, displayName: displayName || undefined, description: description || undefined };
    try {
      if (kind === "environment") await unwrap(api.POST("/v1/environment-templates", { body }));
      else await unwrap(api.POST("/v1/service-templates", { body }));
      navigate(`/templates/${kind}/${name}`);
    } catch (e) {
      setError(e);
    }
  };
  return (
    <Modal visible onDismiss={onClose} header={`Create ${kind} template`}
      footer={
        <Box float="right">
          <SpaceBetween direction="horizontal" size="xs">
            <Button variant="link" onClick={onClose}>Cancel</Button>
            <Button variant="primary" onClick={submit}>Create</Button>
          </SpaceBetween>
        </Box>
      }>
      <SpaceBetween size="m">
        <ErrorAlert error={error} />
        <FormField label="Name" controlId="template-name"><Input controlId="template-name" value={name} onChange={(e) => setName(e.detail.value)} /></FormField>
        <FormField label="Display name - optional" controlId="template-display"><Input controlId="template-display" value={displayName} onChange={(e) => setDisplayName(e.detail.value)} /></FormField>
        <FormField label="Description - optional" controlId="template-description"><Input controlId="template-description" value={description} onChange={(e) => setDescription(e.detail.value)} /></FormField>
      </SpaceBetween>
    </Modal>
  );
}

export function CatalogPage() {
  return (
    <SpaceBetween size="l">
      <Header variant="h1" description="Versioned environment and service templates (Proton bundles)">Template catalog</Header>
      <TemplateTable kind="environment" />
      <TemplateTable kind="service" />
    </SpaceBetween>
  );
}

export function TemplatePage({ kind, name }: { kind: Kind; name: string }) {
  const admin = useIsAdmin();
  const template = useLoad(() => getTemplate(kind, name), [kind, name]);
  const versions = useLoad(() => listVersions(kind, name), [kind, name]);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [registering, setRegistering] = useState(false);
  const act = async (f: () => Promise<unknown>) => {
    setBusy(true);
    setError(undefined);
    try {
      await f();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
      template.reload();
      versions.reload();
    }
  };
  const path = (v: TemplateVersion) => ({ params: { path: { name, version: versionOf(v) } } });
  const publish = (v: TemplateVersion) =>
    act(() => kind === "environment"
      ? unwrap(api.POST("/v1/environment-templates/{name}/versions/{version}/publish", path(v)))
      : unwrap(api.POST("/v1/service-templates/{name}/versions/{version}/publish", path(v))));
  const setStatus = (v: TemplateVersion, status: "PUBLISHED" | "DEPRECATED") =>
    act(() => kind === "environment"
      ? unwrap(api.PATCH("/v1/environment-templates/{name}/versions/{version}", { ...path(v), body: { status } }))
      : unwrap(api.PATCH("/v1/service-templates/{name}/versions/{version}", { ...path(v), body: { status } })));
  const remove = (v: TemplateVersion) =>
    act(() => kind === "environment"
      ? unwrap(api.DELETE("/v1/environment-templates/{name}/versions/{version}", path(v)))
      : unwrap(api.DELETE("/v1/service-templates/{name}/versions/{version}", path(v))));
  const pin = (recommendedVersion: string) =>
    act(() => kind === "environment"
      ? unwrap(api.PATCH("/v1/environment-templates/{name}", { params: { path: { name } }, body: { recommendedVersion } }))
      : unwrap(api.PATCH("/v1/service-templates/{name}", { params: { path: { name } }, body: { recommendedVersion } })));
  const setSelfService = (selfService: boolean) =>
    act(() => unwrap(api.PATCH("/v1/environment-templates/{name}", { params: { path: { name } }, body: { selfService } })));
  const removeTemplate = async () => {
    setError(undefined);
    try {
      if (kind === "environment") await unwrap(api.DELETE("/v1/environment-templates/{name}", { params: { path: { name } } }));
      else await unwrap(api.DELETE("/v1/service-templates/{name}", { params: { path: { name } } }));
      navigate("/templates");
    } catch (e) {
      setError(e);
    }
  };
  const t = template.data;
  return (
    <SpaceBetween size="l">
      <Header variant="h1" description={t?.description}
        actions={
          <SpaceBetween direction="horizontal" size="xs">
            <Button onClick={() => navigate(`/fleet/${kind}/${name}`)}>Fleet</Button>
            {admin ? <Button onClick={() => setRegistering(true)}>Register version</Button> : null}
            {admin ? <Button onClick={removeTemplate}>Delete template</Button> : null}
          </SpaceBetween>
        }>
        {t?.displayName ?? name}
      </Header>
      <ErrorAlert error={template.error ?? versions.error ?? error} />
      <Container header={<Header>Details</Header>}>
        <ColumnLayout columns={3} variant="text-grid">
          <div><Box variant="awsui-key-label">Name</Box>{name}</div>
          <div><Box variant="awsui-key-label">Kind</Box>{kind} template</div>
          <div>
            <Box variant="awsui-key-label">Recommended version</Box>
            <SpaceBetween direction="horizontal" size="xs">
              <span data-testid="recommended">{t?.recommendedVersion ?? "-"}</span>
              {t?.recommendedVersionPinned ? <span>(pinned)</span> : null}
              {admin && t?.recommendedVersionPinned ? <Button variant="inline-link" disabled={busy} onClick={() => pin("latest")}>Unpin</Button> : null}
            </SpaceBetween>
          </div>
          {kind === "environment" ? (
            <div>
              <Box variant="awsui-key-label">Self-service</Box>
              <SpaceBetween direction="horizontal" size="xs">
                <span data-testid="self-service" data-self-service={t ? String(!!t.selfService) : undefined}>
                  {t ? (t.selfService ? "Yes: developers create and manage its environments" : "No: only admins manage its environments") : "-"}
                </span>
                {admin && t ? (
                  <Button variant="inline-link" disabled={busy} onClick={() => setSelfService(!t.selfService)}>
                    {t.selfService ? "Make admin-only" : "Make self-service"}
                  </Button>
                ) : null}
              </SpaceBetween>
            </div>
          ) : null}
        </ColumnLayout>
      </Container>
      <Table
        data-testid="versions"
        variant="container"
        header={<Header counter={versions.data ? `(${versions.data.length})` : undefined}>Versions</Header>}
        loading={versions.loading && !versions.data}
        loadingText="Loading versions"
        items={versions.data ?? []}
        columnDefinitions={[
          { id: "version", header: "Version", cell: (v) => <NavLink href={`/templates/${kind}/${name}/versions/${versionOf(v)}`}>{versionOf(v)}</NavLink> },
          { id: "status", header: "Status", cell: (v) => <Status status={v.status} /> },
          { id: "recommended", header: "Recommended", cell: (v) => (t?.recommendedVersion === versionOf(v) ? "Recommended" : "") },
          ...(kind === "service"
            ? [{ id: "compatible", header: "Compatible environments", cell: (v: TemplateVersion) => (v.compatibleEnvironmentTemplates ?? []).map((c) => `${c.templateName}:${c.majorVersion}`).join(", ") || "-" }]
            : []),
          { id: "message", header: "Status message", cell: (v) => v.statusMessage ?? "" },
          ...(admin
            ? [{
                id: "actions",
                header: "Actions",
                cell: (v: TemplateVersion) => (
                  <SpaceBetween direction="horizontal" size="xs">
                    {v.status === "DRAFT" ? <Button disabled={busy} ariaLabel={`Publish ${versionOf(v)}`} onClick={() => publish(v)}>Publish</Button> : null}
                    {v.status === "PUBLISHED" ? <Button disabled={busy} ariaLabel={`Deprecate ${versionOf(v)}`} onClick={() => setStatus(v, "DEPRECATED")}>Deprecate</Button> : null}
                    {v.status === "PUBLISHED" && !(t?.recommendedVersionPinned && t.recommendedVersion === versionOf(v)) ? (
                      <Button disabled={busy} ariaLabel={`Pin as recommended ${versionOf(v)}`} onClick={() => pin(versionOf(v))}>Pin as recommended</Button>
                    ) : null}
                    {v.status === "DEPRECATED" ? <Button disabled={busy} ariaLabel={`Publish again ${versionOf(v)}`} onClick={() => setStatus(v, "PUBLISHED")}>Publish again</Button> : null}
                    <Button disabled={busy} ariaLabel={`Delete ${versionOf(v)}`} onClick={() => remove(v)}>Delete</Button>
                  </SpaceBetween>
                ),
              }]
            : []),
        ]}
        empty={<Box textAlign="center">No versions</Box>}
      />
      {registering ? (
        <RegisterVersion kind={kind} name={name} majors={[...new Set((versions.data ?? []).map((v) => v.majorVersion))]}
          onClose={() => { setRegistering(false); versions.reload(); template.reload(); }} />
      ) : null}
    </SpaceBetween>
  );
}

function RegisterVersion({ kind, name, majors, onClose }: { kind: Kind; name: string; majors: number[]; onClose: () => void }) {
  const [files, setFiles] = useState<File[]>([]);
  const options = [{ label: "A new major version", value: "" }, ...majors.map((m) => ({ label: `The next minor of ${m}`, value: String(m) }))];
  const [major, setMajor] = useState(options[options.length - 1]);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const query = major.value ? { majorVersion: Number(major.value) } : {};
      const init = {
        params: { path: { name }, query },
        body: files[0] as unknown as string, // the bundle's bytes, sent as they are
        bodySerializer: (b: unknown) => b as BodyInit,
        headers: { "Content-Type": "application/gzip" },
      };
      const v = kind === "environment"
        ? await unwrap(api.POST("/v1/environment-templates/{name}/versions", init))
        : await unwrap(api.POST("/v1/service-templates/{name}/versions", init));
      onClose();
      navigate(`/templates/${kind}/${name}/versions/${versionOf(v)}`);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal visible onDismiss={onClose} header="Register a version"
      footer={
        <Box float="right">
          <SpaceBetween direction="horizontal" size="xs">
            <Button variant="link" onClick={onClose}>Cancel</Button>
            <Button variant="primary" loading={busy} disabled={!files.length} onClick={submit}>Register</Button>
          </SpaceBetween>
        </Box>
      }>
      <Form>
        <SpaceBetween size="m">
          <ErrorAlert error={error} header="The bundle was refused" />
          <FormField label="Bundle" description="The template bundle as a .tar.gz (files at the root or under one folder)">
            <FileUpload value={files} onChange={(e) => setFiles(e.detail.value)} accept=".tar.gz,.tgz,application/gzip"
              i18nStrings={{ uploadButtonText: () => "Choose bundle", dropzoneText: () => "Drop the bundle", removeFileAriaLabel: () => "Remove bundle", limitShowFewer: "Show fewer", limitShowMore: "Show more", errorIconAriaLabel: "Error" }} />
          </FormField>
          <FormField label="Version" controlId="register-major">
            <Select controlId="register-major" selectedOption={major} options={options} onChange={(e) => setMajor(e.detail.selectedOption as typeof major)} />
          </FormField>
        </SpaceBetween>
      </Form>
    </Modal>
  );
}

export function VersionPage({ kind, name, version }: { kind: Kind; name: string; version: string }) {
  const v = useLoad(() => getVersion(kind, name, version), [kind, name, version]);
  const d = v.data;
  return (
    <SpaceBetween size="l">
      <Header variant="h1"
        actions={d?.status === "PUBLISHED" ? (
          <Button variant="primary" onClick={() => navigate(kind === "environment"
            ? `/environments/new?template=${name}&major=${d.majorVersion}&minor=${d.minorVersion}`
            : `/services/new?template=${name}&major=${d.majorVersion}&minor=${d.minorVersion}`)}>
            Create {kind} from {version}
          </Button>
        ) : undefined}>
        {name} {version}
      </Header>
      <ErrorAlert error={v.error} />
      <Container header={<Header>Details</Header>}>
        <ColumnLayout columns={3} variant="text-grid">
          <div><Box variant="awsui-key-label">Status</Box><Status status={d?.status} /></div>
          <div><Box variant="awsui-key-label">Status message</Box>{d?.statusMessage ?? "-"}</div>
          <div><Box variant="awsui-key-label">Pipeline</Box>{d?.hasPipeline ? "yes" : "no"}</div>
          {kind === "service" ? (
            <div><Box variant="awsui-key-label">Compatible environments</Box>{(d?.compatibleEnvironmentTemplates ?? []).map((c) => `${c.templateName}:${c.majorVersion}`).join(", ") || "-"}</div>
          ) : null}
          <div><Box variant="awsui-key-label">Component sources</Box>{(d?.supportedComponentSources ?? []).join(", ") || "-"}</div>
          <div><Box variant="awsui-key-label">Description</Box>{d?.description ?? "-"}</div>
        </ColumnLayout>
      </Container>
      <Container header={<Header>Schema</Header>}>
        <Yaml text={d?.schema} label="schema.yaml" />
      </Container>
    </SpaceBetween>
  );
}
