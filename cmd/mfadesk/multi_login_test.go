package main

import (
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// One TOTP code submitted at once by 20 browsers, each half-logged-in on
// one instance and submitting to the other: exactly one wins (the replay
// guard holds across instances).
func TestMultiTOTPCodeWinsOnce(t *testing.T) {
	apps := newInstances(t, multiDSN(t), 2)
	const n = 20
	browsers := crossPending(t, apps, n, "demo-app")
	code := apps[0].totpNow(demoTOTPSecret)
	var wins atomic.Int32
	split(n, func(i int) {
		p := browsers[i].postRaw("/login/verify", url.Values{"code": {code}, "_csrf": {browsers[i].csrf}}.Encode(), nil)
		switch {
		case p.location == "/home":
			wins.Add(1)
		case p.status >= 500:
			t.Errorf("server error: %d", p.status)
		}
	})
	if w := wins.Load(); w != 1 {
		t.Fatalf("%d of %d submissions of one code on two instances succeeded, want exactly 1", w, n)
	}
}

// A one-time SMS code's tries are counted across instances: 8 wrong
// submissions at once, split between the instances, use up its 5 tries,
// and the right code is refused after them.
func TestMultiCodeTriesHold(t *testing.T) {
	apps := newInstances(t, multiDSN(t), 2)
	c := pendingClient(t, apps[0], "demo-sms")
	code := apps[0].lastCode("090-0000-0002")
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	form := url.Values{"code": {wrong}, "_csrf": {c.csrf}}.Encode()
	on := []*client{c.on(apps[0]), c.on(apps[1])}
	split(8, func(i int) {
		if p := on[i%2].postRaw("/login/verify", form, nil); p.status != http.StatusUnauthorized {
			t.Errorf("wrong try %d: %d", i, p.status)
		}
	})
	p := on[1].submitCode(code)
	if p.location == "/home" || !strings.Contains(p.text("notice-error"), "使えなくなりました") {
		t.Fatalf("the right code passed after 8 wrong tries on two instances: %d %q", p.status, p.text("notice-error"))
	}
}

// The second-factor lockout counts failures from both instances: 10 wrong
// codes at once, from 10 browsers on alternate instances, lock the
// account (exactly one of them is the tenth), and a fresh login on
// either instance is refused while it lasts.
func TestMultiSecondFactorLockoutHolds(t *testing.T) {
	apps := newInstances(t, multiDSN(t), 2)
	const n = 10
	browsers := crossPending(t, apps, n, "demo-app")
	wrong := wrongTOTP(t, apps[0])
	var locked, refused atomic.Int32
	split(n, func(i int) {
		p := browsers[i].postRaw("/login/verify", url.Values{"code": {wrong}, "_csrf": {browsers[i].csrf}}.Encode(), nil)
		switch {
		case p.status == http.StatusForbidden && p.has("locked"):
			locked.Add(1)
		case p.status == http.StatusUnauthorized:
			refused.Add(1)
		default:
			t.Errorf("wrong code %d: %d %q", i, p.status, p.location)
		}
	})
	if locked.Load() != 1 || refused.Load() != n-1 {
		t.Fatalf("%d failures locked, %d refused: want the tenth, and only it, to lock", locked.Load(), refused.Load())
	}
	for _, a := range apps {
		if p := a.newClient().login("demo-app", demoPassword); p.status != http.StatusForbidden || !p.has("locked") {
			t.Errorf("login while locked: %d %q", p.status, p.location)
		}
	}
}

// The password throttle and its reservation before hashing hold across
// instances: 45 wrong passwords at once, split between the instances,
// hash at most the account's limit between both, and the right password
// is refused on either afterwards, within the window.
func TestMultiPasswordThrottleHolds(t *testing.T) {
	apps := newInstances(t, multiDSN(t), 2, throttleConfig, func(cfg *Config) {
		cfg.MFA.PasswordFailuresPerAddress = 1000 // every try comes from 127.0.0.1
	})
	limit := int64(apps[0].Config.MFA.PasswordFailuresPerAccount)
	hashes := func() int64 { return apps[0].MFA.PasswordHashes() + apps[1].MFA.PasswordHashes() }
	before := hashes()
	const n = 45
	browsers := loginPages(apps, n)
	split(n, func(i int) {
		form := url.Values{"_csrf": {browsers[i].csrf}, "login_id": {"demo-email"}, "password": {"wrong password"}}
		if p := browsers[i].postRaw("/login", form.Encode(), nil); p.status != http.StatusUnauthorized {
			t.Errorf("try %d: %d, want 401", i, p.status)
		}
	})
	if n := hashes() - before; n > limit {
		t.Fatalf("%d argon2id computations for %d parallel tries on two instances, want at most %d", n, 45, limit)
	}
	for _, a := range apps {
		if p := a.newClient().login("demo-email", demoPassword); p.status != http.StatusUnauthorized {
			t.Errorf("right password after the burst: %d %q", p.status, p.location)
		}
	}
	apps[0].clock.Advance(apps[0].Config.MFA.PasswordWindow + time.Second)
	if p := apps[1].newClient().login("demo-email", demoPassword); p.location != "/login/verify" {
		t.Fatalf("right password after the window: %d", p.status)
	}
}
