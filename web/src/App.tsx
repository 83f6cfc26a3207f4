// The console's shell: sign-in, navigation and the page of the current path.
import { useEffect, useState } from "react";
import AppLayout from "@cloudscape-design/components/app-layout";
import Box from "@cloudscape-design/components/box";
import SideNavigation from "@cloudscape-design/components/side-navigation";
import Spinner from "@cloudscape-design/components/spinner";
import TopNavigation from "@cloudscape-design/components/top-navigation";
import { setToken } from "./api/client";
import { ErrorAlert } from "./components";
import { completeSignIn, currentSession, loadConfig, saveSession, signOut, type ConsoleConfig, type Session } from "./lib/auth";
import { follow, match, navigate, useLocation } from "./lib/router";
import { SessionContext } from "./lib/session";
import { AccountConnectionsPage } from "./pages/AccountConnections";
import { RepositoriesPage, RepositoryPage } from "./pages/Repositories";
import { ComponentPage, ComponentsPage, CreateComponentPage } from "./pages/Components";
import { DeploymentPage } from "./pages/Deployment";
import { CreateEnvironmentPage, EnvironmentPage, EnvironmentsPage } from "./pages/Environments";
import { FleetPage, TemplateFleetPage } from "./pages/Fleet";
import { CreateServicePage, InstancePage, ServicePage, ServicesPage } from "./pages/Services";
import { SignInPage } from "./pages/SignIn";
import { CatalogPage, TemplatePage, VersionPage, type Kind } from "./pages/Templates";

const kindOf = (k: string): Kind | null => (k === "environment" || k === "service" ? k : null);

function Page({ path }: { path: string }) {
  let m;
  if (path.split("?")[0] === "/" || match("/templates", path)) return <CatalogPage />;
  if ((m = match("/templates/:kind/:name", path)) && kindOf(m.kind)) return <TemplatePage kind={kindOf(m.kind)!} name={m.name} />;
  if ((m = match("/templates/:kind/:name/versions/:version", path)) && kindOf(m.kind)) return <VersionPage kind={kindOf(m.kind)!} name={m.name} version={m.version} />;
  if (match("/environments", path)) return <EnvironmentsPage />;
  if (match("/environments/new", path)) return <CreateEnvironmentPage path={path} />;
  if ((m = match("/environments/:name", path))) return <EnvironmentPage name={m.name} />;
  if (match("/services", path)) return <ServicesPage />;
  if (match("/services/new", path)) return <CreateServicePage path={path} />;
  if ((m = match("/services/:name", path))) return <ServicePage name={m.name} />;
  if ((m = match("/services/:service/instances/:name", path))) return <InstancePage service={m.service} name={m.name} />;
  if (match("/components", path)) return <ComponentsPage />;
  if (match("/components/new", path)) return <CreateComponentPage />;
  if ((m = match("/components/:name", path))) return <ComponentPage name={m.name} />;
  if ((m = match("/deployments/:id", path))) return <DeploymentPage id={m.id} />;
  if (match("/fleet", path)) return <FleetPage />;
  if (match("/account-connections", path)) return <AccountConnectionsPage />;
  if (match("/repositories", path)) return <RepositoriesPage />;
  if ((m = match("/repositories/:provider/:owner/:repo", path))) return <RepositoryPage provider={m.provider} owner={m.owner} repo={m.repo} />;
  if ((m = match("/fleet/:kind/:name", path)) && kindOf(m.kind)) return <TemplateFleetPage kind={kindOf(m.kind)!} name={m.name} />;
  return <Box variant="h1">Not found: no page at {path}</Box>;
}

/** useNarrow reports whether the window is narrower than Cloudscape's mobile breakpoint. */
function useNarrow(): boolean {
  const query = "(max-width: 688px)";
  const [narrow, setNarrow] = useState(() => window.matchMedia(query).matches);
  useEffect(() => {
    const m = window.matchMedia(query);
    const on = () => setNarrow(m.matches);
    m.addEventListener("change", on);
    return () => m.removeEventListener("change", on);
  }, []);
  return narrow;
}

const sections = [
  { href: "/templates", text: "Template catalog" },
  { href: "/environments", text: "Environments" },
  { href: "/services", text: "Services" },
  { href: "/components", text: "Components" },
  { href: "/fleet", text: "Fleet" },
  { href: "/account-connections", text: "Account connections" },
  { href: "/repositories", text: "Repositories" },
];

export function App() {
  const path = useLocation();
  const [config, setConfig] = useState<ConsoleConfig>();
  const [session, setSession] = useState<Session | null>(() => currentSession());
  const [error, setError] = useState<unknown>();
  const [navOpen, setNavOpen] = useState(true);
  const narrow = useNarrow();
  setToken(session?.token ?? null);
  useEffect(() => {
    loadConfig().then(setConfig, setError);
  }, []);
  useEffect(() => {
    if (config?.mode === "oidc" && match("/callback", path)) {
      completeSignIn(config, new URL(location.href)).then(({ session, returnTo }) => {
        saveSession(session);
        setSession(session);
        navigate(returnTo, true);
      }, setError);
    }
  }, [config, path]);
  if (error) return <Box padding="l"><ErrorAlert error={error} header="The console could not start" /></Box>;
  if (!config || match("/callback", path)) return <Box padding="l"><Spinner size="large" /></Box>;
  if (!session) {
    return <SignInPage config={config} returnTo={path} onSession={(s) => { saveSession(s); setSession(s); }} />;
  }
  const active = sections.find((s) => path.startsWith(s.href))?.href ?? "/templates";
  return (
    <SessionContext.Provider value={session}>
      <div id="top-nav" style={{ position: "sticky", top: 0, zIndex: 1002 }}>
        <TopNavigation
          i18nStrings={{ overflowMenuTriggerText: "More", overflowMenuTitleText: "All", overflowMenuBackIconAriaLabel: "Back", overflowMenuDismissIconAriaLabel: "Close menu" }}
          identity={{ href: "/", title: "Gantry", onFollow: (e) => follow(e) }}
          utilities={[
            // On a narrow window the sections are a menu here: AppLayout's mobile toolbar
            // carries an ARIA attribute its <nav> may not have (axe: aria-allowed-attr).
            ...(narrow ? [{
              type: "menu-dropdown" as const,
              text: "Menu",
              ariaLabel: "Sections",
              items: sections.map((s) => ({ id: s.href, text: s.text, href: s.href })),
              onItemFollow: (e: CustomEvent<{ href?: string }>) => follow(e),
            }] : []),
            {
            type: "menu-dropdown",
            text: `${session.subject} (${session.role})`,
            ariaLabel: `Signed in as ${session.subject}, role ${session.role}`,
            items: [{ id: "signout", text: "Sign out" }],
            onItemClick: (e) => {
              if (e.detail.id === "signout") {
                signOut();
                setSession(null);
              }
            },
          }]}
        />
      </div>
      <AppLayout
        headerSelector="#top-nav"
        navigationHide={narrow}
        navigationOpen={navOpen}
        onNavigationChange={(e) => setNavOpen(e.detail.open)}
        navigation={<SideNavigation activeHref={active} header={{ href: "/", text: "Gantry" }} onFollow={follow} items={sections.map((s) => ({ type: "link" as const, ...s }))} />}
        toolsHide
        ariaLabels={{ navigation: "Navigation", navigationClose: "Close navigation", navigationToggle: "Open navigation", notifications: "Notifications" }}
        content={<Page key={path.split("?")[0]} path={path} />}
      />
    </SessionContext.Provider>
  );
}
