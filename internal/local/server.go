package local

import (
	"net/http"
	"time"
)

// ServerLimits bound what one client can hold of the local HTTP server, so that a slow or
// stalled client cannot keep a connection (and its goroutine) for ever. On AWS, API Gateway
// applies its own: a 30 s integration timeout, a 10 MB payload and its header limits.
type ServerLimits struct {
	// ReadHeader is the time to send the request line and headers.
	ReadHeader time.Duration
	// Read is the time to send the whole request, body included (a 5 MB bundle on a slow
	// link fits in a minute).
	Read time.Duration
	// Write is the time from the end of the request headers to the end of the answer.
	Write time.Duration
	// Idle is how long a kept-alive connection may wait for its next request.
	Idle time.Duration
	// MaxHeaderBytes bounds the request line and headers; more answers 431.
	MaxHeaderBytes int
}

// DefaultServerLimits are gantry-local's.
var DefaultServerLimits = ServerLimits{
	ReadHeader:     10 * time.Second,
	Read:           time.Minute,
	Write:          90 * time.Second,
	Idle:           2 * time.Minute,
	MaxHeaderBytes: 64 << 10,
}

// NewServer returns the HTTP server of handler on addr, under limits.
func NewServer(addr string, handler http.Handler, limits ServerLimits) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           handler,
		ReadHeaderTimeout: limits.ReadHeader,
		ReadTimeout:       limits.Read,
		WriteTimeout:      limits.Write,
		IdleTimeout:       limits.Idle,
		MaxHeaderBytes:    limits.MaxHeaderBytes,
	}
}
