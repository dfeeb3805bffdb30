package main

import (
	"io"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// throttleConfig lets a try wait for a hashing slot as long as it takes,
// so a loaded machine answers no try "busy" (which would give its place
// back); hashing is cheap already (testConfig: the tests count hashes,
// not their cost).
func throttleConfig(cfg *Config) {
	cfg.MFA.HashWait = time.Hour
}

// parallelPasswordTries posts n password tries for loginID to path (the
// form's page) at once, each from its own browser with its own session
// and CSRF token, released together by a barrier. It returns the
// statuses.
func parallelPasswordTries(t *testing.T, a *testApp, path string, n int, loginID, password string) []int {
	t.Helper()
	browsers := make([]*client, n)
	for i := range browsers {
		browsers[i] = a.newClient()
		browsers[i].get(path)
	}
	statuses := make([]int, n)
	errs := make([]error, n)
	barrier := make(chan struct{})
	var wg sync.WaitGroup
	for i, b := range browsers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-barrier
			form := url.Values{"_csrf": {b.csrf}, "login_id": {loginID}, "password": {password}}
			resp, err := b.http.PostForm(a.srv.URL+path, form)
			if err != nil {
				errs[i] = err
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			statuses[i] = resp.StatusCode
		}()
	}
	close(barrier)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("try %d: %v", i, err)
		}
	}
	return statuses
}

// 45 wrong passwords for one customer at once hash at most the account's
// limit between them (each reserves its place before argon2id), and the
// right password afterwards is refused within the window.
func TestParallelPasswordTriesHashAtMostTheLimit(t *testing.T) {
	t.Parallel()
	a := newTestApp(t, throttleConfig, func(cfg *Config) {
		// Every try comes from 127.0.0.1: the account's limit is under test.
		cfg.MFA.PasswordFailuresPerAddress = 1000
	})
	limit := a.Config.MFA.PasswordFailuresPerAccount
	before := a.MFA.PasswordHashes()
	for i, status := range parallelPasswordTries(t, a, "/login", 45, "demo-email", "wrong password") {
		if status != http.StatusUnauthorized {
			t.Fatalf("try %d: status %d, want 401", i, status)
		}
	}
	p := a.newClient().login("demo-email", demoPassword)
	if p.status != http.StatusUnauthorized || !strings.Contains(p.text("notice-error"), "正しくありません") {
		t.Fatalf("right password after the burst: %d %q", p.status, p.location)
	}
	if n := a.MFA.PasswordHashes() - before; n > int64(limit) {
		t.Fatalf("%d argon2id computations for 45 parallel tries and one more, want at most %d", n, limit)
	}
	// An unknown ID is throttled alike and answered alike, so the answer
	// does not tell whether an account exists.
	parallelPasswordTries(t, a, "/login", 45, "nobody-here", "wrong password")
	q := a.newClient().login("nobody-here", demoPassword)
	if q.status != p.status || q.text("notice-error") != p.text("notice-error") {
		t.Errorf("unknown ID answered %d %q, known %d %q", q.status, q.text("notice-error"), p.status, p.text("notice-error"))
	}
	if n := a.MFA.PasswordHashes() - before; n > int64(2*limit) {
		t.Errorf("%d argon2id computations after two bursts, want at most %d", n, 2*limit)
	}
	a.clock.Advance(a.Config.MFA.PasswordWindow + time.Second)
	if p := a.newClient().login("demo-email", demoPassword); p.location != "/login/verify" {
		t.Fatalf("right password after the window: %d", p.status)
	}
}

// The same on the console.
func TestParallelStaffPasswordTriesHashAtMostTheLimit(t *testing.T) {
	t.Parallel()
	a := newConsoleApp(t, throttleConfig)
	limit := a.Config.MFA.PasswordFailuresPerAccount
	before := a.MFA.PasswordHashes()
	for i, status := range parallelPasswordTries(t, a, "/console/login", 45, "agent", "wrong password") {
		if status != http.StatusUnauthorized {
			t.Fatalf("try %d: status %d, want 401", i, status)
		}
	}
	c := a.newClient()
	c.get("/console/login")
	if p := c.post("/console/login", url.Values{"login_id": {"agent"}, "password": {demoStaffPassword}}); p.status != http.StatusUnauthorized {
		t.Fatalf("right password after the burst: %d %q", p.status, p.location)
	}
	if n := a.MFA.PasswordHashes() - before; n > int64(limit) {
		t.Fatalf("%d argon2id computations for 45 parallel tries and one more, want at most %d", n, limit)
	}
	a.clock.Advance(a.Config.MFA.PasswordWindow + time.Second)
	c.get("/console/login")
	if p := c.post("/console/login", url.Values{"login_id": {"agent"}, "password": {demoStaffPassword}}); p.location != "/console/login/totp" {
		t.Fatalf("right password after the window: %d", p.status)
	}
}

