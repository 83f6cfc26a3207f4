package local

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gantry-platform/gantry/internal/control"
	"github.com/gantry-platform/gantry/internal/dynamolocal"
	"github.com/gantry-platform/gantry/internal/platform"
	"github.com/gantry-platform/gantry/internal/platformtest"
)

// The CodeBuild provisioning test's stubs. The sample's commands run npm and the CDK, which
// need the network; the stubs stand for them: `npm install|run build` do nothing, `npm run
// cdk …` runs the cdk stub, whose deploy writes proton-outputs.json (the CDK's outputsFile
// in the bundle's cdk.json) from proton-inputs.json with jq, and fails for tenant "fail";
// destroy leaves a mark, and fails for environment tenantBEnv. Before deploying, the cdk stub also tries what the build's
// reporter key must not do, and records the aws CLI's answers. Everything else — bash,
// cdk-to-proton.sh's jq, the aws CLI and its notify call — runs for real.
const (
	npmStub = `#!/bin/bash
case "$1 $2" in
  "run cdk") shift 2; [ "$1" = "--" ] && shift; exec cdk "$@" ;;
esac
exit 0
`
	cdkStub = `#!/bin/bash
marks=%q
case "$1" in
  bootstrap) exit 0 ;;
  deploy)
    aws proton list-environments >/dev/null 2>"$marks/list.err"; echo $? > "$marks/list.rc"
    aws proton notify-resource-deployment-status-change --resource-arn "${RESOURCE_ARN%%/*}/other" --status IN_PROGRESS >/dev/null 2>"$marks/other.err"; echo $? > "$marks/other.rc"
    tenant=$(jq -r .environment.inputs.tenantId proton-inputs.json)
    if [ "$tenant" = fail ]; then echo "TenantEnv failed: CREATE_FAILED (the stub's failure)" >&2; exit 1; fi
    jq '{(.environment.name): {TenantId: .environment.inputs.tenantId, VPCId: "vpc-0123", ECSClusterName: .environment.name}}' proton-inputs.json > proton-outputs.json ;;
  destroy)
    if [ "$(jq -r .environment.name proton-inputs.json)" = tenantBEnv ]; then echo "TenantEnv: DELETE_FAILED (the stub's failure)" >&2; exit 1; fi
    jq -r .environment.name proton-inputs.json > "$marks/destroyed" ;;
esac
`
)

