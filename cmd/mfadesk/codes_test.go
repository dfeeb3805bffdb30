package main

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"mfadesk/data"
)

// pendingClient is a client that passed the password and sits on the
// second-factor page.
func pendingClient(t *testing.T, a *testApp, loginID string) *client {
	t.Helper()
	c := a.newClient()
	if p := c.login(loginID, demoPassword); p.location != "/login/verify" {
		t.Fatalf("password step for %s: %d %q", loginID, p.status, p.location)
	}
	c.get("/login/verify")
	return c
}

func TestTOTPCodeAcceptedOnce(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	code := a.totpNow(demoTOTPSecret)
	if p := pendingClient(t, a, "demo-app").submitCode(code); p.location != "/home" {
		t.Fatalf("first use refused: %d", p.status)
	}
	// Same code from another browser within the same step: replay.
	p := pendingClient(t, a, "demo-app").submitCode(code)
	if p.status != http.StatusUnauthorized || p.location != "" {
		t.Fatalf("replayed TOTP code: %d %q", p.status, p.location)
	}
	// The previous step's code is also at or before the accepted step.
	prev := totpAt(t, a.clock.Now().Add(-30*time.Second))
	if p := pendingClient(t, a, "demo-app").submitCode(prev); p.status != http.StatusUnauthorized {
		t.Fatalf("code of an earlier step accepted after a later one: %d", p.status)
	}
	// The next step's code is new and passes.
	a.clock.Advance(30 * time.Second)
	if p := pendingClient(t, a, "demo-app").submitCode(a.totpNow(demoTOTPSecret)); p.location != "/home" {
		t.Fatalf("next step's code refused: %d", p.status)
	}
}

// docs/security.md S5 at the HTTP level: T-1 and T+1 pass, T±2 do not.
func TestTOTPClockSkewWindow(t *testing.T) {
	t.Parallel()
	tests := []struct {
		offset time.Duration
		pass   bool
	}{
		{-60 * time.Second, false}, {-30 * time.Second, true}, {30 * time.Second, true}, {60 * time.Second, false},
	}
	for _, tt := range tests {
		t.Run(tt.offset.String(), func(t *testing.T) {
			t.Parallel()
			a := newTestApp(t)
			p := pendingClient(t, a, "demo-app").submitCode(totpAt(t, a.clock.Now().Add(tt.offset)))
			if got := p.location == "/home"; got != tt.pass {
				t.Fatalf("offset %s: passed=%v want %v", tt.offset, got, tt.pass)
			}
		})
	}
}

func totpAt(t *testing.T, at time.Time) string {
	t.Helper()
	code, err := totpCodeForTest(demoTOTPSecret, at)
	if err != nil {
		t.Fatal(err)
	}
	return code
}

func TestEmailCodeExpires(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	c := pendingClient(t, a, "demo-email")
	code := a.lastCode("demo-email@example.jp")
	a.clock.Advance(5*time.Minute + time.Second)
	p := c.submitCode(code)
	if p.status != http.StatusUnauthorized || !strings.Contains(p.text("notice-error"), "有効期限") {
		t.Fatalf("expired code: %d %q", p.status, p.text("notice-error"))
	}
}

func TestSixthTryOnACodeIsRefused(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	c := pendingClient(t, a, "demo-sms")
	code := a.lastCode("090-0000-0002")
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	for i := 1; i <= 5; i++ {
		if p := c.submitCode(wrong); p.status != http.StatusUnauthorized {
			t.Fatalf("wrong try %d: %d", i, p.status)
		}
	}
	p := c.submitCode(code)
	if p.location == "/home" || !strings.Contains(p.text("notice-error"), "使えなくなりました") {
		t.Fatalf("the right code passed after 5 wrong tries: %d %q", p.status, p.text("notice-error"))
	}
}

func TestCodeFormsAreNormalised(t *testing.T) {
	t.Parallel()
	for _, form := range []string{"spaced", "fullwidth"} {
		t.Run(form, func(t *testing.T) {
			t.Parallel()
			a := newTestApp(t)
			c := pendingClient(t, a, "demo-email")
			code := a.lastCode("demo-email@example.jp")
			typed := " " + code[:3] + " " + code[3:]
			if form == "fullwidth" {
				typed = strings.Map(func(r rune) rune { return r - '0' + '０' }, code)
			}
			if p := c.submitCode(typed); p.location != "/home" {
				t.Fatalf("%q refused: %d %q", typed, p.status, p.text("notice-error"))
			}
		})
	}
}