// loginFrom does the password step with an X-Forwarded-For header ("" for
// none), as a browser behind a proxy would arrive.
func (c *client) loginFrom(xff, loginID, password string) *page {
	c.t.Helper()
	c.get("/login")
	form := url.Values{"_csrf": {c.csrf}, "login_id": {loginID}, "password": {password}}
	header := http.Header{}
	if xff != "" {
		header.Set("X-Forwarded-For", xff)
	}
	return c.postRaw("/login", form.Encode(), header)
}

// wrongPasswordsFrom spends an address's whole budget, one wrong password
// for each of many unknown IDs, as credential stuffing would.
func wrongPasswordsFrom(a *testApp, xff string) {
	for i := 0; i < a.Config.MFA.PasswordFailuresPerAddress; i++ {
		id := "stuffed-" + string(rune('a'+i%26)) + string(rune('a'+i/26))
		if p := a.newClient().loginFrom(xff, id, "wrong password"); p.status != http.StatusUnauthorized {
			a.t.Fatalf("wrong password %d: %d", i+1, p.status)
		}
	}
}

// Behind a proxy every request comes from one address. A browser that
// completed a login to an account before keeps its device cookie and is
// not held by the address's limit for that account; everyone else from
// that address is.
func TestDeviceCookieOutlivesTheAddressLimit(t *testing.T) {
	t.Parallel()
	a := newTestApp(t, throttleConfig)
	device := deviceCookieOf(t, loggedInClient(t, a, "demo-email"), "mfadesk_device")

	wrongPasswordsFrom(a, "")
	if p := a.newClient().login("demo-email", demoPassword); p.status != http.StatusTooManyRequests {
		t.Fatalf("right password without a device cookie: %d, want 429", p.status)
	}
	c := a.newClient()
	u, _ := url.Parse(a.srv.URL)
	c.http.Jar.SetCookies(u, []*http.Cookie{device})
	if p := c.login("demo-email", demoPassword); p.location != "/login/verify" {
		t.Fatalf("right password with the device cookie: %d %q", p.status, p.text("notice-error"))
	}
	// The cookie stands for its own account only.
	c = a.newClient()
	c.http.Jar.SetCookies(u, []*http.Cookie{device})
	if p := c.login("demo-sms", demoPassword); p.status != http.StatusTooManyRequests {
		t.Fatalf("device cookie of another account: %d, want 429", p.status)
	}
	// The account's own limit still holds for the device.
	for i := 0; i < a.Config.MFA.PasswordFailuresPerAccount; i++ {
		c = a.newClient()
		c.http.Jar.SetCookies(u, []*http.Cookie{device})
		c.login("demo-email", "wrong password")
	}
	c = a.newClient()
	c.http.Jar.SetCookies(u, []*http.Cookie{device})
	if p := c.login("demo-email", demoPassword); p.status != http.StatusUnauthorized {
		t.Fatalf("device past the account's limit: %d, want 401", p.status)
	}
}

// The same for staff on the console: the address's budget (shared with
// the customer site) spent, a staff member's browser that logged in
// before still reaches the second step; another browser does not.
func TestStaffDeviceCookieOutlivesTheAddressLimit(t *testing.T) {
	t.Parallel()
	a := newConsoleApp(t, throttleConfig)
	device := deviceCookieOf(t, a.staffLogin("agent"), "mfadesk_staff_device")
	wrongPasswordsFrom(a, "")
	u, _ := url.Parse(a.srv.URL)
	staffTry := func(login string, cookie *http.Cookie) *page {
		c := a.newClient()
		if cookie != nil {
			c.http.Jar.SetCookies(u, []*http.Cookie{cookie})
		}
		c.get("/console/login")
		return c.post("/console/login", url.Values{"login_id": {login}, "password": {demoStaffPassword}})
	}
	if p := staffTry("agent", nil); p.status != http.StatusUnauthorized {
		t.Fatalf("right password without a device cookie: %d %q, want 401", p.status, p.location)
	}
	if p := staffTry("agent", device); p.location != "/console/login/totp" {
		t.Fatalf("right password with the device cookie: %d %q", p.status, p.text("notice-error"))
	}
	if p := staffTry("supervisor", device); p.status != http.StatusUnauthorized {
		t.Fatalf("device cookie of another staff member: %d %q, want 401", p.status, p.location)
	}
}

