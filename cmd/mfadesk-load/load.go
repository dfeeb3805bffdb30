package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"

	"mfadesk/mfa"
)

// The demo customer used when no load customers were seeded.
const (
	demoLogin      = "demo-app"
	demoPassword   = "Demo#2025login"
	demoTOTPSecret = "JBSWY3DPEHPK3PXP"
)

type load struct {
	o options
	// client is shared by every browser: the same settings for the bare
	// handler and the server, no cookie jar (each browser keeps its own
	// cookies), redirects not followed so each step is seen.
	client *http.Client
	// next hands out load customers for logins, each once per run: the
	// replay guard accepts one code per 30 s step per customer. It starts
	// at a random customer so runs close together rarely meet the same.
	next atomic.Int64
	// staff is the console session of the console phase, kept between
	// rounds.
	staff *browser
}

func newLoad(o options) *load {
	idle := max(o.concurrency, o.loginsBurst) * 2
	transport := &http.Transport{
		MaxIdleConns: idle, MaxIdleConnsPerHost: idle, IdleConnTimeout: time.Minute,
		DialContext: (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
	}
	l := &load{o: o, client: &http.Client{Transport: transport, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	if o.seedLoad > 0 {
		l.next.Store(rand.Int64N(int64(o.seedLoad)))
	}
	return l
}

// loadCustomer returns the next load customer's login ID and TOTP secret,
// or ok false when every one has been used in this run.
func (l *load) loadCustomer(start int64) (loginID, secret string, ok bool) {
	n := int64(l.o.seedLoad)
	k := l.next.Add(1)
	if n == 0 || k-start > n {
		return "", "", false
	}
	i := int((k-1)%n) + 1
	return loadLoginID(i), loadSecret(i), true
}

// browser is one simulated customer: its cookies, the CSRF token of the
// last form it fetched, and a buffer the bodies it drops are read
// through. The client work per request is the same for the bare handler
// and the server, and as small as it can be: this process shares the
// machine.
type browser struct {
	base    string
	http    *http.Client
	cookies *cookieStore
	csrf    string
	buf     []byte
}

func (l *load) newBrowser(base string) *browser {
	return &browser{base: base, http: l.client, cookies: newCookieStore(), buf: make([]byte, 4<<10)}
}

// sameSession is another browser, its own buffer but b's cookies: many
// clients of one logged-in session.
func (b *browser) sameSession() *browser {
	return &browser{base: b.base, http: b.http, cookies: b.cookies, buf: make([]byte, len(b.buf))}
}

// do sends req with the browser's cookies and keeps those it sets.
func (b *browser) do(req *http.Request) (*http.Response, error) {
	if h := b.cookies.cookieHeader(); h != "" {
		req.Header.Set("Cookie", h)
	}
	resp, err := b.http.Do(req)
	if err != nil {
		return nil, err
	}
	b.cookies.update(resp.Header["Set-Cookie"])
	return resp, nil
}

func (b *browser) get(ctx context.Context, path string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, b.base+path, nil)
	if err != nil {
		return nil, err
	}
	return b.do(req)
}

// fetch gets a page no form follows and drops its body.
func (b *browser) fetch(ctx context.Context, path string) (int, error) {
	resp, err := b.get(ctx, path)
	if err != nil {
		return 0, err
	}
	return resp.StatusCode, b.discard(resp.Body)
}

// discard reads body to its end through the browser's buffer, so the
// connection goes back to the pool, and closes it.
func (b *browser) discard(body io.ReadCloser) error {
	defer body.Close()
	for {
		if _, err := body.Read(b.buf); err != nil {
			if err == io.EOF {
				return nil
			}
			return err
		}
	}
}

// fetchForm gets a page with a form and keeps its CSRF token, as a
// browser keeps the form.
func (b *browser) fetchForm(ctx context.Context, path string) (int, error) {
	resp, err := b.get(ctx, path)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	page, err := io.ReadAll(resp.Body)
	if token, ok := csrfToken(page); ok {
		b.csrf = token
	}
	return resp.StatusCode, err
}

var csrfField = []byte(`name="_csrf" value="`)

// csrfToken is the value of the page's first _csrf field.
func csrfToken(page []byte) (string, bool) {
	_, rest, ok := bytes.Cut(page, csrfField)
	if !ok {
		return "", false
	}
	token, _, ok := bytes.Cut(rest, []byte{'"'})
	if !ok || len(token) == 0 {
		return "", false
	}
	return string(token), true
}

func (b *browser) post(ctx context.Context, path string, form url.Values) (status int, location string, err error) {
	form.Set("_csrf", b.csrf)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, b.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := b.do(req)
	if err != nil {
		return 0, "", err
	}
	return resp.StatusCode, resp.Header.Get("Location"), b.discard(resp.Body)
}

// timed runs one step and records its latency, or why it failed.
func timed(r *recorder, step string, want int, fn func() (int, error)) bool {
	start := time.Now()
	status, err := fn()
	took := time.Since(start)
	switch {
	case err != nil:
		if kind := errorKind(err); kind != "stopped" {
			r.fail(step, kind) // a request cut by the end of its phase is no error
		}
		return false
	case status != want:
		r.fail(step, "status "+strconv.Itoa(status))
		return false
	}
	r.ok(step, took)
	return true
}

func errorKind(err error) string {
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return "stopped"
	case errors.Is(err, os.ErrDeadlineExceeded):
		return "timeout"
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return "network: " + ne.Error()
	}
	return err.Error()
}

// loginFull logs a browser in with password and TOTP; ok is false if a
// step failed (already recorded).
func (l *load) loginFull(ctx context.Context, r *recorder, b *browser, loginID, password, secret string) bool {
	if !timed(r, "GET /login", http.StatusOK, func() (int, error) { return b.fetchForm(ctx, "/login") }) {
		return false
	}
	if !timed(r, "password", http.StatusSeeOther, func() (int, error) {
		s, _, err := b.post(ctx, "/login", url.Values{"login_id": {loginID}, "password": {password}})
		return s, err
	}) {
		return false
	}
	if secret == "" {
		return true // password step only: no customer left whose code is unused
	}
	if !timed(r, "GET /login/verify", http.StatusOK, func() (int, error) { return b.fetchForm(ctx, "/login/verify") }) {
		return false
	}
	code, err := mfa.TOTPCode(secret, time.Now())
	if err != nil {
		r.fail("second factor", err.Error())
		return false
	}
	return timed(r, "second factor", http.StatusSeeOther, func() (int, error) {
		s, _, err := b.post(ctx, "/login/verify", url.Values{"code": {code}})
		return s, err
	})
}

// workers runs fn in o.concurrency goroutines until the duration passes,
// the budget of iterations is spent, or fn says stop, and returns what r
// recorded meanwhile with the time and CPU it took.
func (l *load) workers(ctx context.Context, name string, r *recorder, fn func(ctx context.Context, worker int) bool) *phaseResult {
	ctx, cancel := context.WithTimeout(ctx, l.o.duration)
	defer cancel()
	var budget atomic.Int64
	budget.Store(int64(l.o.maxRequests))
	var wg sync.WaitGroup
	cpu := l.sampleCPU()
	start := time.Now()
	for w := range l.o.concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil && budget.Add(-1) >= 0 {
				if !fn(ctx, w) {
					return
				}
			}
		}()
	}
	wg.Wait()
	res := r.result(name, time.Since(start))
	res.cpu = l.cpuSince(cpu)
	return res
}