func TestMalformedCodeGetsClearMessage(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	c := pendingClient(t, a, "demo-app")
	p := c.submitCode("12ab")
	if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.text("notice-error"), "6桁") {
		t.Fatalf("status %d message %q", p.status, p.text("notice-error"))
	}
}

// docs/security.md S8: a code is bound to the session that asked for it.
func TestCodeBoundToItsSession(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	first := pendingClient(t, a, "demo-email")
	code := a.lastCode("demo-email@example.jp")
	a.clock.Advance(61 * time.Second)
	second := pendingClient(t, a, "demo-email")
	if newest := a.lastCode("demo-email@example.jp"); newest == code {
		t.Skip("the two random codes collided")
	}
	if p := second.submitCode(code); p.location == "/home" {
		t.Fatal("a code sent to another session passed")
	}
	if p := first.submitCode(code); p.location != "/home" {
		t.Fatalf("own code refused: %d %q", p.status, p.text("notice-error"))
	}
}

// docs/security.md S9 and S19: resend makes a new code and voids the old one, with
// a cool-down, and never locks the account.
func TestResendVoidsOldCodeWithCooldown(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	c := pendingClient(t, a, "demo-email")
	old := a.lastCode("demo-email@example.jp")
	if p := c.post("/login/resend", nil); p.location != "/login/verify?notice=wait" {
		t.Fatalf("resend inside the cool-down: %q", p.location)
	}
	a.clock.Advance(61 * time.Second)
	if p := c.post("/login/resend", nil); p.location != "/login/verify?notice=sent" {
		t.Fatalf("resend after the cool-down: %q", p.location)
	}
	fresh := a.lastCode("demo-email@example.jp")
	c.get("/login/verify")
	if fresh != old {
		if p := c.submitCode(old); p.location == "/home" {
			t.Fatal("old code still valid after resend")
		}
	}
	if p := c.submitCode(fresh); p.location != "/home" {
		t.Fatalf("new code refused: %d %q", p.status, p.text("notice-error"))
	}
}

func TestHourlySendCap(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	c := pendingClient(t, a, "demo-email") // send 1
	for i := 2; i <= 5; i++ {
		a.clock.Advance(61 * time.Second)
		if p := c.post("/login/resend", nil); p.location != "/login/verify?notice=sent" {
			t.Fatalf("send %d: %q", i, p.location)
		}
	}
	a.clock.Advance(61 * time.Second)
	if p := c.post("/login/resend", nil); p.location != "/login/verify?notice=limit" {
		t.Fatalf("sixth send in an hour: %q", p.location)
	}
	// Throttled sending never locks: the newest code still passes.
	c.get("/login/verify")
	if p := c.submitCode(a.lastCode("demo-email@example.jp")); p.location != "/home" {
		t.Fatalf("login after send cap: %d", p.status)
	}
}

// docs/security.md S4: many parallel submissions of one valid code, exactly one wins.
func TestConcurrentSubmissionsOfOneCode(t *testing.T) {
	t.Parallel()
	for _, loginID := range []string{"demo-app", "demo-email"} {
		t.Run(loginID, func(t *testing.T) {
			t.Parallel()
			a := newTestApp(t)
			c := pendingClient(t, a, loginID)
			code := a.totpNow(demoTOTPSecret)
			if loginID == "demo-email" {
				code = a.lastCode("demo-email@example.jp")
			}
			form := url.Values{"code": {code}, "_csrf": {c.csrf}}.Encode()
			const n = 20
			var wg sync.WaitGroup
			results := make(chan *page, n)
			for i := 0; i < n; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					results <- c.postRaw("/login/verify", form, nil)
				}()
			}
			wg.Wait()
			close(results)
			wins := 0
			for p := range results {
				if p.location == "/home" {
					wins++
				} else if p.status >= 500 {
					t.Errorf("server error under concurrency: %d", p.status)
				}
			}
			if wins != 1 {
				t.Fatalf("%d of %d parallel submissions succeeded, want exactly 1", wins, n)
			}
		})
	}
}