func deviceCookieOf(t *testing.T, c *client, name string) *http.Cookie {
	t.Helper()
	u, _ := url.Parse(c.app.srv.URL)
	for _, ck := range c.http.Jar.Cookies(u) {
		if ck.Name == name {
			return &http.Cookie{Name: ck.Name, Value: ck.Value}
		}
	}
	t.Fatal("no device cookie after a full login")
	return nil
}

// With --trusted-proxies the address is the client's, from
// X-Forwarded-For: one client's wrong passwords throttle that client
// only.
func TestTrustedProxyThrottlesTheClientNotTheProxy(t *testing.T) {
	t.Parallel()
	a := newTestApp(t, throttleConfig, func(cfg *Config) {
		cfg.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	})
	const attacker = "203.0.113.9"
	wrongPasswordsFrom(a, attacker)
	if p := a.newClient().loginFrom("198.51.100.7", "demo-email", demoPassword); p.location != "/login/verify" {
		t.Fatalf("another client's right password: %d %q", p.status, p.text("notice-error"))
	}
	if p := a.newClient().loginFrom(attacker, "demo-sms", demoPassword); p.status != http.StatusTooManyRequests {
		t.Fatalf("the attacker's address: %d, want 429", p.status)
	}
	// The attacker cannot step aside by naming another address: the proxy
	// appends the one it saw, and that is the one read.
	if p := a.newClient().loginFrom("198.51.100.8, "+attacker, "demo-sms", demoPassword); p.status != http.StatusTooManyRequests {
		t.Fatalf("the attacker's address behind a made-up one: %d, want 429", p.status)
	}
}

// Without --trusted-proxies the header is the client's to write, so it is
// not read: the attacker's made-up addresses all count against the
// connection's.
func TestForwardedForIgnoredWithoutTrustedProxies(t *testing.T) {
	t.Parallel()
	a := newTestApp(t, throttleConfig)
	for i := 0; i < a.Config.MFA.PasswordFailuresPerAddress; i++ {
		xff := "198.51.100." + string(rune('0'+i%10)) + string(rune('0'+i/10))
		a.newClient().loginFrom(xff, "stuffed-"+xff, "wrong password")
	}
	if p := a.newClient().loginFrom("192.0.2.200", "demo-email", demoPassword); p.status != http.StatusTooManyRequests {
		t.Fatalf("after the budget with made-up addresses: %d, want 429", p.status)
	}
}

func TestTrustedProxiesFlag(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		args []string
		env  map[string]string
		want []string // prefixes, or nil for an error
	}{
		{"default trusts none", nil, nil, []string{}},
		{"flag", []string{"--trusted-proxies", "10.0.0.0/8, 192.0.2.7"}, nil, []string{"10.0.0.0/8", "192.0.2.7/32"}},
		{"environment", nil, map[string]string{"MFADESK_TRUSTED_PROXIES": "::1/128"}, []string{"::1/128"}},
		{"bad CIDR", []string{"--trusted-proxies", "10.0.0.0/33"}, nil, nil},
		{"bad CIDR in the environment", nil, map[string]string{"MFADESK_TRUSTED_PROXIES": "proxy.example"}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := parseConfig(tt.args, func(k string) string { return tt.env[k] }, io.Discard)
			if tt.want == nil {
				if err == nil || !strings.Contains(err.Error(), "--trusted-proxies") {
					t.Fatalf("error %v, want one naming --trusted-proxies", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := []string{}
			for _, p := range cfg.TrustedProxies {
				got = append(got, p.String())
			}
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Fatalf("trusted proxies %v, want %v", got, tt.want)
			}
		})
	}
}
