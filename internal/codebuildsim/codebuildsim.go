// Package codebuildsim is a local CodeBuild: a platform.BuildRunner that runs a build's
// buildspec (its install, then build phase commands, each with bash, stopping at the first
// that fails, as CodeBuild does) in a temporary directory holding the build's files, with
// its environment variables and CODEBUILD_SRC_DIR, and publishes CodeBuild's "Build State
// Change" event when the build ends. A build is stopped at its timeout (TIMED_OUT) or by
// StopBuild (STOPPED), its whole process group killed; its output is kept up to a cap.
package codebuildsim

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/gantry-platform/gantry/internal/platform"
)

// Options configure a Simulator. Zero values take defaults.
type Options struct {
	// Publish receives each build's "CodeBuild Build State Change" event when it ends.
	Publish func(ctx context.Context, event []byte) error
	// PathPrefix are directories put first on the builds' PATH (before the build's own
	// additions).
	PathPrefix []string
	// MaxOutput is how much of a build's output is kept, its tail (default 64 KiB).
	MaxOutput int
	// Account and Region make the builds' ARNs (default 000000000000, us-east-1).
	Account, Region string
	Log             *slog.Logger
}

// Simulator runs builds on this machine. Close stops those still running.
type Simulator struct {
	opts   Options
	mu     sync.Mutex
	builds map[string]*build
	tokens map[string]string // idempotency token → build id
	wg     sync.WaitGroup
	ctx    context.Context
	stop   context.CancelFunc
}

type build struct {
	platform.Build
	project string
	output  *tailBuffer
	cancel  context.CancelFunc
	stopped bool
	done    chan struct{}
}

var _ platform.BuildRunner = (*Simulator)(nil)

// New returns a Simulator.
func New(opts Options) *Simulator {
	if opts.MaxOutput <= 0 {
		opts.MaxOutput = 64 << 10
	}
	if opts.Account == "" {
		opts.Account = "000000000000"
	}
	if opts.Region == "" {
		opts.Region = "us-east-1"
	}
	if opts.Log == nil {
		opts.Log = slog.Default()
	}
	ctx, stop := context.WithCancel(context.Background())
	return &Simulator{opts: opts, builds: map[string]*build{}, tokens: map[string]string{}, ctx: ctx, stop: stop}
}

// Close stops every build still running and waits for them.
func (s *Simulator) Close() {
	s.stop()
	s.wg.Wait()
}

// buildspec is the part of a buildspec the simulator runs.
type buildspec struct {
	Phases map[string]struct {
		Commands []string `yaml:"commands"`
	} `yaml:"phases"`
}

// phaseOrder is the order CodeBuild runs the phases in.
var phaseOrder = []string{"install", "pre_build", "build", "post_build"}

