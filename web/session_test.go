package web

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"testing"
	"time"

	"mfadesk/data"
)

// Every change of level gives a new session id and CSRF token; the old
// id opens nothing any more.
func TestSessionRotatesOnEveryLevelChange(t *testing.T) {
	now := testStart
	s := newSite(t, newTestDB(t, &now), &now, data.SiteCustomer, false)
	id := s.customer("taro")
	b := newBrowser()

	pre := b.get(s, "/page")
	csrf1 := b.login(s, id, data.LevelPassword)
	cookie1 := b.cookies["mfadesk"].Value
	old := newBrowser()
	old.cookies["mfadesk"] = b.cookies["mfadesk"]

	csrf2 := b.login(s, id, data.LevelFull)
	cookie2 := b.cookies["mfadesk"].Value
	csrf3 := b.post(s, "/stepup?purpose=withdrawal")
	cookie3 := b.cookies["mfadesk"].Value

	if cookie1 == cookie2 || cookie2 == cookie3 || cookie1 == cookie3 {
		t.Error("a session id survived a change of level")
	}
	if csrf1 == pre || csrf1 == csrf2 || csrf2 == csrf3 {
		t.Error("a CSRF token survived a change of level")
	}
	if got := old.get(s, "/whoami"); got != "none" {
		t.Errorf("the replaced session id still opens %q", got)
	}
	if got := b.get(s, "/whoami"); got != "full "+strconv.FormatInt(id, 10) {
		t.Errorf("current session = %q", got)
	}
}

// The absolute limit runs from the first login step of the same person:
// rotating the id does not restart it, but another person's login does.
func TestSessionAbsoluteLimitSurvivesRotation(t *testing.T) {
	now := testStart
	s := newSite(t, newTestDB(t, &now), &now, data.SiteCustomer, false)
	taro, hanako := s.customer("taro"), s.customer("hanako")
	// busy keeps b's session in use, a request every 20 minutes, for d.
	busy := func(b *testBrowser, d time.Duration) string {
		var got string
		for end := now.Add(d); now.Before(end); {
			now = now.Add(min(20*time.Minute, end.Sub(now)))
			got = b.get(s, "/whoami")
		}
		return got
	}

	b := newBrowser()
	b.login(s, taro, data.LevelPassword)
	busy(b, 11*time.Hour)
	b.login(s, taro, data.LevelFull)
	if got := busy(b, time.Hour); got != "full "+strconv.FormatInt(taro, 10) {
		t.Fatalf("12h after the first step: %q", got)
	}
	if got := busy(b, time.Second); got != "none" {
		t.Errorf("past the absolute limit counted from the first step: %q", got)
	}

	b = newBrowser()
	b.login(s, taro, data.LevelFull)
	busy(b, 11*time.Hour)
	b.login(s, hanako, data.LevelFull) // another customer on the same browser
	if got := busy(b, time.Hour+time.Second); got != "full "+strconv.FormatInt(hanako, 10) {
		t.Errorf("another person's login kept the first one's start: %q", got)
	}
}

// Expiry is decided on the server by its clock, and an expired session is
// deleted, not just ignored.
func TestSessionExpiry(t *testing.T) {
	tests := []struct {
		name  string
		level string
		steps []time.Duration // requests after login, each after the one before
		alive bool
	}{
		{"idle just under the limit", data.LevelFull, []time.Duration{30 * time.Minute}, true},
		{"idle past the limit", data.LevelFull, []time.Duration{30*time.Minute + time.Second}, false},
		{"activity resets the idle limit", data.LevelFull, []time.Duration{20 * time.Minute, 20 * time.Minute, 20 * time.Minute}, true},
		{"activity within a minute is not recorded", data.LevelFull, []time.Duration{30 * time.Second, 30*time.Minute - 15*time.Second}, false},
		{"absolute limit despite activity", data.LevelFull, repeatDuration(25*time.Minute, 29), false},
		{"just under the absolute limit", data.LevelFull, append(repeatDuration(25*time.Minute, 28), 20*time.Minute), true},
		{"waiting for the second factor: same limits", data.LevelPassword, []time.Duration{31 * time.Minute}, false},
		{"anonymous sessions live ten minutes", data.LevelAnonymous, []time.Duration{5 * time.Minute, 5*time.Minute + time.Second}, false},
		{"anonymous session within ten minutes", data.LevelAnonymous, []time.Duration{5 * time.Minute, 5 * time.Minute}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			now := testStart
			s := newSite(t, newTestDB(t, &now), &now, data.SiteCustomer, false)
			var id int64
			if tc.level != data.LevelAnonymous {
				id = s.customer("taro")
			}
			b := newBrowser()
			b.login(s, id, tc.level)
			hash := hashToken(b.cookies["mfadesk"].Value)
			var got string
			for _, d := range tc.steps {
				now = now.Add(d)
				got = b.get(s, "/whoami")
			}
			if alive := got != "none"; alive != tc.alive {
				t.Fatalf("alive = %v (%q), want %v", alive, got, tc.alive)
			}
			_, err := s.db.SessionByHash(context.Background(), hash)
			if deleted := errors.Is(err, data.ErrNotFound); deleted == tc.alive {
				t.Errorf("stored session deleted = %v (err %v), want %v", deleted, err, !tc.alive)
			}
		})
	}
}

