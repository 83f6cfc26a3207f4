// Command gantry-local runs the whole Gantry platform on this machine (`make dev`):
// DynamoDB Local, the API on GANTRY_ADDR (default 127.0.0.1:8080), the workflow runner,
// the event bus and the CloudFormation simulator. It writes ready bearer tokens to
// <data-dir>/admin.token and <data-dir>/developer.token, and the exports of an access key
// for the aws CLI and SDKs to <data-dir>/admin.aws-env and developer.aws-env. With
// --accounts, each listed environment account gets its own simulated CloudFormation and
// event bus (forwarding to the platform's) and an admin token <data-dir>/admin-ACCOUNT.token;
// with --regions, every account gets them in each listed region too.
// Ctrl-C stops everything it started.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"syscall"
	"time"

	"github.com/gantry-platform/gantry/internal/auth"
	"github.com/gantry-platform/gantry/internal/engine"
	"github.com/gantry-platform/gantry/internal/local"
	"github.com/gantry-platform/gantry/internal/platform"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "gantry-local:", err)
		os.Exit(1)
	}
}

func run() error {
	addr := flag.String("addr", envOr("GANTRY_ADDR", "127.0.0.1:8080"), "address to serve the API on")
	dataDir := flag.String("data-dir", ".gantry/dev", "where the database, blobs, signing key and tokens live")
	s3Dir := flag.String("s3-dir", ".gantry/s3", "where Proton's s3://BUCKET/KEY bundle sources are read from (DIR/BUCKET/KEY)")
	inMemory := flag.Bool("in-memory", false, "keep the database in memory")
	step := flag.Duration("step", 300*time.Millisecond, "the CloudFormation simulator's delay between stack statuses")
	eventRetryFor := flag.Duration("event-retry-for", 5*time.Minute, "how long the event bus retries a failing delivery before it dead-letters it")
	lease := flag.Duration("lease", 0, "how long a workflow task's claim on a deployment outlives its wait (default 10m)")
	reconcileEvery := flag.Duration("reconcile-interval", time.Minute, "how often the reconciler resumes deployments whose lease expired (negative: only at start)")
	webDir := flag.String("web-dir", "web/dist", "the web console's built files, served at / (make dev builds them); missing: the API alone")
	accounts := flag.String("accounts", "", "environment accounts besides the platform's own ("+local.AccountID+"), comma-separated, e.g. 111111111111,222222222222")
	regions := flag.String("regions", "", "regions besides the platform's own ("+local.Region+"), comma-separated, e.g. us-west-2,eu-west-1: environments created with a region deploy there")
	seedStacks := flag.String("seed-stacks", "", "a directory of stacks the CloudFormation simulator starts with, as if they existed (DIR/STACK/template.yaml and stack.json: tags, outputs, parameters; an --accounts account's, or the platform's own ("+local.AccountID+") in a --regions region, in DIR/ACCOUNT/REGION/STACK), e.g. AWS Proton's for gantry import proton")
	repositories := flag.String("repositories-dir", ".gantry/repositories", "the bare git repositories linked repositories stand for, at DIR/<provider>/<owner>/<repo>")
	pollEvery := flag.Duration("poll-interval", 30*time.Second, "how often template and service syncs ask their branches for new commits (0: webhooks only)")
	flag.Parse()

	log := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	limits, err := engine.LimitsFromEnv(os.Getenv)
	if err != nil {
		return err
	}
	p, err := local.Start(ctx, local.Config{DataDir: *dataDir, InMemory: *inMemory, Step: *step, EventRetryFor: *eventRetryFor,
		Lease: *lease, ReconcileInterval: *reconcileEvery, Log: log, RenderLimits: limits, S3Dir: *s3Dir, SeedStacks: *seedStacks, Accounts: auth.ParseGroupList(*accounts),
		Regions:  auth.ParseGroupList(*regions),
		Endpoint: "http://" + *addr, RepositoriesDir: *repositories, PollInterval: *pollEvery})
	if err != nil {
		return err
	}
	defer p.Close()
	for _, who := range []struct {
		file string
		role platform.Role
	}{{"admin.token", platform.AdminRole}, {"developer.token", platform.DeveloperRole}} {
		token, err := p.Token("local-"+string(who.role), who.role, 30*24*time.Hour)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(*dataDir, who.file), []byte(token+"\n"), 0o600); err != nil {
			return err
		}
	}
	for _, who := range []struct {
		file string
		role platform.Role
	}{{"admin.aws-env", platform.AdminRole}, {"developer.aws-env", platform.DeveloperRole}} {
		if err := writeAccessKey(ctx, p, who.role, filepath.Join(*dataDir, who.file), *addr); err != nil {
			return err
		}
	}
	for _, account := range auth.ParseGroupList(*accounts) {
		token, err := p.AccountToken("local-admin-"+account, account, 30*24*time.Hour)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(*dataDir, "admin-"+account+".token"), []byte(token+"\n"), 0o600); err != nil {
			return err
		}
	}
	var dist fs.FS
	if st, err := os.Stat(filepath.Join(*webDir, "index.html")); err == nil && !st.IsDir() {
		dist = os.DirFS(*webDir)
	} else {
		log.Warn("the web console is not built: serving the API alone (make dev builds it)", "webDir", *webDir)
	}
	listener, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	server := local.NewServer(listener.Addr().String(), p.Console(dist), local.DefaultServerLimits)
	errc := make(chan error, 1)
	go func() { errc <- server.Serve(listener) }()
	fmt.Fprintf(os.Stderr, "Gantry is running on http://%s — the console at /, tokens in %s/{admin,developer}.token, access keys for the aws CLI and SDKs in %s/{admin,developer}.aws-env; Ctrl-C stops it.\n", listener.Addr(), *dataDir, *dataDir)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := server.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// writeAccessKey keeps in path the shell exports that point the aws CLI and SDKs at this
// Gantry with an access key of role: the key already there while it still works (the
// database persists), otherwise a new one.
func writeAccessKey(ctx context.Context, p *local.Platform, role platform.Role, path, addr string) error {
	if b, err := os.ReadFile(path); err == nil {
		if m := accessKeyExport.FindSubmatch(b); m != nil {
			if _, _, err := p.Control.AccessKeySecret(ctx, string(m[1])); err == nil {
				return nil
			}
		}
	}
	id, secret, err := p.AccessKey(role, "")
	if err != nil {
		return err
	}
	env := fmt.Sprintf("export AWS_ACCESS_KEY_ID=%s AWS_SECRET_ACCESS_KEY=%s AWS_REGION=%s AWS_ENDPOINT_URL_PROTON=http://%s\n",
		id, secret, local.Region, addr)
	return os.WriteFile(path, []byte(env), 0o600)
}

var accessKeyExport = regexp.MustCompile(`AWS_ACCESS_KEY_ID=(\S+)`)

func envOr(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}
