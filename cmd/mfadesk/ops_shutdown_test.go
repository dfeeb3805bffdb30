package main

import (
	"context"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"testing"

	"github.com/labstack/echo/v4"
)

// serveForTest runs a on its own listener through runServers, as serve
// does, and returns the address and what runServers returned.
func serveForTest(t *testing.T, a *testApp, ctx context.Context, certFile, keyFile string) (*http.Server, string, <-chan error) {
	t.Helper()
	srv := newServer("127.0.0.1:0", a.Echo, a.Log)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- runServers(ctx, []*http.Server{srv}, nil, []net.Listener{l}, certFile, keyFile) }()
	return srv, l.Addr().String(), done
}

// SIGTERM (ctx ending): no new connections, but the request in flight
// finishes and gets its answer before runServers returns.
func TestGracefulShutdownFinishesRequestsInFlight(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	started, release := make(chan struct{}), make(chan struct{})
	a.Echo.GET("/test/slow", func(c echo.Context) error {
		close(started)
		<-release
		return c.String(http.StatusOK, "finished")
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv, addr, done := serveForTest(t, a, ctx, "", "")
	shuttingDown := make(chan struct{})
	srv.RegisterOnShutdown(func() { close(shuttingDown) })

	type result struct {
		status int
		body   string
		err    error
	}
	got := make(chan result, 1)
	go func() {
		resp, err := http.Get("http://" + addr + "/test/slow")
		if err != nil {
			got <- result{err: err}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		got <- result{resp.StatusCode, string(b), err}
	}()
	<-started
	cancel()
	<-shuttingDown // listeners are closed by now
	if c, err := net.Dial("tcp", addr); err == nil {
		c.Close()
		t.Error("a new connection was accepted during shutdown")
	}
	select {
	case err := <-done:
		t.Fatalf("shutdown finished with a request in flight: %v", err)
	default:
	}
	close(release)
	if r := <-got; r.err != nil || r.status != http.StatusOK || r.body != "finished" {
		t.Fatalf("request in flight: %d %q %v", r.status, r.body, r.err)
	}
	if err := <-done; err != nil {
		t.Fatalf("runServers: %v", err)
	}
}

// With a certificate the server speaks TLS 1.2 or later only.
func TestServesTLS12AndLater(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	certFile, keyFile, pool := testCert(t)
	ctx, cancel := context.WithCancel(context.Background())
	_, addr, done := serveForTest(t, a, ctx, certFile, keyFile)
	defer func() { cancel(); <-done }()
	for _, tt := range []struct {
		max uint16
		ok  bool
	}{{tls.VersionTLS11, false}, {tls.VersionTLS12, true}, {tls.VersionTLS13, true}} {
		client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS10, MaxVersion: tt.max}}}
		resp, err := client.Get("https://" + addr + "/healthz")
		if err == nil {
			resp.Body.Close()
		}
		if (err == nil) != tt.ok {
			t.Errorf("TLS max version %x: err %v, want ok=%v", tt.max, err, tt.ok)
		}
	}
	if resp, err := http.Get("http://" + addr + "/healthz"); err == nil && resp.StatusCode == http.StatusOK {
		t.Error("plain HTTP answered on the TLS listener")
	}
}
