package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
)

func getMetrics(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// metricValue reads an unlabelled metric's value from a /metrics page.
func metricValue(t *testing.T, body, name string) float64 {
	t.Helper()
	for _, line := range strings.Split(body, "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatalf("%s: %v", line, err)
			}
			return f
		}
	}
	t.Fatalf("/metrics lacks %s", name)
	return 0
}

func TestMetricsAfterLogin(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	a.newClient().login("demo-app", "wrong password")
	home := loggedInClient(t, a, "demo-app")
	home.get("/home")
	home.get("/home")
	a.newClient().get("/no-such-page/zqx9")
	for _, method := range []string{"ZQXONE", "ZQXTWO"} { // made-up methods
		req, _ := http.NewRequest(method, a.srv.URL+"/login", nil)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
		}
	}
	status, body := getMetrics(t, a.srv.URL+"/metrics")
	if status != http.StatusOK {
		t.Fatalf("/metrics: %d", status)
	}
	for _, want := range []string{
		"# TYPE mfadesk_http_request_duration_seconds histogram",
		`mfadesk_http_request_duration_seconds_count{code="200",method="GET",route="/login"}`,
		`mfadesk_http_request_duration_seconds_count{code="404",method="GET",route="unmatched"} 1`,
		`mfadesk_logins_total{outcome="success"} 1`,
		`mfadesk_logins_total{outcome="failure"} 1`,
		`mfadesk_second_factor_total{method="totp",outcome="success",purpose="login"} 1`,
		"# TYPE mfadesk_lockouts_total counter",
		"# TYPE mfadesk_outbox_queue_depth gauge",
		"# TYPE mfadesk_delivery_failures_total counter",
		"go_goroutines",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	// Label values are route patterns, never raw paths.
	if strings.Contains(body, "zqx9") || strings.Contains(body, "no-such-page") {
		t.Error("a raw URL became a label")
	}
	// The logged-in client's pages read its session from the cache (off
	// on PostgreSQL).
	if n := metricValue(t, body, "mfadesk_read_cache_hits_total"); a.DB.ReadCacheOn() && n < 1 {
		t.Errorf("read cache hits %v after a logged-in page, want some", n)
	}
	if n := metricValue(t, body, "mfadesk_read_cache_misses_total"); a.DB.ReadCacheOn() && n < 1 {
		t.Errorf("read cache misses %v, want the first reads", n)
	}
	// Made-up methods share one series, so they cannot grow the metrics.
	if strings.Contains(body, "ZQX") || !strings.Contains(body, `method="other"`) {
		t.Error("a made-up method became its own label value")
	}
}

// --read-cache is on by default; off, every page reads SQLite (for a
// second process writing the same database), and the pages still work.
func TestReadCacheFlag(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		args []string
		env  map[string]string
		on   bool
	}{
		{nil, nil, true},
		{[]string{"--read-cache=false"}, nil, false},
		{nil, map[string]string{"MFADESK_READ_CACHE": "false"}, false},
	} {
		cfg, err := parseConfig(tt.args, func(k string) string { return tt.env[k] }, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		if cfg.ReadCache != tt.on {
			t.Errorf("%v %v: read cache %v, want %v", tt.args, tt.env, cfg.ReadCache, tt.on)
		}
	}
	a := newTestApp(t, func(cfg *Config) { cfg.ReadCache = false })
	home := loggedInClient(t, a, "demo-app")
	for range 3 {
		if p := home.get("/home"); p.status != http.StatusOK {
			t.Fatalf("/home with the cache off: %d", p.status)
		}
	}
	_, body := getMetrics(t, a.srv.URL+"/metrics")
	if n := metricValue(t, body, "mfadesk_read_cache_hits_total"); n != 0 {
		t.Errorf("%v reads served from memory with the cache off", n)
	}
}

func TestMetricsCountLockoutsAndQueue(t *testing.T) {
	t.Parallel()
	a := newTestApp(t, func(cfg *Config) { cfg.MFA.LockThreshold = 2 })
	for range 2 {
		pendingClient(t, a, "demo-app").submitCode(wrongTOTP(t, a))
	}
	pendingClient(t, a, "demo-email") // a code waits in the dev outbox
	queued := len(a.outbox())         // with the lock notice: dev delivery sends nothing
	_, body := getMetrics(t, a.srv.URL+"/metrics")
	for _, want := range []string{"mfadesk_lockouts_total 1", "mfadesk_outbox_queue_depth " + strconv.Itoa(queued),
		"mfadesk_delivery_failures_total 0"} {
		if !strings.Contains(body, want+"\n") {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}

// With --metrics-addr, /metrics answers only on the metrics listener,
// and that listener answers nothing but /metrics and /healthz.
func TestMetricsOnOwnListener(t *testing.T) {
	t.Parallel()
	a := newTestApp(t, func(cfg *Config) { cfg.MetricsAddr = "127.0.0.1:0" })
	site, metrics := a.siteHandlers()
	siteHTTP, metricsHTTP := httptest.NewServer(site), httptest.NewServer(metrics)
	defer siteHTTP.Close()
	defer metricsHTTP.Close()
	siteSrv, metricsSrv := siteHTTP.URL, metricsHTTP.URL
	for _, tt := range []struct {
		url  string
		want int
	}{
		{siteSrv + "/metrics", http.StatusNotFound},
		{siteSrv + "/login", http.StatusOK},
		{metricsSrv + "/metrics", http.StatusOK},
		{metricsSrv + "/healthz", http.StatusOK},
		{metricsSrv + "/login", http.StatusNotFound},
	} {
		if status, _ := getMetrics(t, tt.url); status != tt.want {
			t.Errorf("%s: %d, want %d", tt.url, status, tt.want)
		}
	}
}
