package stacks_test

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/gantry-platform/gantry/cdk/stacks"
)

func appWithContext(ctx map[string]any) awscdk.App {
	return awscdk.NewApp(&awscdk.AppProps{Context: &ctx, Outdir: jsii.String(os.TempDir())})
}

func TestConfigDefaults(t *testing.T) {
	cfg, err := stacks.ConfigFromContext(appWithContext(map[string]any{}).Node())
	if err != nil {
		t.Fatal(err)
	}
	want := stacks.Config{
		AssetsDir:       stacks.DefaultAssetsDir,
		AdminGroups:     []string{stacks.DefaultAdminGroup},
		DeveloperGroups: []string{stacks.DefaultDeveloperGroup},
		GroupsClaim:     "groups",
		AccountRoleName: stacks.DefaultAccountRoleName,
		ConsoleDir:      stacks.DefaultConsoleDir,
		SyncPollMinutes: stacks.DefaultSyncPollMinutes,
	}
	if !reflect.DeepEqual(cfg, want) {
		t.Errorf("defaults = %+v, want %+v", cfg, want)
	}
}

func TestConfigReadsListsAsArraysOrCommaSeparated(t *testing.T) {
	cfg, err := stacks.ConfigFromContext(appWithContext(map[string]any{
		stacks.ContextJWTAudience:     "a, b,,c",
		stacks.ContextAdminGroups:     `["x","y"]`,
		stacks.ContextDeveloperGroups: []any{"d"},
		// cdk.json's empty values mean "use the default".
		stacks.ContextAccountRoleName: "",
		stacks.ContextJWTIssuer:       "",
	}).Node())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(cfg.JWTAudience, []string{"a", "b", "c"}) || !reflect.DeepEqual(cfg.AdminGroups, []string{"x", "y"}) ||
		!reflect.DeepEqual(cfg.DeveloperGroups, []string{"d"}) || cfg.AccountRoleName != stacks.DefaultAccountRoleName {
		t.Errorf("config = %+v", cfg)
	}
}

func TestConfigRejectsMalformedValues(t *testing.T) {
	for key, value := range map[string]any{
		stacks.ContextJWTIssuer:               "http://issuer.example.com",
		stacks.ContextAccountRoleName:         "no spaces allowed",
		stacks.ContextProvisioningPolicyARN:   []any{"PowerUserAccess"},
		stacks.ContextAlarmEmail:              "nobody",
		stacks.ContextAdminGroups:             []any{"ok", 3.0},
		stacks.ContextAssetsDir:               []any{"a"},
		stacks.ContextSyncPollMinutes:         "often",
		stacks.ContextGitCredentialsSecretARN: "my-git-tokens",
		stacks.ContextGitHubEnterpriseURL:     "http://github.example.com",
		stacks.ContextPlatformRegion:          "Mars",
		stacks.ContextRegions:                 "us-west-2", // without gantry:platformRegion
	} {
		_, err := stacks.ConfigFromContext(appWithContext(map[string]any{key: value}).Node())
		if err == nil || !strings.Contains(err.Error(), key) {
			t.Errorf("%s = %v: error %v, want one naming the key", key, value, err)
		}
	}
}

func TestConfigSyncPollMinutes(t *testing.T) {
	for value, want := range map[any]int{10.0: 10, "15": 15, 0.0: 0, "": stacks.DefaultSyncPollMinutes} {
		cfg, err := stacks.ConfigFromContext(appWithContext(map[string]any{stacks.ContextSyncPollMinutes: value}).Node())
		if err != nil || cfg.SyncPollMinutes != want {
			t.Errorf("%s = %#v: %d, %v; want %d", stacks.ContextSyncPollMinutes, value, cfg.SyncPollMinutes, err, want)
		}
	}
	for _, bad := range []any{2.5, -1.0, 1441.0} {
		if _, err := stacks.ConfigFromContext(appWithContext(map[string]any{stacks.ContextSyncPollMinutes: bad}).Node()); err == nil {
			t.Errorf("%s = %v: no error", stacks.ContextSyncPollMinutes, bad)
		}
	}
}

func TestBuildNamesMissingBinaries(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "api"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "api", "bootstrap"), []byte("x"), 0o755); err != nil {
		t.Fatal(err)
	}
	cfg := stacks.Config{AssetsDir: dir, AccountRoleName: stacks.DefaultAccountRoleName}
	_, err := stacks.Build(appWithContext(map[string]any{}), cfg)
	if err == nil || !strings.Contains(err.Error(), filepath.Join(dir, "render", "bootstrap")) ||
		strings.Contains(err.Error(), filepath.Join(dir, "api", "bootstrap")) {
		t.Errorf("Build error = %v, want one naming the missing render binary and not the present api one", err)
	}
}