// hashPhase: argon2id checks alone at the default parameters and the
// server's concurrency, the ceiling of password steps per second.
func (l *load) hashPhase(ctx context.Context) *phaseResult {
	p := mfa.DefaultArgon2()
	hash, err := mfa.HashPassword(loadPassword, p)
	r := newRecorder()
	if err != nil {
		r.fail("argon2id check", err.Error())
		return r.result("hash", 0)
	}
	var left atomic.Int64
	left.Store(int64(l.o.hashes))
	var wg sync.WaitGroup
	cpu := l.sampleCPU()
	start := time.Now()
	for range l.o.hashConcurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil && left.Add(-1) >= 0 {
				t := time.Now()
				if ok, err := mfa.CheckPassword(hash, loadPassword); err != nil || !ok {
					r.fail("argon2id check", fmt.Sprint("failed: ", err))
					continue
				}
				r.ok("argon2id check", time.Since(t))
			}
		}()
	}
	wg.Wait()
	res := r.result("hash", time.Since(start))
	res.cpu = l.cpuSince(cpu)
	res.cpu.who, res.cpu.unit, res.cpu.noServer = "this process", "check", "none involved"
	res.note = fmt.Sprintf("m=%d KiB t=%d p=%d, %d at once, in this process", p.Memory, p.Time, p.Threads, l.o.hashConcurrency)
	return res
}

