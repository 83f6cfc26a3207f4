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
