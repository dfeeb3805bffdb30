package main

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"encoding/json"
	"net"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
)

// lockedBuffer is a log destination the server's goroutines and the test
// can share.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// lines decodes every log line; a line that is not JSON fails the test.
func (b *lockedBuffer) lines(t *testing.T) []map[string]any {
	t.Helper()
	var out []map[string]any
	sc := bufio.NewScanner(strings.NewReader(b.String()))
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("log line is not JSON: %q", sc.Text())
		}
		out = append(out, m)
	}
	return out
}

// accessLine is the access log line of the response with request id id.
func accessLine(t *testing.T, lines []map[string]any, id string) map[string]any {
	t.Helper()
	if id == "" {
		t.Fatal("response has no X-Request-Id")
	}
	for _, l := range lines {
		if l["msg"] == "request" && l["request_id"] == id {
			return l
		}
	}
	t.Fatalf("no access line for request %s", id)
	return nil
}

// Every request gets one JSON access line with its id, route pattern,
// status and duration, and neither the query string nor anything typed
// into a form reaches the log.
func TestAccessLogOneLinePerRequest(t *testing.T) {
	t.Parallel()
	logs := &lockedBuffer{}
	a := newTestAppLogging(t, httptest.NewUnstartedServer(nil), logs)
	a.Echo.GET("/test-panic", func(echo.Context) error { panic("boom") })
	c := a.newClient()

	const secretQuery = "code=493817&token=Zq8sSecretToken"
	cases := []struct {
		name, method, path string
		form               url.Values
		route              string
		status             int
	}{
		{"page with a query", "GET", "/login?" + secretQuery, nil, "/login", 200},
		{"form with a password", "POST", "/login", url.Values{"login_id": {"demo-sms"}, "password": {"Wrong#Password77"}}, "/login", 401},
		{"unknown path", "GET", "/no/such/1000002", nil, "unmatched", 404},
		{"panic", "GET", "/test-panic?" + secretQuery, nil, "/test-panic", 500},
		{"console page", "GET", "/console/login", nil, "/console/login", 200},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var p *page
			if tc.method == "POST" {
				c.get("/login")
				p = c.post(tc.path, tc.form)
			} else {
				p = c.get(tc.path)
			}
			if p.status != tc.status {
				t.Fatalf("status %d, want %d", p.status, tc.status)
			}
			l := accessLine(t, logs.lines(t), p.header.Get(echo.HeaderXRequestID))
			if l["route"] != tc.route || l["status"] != float64(tc.status) || l["method"] != tc.method {
				t.Errorf("access line %v, want route %s status %d method %s", l, tc.route, tc.status, tc.method)
			}
			if strings.ContainsAny(l["route"].(string), "?&=") {
				t.Errorf("route %q carries a query", l["route"])
			}
			if _, ok := l["duration_ms"].(float64); !ok {
				t.Errorf("access line has no duration: %v", l)
			}
		})
	}
	all := logs.String()
	for _, leak := range []string{"493817", "Zq8sSecretToken", "Wrong#Password77", "1000002"} {
		if strings.Contains(all, leak) {
			t.Errorf("log contains %q:\n%s", leak, all)
		}
	}
	var requests int
	for _, l := range logs.lines(t) {
		if l["msg"] == "request" {
			requests++
		}
	}
	if want := len(cases) + 1; requests != want { // +1: the GET /login before the POST
		t.Errorf("%d access lines, want one per request (%d)", requests, want)
	}
}

// The HTTP server's own errors (here a TLS handshake with a client that
// speaks plain HTTP) come out as JSON warnings, not Go's plain text.
func TestServerErrorsAreJSONLines(t *testing.T) {
	logs := &lockedBuffer{}
	a := newTestAppLogging(t, httptest.NewUnstartedServer(nil), logs)
	certFile, keyFile, _ := testCert(t)
	srv := newServer("127.0.0.1:0", a.Echo, a.Log)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	go srv.ServeTLS(l, certFile, keyFile)
	t.Cleanup(func() { srv.Close() })

	conn, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	conn.Write([]byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"))
	buf := make([]byte, 512)
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	conn.Read(buf) // the server answers 400 and closes
	conn.Close()

	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(logs.String(), "TLS handshake error") {
		if time.Now().After(deadline) {
			t.Fatalf("no TLS handshake error logged; log:\n%s", logs.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	for _, l := range logs.lines(t) { // fails on any plain-text line
		if strings.Contains(l["msg"].(string), "TLS handshake error") && l["level"] != "WARN" {
			t.Errorf("handshake error logged at %v, want WARN", l["level"])
		}
	}
}
