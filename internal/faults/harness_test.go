//go:build faults

package faults

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gantry-platform/gantry/internal/platformtest"
)

// binary is gantry-local, built once by TestMain.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "gantry-faults-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "gantry-local")
	if out, err := exec.Command("go", "build", "-o", binary, "../../cmd/gantry-local").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build gantry-local: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	printTable(os.Stdout)
	os.RemoveAll(dir)
	os.Exit(code)
}

// row is one line of the suite's table.
type row struct {
	name, endState string
	toTerminal     time.Duration // 0: no deployment involved
	peakRSS        int64         // kB; 0: not a gantry-local process
}

var table struct {
	sync.Mutex
	rows []row
}

// report adds a case's row to the table.
func report(name, endState string, toTerminal time.Duration, peakRSS int64) {
	table.Lock()
	defer table.Unlock()
	table.rows = append(table.rows, row{name, endState, toTerminal, peakRSS})
}

func printTable(w io.Writer) {
	table.Lock()
	defer table.Unlock()
	fmt.Fprintf(w, "\n%-58s %-62s %12s %10s\n", "case", "end state", "to terminal", "peak RSS")
	for _, r := range table.rows {
		terminal := "-"
		if r.toTerminal > 0 {
			terminal = r.toTerminal.Round(10 * time.Millisecond).String()
		}
		rss := "-"
		if r.peakRSS > 0 {
			rss = fmt.Sprintf("%d MiB", r.peakRSS>>10)
		}
		fmt.Fprintf(w, "%-58s %-62s %12s %10s\n", r.name, r.endState, terminal, rss)
	}
}

// client calls a Gantry API at base with the admin token (and has the developer's).
type client struct {
	t     testing.TB
	base  string
	admin string
	dev   string
}

// gantry is a running gantry-local process and a client of its API.
type gantry struct {
	*client
	addr    string
	data    string
	cmd     *exec.Cmd
	exited  chan struct{}
	stderr  *os.File
	mu      sync.Mutex
	peakRSS int64 // kB, the highest VmHWM read
}

// startGantry runs gantry-local on a free port with data as its data directory (a
// restart passes the same one) and returns once /healthz answers 200 and the tokens are
// written. The test's cleanup kills it if it still runs.
func startGantry(t testing.TB, data string, args ...string) *gantry {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	stderr, err := os.CreateTemp(t.TempDir(), "gantry-local-*.log")
	if err != nil {
		t.Fatal(err)
	}
	g := &gantry{client: &client{t: t, base: "http://" + addr}, addr: addr, data: data, stderr: stderr, exited: make(chan struct{})}
	g.cmd = exec.Command(binary, append([]string{"--addr", addr, "--data-dir", data}, args...)...)
	g.cmd.Stdout, g.cmd.Stderr = stderr, stderr
	if err := g.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		_ = g.cmd.Wait()
		close(g.exited)
	}()
	go g.sampleRSS()
	t.Cleanup(func() {
		if g.running() {
			_ = g.cmd.Process.Kill()
			<-g.exited
		}
	})
	deadline := time.Now().Add(120 * time.Second)
	for {
		if status, _ := g.get("/healthz", ""); status == http.StatusOK {
			break
		}
		if !g.running() || time.Now().After(deadline) {
			t.Fatalf("gantry-local did not answer on %s within 120 s:\n%s", addr, g.log())
		}
		time.Sleep(100 * time.Millisecond)
	}
	g.admin, g.dev = g.token("admin.token"), g.token("developer.token")
	return g
}