func repeatDuration(d time.Duration, n int) []time.Duration {
	out := make([]time.Duration, n)
	for i := range out {
		out[i] = d
	}
	return out
}

// A step-up is fresh for its own purpose only, for the window only.
func TestFreshStepUp(t *testing.T) {
	now := testStart
	s := newSite(t, newTestDB(t, &now), &now, data.SiteCustomer, false)
	b := newBrowser()
	b.login(s, s.customer("taro"), data.LevelFull)
	if got := b.get(s, "/fresh?purpose=withdrawal"); got != "false" {
		t.Errorf("login alone counts as a step-up for withdrawal: %s", got)
	}
	b.post(s, "/stepup?purpose=withdrawal")
	for _, tc := range []struct {
		after   time.Duration
		purpose string
		want    string
	}{
		{0, "withdrawal", "true"},
		{0, "account", "false"},
		{0, "", "false"},
		{5 * time.Minute, "withdrawal", "true"},
		{time.Second, "withdrawal", "false"},
	} {
		now = now.Add(tc.after)
		if got := b.get(s, "/fresh?purpose="+tc.purpose); got != tc.want {
			t.Errorf("%v later, fresh for %q = %s, want %s", now.Sub(testStart), tc.purpose, got, tc.want)
		}
	}
	anon := newBrowser()
	if code, _ := anon.do(s, http.MethodPost, "/stepup?purpose=withdrawal", nil, nil); code == http.StatusOK {
		t.Error("step-up without a logged-in session succeeded")
	}
}

// A step-up recorded for a purpose and the purposes it also covers is
// fresh for each of them alone, and for nothing else.
func TestFreshStepUpCoversAlsoPurposes(t *testing.T) {
	now := testStart
	s := newSite(t, newTestDB(t, &now), &now, data.SiteCustomer, false)
	b := newBrowser()
	b.login(s, s.customer("taro"), data.LevelFull)
	b.post(s, "/stepup?purpose=account&also=bank")
	for purpose, want := range map[string]string{"account": "true", "bank": "true", "mfa": "false",
		"account+bank": "false", "ban": "false"} {
		if got := b.get(s, "/fresh?purpose="+purpose); got != want {
			t.Errorf("fresh for %q = %s, want %s", purpose, got, want)
		}
	}
	now = now.Add(5*time.Minute + time.Second)
	if got := b.get(s, "/fresh?purpose=bank"); got != "false" {
		t.Errorf("the covered purpose outlives the window: %s", got)
	}
}

// A customer session never opens the console, nor the reverse.
func TestSessionBoundToSite(t *testing.T) {
	now := testStart
	db := newTestDB(t, &now)
	customer := newSite(t, db, &now, data.SiteCustomer, false)
	console := newSite(t, db, &now, data.SiteConsole, false)
	b := newBrowser()
	b.login(customer, customer.customer("taro"), data.LevelFull)
	if got := b.get(console, "/whoami"); got != "none" {
		t.Errorf("customer session opened the console: %q", got)
	}
	if got := b.get(customer, "/whoami"); got == "none" {
		t.Error("the console visit ended the customer session")
	}
}

// Cookie attributes, outside dev and in dev.
func TestSessionCookieAttributes(t *testing.T) {
	for _, production := range []bool{true, false} {
		now := testStart
		s := newSite(t, newTestDB(t, &now), &now, data.SiteCustomer, production)
		name := "mfadesk"
		if production {
			name = "__Host-mfadesk"
		}
		b := newBrowser()
		b.get(s, "/page")
		checkCookie(t, production, b.set, name+"_pre", false)
		b.login(s, s.customer("taro"), data.LevelFull)
		checkCookie(t, production, b.set, name, false)
		checkCookie(t, production, b.set, name+"_pre", true) // the pre-session ends with login
		b.post(s, "/logout")
		checkCookie(t, production, b.set, name, true)
		if got := b.get(s, "/whoami"); got != "none" || len(b.cookies) != 0 {
			t.Errorf("after logout: %q, cookies %v", got, b.cookies)
		}
	}
}

func checkCookie(t *testing.T, production bool, set []*http.Cookie, name string, cleared bool) {
	t.Helper()
	for _, ck := range set {
		if ck.Name != name {
			continue
		}
		if ck.Path != "/" || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Secure != production || ck.Domain != "" {
			t.Errorf("production=%v: cookie %s = %+v", production, name, ck)
		}
		if cleared != (ck.MaxAge < 0 && ck.Value == "") {
			t.Errorf("production=%v: cookie %s cleared = %v, want %v", production, name, !cleared, cleared)
		}
		if !cleared && ck.MaxAge != 0 {
			t.Errorf("production=%v: cookie %s outlives the browser: MaxAge %d", production, name, ck.MaxAge)
		}
		return
	}
	t.Errorf("production=%v: no Set-Cookie %s in %v", production, name, set)
}
