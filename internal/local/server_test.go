package local

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

// serve runs NewServer with limits on a free port and returns its address.
func serve(t *testing.T, handler http.Handler, limits ServerLimits) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	server := NewServer(l.Addr().String(), handler, limits)
	go func() { _ = server.Serve(l) }()
	t.Cleanup(func() { _ = server.Close() })
	return l.Addr().String()
}

// closedByServer reads conn to its end and reports whether the server closed it (rather
// than the client's own guard deadline, which only keeps a broken test from hanging).
func closedByServer(t *testing.T, conn net.Conn) (string, bool) {
	t.Helper()
	_ = conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	got, err := io.ReadAll(conn)
	return string(got), !errors.Is(err, os.ErrDeadlineExceeded)
}

func TestServerDropsSlowClients(t *testing.T) {
	bodyErrs := make(chan error, 10)
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, err := io.ReadAll(r.Body)
		if err != nil {
			bodyErrs <- err
			http.Error(w, "slow body", http.StatusRequestTimeout)
			return
		}
		_, _ = io.WriteString(w, "ok")
	})
	limits := ServerLimits{ReadHeader: 200 * time.Millisecond, Read: 400 * time.Millisecond, Write: time.Second,
		Idle: 300 * time.Millisecond, MaxHeaderBytes: 4 << 10}
	addr := serve(t, handler, limits)
	dial := func() net.Conn {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { conn.Close() })
		return conn
	}

	t.Run("headers never finished", func(t *testing.T) {
		conn := dial()
		_, _ = io.WriteString(conn, "GET / HTTP/1.1\r\nHost: x\r\n")
		if _, ok := closedByServer(t, conn); !ok {
			t.Fatal("a client that never finished its headers kept the connection")
		}
	})
	t.Run("body never finished", func(t *testing.T) {
		conn := dial()
		_, _ = io.WriteString(conn, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n0123456789")
		if _, ok := closedByServer(t, conn); !ok {
			t.Fatal("a client that never finished its body kept the connection")
		}
		select {
		case err := <-bodyErrs:
			if err == nil {
				t.Fatal("the handler read a body that never came")
			}
		default:
			t.Fatal("the handler saw no error reading the stalled body")
		}
	})
	t.Run("idle after a request", func(t *testing.T) {
		conn := dial()
		_, _ = io.WriteString(conn, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("request: %v %v", resp, err)
		}
		if _, ok := closedByServer(t, conn); !ok {
			t.Fatal("an idle kept-alive connection was kept")
		}
	})
	t.Run("headers too large", func(t *testing.T) {
		conn := dial()
		_, _ = io.WriteString(conn, "GET / HTTP/1.1\r\nHost: x\r\nX-Big: "+strings.Repeat("a", 64<<10)+"\r\n\r\n")
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil || resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
			t.Fatalf("64 KB of headers: %v %v, want 431", resp, err)
		}
	})
}

func TestDefaultServerLimitsAreSet(t *testing.T) {
	s := NewServer("127.0.0.1:0", http.NotFoundHandler(), DefaultServerLimits)
	if s.ReadHeaderTimeout <= 0 || s.ReadTimeout <= 0 || s.WriteTimeout <= 0 || s.IdleTimeout <= 0 || s.MaxHeaderBytes <= 0 {
		t.Fatalf("a limit is unset: %+v", DefaultServerLimits)
	}
	if s.WriteTimeout <= s.ReadTimeout {
		t.Fatalf("the write timeout (%s) must leave the handler time after the read one (%s)", s.WriteTimeout, s.ReadTimeout)
	}
}