func TestLockoutAfterConsecutiveFailuresAndItsEnd(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	c := pendingClient(t, a, "demo-app")
	wrong := wrongTOTP(t, a)
	for i := 1; i < 10; i++ {
		if p := c.submitCode(wrong); p.status != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d", i, p.status)
		}
	}
	if p := c.submitCode(wrong); p.status != http.StatusForbidden || !p.has("locked") {
		t.Fatalf("10th failure did not lock: %d", p.status)
	}
	// docs/security.md S20: the customer is told someone passed the password and failed the code.
	notified := false
	for _, m := range a.outbox() {
		if m.To == "demo-app@example.jp" && strings.Contains(m.Subject, "停止") {
			notified = true
		}
	}
	if !notified {
		t.Error("lock was not notified to the customer")
	}
	// While locked even the right code fails, from a new session too.
	a.clock.Advance(30 * time.Second)
	c2 := a.newClient()
	if p := c2.login("demo-app", demoPassword); p.status != http.StatusForbidden || !p.has("locked") {
		t.Fatalf("login while locked: %d %q", p.status, p.location)
	}
	a.clock.Advance(30 * time.Minute)
	if p := pendingClient(t, a, "demo-app").submitCode(a.totpNow(demoTOTPSecret)); p.location != "/home" {
		t.Fatalf("lock did not end: %d", p.status)
	}
}

// docs/security.md S17: failures older than the window do not count.
func TestOldFailuresDoNotCount(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	c := pendingClient(t, a, "demo-app")
	wrong := wrongTOTP(t, a)
	for i := 0; i < 9; i++ {
		c.submitCode(wrong)
	}
	a.clock.Advance(2 * time.Hour) // the default window is 1 h
	c = pendingClient(t, a, "demo-app")
	wrong = wrongTOTP(t, a)
	if p := c.submitCode(wrong); p.status != http.StatusUnauthorized {
		t.Fatalf("one failure after the window locked or passed: %d", p.status)
	}
	cust, err := a.DB.CustomerByLoginID(context.Background(), "demo-app")
	if err != nil {
		t.Fatal(err)
	}
	if cust.MFAFailures != 1 {
		t.Fatalf("failures after the window = %d, want 1", cust.MFAFailures)
	}
}

func TestSwitchToAnotherEnrolledMethod(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	ctx := context.Background()
	cust, err := a.DB.CustomerByLoginID(ctx, "demo-app")
	if err != nil {
		t.Fatal(err)
	}
	err = a.DB.InTx(ctx, func(tx *data.Tx) error {
		_, err := tx.CreateFactor(ctx, &data.Factor{CustomerID: cust.ID, Kind: data.FactorSMS, Phone: "+819011112222",
			UseLogin: true, LastStep: -1, ConfirmedAt: tx.Now()})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	c := pendingClient(t, a, "demo-app")
	v := c.get("/login/verify")
	if !v.has("switch-sms") || v.has("switch-email") {
		t.Fatalf("alternatives: sms %v email %v", v.has("switch-sms"), v.has("switch-email"))
	}
	if p := c.post("/login/method", url.Values{"method": {"sms"}}); p.location != "/login/verify?notice=sent" {
		t.Fatalf("switch: %q", p.location)
	}
	// Email is not enrolled as a login method for this customer: refused.
	if p := c.post("/login/method", url.Values{"method": {"email"}}); p.status != http.StatusUnprocessableEntity {
		t.Fatalf("switch to a method not offered: %d", p.status)
	}
	c.get("/login/verify")
	if p := c.submitCode(a.lastCode("090-1111-2222")); p.location != "/home" {
		t.Fatalf("sms after switch: %d %q", p.status, p.text("notice-error"))
	}
}

// wrongTOTP is a code valid for no step near the test clock.
func wrongTOTP(t *testing.T, a *testApp) string {
	t.Helper()
	for _, w := range []string{"000000", "111111", "222222", "333333"} {
		valid := false
		for _, d := range []time.Duration{-30 * time.Second, 0, 30 * time.Second} {
			valid = valid || totpAt(t, a.clock.Now().Add(d)) == w
		}
		if !valid {
			return w
		}
	}
	t.Fatal("no wrong code found")
	return ""
}
