package main

import (
	"bytes"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/proton"
)

// TestRunsAndStopsEverything runs gantry-local as make dev does: it must serve the API
// with the tokens it wrote, and on Ctrl-C (SIGINT) exit cleanly leaving no DynamoDB Local
// behind.
func TestRunsAndStopsEverything(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "gantry-local")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	data := t.TempDir() // its path marks this run's DynamoDB Local (-dbPath <data>/dynamodb)
	cmd := exec.Command(bin, "--addr", addr, "--data-dir", data, "--step", "0s")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() })

	deadline := time.Now().Add(120 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err == nil && resp.StatusCode == 200 {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("gantry-local did not answer on %s within 120 s:\n%s", addr, stderr.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
	if n := processesMentioning(t, data); n == 0 {
		t.Fatalf("no DynamoDB Local process runs with data dir %s", data)
	}
	for file, status := range map[string]int{"admin.token": 200, "developer.token": 200} {
		token, err := os.ReadFile(filepath.Join(data, file))
		if err != nil {
			t.Fatal(err)
		}
		req, _ := http.NewRequest("GET", "http://"+addr+"/v1/environments", nil)
		req.Header.Set("Authorization", "Bearer "+strings.TrimSpace(string(token)))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != status {
			t.Errorf("%s: GET /v1/environments answered %d, want %d", file, resp.StatusCode, status)
		}
	}

	for _, file := range []string{"admin.aws-env", "developer.aws-env"} {
		env, err := os.ReadFile(filepath.Join(data, file))
		if err != nil {
			t.Fatal(err)
		}
		vars := map[string]string{}
		for _, kv := range strings.Fields(strings.TrimPrefix(string(env), "export ")) {
			k, v, _ := strings.Cut(kv, "=")
			vars[k] = v
		}
		if vars["AWS_ENDPOINT_URL_PROTON"] != "http://"+addr || vars["AWS_REGION"] == "" {
			t.Fatalf("%s = %q", file, env)
		}
		client := proton.NewFromConfig(aws.Config{Region: vars["AWS_REGION"], RetryMaxAttempts: 1,
			Credentials: credentials.NewStaticCredentialsProvider(vars["AWS_ACCESS_KEY_ID"], vars["AWS_SECRET_ACCESS_KEY"], "")},
			func(o *proton.Options) { o.BaseEndpoint = aws.String(vars["AWS_ENDPOINT_URL_PROTON"]) })
		if _, err := client.ListEnvironments(t.Context(), &proton.ListEnvironmentsInput{}); err != nil {
			t.Errorf("%s: ListEnvironments over Proton's protocol: %v", file, err)
		}
	}

	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("gantry-local exited with %v:\n%s", err, stderr.String())
		}
	case <-time.After(60 * time.Second):
		t.Fatalf("gantry-local still runs 60 s after SIGINT:\n%s", stderr.String())
	}
	if n := processesMentioning(t, data); n != 0 {
		t.Fatalf("%d processes with data dir %s outlive gantry-local", n, data)
	}
}

// processesMentioning counts the live processes whose command line contains s.
func processesMentioning(t *testing.T, s string) int {
	t.Helper()
	dirs, err := filepath.Glob("/proc/[0-9]*/cmdline")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, path := range dirs {
		cmdline, err := os.ReadFile(path)
		if err == nil && bytes.Contains(cmdline, []byte(s)) && !bytes.Contains(cmdline, []byte("gantry-local")) {
			n++
		}
	}
	return n
}
