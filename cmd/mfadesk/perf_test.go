package main

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

var csrfField = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// A burst of 1,000 concurrent logins over the hashing limit is answered
// with busy pages, not errors, and a logged-in customer's pages keep
// working meanwhile. No timing is asserted: only what each answer is.
func TestLoginBurstAnsweredBusyNotErrors(t *testing.T) {
	if testing.Short() {
		t.Skip("1,000 concurrent logins")
	}
	a := newTestApp(t, productionArgon2, func(cfg *Config) {
		cfg.MFA.HashConcurrency = 2
		cfg.MFA.HashWait = 10 * time.Millisecond
		// Every request comes from 127.0.0.1; the per-address throttle
		// (tested elsewhere) would otherwise answer 429 after 50 failures.
		cfg.MFA.PasswordFailuresPerAddress = 1 << 20
	})

	home := a.newClient()
	home.login("demo-app", demoPassword)
	home.get("/login/verify")
	if p := home.submitCode(a.totpNow(demoTOTPSecret)); p.location != "/home" {
		t.Fatalf("logged-in client: code step went to %q", p.location)
	}

	// One browser per login attempt, each with its own session and CSRF
	// token, over one transport sized for the burst.
	const n = 1000
	transport := &http.Transport{MaxIdleConnsPerHost: n, IdleConnTimeout: time.Minute}
	t.Cleanup(transport.CloseIdleConnections)
	browsers := make([]*burstBrowser, n)
	for i := range browsers {
		b, err := newBurstBrowser(transport, a.srv.URL)
		if err != nil {
			t.Fatalf("browser %d: %v", i, err)
		}
		browsers[i] = b
	}

	start := make(chan struct{})
	type answer struct {
		status int
		retry  string
		body   string
		err    error
	}
	answers := make([]answer, n)
	var wg sync.WaitGroup
	for i, b := range browsers {
		// Right and wrong passwords, known and unknown IDs: every path
		// through CheckLoginPassword meets the limit.
		loginID, password := "demo-email", demoPassword
		switch i % 3 {
		case 1:
			password = "not the password"
		case 2:
			loginID = "nobody-here"
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			status, header, body, err := b.postLogin(loginID, password)
			answers[i] = answer{status: status, body: body, err: err}
			if header != nil {
				answers[i].retry = header.Get("Retry-After")
			}
		}()
	}
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()

	close(start)
	homeAnswers := 0
	for running := true; running; {
		select {
		case <-done:
			running = false
		default:
		}
		if p := home.get("/home"); p.status != http.StatusOK {
			t.Fatalf("GET /home during the burst: status %d", p.status)
		}
		homeAnswers++
	}

	counts := map[int]int{}
	for i, ans := range answers {
		if ans.err != nil {
			t.Fatalf("login %d: %v", i, ans.err)
		}
		counts[ans.status]++
		switch ans.status {
		case http.StatusSeeOther, http.StatusUnauthorized:
		case http.StatusServiceUnavailable:
			if ans.retry != "5" {
				t.Errorf("login %d: busy answer with Retry-After %q, want 5", i, ans.retry)
			}
			if !strings.Contains(ans.body, "混み合っています。少し待ってからもう一度お試しください。") {
				t.Errorf("login %d: busy page does not say so: %s", i, ans.body)
			}
		default:
			t.Errorf("login %d: status %d, want 303, 401 or 503", i, ans.status)
		}
	}
	if counts[http.StatusServiceUnavailable] == 0 {
		t.Errorf("no busy answers in a burst of %d over a limit of 2: %v", n, counts)
	}
	t.Logf("answers %v; GET /home answered 200 %d times during the burst", counts, homeAnswers)
}

// burstBrowser is a minimal browser for the burst: a cookie jar and the
// CSRF token of its login page. Unlike client it reports errors instead
// of failing the test, so it can run in many goroutines.
type burstBrowser struct {
	http *http.Client
	base string
	csrf string
}

func newBurstBrowser(rt http.RoundTripper, base string) (*burstBrowser, error) {
	jar, _ := cookiejar.New(nil)
	b := &burstBrowser{base: base, http: &http.Client{Transport: rt, Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	resp, err := b.http.Get(base + "/login")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	m := csrfField.FindSubmatch(body)
	if m == nil {
		return nil, io.ErrUnexpectedEOF
	}
	b.csrf = string(m[1])
	return b, nil
}

func (b *burstBrowser) postLogin(loginID, password string) (int, http.Header, string, error) {
	form := url.Values{"_csrf": {b.csrf}, "login_id": {loginID}, "password": {password}}
	resp, err := b.http.PostForm(b.base+"/login", form)
	if err != nil {
		return 0, nil, "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(body), err
}