// StartBuild writes the build's files into a new temporary directory and runs its
// buildspec there in the background. A repeated start with the same IdempotencyToken
// returns the build it started. Invalid for a buildspec that does not parse or a file
// path that leaves the directory.
func (s *Simulator) StartBuild(ctx context.Context, in platform.BuildRequest) (platform.Build, error) {
	var spec buildspec
	if err := yaml.Unmarshal([]byte(in.Buildspec), &spec); err != nil {
		return platform.Build{}, platform.Errorf(platform.Invalid, "buildspec: %v", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if id, ok := s.tokens[in.IdempotencyToken]; ok && in.IdempotencyToken != "" {
		return s.builds[id].Build, nil
	}
	dir, err := os.MkdirTemp("", "gantry-build-")
	if err != nil {
		return platform.Build{}, err
	}
	for name, data := range in.Files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if !strings.HasPrefix(p, dir+string(filepath.Separator)) {
			os.RemoveAll(dir)
			return platform.Build{}, platform.Errorf(platform.Invalid, "build file %q leaves the source directory", name)
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return platform.Build{}, err
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			return platform.Build{}, err
		}
	}
	account := in.Account
	if account == "" {
		account = s.opts.Account
	}
	id := fmt.Sprintf("arn:aws:codebuild:%s:%s:build/%s:%s", s.opts.Region, account, in.Project, platform.NewID())
	runCtx, cancel := context.WithCancel(s.ctx)
	if in.Timeout > 0 {
		runCtx, cancel = context.WithTimeout(s.ctx, in.Timeout)
	}
	b := &build{Build: platform.Build{ID: id, Status: "IN_PROGRESS", Env: maps.Clone(in.Env), RoleARN: in.RoleARN, Account: account}, project: in.Project,
		output: &tailBuffer{max: s.opts.MaxOutput}, cancel: cancel, done: make(chan struct{})}
	s.builds[id] = b
	if in.IdempotencyToken != "" {
		s.tokens[in.IdempotencyToken] = id
	}
	s.wg.Add(1)
	go s.run(runCtx, b, dir, spec, in)
	return b.Build, nil
}

// run runs the phases of b and records and publishes how it ended.
func (s *Simulator) run(ctx context.Context, b *build, dir string, spec buildspec, in platform.BuildRequest) {
	defer s.wg.Done()
	defer close(b.done)
	defer os.RemoveAll(dir)
	defer b.cancel()
	env := s.environ(dir, b.ID, in.Env)
	status, phase, reason := "SUCCEEDED", "", ""
	var phases []phaseResult
run:
	for _, name := range phaseOrder {
		for _, command := range spec.Phases[name].Commands {
			err := s.runCommand(ctx, dir, env, command, b.output)
			if err == nil {
				continue
			}
			phase = strings.ToUpper(name)
			switch {
			case errors.Is(ctx.Err(), context.DeadlineExceeded):
				status, reason = "TIMED_OUT", fmt.Sprintf("BUILD_TIMED_OUT: Build has timed out after %s", in.Timeout)
			case ctx.Err() != nil:
				status, reason = "STOPPED", "BUILD_STOPPED: the build was stopped"
			default:
				status, reason = "FAILED", fmt.Sprintf("COMMAND_EXECUTION_ERROR: Error while executing command: %s. Reason: %v", command, err)
			}
			phases = append(phases, phaseResult{Type: phase, Status: status, Context: []string{reason}})
			break run
		}
		phases = append(phases, phaseResult{Type: strings.ToUpper(name), Status: "SUCCEEDED", Context: []string{}})
	}
	s.mu.Lock()
	if b.stopped && status != "SUCCEEDED" {
		status, reason = "STOPPED", "BUILD_STOPPED: the build was stopped"
		phases[len(phases)-1].Status, phases[len(phases)-1].Context = status, []string{reason}
	}
	b.Status, b.FailedPhase, b.Reason = status, phase, reason
	if status != "SUCCEEDED" {
		if tail := b.output.lastLines(20); tail != "" {
			b.Reason += "; last output:\n" + tail
		}
	}
	done := b.Build
	s.mu.Unlock()
	s.opts.Log.Info("codebuildsim: build ended", "build", b.ID, "status", status, "phase", phase)
	if s.opts.Publish != nil {
		if err := s.opts.Publish(context.Background(), s.event(b, done, phases, in)); err != nil {
			s.opts.Log.Error("codebuildsim: publish the build's end", "build", b.ID, "error", err)
		}
	}
}

// environ is a build's environment: this process's PATH behind Options.PathPrefix, HOME,
// CodeBuild's own variables and the build's.
func (s *Simulator) environ(dir, id string, vars map[string]string) []string {
	path := strings.Join(append(slices.Clone(s.opts.PathPrefix), os.Getenv("PATH")), string(os.PathListSeparator))
	env := []string{"PATH=" + path, "HOME=" + os.Getenv("HOME"), "CODEBUILD_SRC_DIR=" + dir, "CODEBUILD_BUILD_ID=" + id,
		"CODEBUILD_BUILD_ARN=" + id, "AWS_REGION=" + s.opts.Region, "AWS_DEFAULT_REGION=" + s.opts.Region, "CI=true"}
	for _, k := range slices.Sorted(maps.Keys(vars)) {
		env = append(env, k+"="+vars[k])
	}
	return env
}

// runCommand runs one command with bash in its own process group, killed whole when ctx
// ends.
func (s *Simulator) runCommand(ctx context.Context, dir string, env []string, command string, out *tailBuffer) error {
	cmd := exec.CommandContext(ctx, "bash", "-c", command)
	cmd.Dir, cmd.Env, cmd.Stdout, cmd.Stderr = dir, env, out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	return cmd.Run()
}

// StopBuild stops a build in progress: its commands are killed and it ends STOPPED.
// NotFound for an unknown build; Conflict for one that has ended.
func (s *Simulator) StopBuild(ctx context.Context, id string) error {
	s.mu.Lock()
	b, ok := s.builds[id]
	if !ok {
		s.mu.Unlock()
		return platform.Errorf(platform.NotFound, "build %s does not exist", id)
	}
	if b.Status != "IN_PROGRESS" {
		s.mu.Unlock()
		return platform.Errorf(platform.Conflict, "build %s has already ended (%s)", id, b.Status)
	}
	b.stopped = true
	s.mu.Unlock()
	b.cancel()
	return nil
}

// GetBuild describes a build; NotFound for an unknown one.
func (s *Simulator) GetBuild(ctx context.Context, id string) (platform.Build, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.builds[id]
	if !ok {
		return platform.Build{}, platform.Errorf(platform.NotFound, "build %s does not exist", id)
	}
	return b.Build, nil
}

// Wait blocks until build id has ended (tests).
func (s *Simulator) Wait(id string) {
	s.mu.Lock()
	b, ok := s.builds[id]
	s.mu.Unlock()
	if ok {
		<-b.done
	}
}

// Output returns the kept tail of a build's output.
func (s *Simulator) Output(id string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if b, ok := s.builds[id]; ok {
		return b.output.String()
	}
	return ""
}

type phaseResult struct {
	Type    string   `json:"phase-type"`
	Status  string   `json:"phase-status"`
	Context []string `json:"phase-context"`
}

// event is CodeBuild's "CodeBuild Build State Change" event for build b's end.
func (s *Simulator) event(b *build, done platform.Build, phases []phaseResult, in platform.BuildRequest) []byte {
	type variable struct {
		Name  string `json:"name"`
		Type  string `json:"type"`
		Value string `json:"value"`
	}
	vars := []variable{}
	for _, k := range slices.Sorted(maps.Keys(in.Env)) {
		vars = append(vars, variable{Name: k, Type: "PLAINTEXT", Value: in.Env[k]})
	}
	phases = append(phases, phaseResult{Type: "COMPLETED"})
	ev := map[string]any{
		"version": "0", "id": platform.NewID(), "detail-type": "CodeBuild Build State Change", "source": "aws.codebuild",
		"account": s.opts.Account, "time": time.Now().UTC().Format(time.RFC3339), "region": s.opts.Region,
		"resources": []string{done.ID},
		"detail": map[string]any{
			"build-status": done.Status, "project-name": b.project, "build-id": done.ID, "current-phase": "COMPLETED",
			"current-phase-context": "[]", "version": "1",
			"additional-information": map[string]any{
				"build-complete": true, "timeout-in-minutes": int(in.Timeout.Minutes()),
				"environment": map[string]any{"image": in.Image, "type": "LINUX_CONTAINER", "environment-variables": vars},
				"phases":      phases,
			},
		},
	}
	raw, _ := json.Marshal(ev)
	return raw
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu      sync.Mutex
	max     int
	buf     []byte
	dropped int64
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if over := len(t.buf) - t.max; over > 0 {
		t.dropped += int64(over)
		t.buf = append(t.buf[:0], t.buf[over:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.dropped > 0 {
		return fmt.Sprintf("[%d bytes of earlier output dropped]\n%s", t.dropped, t.buf)
	}
	return string(t.buf)
}

// lastLines returns at most n last lines of the output.
func (t *tailBuffer) lastLines(n int) string {
	t.mu.Lock()
	defer t.mu.Unlock()
	lines := bytes.Split(bytes.TrimRight(t.buf, "\n"), []byte("\n"))
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return string(bytes.Join(lines, []byte("\n")))
}
