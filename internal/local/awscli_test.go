package local

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/proton"
	"github.com/aws/aws-sdk-go-v2/service/proton/types"

	"github.com/gantry-platform/gantry/internal/platform"
	"github.com/gantry-platform/gantry/internal/platformtest"
)

// deployFrontend registers the shared sample's templates from s3:// bundles, deploys
// environment Beta and service frontend (instance frontend-dev) through the SDK, and
// returns once the instance is deployed.
func (w *wirePlatform) deployFrontend(t *testing.T, admin, dev *proton.Client) {
	t.Helper()
	ctx := t.Context()
	w.stage(t, "bundles", "env.tar.gz", platformtest.EnvBundle)
	w.stage(t, "bundles", "svc.tar.gz", platformtest.SvcBundle)
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	source := func(key string) types.TemplateVersionSourceInput {
		return &types.TemplateVersionSourceInputMemberS3{Value: types.S3ObjectSource{Bucket: aws.String("bundles"), Key: aws.String(key)}}
	}
	must(admin.CreateEnvironmentTemplate(ctx, &proton.CreateEnvironmentTemplateInput{Name: aws.String(platformtest.EnvTemplate)}))
	must(admin.CreateEnvironmentTemplateVersion(ctx, &proton.CreateEnvironmentTemplateVersionInput{TemplateName: aws.String(platformtest.EnvTemplate), Source: source("env.tar.gz")}))
	must(admin.UpdateEnvironmentTemplateVersion(ctx, &proton.UpdateEnvironmentTemplateVersionInput{TemplateName: aws.String(platformtest.EnvTemplate),
		MajorVersion: aws.String("1"), MinorVersion: aws.String("0"), Status: types.TemplateVersionStatusPublished}))
	must(admin.CreateServiceTemplate(ctx, &proton.CreateServiceTemplateInput{Name: aws.String(platformtest.SvcTemplate)}))
	must(admin.CreateServiceTemplateVersion(ctx, &proton.CreateServiceTemplateVersionInput{TemplateName: aws.String(platformtest.SvcTemplate), Source: source("svc.tar.gz"),
		CompatibleEnvironmentTemplates: []types.CompatibleEnvironmentTemplateInput{{TemplateName: aws.String(platformtest.EnvTemplate), MajorVersion: aws.String("1")}}}))
	must(admin.UpdateServiceTemplateVersion(ctx, &proton.UpdateServiceTemplateVersionInput{TemplateName: aws.String(platformtest.SvcTemplate),
		MajorVersion: aws.String("1"), MinorVersion: aws.String("0"), Status: types.TemplateVersionStatusPublished}))
	must(admin.CreateEnvironment(ctx, &proton.CreateEnvironmentInput{Name: aws.String("Beta"), TemplateName: aws.String(platformtest.EnvTemplate),
		TemplateMajorVersion: aws.String("1"), Spec: aws.String(platformtest.ReadFile(t, platformtest.SamplePath(t, platformtest.EnvSpec)))}))
	must(nil, proton.NewEnvironmentDeployedWaiter(admin).Wait(ctx, &proton.GetEnvironmentInput{Name: aws.String("Beta")}, time.Minute,
		func(o *proton.EnvironmentDeployedWaiterOptions) { fast[any](&o.MinDelay, &o.MaxDelay)(nil) }))
	must(dev.CreateService(ctx, &proton.CreateServiceInput{Name: aws.String("frontend"), TemplateName: aws.String(platformtest.SvcTemplate),
		TemplateMajorVersion: aws.String("1"), Spec: aws.String(platformtest.ReadFile(t, platformtest.SamplePath(t, platformtest.SvcSpec))),
		RepositoryConnectionArn: aws.String("arn:aws:codestar-connections:us-east-1:000000000000:connection/example"),
		RepositoryId:            aws.String("example-org/frontend"), BranchName: aws.String("main")}))
	must(nil, proton.NewServiceInstanceDeployedWaiter(dev).Wait(ctx, &proton.GetServiceInstanceInput{ServiceName: aws.String("frontend"), Name: aws.String("frontend-dev")},
		time.Minute, func(o *proton.ServiceInstanceDeployedWaiterOptions) { fast[any](&o.MinDelay, &o.MaxDelay)(nil) }))
}

// awsCLI is Debian's aws CLI (package awscli, v2.9), which CI installs with apt; another
// aws on PATH is used when it is absent. No aws CLI at all fails the test.
func awsCLI(t *testing.T) string {
	t.Helper()
	if _, err := os.Stat("/usr/bin/aws"); err == nil {
		return "/usr/bin/aws"
	}
	path, err := exec.LookPath("aws")
	if err != nil {
		t.Fatal("the aws CLI is required (Debian: apt-get install awscli)")
	}
	return path
}

