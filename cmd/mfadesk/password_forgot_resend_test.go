package main

import (
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// Tests of a new code on the reset's factor step (docs/security.md S63).

// forgotResend asks for a new code and returns the notice it was answered with.
func forgotResend(t *testing.T, c *client) string {
	t.Helper()
	c.get("/login/forgot/verify")
	p := c.post("/login/forgot/resend", nil)
	notice, ok := strings.CutPrefix(p.location, "/login/forgot/verify?notice=")
	if !ok {
		t.Fatalf("resend: %d %q", p.status, p.location)
	}
	return notice
}

// A new code voids the previous one: the old code fails, the new passes.
func TestForgotPasswordResendVoidsPreviousCode(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	phone := demoContacts["demo-sms"].phone
	c, _ := forgotStart(a, "demo-sms", demoBirthDates["demo-sms"])
	first := a.lastCode(phone)
	if n := forgotResend(t, c); n != "wait" {
		t.Fatalf("resend at once: %q", n)
	}
	a.clock.Advance(61 * time.Second)
	if n := forgotResend(t, c); n != "sent" {
		t.Fatalf("resend after the cool-down: %q", n)
	}
	if v := c.get("/login/forgot/verify?notice=sent"); !strings.Contains(v.body, "新しいコードをお送りしました") {
		t.Fatal("the page does not say a new code was sent")
	}
	second := a.lastCode(phone)
	if first != second {
		if p := c.post("/login/forgot/verify", url.Values{"code": {first}}); p.status != http.StatusUnauthorized {
			t.Fatalf("the replaced code passed: %d %q", p.status, p.location)
		}
	}
	if p := c.post("/login/forgot/verify", url.Values{"code": {second}}); p.location != "/login/forgot/password" {
		t.Fatalf("the new code: %d %q", p.status, p.location)
	}
	outcomes := map[string]int{}
	for _, o := range a.auditEventsOf("password.reset.resend") {
		outcomes[o]++
	}
	if outcomes["throttled:wait"] != 1 || outcomes["queued"] != 1 || len(outcomes) != 2 {
		t.Fatalf("audit: %v", outcomes)
	}
}

// One new code a minute and three a reset, answered alike whatever the
// first step matched: only the match is sent codes.
func TestForgotPasswordResendLimitedAndAlike(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	var seen [][]string
	for _, in := range [][2]string{{"demo-email", "1960-01-15"}, {"demo-email", "1960-01-16"}, {"no-such-customer", "1960-01-15"}} {
		c, _ := forgotStart(a, in[0], in[1])
		var got []string
		for _, wait := range []time.Duration{0, 61 * time.Second, 0, 61 * time.Second, 61 * time.Second, 61 * time.Second} {
			a.clock.Advance(wait)
			notice := forgotResend(t, c)
			page := c.get("/login/forgot/verify?notice=" + notice)
			got = append(got, notice, csrfValue.ReplaceAllString(page.body, ""))
		}
		seen = append(seen, got)
	}
	if notices := []string{seen[0][0], seen[0][2], seen[0][4], seen[0][6], seen[0][8], seen[0][10]}; strings.Join(notices, " ") !=
		"wait sent wait sent sent spent" {
		t.Fatalf("notices: %v", notices)
	}
	for i := range seen[1:] {
		if strings.Join(seen[i+1], "\n") != strings.Join(seen[0], "\n") {
			t.Fatalf("resends answer apart for case %d", i+1)
		}
	}
	// The match was sent its first code and three new ones; nobody else any.
	sends := 0
	for _, m := range a.outbox() {
		if strings.Contains(m.Subject, "パスワード再設定の確認コード") {
			if m.To != "demo-email@example.jp" {
				t.Fatalf("code sent to %s", m.To)
			}
			sends++
		}
	}
	if sends != 4 {
		t.Fatalf("%d codes sent, want 4", sends)
	}
}

// Parallel resends of one reset take their place atomically: after the
// cool-down exactly one is sent.
func TestForgotPasswordResendParallel(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	c, _ := forgotStart(a, "demo-sms", demoBirthDates["demo-sms"])
	c.get("/login/forgot/verify")
	a.clock.Advance(61 * time.Second)
	const n = 8
	notices := make([]string, n)
	var ready, done sync.WaitGroup
	start := make(chan struct{})
	ready.Add(n)
	done.Add(n)
	for i := range n {
		go func() {
			defer done.Done()
			ready.Done()
			<-start
			p := c.post("/login/forgot/resend", nil)
			notices[i] = strings.TrimPrefix(p.location, "/login/forgot/verify?notice=")
		}()
	}
	ready.Wait()
	close(start)
	done.Wait()
	count := map[string]int{}
	for _, s := range notices {
		count[s]++
	}
	if count["sent"] != 1 || count["wait"] != n-1 {
		t.Fatalf("notices: %v", count)
	}
	outcomes := map[string]int{}
	for _, o := range a.auditEventsOf("code.send") {
		outcomes[o]++
	}
	if outcomes["queued"] != 2 {
		t.Fatalf("code sends: %v, want the first and one new", outcomes)
	}
}