// barePhase: a bare Echo handler served by this process on loopback, hit
// with the same clients: the ceiling of any page.
func (l *load) barePhase(ctx context.Context) (*phaseResult, error) {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.GET("/bare", func(c echo.Context) error {
		return c.HTML(http.StatusOK, "<!doctype html><html lang=ja><title>bare</title><p>こんにちは</p></html>")
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	srv := &http.Server{Handler: e, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	defer srv.Close()

	base := "http://" + ln.Addr().String()
	r := newRecorder()
	browsers := make([]*browser, l.o.concurrency)
	for i := range browsers {
		browsers[i] = l.newBrowser(base)
	}
	res := l.workers(ctx, "bare", r, func(ctx context.Context, w int) bool {
		timed(r, "GET /bare", http.StatusOK, func() (int, error) { return browsers[w].fetch(ctx, "/bare") })
		return true
	})
	res.cpu.who = "this process (client and bare handler)"
	res.cpu.noServer = "the bare handler runs in this process, counted with the client"
	res.note = fmt.Sprintf("bare Echo handler in this process, %d clients", l.o.concurrency)
	return res, nil
}

// pagePhase: logged-in customers fetch /home over and over — session
// lookup, CSRF, the customer, the policy and the templ page.
func (l *load) pagePhase(ctx context.Context) (*phaseResult, error) {
	setup := newRecorder()
	browsers := make([]*browser, l.o.concurrency)
	if l.o.seedLoad > 0 {
		start := l.next.Load()
		for i := range browsers {
			loginID, secret, ok := l.loadCustomer(start)
			if !ok {
				return nil, errors.New("not enough load customers to log in one per client: raise --seed-load")
			}
			browsers[i] = l.newBrowser(l.o.url)
			if !l.loginFull(ctx, setup, browsers[i], loginID, loadPassword, secret) {
				return nil, fmt.Errorf("log in %s: %v", loginID, setup.errors)
			}
		}
	} else {
		// One demo session shared by every client: demo-app's code works
		// once per 30 s step, and a session may serve many requests at once.
		b := l.newBrowser(l.o.url)
		if !l.loginFull(ctx, setup, b, demoLogin, demoPassword, demoTOTPSecret) {
			return nil, fmt.Errorf("log in %s (its code works once per 30 s; retry in a moment): %v", demoLogin, setup.errors)
		}
		for i := range browsers {
			browsers[i] = b.sameSession()
		}
	}
	r := newRecorder()
	res := l.workers(ctx, "page", r, func(ctx context.Context, w int) bool {
		timed(r, "GET /home", http.StatusOK, func() (int, error) { return browsers[w].fetch(ctx, "/home") })
		return true
	})
	res.note = fmt.Sprintf("%d logged-in clients", l.o.concurrency)
	return res, nil
}

// loginPhase: whole logins, each by a fresh browser: the login page, the
// password (one argon2id check), the verify page, the TOTP code, and the
// first page.
func (l *load) loginPhase(ctx context.Context) (*phaseResult, error) {
	r := newRecorder()
	start := l.next.Load()
	var passwordOnly atomic.Int64
	res := l.workers(ctx, "login", r, func(ctx context.Context, _ int) bool {
		b := l.newBrowser(l.o.url)
		loginID, secret, ok := l.loadCustomer(start)
		if !ok {
			// No unused load customer: the password step of demo-app only.
			loginID, secret = demoLogin, ""
			passwordOnly.Add(1)
		}
		password := loadPassword
		if loginID == demoLogin {
			password = demoPassword
		}
		if l.loginFull(ctx, r, b, loginID, password, secret) && secret != "" {
			timed(r, "GET /home", http.StatusOK, func() (int, error) { return b.fetch(ctx, "/home") })
		}
		return true
	})
	res.note = fmt.Sprintf("%d clients, fresh browser per login", l.o.concurrency)
	res.cpu.also = "password"
	switch n := passwordOnly.Load(); {
	case n > 0 && l.o.seedLoad == 0:
		res.note += "; password step only, as demo-app (no --seed-load: no customers for the second factor)"
	case n > 0:
		res.note += fmt.Sprintf("; %d logins were password-only (load customers used up: raise --seed-load)", n)
	}
	return res, nil
}
