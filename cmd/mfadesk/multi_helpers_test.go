package main

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"sync"
	"testing"

	"mfadesk/pgtest"
)

// newInstances is n whole apps on the database at dsn, as n instances
// behind a load balancer: each its own App (own pool, own caches) behind
// its own httptest server, all on one clock. Demo data is seeded once.
func newInstances(t *testing.T, dsn string, n int, configure ...func(*Config)) []*testApp {
	t.Helper()
	clock := &testClock{now: testStart}
	var out []*testApp
	for i := range n {
		cfg := testConfig(t)
		cfg.DB = dsn
		for _, f := range configure {
			f(&cfg)
		}
		logs := &lockedBuffer{} // shown when the test fails
		app, err := newApp(context.Background(), cfg, clock.Now, slog.New(slog.NewJSONHandler(logs, nil)))
		if err != nil {
			t.Fatalf("instance %d: newApp: %v", i, err)
		}
		if i == 0 && cfg.Demo {
			if _, err := seedDemo(context.Background(), app.MFA); err != nil {
				t.Fatalf("seed: %v", err)
			}
		}
		srv := httptest.NewServer(app.Echo)
		t.Cleanup(func() {
			srv.Close()
			app.Close()
			if t.Failed() {
				t.Logf("instance %d log:\n%s", i, logs.String())
			}
		})
		out = append(out, &testApp{App: app, t: t, srv: srv, clock: clock})
	}
	return out
}

// on is the same browser (cookies, CSRF token) sending its next requests
// to instance a, as a load balancer without sticky sessions would. The
// cookie jar ignores ports, so every instance on 127.0.0.1 gets the
// session cookie.
func (c *client) on(a *testApp) *client {
	c.mu.Lock()
	defer c.mu.Unlock()
	return &client{t: c.t, app: a, http: c.http, csrf: c.csrf}
}

// multiDSN is a fresh, migrated PostgreSQL database for the two-instance tests:
// several instances share a database only on PostgreSQL. They skip where
// PostgreSQL is not installed, and fail in CI.
func multiDSN(t *testing.T) string {
	t.Helper()
	return pgtest.Migrated(t)
}

// split runs fn(i) for i in [0, n) at once, released together by a
// barrier, and waits for them all.
func split(n int, fn func(i int)) {
	var start, wg sync.WaitGroup
	start.Add(1)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			start.Wait()
			fn(i)
		}()
	}
	start.Done()
	wg.Wait()
}

// crossPending is n browsers past the password step of loginID, each on
// instance i%2, whose next requests go to the other instance.
func crossPending(t *testing.T, apps []*testApp, n int, loginID string) []*client {
	t.Helper()
	browsers := make([]*client, n)
	for i := range browsers {
		browsers[i] = pendingClient(t, apps[i%2], loginID).on(apps[(i+1)%2])
	}
	return browsers
}

// loginPages is n browsers on the login page, browser i on instance i%2.
func loginPages(apps []*testApp, n int) []*client {
	browsers := make([]*client, n)
	for i := range browsers {
		browsers[i] = apps[i%2].newClient()
		browsers[i].get("/login")
	}
	return browsers
}