// codebuildPlatform is a local platform served over HTTP whose builds find the stubs and
// Debian's aws CLI first on PATH.
func codebuildPlatform(t *testing.T) (p *Platform, marks string) {
	t.Helper()
	bin, marks := t.TempDir(), t.TempDir()
	for name, body := range map[string]string{"npm": npmStub, "npx": "#!/bin/bash\nexit 0\n", "cdk": fmt.Sprintf(cdkStub, marks)} {
		if err := os.WriteFile(filepath.Join(bin, name), []byte(body), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(awsCLI(t), filepath.Join(bin, "aws")); err != nil {
		t.Fatal(err)
	}
	p, err := Start(context.Background(), Config{DataDir: t.TempDir(), DynamoEndpoint: dynamolocal.Shared(t).Endpoint(),
		Table: fmt.Sprintf("gantry-codebuild-%d", time.Now().UnixNano()), Log: quietLog(), BuildPath: []string{bin},
		BuildTimeout: 2 * time.Minute, Accounts: []string{workloadID}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	ts := httptest.NewServer(p.Handler)
	t.Cleanup(ts.Close)
	p.SetEndpoint(ts.URL)
	return p, marks
}

// waitDeployment waits for deployment id to finish and returns it.
func waitDeployment(t *testing.T, p *Platform, id string) platform.Deployment {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		d, err := p.Store.GetDeployment(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if d.Finished() {
			return d
		}
		if time.Now().After(deadline) {
			t.Fatalf("deployment %s still %s after 2 minutes", id, d.Status)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func readMark(t *testing.T, marks, name string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(marks, name))
	if err != nil {
		t.Fatalf("mark %s: %v", name, err)
	}
	return strings.TrimSpace(string(data))
}

// TestCodeBuildProvisioning: the shared CodeBuild bundle (aws-samples' tenant
// environment, unchanged) registers; an environment from it runs the manifest's provision
// commands in the CodeBuild stand-in beside Proton's proton-inputs.json, and the bundle's
// own cdk-to-proton.sh and `aws proton notify-resource-deployment-status-change` (Debian's
// aws CLI, through the wrapper, signing with the deployment's reporter key) report the
// outputs: the environment is SUCCEEDED with them. That key may do nothing else: listing
// environments and reporting on another resource are refused. The build runs under the
// environment's codebuildRoleArn (without one the environment is refused, naming it); an
// environment in another account builds in that account under its connection's
// codebuildRoleArn, as the stand-in records. A failing build ends its
// deployment FAILED with the build's phase and reason; deleting the environment runs the
// deprovision commands.
func TestCodeBuildProvisioning(t *testing.T) {
	p, marks := codebuildPlatform(t)
	ctx := platformtest.AdminContext("alice")
	bundleDir := filepath.Join(platformtest.SharedDir(t), "samples", "proton-bundles", "codebuild", "tenant-env-template", "v1")
	if _, err := p.Control.CreateTemplate(ctx, platform.EnvironmentTemplate, control.CreateTemplateInput{Name: "tenant-env"}); err != nil {
		t.Fatal(err)
	}
	tv, err := p.Control.CreateTemplateVersion(ctx, platform.EnvironmentTemplate, "tenant-env", control.CreateVersionInput{Bundle: platformtest.TarGz(t, bundleDir, nil)})
	if err != nil {
		t.Fatalf("register the CodeBuild bundle: %v", err)
	}
	if tv.Engine != platform.EngineCodeBuild {
		t.Fatalf("registered engine %q, want CODEBUILD", tv.Engine)
	}
	if _, err := p.Control.PublishTemplateVersion(ctx, platform.EnvironmentTemplate, "tenant-env", tv.Version); err != nil {
		t.Fatal(err)
	}
	const buildRole = "arn:aws:iam::" + AccountID + ":role/gantry-provisioning"
	input := func(name, tenant string) control.CreateEnvironmentInput {
		spec := "proton: EnvironmentSpec\nspec:\n  tenantId: " + tenant + "\n  service_discovery_namespace: " + tenant + ".example.com\n"
		return control.CreateEnvironmentInput{Name: name, TemplateName: "tenant-env", MajorVersion: 1, Spec: spec, CodebuildRoleARN: buildRole}
	}
	deploy := func(in control.CreateEnvironmentInput) platform.Deployment {
		t.Helper()
		env, err := p.Control.CreateEnvironment(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		return waitDeployment(t, p, env.LastDeploymentID)
	}
	create := func(name, tenant string) platform.Deployment { return deploy(input(name, tenant)) }
	// ranAs checks the role and account d's build ran as.
	ranAs := func(d platform.Deployment, role, account string) {
		t.Helper()
		b, err := p.Builds.GetBuild(context.Background(), d.ProvisioningRef)
		if err != nil {
			t.Fatal(err)
		}
		if b.RoleARN != role || b.Account != account {
			t.Errorf("the build of %s ran as %q in %s, want %q in %s", d.Target, b.RoleARN, b.Account, role, account)
		}
	}

	roleless := input("tenantXEnv", "tenantX")
	roleless.CodebuildRoleARN = ""
	if _, err := p.Control.CreateEnvironment(ctx, roleless); platform.KindOf(err) != platform.Invalid || !strings.HasPrefix(platform.MessageOf(err), "codebuildRoleArn") {
		t.Fatalf("a CodeBuild environment without codebuildRoleArn: %v, want Invalid naming it", err)
	}
	d := create("tenantAEnv", "tenantA")
	if d.Status != platform.Succeeded {
		t.Fatalf("deployment %s: %s", d.Status, d.StatusMessage)
	}
	ranAs(d, buildRole, AccountID)
	env, err := p.Store.GetEnvironment(context.Background(), "tenantAEnv")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, o := range env.Outputs {
		got[o.Key] = o.Value
	}
	if got["TenantId"] != "tenantA" || got["VPCId"] != "vpc-0123" || got["ECSClusterName"] != "tenantAEnv" || len(got) != 3 {
		t.Errorf("environment outputs %v, want those the build notified", got)
	}
	if rc := readMark(t, marks, "list.rc"); rc == "0" || !strings.Contains(readMark(t, marks, "list.err"), "AccessDenied") {
		t.Errorf("the reporter key listed environments: rc %s, %s", rc, readMark(t, marks, "list.err"))
	}
	if rc := readMark(t, marks, "other.rc"); rc == "0" || !strings.Contains(readMark(t, marks, "other.err"), "AccessDenied") {
		t.Errorf("the reporter key reported on another resource: rc %s, %s", rc, readMark(t, marks, "other.err"))
	}

	// An environment in another account builds there, under its connection's CodeBuild role.
	workload := platform.WithCaller(context.Background(), platform.Caller{Subject: "erin", Roles: []platform.Role{platform.AdminRole}, Account: workloadID})
	const connectionRole = "arn:aws:iam::" + workloadID + ":role/tenant-builds"
	conn, err := p.Control.CreateEnvironmentAccountConnection(workload, control.CreateEnvironmentAccountConnectionInput{ManagementAccountID: AccountID,
		EnvironmentName: "tenantCEnv", RoleARN: "arn:aws:iam::" + workloadID + ":role/gantry-connection", CodebuildRoleARN: connectionRole})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Control.AcceptEnvironmentAccountConnection(ctx, conn.ID); err != nil {
		t.Fatal(err)
	}
	connected := input("tenantCEnv", "tenantC")
	connected.CodebuildRoleARN, connected.EnvironmentAccountConnectionID = "", conn.ID
	if d := deploy(connected); d.Status != platform.Succeeded {
		t.Errorf("connected deployment %s: %s", d.Status, d.StatusMessage)
	} else {
		ranAs(d, connectionRole, workloadID)
	}

	failed := create("tenantBEnv", "fail")
	if failed.Status != platform.Failed || !strings.Contains(failed.StatusMessage, "BUILD") ||
		!strings.Contains(failed.StatusMessage, "npm run cdk -- deploy") || !strings.Contains(failed.StatusMessage, "the stub's failure") {
		t.Errorf("failing build: %s %q, want FAILED naming the phase, the command and its output", failed.Status, failed.StatusMessage)
	}
	// A deprovision build that fails leaves the environment, DELETE_FAILED with the reason.
	delB, err := p.Control.DeleteEnvironment(ctx, "tenantBEnv")
	if err != nil {
		t.Fatal(err)
	}
	if d := waitDeployment(t, p, delB.LastDeploymentID); d.Status != platform.DeleteFailed || !strings.Contains(d.StatusMessage, "DELETE_FAILED (the stub's failure)") {
		t.Errorf("failing deprovision: %s %q, want DELETE_FAILED with the build's output", d.Status, d.StatusMessage)
	}
	if env, err := p.Store.GetEnvironment(context.Background(), "tenantBEnv"); err != nil || env.DeploymentStatus != platform.DeleteFailed {
		t.Errorf("after a failed deprovision the environment is %+v, %v; want it kept, DELETE_FAILED", env.Deployable, err)
	}

	del, err := p.Control.DeleteEnvironment(ctx, "tenantAEnv")
	if err != nil {
		t.Fatal(err)
	}
	if d := waitDeployment(t, p, del.LastDeploymentID); d.Status != platform.DeleteComplete {
		t.Fatalf("deletion %s: %s", d.Status, d.StatusMessage)
	}
	if got := readMark(t, marks, "destroyed"); got != "tenantAEnv" {
		t.Errorf("deprovision destroyed %q, want tenantAEnv", got)
	}
	if _, err := p.Store.GetEnvironment(context.Background(), "tenantAEnv"); platform.KindOf(err) != platform.NotFound {
		t.Errorf("tenantAEnv after its deprovision succeeded: %v, want it gone", err)
	}
}
