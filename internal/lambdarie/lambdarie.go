// Package lambdarie runs Gantry's Lambda functions locally under the AWS Lambda Runtime
// Interface Emulator (RIE), the component the Lambda service itself runs in front of a
// function's bootstrap: the same binary make lambdas ships (built for the host's
// architecture), the same Runtime API, the same invoke endpoint. Tests build the emulator
// and the functions once (BuildEmulator, BuildFunction), then Start one runtime per function
// and Invoke it with the JSON events Lambda would send.
package lambdarie

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"
)

// EmulatorPackage is the emulator's command, pinned: the module proxy serves this version.
const EmulatorPackage = "github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie@v0.0.0-20261030222936-bef5c4ba774d"

// BuildEmulator builds the emulator's aws-lambda-rie command with `go install` at its pinned
// version, outside Gantry's module (its dependencies never enter go.mod), into a directory of
// the user's cache keyed by the version; a later call reuses that binary. It returns the
// binary's path.
func BuildEmulator(ctx context.Context) (string, error) {
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("lambdarie: no cache directory: %w", err)
	}
	version := EmulatorPackage[strings.LastIndex(EmulatorPackage, "@")+1:]
	dir := filepath.Join(cache, "gantry", "aws-lambda-rie", version, runtime.GOOS+"-"+runtime.GOARCH)
	bin := filepath.Join(dir, "aws-lambda-rie")
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	// A private GOBIN, then a rename: concurrent builders never see half a binary.
	tmp, err := os.MkdirTemp(dir, "build-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	cmd := exec.CommandContext(ctx, "go", "install", "-trimpath", EmulatorPackage)
	cmd.Env = append(os.Environ(), "GOBIN="+tmp, "CGO_ENABLED=0", "GOWORK=off", "GOFLAGS=-mod=mod")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("lambdarie: go install %s: %v\n%s", EmulatorPackage, err, out)
	}
	if err := os.Rename(filepath.Join(tmp, "aws-lambda-rie"), bin); err != nil {
		return "", err
	}
	return bin, nil
}

// BuildFunction builds functions/<name> of the module rooted at root as make lambdas does
// (-tags lambda.norpc, -trimpath, stripped, no cgo), but for linux and the host's
// architecture (the shipped build is linux/arm64), into dir/<name>/bootstrap. It returns
// the binary's path.
func BuildFunction(ctx context.Context, root, name, dir string) (string, error) {
	out := filepath.Join(dir, name, "bootstrap")
	cmd := exec.CommandContext(ctx, "go", "build", "-tags", "lambda.norpc", "-trimpath", "-ldflags=-s -w", "-o", out, "./functions/"+name)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH="+runtime.GOARCH, "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("lambdarie: build functions/%s: %v\n%s", name, err, b)
	}
	return out, nil
}

// Runtime is one function running under the emulator. Build it with Start; Close stops it.
type Runtime struct {
	// URL is the emulator's invoke endpoint.
	URL    string
	cmd    *exec.Cmd
	out    *os.File // the emulator's and the function's output
	exited chan struct{}
}

// Start runs bootstrap under the emulator at emulator, on a free loopback port, with env as
// the whole environment of the emulator (which hands it on to the function: that is how
// Lambda's configuration reaches it). It returns once the emulator accepts connections; the
// function itself starts on the first Invoke, as on Lambda.
func Start(ctx context.Context, emulator, bootstrap string, env []string) (*Runtime, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	runtimeAPI, err := freeAddr() // the Runtime API the function polls (default :9001)
	if err != nil {
		return nil, err
	}
	out, err := os.CreateTemp("", "gantry-rie-*.log")
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(emulator, "--runtime-interface-emulator-address", addr, "--runtime-api-address", runtimeAPI,
		"--log-level", "warn", bootstrap)
	cmd.Dir = filepath.Dir(bootstrap)
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // Close stops the function with it
	if err := cmd.Start(); err != nil {
		out.Close()
		os.Remove(out.Name())
		return nil, err
	}
	r := &Runtime{URL: "http://" + addr + "/2015-03-31/functions/function/invocations", cmd: cmd, out: out}
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(exited)
	}()
	r.exited = exited
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return r, nil
		}
		select {
		case <-exited:
			err := fmt.Errorf("lambdarie: the emulator exited before listening on %s:\n%s", addr, logOf(out))
			r.Close()
			return nil, err
		case <-ctx.Done():
			err := fmt.Errorf("lambdarie: the emulator does not listen on %s: %w\n%s", addr, ctx.Err(), logOf(out))
			r.Close()
			return nil, err
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// Response is the emulator's answer to an invoke: the function's result, or its error
// object {"errorMessage", "errorType"} when the function failed.
type Response struct {
	Status int
	Body   []byte
}

// Invoke sends payload as an invoke request and returns the answer.
func (r *Runtime) Invoke(ctx context.Context, payload []byte) (Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.URL, bytes.NewReader(payload))
	if err != nil {
		return Response{}, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return Response{}, fmt.Errorf("lambdarie: invoke: %w\n%s", err, r.Log())
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return Response{Status: resp.StatusCode, Body: body}, err
}

// Log returns what the emulator and the function wrote so far.
func (r *Runtime) Log() string { return logOf(r.out) }

// Close stops the emulator and the function it runs.
func (r *Runtime) Close() error {
	if r.cmd.Process == nil {
		return nil
	}
	_ = syscall.Kill(-r.cmd.Process.Pid, syscall.SIGKILL)
	<-r.exited
	r.out.Close()
	return os.Remove(r.out.Name())
}

func logOf(f *os.File) string {
	b, _ := os.ReadFile(f.Name())
	return string(b)
}

// freeAddr returns a loopback address with a port free at the time of the call.
func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}