// cleanAWSEnv is an environment with no AWS settings of the machine's: only PATH, a
// scratch HOME and the given variables.
func cleanAWSEnv(t *testing.T, vars ...string) []string {
	home := t.TempDir()
	return append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "AWS_CONFIG_FILE=" + filepath.Join(home, "config"),
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(home, "credentials"), "AWS_PAGER=", "AWS_EC2_METADATA_DISABLED=true"}, vars...)
}

// TestAWSCLIPipeline runs, with the real aws CLI and a developer's access key, the
// script Proton's sample CodeBuild pipelines run: get-service, update-service-instance
// --deployment-type CURRENT_VERSION --spec file://…, wait service-instance-deployed.
func TestAWSCLIPipeline(t *testing.T) {
	w := newWirePlatform(t)
	admin, dev := w.client(t, platform.AdminRole), w.client(t, platform.DeveloperRole)
	w.deployFrontend(t, admin, dev)
	id, secret, err := w.AccessKey(platform.DeveloperRole, "")
	if err != nil {
		t.Fatal(err)
	}
	script, err := filepath.Abs("testdata/proton-pipeline.sh")
	if err != nil {
		t.Fatal(err)
	}
	bin := t.TempDir()
	if err := os.Symlink(awsCLI(t), filepath.Join(bin, "aws")); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("bash", script, "frontend", "frontend-dev")
	cmd.Dir = t.TempDir()
	cmd.Env = cleanAWSEnv(t, "ENDPOINT="+w.server.URL, "AWS_ACCESS_KEY_ID="+id, "AWS_SECRET_ACCESS_KEY="+secret, "AWS_DEFAULT_REGION=us-east-1")
	cmd.Env[0] = "PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("pipeline script: %v\n%s", err, out)
	}
	lines := strings.Fields(string(out))
	if len(lines) != 3 || lines[0] != "IN_PROGRESS" || lines[1] != "SUCCEEDED" || lines[2] != "1" {
		t.Fatalf("pipeline script printed %q, want IN_PROGRESS, then SUCCEEDED 1", out)
	}
	inst, err := dev.GetServiceInstance(t.Context(), &proton.GetServiceInstanceInput{ServiceName: aws.String("frontend"), Name: aws.String("frontend-dev")})
	if err != nil || !strings.Contains(aws.ToString(inst.ServiceInstance.Spec), "desired_count: 4") {
		t.Fatalf("instance after the pipeline = %+v, %v", inst, err)
	}

	// A developer key may not do an admin's work, and the CLI says so.
	cmd = exec.Command(awsCLI(t), "proton", "delete-environment", "--name", "Beta", "--endpoint-url", w.server.URL)
	cmd.Env = cleanAWSEnv(t, "AWS_ACCESS_KEY_ID="+id, "AWS_SECRET_ACCESS_KEY="+secret, "AWS_DEFAULT_REGION=us-east-1")
	out, err = cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "AccessDeniedException") {
		t.Fatalf("developer delete-environment: %v\n%s", err, out)
	}
}

// TestSDKEndpointVariable loads the Go SDK as user code does (config.LoadDefaultConfig)
// with only AWS_ENDPOINT_URL_PROTON and the two key variables set: the variable alone
// points the client at Gantry.
func TestSDKEndpointVariable(t *testing.T) {
	w := newWirePlatform(t)
	id, secret, err := w.AccessKey(platform.AdminRole, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, kv := range cleanAWSEnv(t, "AWS_ENDPOINT_URL_PROTON="+w.server.URL, "AWS_ACCESS_KEY_ID="+id, "AWS_SECRET_ACCESS_KEY="+secret, "AWS_REGION=us-east-1") {
		name, value, _ := strings.Cut(kv, "=")
		t.Setenv(name, value)
	}
	for _, name := range []string{"AWS_ENDPOINT_URL", "AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"} {
		t.Setenv(name, "")
		os.Unsetenv(name)
	}
	cfg, err := config.LoadDefaultConfig(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	client := proton.NewFromConfig(cfg)
	if _, err := client.CreateEnvironmentTemplate(t.Context(), &proton.CreateEnvironmentTemplateInput{Name: aws.String("from-the-variable")}); err != nil {
		t.Fatal(err)
	}
	got, err := client.GetEnvironmentTemplate(t.Context(), &proton.GetEnvironmentTemplateInput{Name: aws.String("from-the-variable")})
	if err != nil || aws.ToString(got.EnvironmentTemplate.Name) != "from-the-variable" {
		t.Fatalf("GetEnvironmentTemplate = %+v, %v", got, err)
	}
}