func (g *gantry) token(file string) string {
	b, err := os.ReadFile(filepath.Join(g.data, file))
	if err != nil {
		g.t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

func (g *gantry) running() bool {
	select {
	case <-g.exited:
		return false
	default:
		return true
	}
}

// log returns what gantry-local wrote to stderr (its JSON log).
func (g *gantry) log() string {
	b, _ := os.ReadFile(g.stderr.Name())
	return string(b)
}

// sampleRSS keeps the highest VmHWM of the process while it runs (VmHWM is itself the
// peak, read often so that the last value before the process ends is kept).
func (g *gantry) sampleRSS() {
	for g.running() {
		g.readRSS()
		select {
		case <-g.exited:
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func (g *gantry) readRSS() {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", g.cmd.Process.Pid))
	if err != nil {
		return
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if rest, ok := strings.CutPrefix(s.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			g.mu.Lock()
			g.peakRSS = max(g.peakRSS, kb)
			g.mu.Unlock()
		}
	}
}

// PeakRSS returns the highest VmHWM read so far, in kB.
func (g *gantry) PeakRSS() int64 {
	g.readRSS()
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.peakRSS
}

// stop sends sig and waits for the process to end (60 s at most); with SIGINT the exit
// must be clean.
func (g *gantry) stop(sig syscall.Signal) {
	g.t.Helper()
	g.PeakRSS()
	if err := g.cmd.Process.Signal(sig); err != nil {
		g.t.Fatal(err)
	}
	select {
	case <-g.exited:
	case <-time.After(60 * time.Second):
		g.t.Fatalf("gantry-local still runs 60 s after %v:\n%s", sig, g.log())
	}
	if sig == syscall.SIGINT && !g.cmd.ProcessState.Success() {
		g.t.Fatalf("gantry-local exited with %v after SIGINT:\n%s", g.cmd.ProcessState, g.log())
	}
}

var httpClient = &http.Client{Timeout: 60 * time.Second}

// do sends a request with token (none when "") and returns the status and body; a
// transport error is status 0 with the error as body.
func (g *client) do(method, path, token, contentType string, body []byte) (int, []byte) {
	req, err := http.NewRequest(method, g.base+path, bytes.NewReader(body))
	if err != nil {
		g.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		return 0, []byte(err.Error())
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func (g *client) get(path, token string) (int, []byte) { return g.do("GET", path, token, "", nil) }

// must sends a request and fails the test unless it answers want.
func (g *client) must(want int, method, path, token, contentType string, body []byte) []byte {
	g.t.Helper()
	status, b := g.do(method, path, token, contentType, body)
	if status != want {
		g.t.Fatalf("%s %s: %d %s, want %d", method, path, status, b, want)
	}
	return b
}

// postJSON sends v as JSON with the admin token.
func (g *client) postJSON(want int, path string, v any) []byte {
	g.t.Helper()
	b, _ := json.Marshal(v)
	return g.must(want, "POST", path, g.admin, "application/json", b)
}

// registerEnvironmentTemplate creates template name if needed and registers the bundle
// of templates/environments/vpc-ecs/v1 as a new major version, its infrastructure
// template replaced by cloudformation when that is not "". It returns the answer.
func (g *client) registerEnvironmentTemplate(name, cloudformation string) (int, []byte) {
	g.t.Helper()
	if status, _ := g.get("/v1/environment-templates/"+name, g.admin); status == http.StatusNotFound {
		g.postJSON(201, "/v1/environment-templates", map[string]string{"name": name})
	}
	overrides := map[string]string{}
	if cloudformation != "" {
		overrides["infrastructure/cloudformation.yaml"] = cloudformation
	}
	bundle := platformtest.TarGz(g.t, "../../templates/environments/vpc-ecs/v1", overrides)
	return g.do("POST", "/v1/environment-templates/"+name+"/versions", g.admin, "application/gzip", bundle)
}

// environmentTemplate registers (registerEnvironmentTemplate) and publishes a version of
// template name and returns its major version.
func (g *client) environmentTemplate(name, cloudformation string) int {
	g.t.Helper()
	status, body := g.registerEnvironmentTemplate(name, cloudformation)
	if status != http.StatusCreated {
		g.t.Fatalf("register a version of %s: %d %s, want 201", name, status, body)
	}
	var v struct {
		MajorVersion json.Number `json:"majorVersion"`
		MinorVersion json.Number `json:"minorVersion"`
	}
	if err := json.Unmarshal(body, &v); err != nil {
		g.t.Fatal(err)
	}
	g.must(200, "POST", "/v1/environment-templates/"+name+"/versions/"+v.MajorVersion.String()+"."+v.MinorVersion.String()+"/publish", g.admin, "", nil)
	major, err := strconv.Atoi(v.MajorVersion.String())
	if err != nil {
		g.t.Fatalf("major version %q", v.MajorVersion)
	}
	return major
}

// defaultSpec is the spec of templates/environments/vpc-ecs/tests/defaults.
func defaultSpec(t testing.TB) string {
	return platformtest.ReadFile(t, "../../templates/environments/vpc-ecs/tests/defaults/spec.yaml")
}

// environment is what the suite reads of an environment.
type environment struct {
	Name                    string `json:"name"`
	DeploymentStatus        string `json:"deploymentStatus"`
	DeploymentStatusMessage string `json:"deploymentStatusMessage"`
	LastDeploymentID        string `json:"lastDeploymentId"`
}

// createEnvironment creates environment name from template major and returns the answer.
func (g *client) createEnvironment(name, template string, major int, clientToken string) environment {
	g.t.Helper()
	var e environment
	req := map[string]any{"name": name, "templateName": template, "templateMajorVersion": major, "spec": defaultSpec(g.t)}
	if clientToken != "" {
		req["clientToken"] = clientToken
	}
	if err := json.Unmarshal(g.postJSON(202, "/v1/environments", req), &e); err != nil {
		g.t.Fatal(err)
	}
	return e
}

// terminal reports whether a deployment status is final.
func terminal(status string) bool {
	switch status {
	case "SUCCEEDED", "FAILED", "CANCELLED", "DELETE_COMPLETE", "DELETE_FAILED":
		return true
	}
	return false
}

// waitTerminal polls environment name until its deployment status is final, within bound
// (an upper bound of the wait, not a performance assertion), and returns it with the time
// it took from since.
func (g *client) waitTerminal(name string, since time.Time, bound time.Duration) (environment, time.Duration) {
	g.t.Helper()
	deadline := time.Now().Add(bound)
	var e environment
	for {
		status, body := g.get("/v1/environments/"+name, g.admin)
		if status == http.StatusOK {
			if err := json.Unmarshal(body, &e); err != nil {
				g.t.Fatal(err)
			}
			if terminal(e.DeploymentStatus) {
				return e, time.Since(since)
			}
		}
		if time.Now().After(deadline) {
			g.t.Fatalf("environment %s is not terminal %v after its deployment began: %d %s", name, bound, status, body)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// short cuts s to n bytes.
func short(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n-1] + "…"
}

// deployment is what the suite reads of a deployment.
type deployment struct {
	ID               string `json:"id"`
	DeploymentStatus string `json:"deploymentStatus"`
	StatusMessage    string `json:"deploymentStatusMessage"`
	StackID          string `json:"stackId"`
}

func (g *client) deployment(id string) deployment {
	g.t.Helper()
	var d deployment
	if err := json.Unmarshal(g.must(200, "GET", "/v1/deployments/"+id, g.admin, "", nil), &d); err != nil {
		g.t.Fatal(err)
	}
	return d
}
