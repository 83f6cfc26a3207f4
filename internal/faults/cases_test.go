//go:build faults

package faults

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// memoryBound is the peak RSS gantry-local must stay under, whatever the input: its
// DynamoDB Local is a separate process, and a render holds at most 256 MiB of heap (the
// renderer's limits, README).
const memoryBound = 512 << 10 // kB

func checkMemory(t *testing.T, g *gantry) int64 {
	t.Helper()
	peak := g.PeakRSS()
	if peak > memoryBound {
		t.Errorf("gantry-local's peak RSS is %d MiB, over the %d MiB bound", peak>>10, memoryBound>>10)
	}
	return peak
}

// TestConcurrentCreatesWithOneClientToken: 50 identical creates at once with the same
// clientToken make one environment and one deployment, and every caller gets the same
// answer; the same token with another request is a conflict.
func TestConcurrentCreatesWithOneClientToken(t *testing.T) {
	g := startGantry(t, t.TempDir(), "--step", "50ms")
	major := g.environmentTemplate("vpc-ecs", "")
	body, _ := json.Marshal(map[string]any{"name": "beta", "templateName": "vpc-ecs", "templateMajorVersion": major,
		"spec": defaultSpec(t), "clientToken": "one-token"})
	began := time.Now()
	type answer struct {
		status int
		body   string
	}
	answers := make([]answer, 50)
	var wg sync.WaitGroup
	for i := range answers {
		wg.Go(func() {
			status, b := g.do("POST", "/v1/environments", g.admin, "application/json", body)
			answers[i] = answer{status, string(b)}
		})
	}
	wg.Wait()
	deployments := map[string]int{}
	for i, a := range answers {
		var e environment
		if a.status != http.StatusAccepted || json.Unmarshal([]byte(a.body), &e) != nil || e.LastDeploymentID == "" {
			t.Fatalf("create %d answered %d %s", i, a.status, a.body)
		}
		deployments[e.LastDeploymentID]++
	}
	if len(deployments) != 1 {
		t.Fatalf("50 creates with one token started deployments %v, want one", deployments)
	}
	e, took := g.waitTerminal("beta", began, 60*time.Second)
	if e.DeploymentStatus != "SUCCEEDED" {
		t.Fatalf("the environment ended %s: %s", e.DeploymentStatus, e.DeploymentStatusMessage)
	}
	var list struct {
		Items []json.RawMessage `json:"items"`
	}
	if err := json.Unmarshal(g.must(200, "GET", "/v1/deployments?environmentName=beta", g.admin, "", nil), &list); err != nil || len(list.Items) != 1 {
		t.Fatalf("the environment has %d deployments (%v), want 1", len(list.Items), err)
	}
	other, _ := json.Marshal(map[string]any{"name": "gamma", "templateName": "vpc-ecs", "templateMajorVersion": major,
		"spec": defaultSpec(t), "clientToken": "one-token"})
	if status, b := g.do("POST", "/v1/environments", g.admin, "application/json", other); status != http.StatusConflict || !strings.Contains(string(b), "ConflictException") {
		t.Fatalf("the token with another request answered %d %s, want 409 ConflictException", status, b)
	}
	report("50 concurrent creates, one clientToken", fmt.Sprintf("1 environment, 1 deployment, %s", e.DeploymentStatus), took, checkMemory(t, g))
}

// hostileExpressions make a render allocate without end unless it is bounded.
var hostileExpressions = map[string]string{
	"MaxString":     "{{ '%*d' % (2**40, 1) }}",
	"MaxItems":      "{{ range(2**62)|list }}",
	"MaxIntDigits":  "{{ 2 ** (2 ** 40) }}",
	"MaxIterations": "{% for i in range(2**62) %}{% endfor %}",
	"MaxDepth":      "{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}",
	"MaxAllocated":  "{% set l = [] %}{% for i in range(1000) %}{% set _ = l.append('x' * 500000 ~ i) %}{% endfor %}",
	"MaxOutput":     "{% for i in range(100000) %}{{ 'x' * 100 }}{% endfor %}",
	"replace":       "{{ ('x' * 2000)|replace('x', 'y' * 2000) }}",
	"center":        "{{ 'a'|center(2**40) }}",
	"str.format":    "{{ '{:>{}}'.format('a', 2**40) }}",
	"indent":        "{{ 'a\\nb'|indent(10**12) }}",
	"string times":  "{{ 'x' * 2**40 }}",
}

