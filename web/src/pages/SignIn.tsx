// Sign-in: locally a picker of gantry-local's dev tokens; on AWS OpenID Connect with PKCE.
import { useState } from "react";
import Box from "@cloudscape-design/components/box";
import Button from "@cloudscape-design/components/button";
import Container from "@cloudscape-design/components/container";
import Header from "@cloudscape-design/components/header";
import RadioGroup from "@cloudscape-design/components/radio-group";
import SpaceBetween from "@cloudscape-design/components/space-between";
import { ErrorAlert } from "../components";
import { authorizeURL, localTokens, sessionFromToken, type ConsoleConfig, type Role, type Session } from "../lib/auth";

export function SignInPage({ config, onSession, returnTo }: { config: ConsoleConfig; onSession: (s: Session) => void; returnTo: string }) {
  const [role, setRole] = useState<Role>("developer");
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const signIn = async () => {
    setBusy(true);
    setError(undefined);
    try {
      if (config.mode === "local") {
        const tokens = await localTokens();
        onSession(sessionFromToken(tokens[role], role));
      } else {
        location.assign(await authorizeURL(config, returnTo));
      }
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };
  return (
    <Box padding={{ vertical: "xxxl", horizontal: "l" }}>
      <div style={{ maxWidth: 480, margin: "0 auto" }}>
        <main>
          <Container header={<Header variant="h1" description={config.mode === "local" ? "Local mode: pick one of gantry-local's dev tokens" : `Sign in with ${config.issuer}`}>Sign in to Gantry</Header>}>
            <SpaceBetween size="l">
              <ErrorAlert error={error} header="Sign-in failed" />
              {config.mode === "local" ? (
                <RadioGroup value={role} onChange={(e) => setRole(e.detail.value as Role)} ariaLabel="Role"
                  items={[
                    { value: "developer", label: "Developer", description: "Services and service instances; reads everything" },
                    { value: "admin", label: "Admin", description: "Templates and environments, and what a developer may do" },
                  ]} />
              ) : null}
              <Button variant="primary" loading={busy} onClick={signIn}>Sign in</Button>
            </SpaceBetween>
          </Container>
        </main>
      </div>
    </Box>
  );
}