// TestHostileTemplates: a registration that renders a hostile expression is refused
// with 400 naming the file, the line and the limit; the same expression guarded by the
// environment's name (so that only a deployment reaches it) is registered, and deploying
// one environment per expression, all at once, ends each FAILED with a message naming
// the file, the line and the limit, the process under memoryBound and answering.
func TestHostileTemplates(t *testing.T) {
	g := startGantry(t, t.TempDir(), "--step", "10ms")
	names := map[string]string{}
	majors := map[string]int{}
	i := 0
	for limit, expr := range hostileExpressions {
		i++
		name := fmt.Sprintf("hostile-%d", i)
		status, body := g.registerEnvironmentTemplate("hostile", "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  X: "+expr+"\n")
		if status != http.StatusBadRequest || !strings.Contains(string(body), "cloudformation.yaml:3") ||
			(strings.HasPrefix(limit, "Max") && !strings.Contains(string(body), limit)) {
			t.Errorf("registering %s (%s): %d %s, want 400 naming cloudformation.yaml:3 and the limit", expr, limit, status, body)
		}
		guarded := "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  Topic: {Type: \"AWS::SNS::Topic\", Properties: {DisplayName: \"x{% if environment.name == '" +
			name + "' %}" + expr + "{% endif %}\"}}\n"
		majors[name] = g.environmentTemplate("hostile", guarded)
		names[name] = limit
	}
	began := time.Now()
	for name, major := range majors {
		g.createEnvironment(name, "hostile", major, "")
	}
	var longest time.Duration
	for name, limit := range names {
		e, took := g.waitTerminal(name, began, 120*time.Second)
		longest = max(longest, took)
		if e.DeploymentStatus != "FAILED" || !strings.Contains(e.DeploymentStatusMessage, "cloudformation.yaml:3") {
			t.Errorf("%s (%s): %s %q, want FAILED naming cloudformation.yaml:3", name, limit, e.DeploymentStatus, e.DeploymentStatusMessage)
		}
		if strings.HasPrefix(limit, "Max") && !strings.Contains(e.DeploymentStatusMessage, limit) {
			t.Errorf("%s: %q does not name the limit %s", name, e.DeploymentStatusMessage, limit)
		}
	}
	g.must(200, "GET", "/healthz", "", "", nil)
	report(fmt.Sprintf("%d hostile templates: registered, then deployed at once", len(names)), "registration 400, deployments FAILED, naming file, line, limit", longest, checkMemory(t, g))
}

// TestOversizedBodies: a body over a route's limit answers 413 without being read to its
// end, and the platform keeps answering.
func TestOversizedBodies(t *testing.T) {
	g := startGantry(t, t.TempDir(), "--in-memory")
	big := make([]byte, 64<<20)
	for _, tc := range []struct{ path, contentType string }{
		{"/v1/environment-templates/vpc-ecs/versions", "application/gzip"},
		{"/v1/environments", "application/json"},
	} {
		status, b := g.do("POST", tc.path, g.admin, tc.contentType, big)
		if status != http.StatusRequestEntityTooLarge {
			t.Errorf("POST %s with 64 MiB: %d %.200s, want 413", tc.path, status, b)
		}
	}
	g.postJSON(201, "/v1/environment-templates", map[string]string{"name": "bomb"})
	bomb := gzipBomb(t, 1<<30)
	if status, b := g.do("POST", "/v1/environment-templates/bomb/versions", g.admin, "application/gzip", bomb); status != http.StatusBadRequest && status != http.StatusRequestEntityTooLarge {
		t.Errorf("a %d KiB bundle inflating to 1 GiB: %d %.200s, want 400 or 413", len(bomb)>>10, status, b)
	}
	long := strings.Repeat("n", 4000)
	for _, path := range []string{"/v1/environments/" + long, "/v1/environment-templates/" + long + "/versions/1.0", "/v1/deployments/" + long} {
		if status, b := g.get(path, g.admin); status != http.StatusBadRequest {
			t.Errorf("GET %.60s…: %d %.200s, want 400", path, status, b)
		}
	}
	g.must(200, "GET", "/healthz", "", "", nil)
	report("64 MiB bodies, 1 GiB gzip bomb, 4000-character names", "413, refused, 400; platform answering", 0, checkMemory(t, g))
}

// TestSlowClients: clients that stall in their headers are dropped by the server's
// read-header timeout (10 s), clients that trickle a body one byte a second by its read
// timeout (60 s), while others are served.
func TestSlowClients(t *testing.T) {
	g := startGantry(t, t.TempDir(), "--in-memory")
	dial := func(start string) net.Conn {
		c, err := net.Dial("tcp", g.addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		if _, err := c.Write([]byte(start)); err != nil {
			t.Fatal(err)
		}
		return c
	}
	began := time.Now()
	var wg sync.WaitGroup
	dropped := make([]time.Duration, 20)
	for i := range dropped {
		var c net.Conn
		if i%2 == 0 {
			c = dial("POST /v1/environments HTTP/1.1\r\nHost: x\r\n")
		} else {
			c = dial("POST /v1/environments HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + g.admin +
				"\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{")
			go func() { // one byte a second until the server hangs up
				for c.SetWriteDeadline(time.Now().Add(5*time.Second)) == nil {
					if _, err := c.Write([]byte(" ")); err != nil {
						return
					}
					time.Sleep(time.Second)
				}
			}()
		}
		wg.Go(func() {
			_ = c.SetReadDeadline(time.Now().Add(120 * time.Second))
			_, err := io.Copy(io.Discard, c) // until the server closes the connection
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				t.Errorf("slow client %d still connected after 120 s", i)
			}
			dropped[i] = time.Since(began)
		})
	}
	g.must(200, "GET", "/healthz", "", "", nil) // others are served meanwhile
	wg.Wait()
	var headers, bodies time.Duration
	for i, d := range dropped {
		if i%2 == 0 {
			headers = max(headers, d)
		} else {
			bodies = max(bodies, d)
		}
	}
	g.must(200, "GET", "/healthz", "", "", nil)
	report("10 clients stalled in headers, 10 trickling bodies", fmt.Sprintf("dropped after %s and %s, platform answering",
		headers.Round(time.Second), bodies.Round(time.Second)), 0, checkMemory(t, g))
}

// TestDynamoDBDownThenBack kills the DynamoDB Local process under a running gantry-local:
// /healthz answers 503 naming it and the API answers errors (no hang, no 200 with stale
// data); a restart on the same data directory brings everything back, with what was
// written before.
func TestDynamoDBDownThenBack(t *testing.T) {
	data := t.TempDir()
	g := startGantry(t, data, "--step", "20ms")
	major := g.environmentTemplate("vpc-ecs", "")
	began := time.Now()
	g.createEnvironment("beta", "vpc-ecs", major, "")
	if e, _ := g.waitTerminal("beta", began, 60*time.Second); e.DeploymentStatus != "SUCCEEDED" {
		t.Fatalf("before the fault the environment ended %s: %s", e.DeploymentStatus, e.DeploymentStatusMessage)
	}
	pids := processesMentioning(t, data)
	if len(pids) == 0 {
		t.Fatalf("no DynamoDB Local runs with data dir %s", data)
	}
	for _, pid := range pids {
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		status, body := g.get("/healthz", "")
		if status == http.StatusServiceUnavailable && strings.Contains(string(body), "dynamodb") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/healthz answers %d %s 30 s after DynamoDB Local died", status, body)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if status, body := g.get("/v1/environments/beta", g.admin); status < 500 {
		t.Fatalf("GET an environment with DynamoDB down: %d %s, want a 5xx", status, body)
	}
	g.stop(syscall.SIGINT)

	back := startGantry(t, data, "--step", "20ms")
	var e environment
	if err := json.Unmarshal(back.must(200, "GET", "/v1/environments/beta", back.admin, "", nil), &e); err != nil || e.DeploymentStatus != "SUCCEEDED" {
		t.Fatalf("after the restart: %+v %v", e, err)
	}
	began = time.Now()
	back.createEnvironment("gamma", "vpc-ecs", major, "")
	e, took := back.waitTerminal("gamma", began, 60*time.Second)
	if e.DeploymentStatus != "SUCCEEDED" {
		t.Fatalf("a deployment after the restart ended %s: %s", e.DeploymentStatus, e.DeploymentStatusMessage)
	}
	report("DynamoDB Local killed, gantry-local restarted", "503 naming dynamodb; back: data kept, new deployment SUCCEEDED", took, max(checkMemory(t, g), checkMemory(t, back)))
}

// gzipBomb is a bundle of one file of size zero bytes, gzip-compressed (about size/1000).
func gzipBomb(t *testing.T, size int64) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	tw := tar.NewWriter(zw)
	if err := tw.WriteHeader(&tar.Header{Name: "infrastructure/cloudformation.yaml", Mode: 0o644, Size: size}); err != nil {
		t.Fatal(err)
	}
	zeros := make([]byte, 1<<20)
	for written := int64(0); written < size; written += int64(len(zeros)) {
		if _, err := tw.Write(zeros); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
