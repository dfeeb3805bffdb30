package main

import (
	"context"
	"crypto/pbkdf2"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/bcrypt"

	"mfadesk/data"
	"mfadesk/mfa"
)

// importedHashOf hashes password the way another system would, in
// scheme "bcrypt", "pbkdf2-sha256" (Django's format) or "argon2id" (at
// other costs than ours), with cheap parameters: the tests check which
// password passes and what is stored, not the cost.
func importedHashOf(t *testing.T, scheme, password string) string {
	t.Helper()
	switch scheme {
	case "bcrypt":
		h, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.MinCost)
		if err != nil {
			t.Fatal(err)
		}
		return string(h)
	case "pbkdf2-sha256":
		key, err := pbkdf2.Key(sha256.New, password, []byte("oldsystemsalt"), 1000, 32)
		if err != nil {
			t.Fatal(err)
		}
		return "pbkdf2_sha256$1000$oldsystemsalt$" + base64.StdEncoding.EncodeToString(key)
	case "argon2id":
		salt := []byte("old system salt!")
		key := argon2.IDKey([]byte(password), salt, 3, 128, 1, 32)
		return fmt.Sprintf("$argon2id$v=19$m=128,t=3,p=1$%s$%s",
			base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
	}
	t.Fatalf("unknown scheme %q", scheme)
	return ""
}

// importHash replaces a demo customer's login or trading password hash by
// an imported one, as the back office's import stores it. It returns the
// stored form.
func importHash(t *testing.T, a *testApp, loginID, kind, imported string) string {
	t.Helper()
	ctx := context.Background()
	stored, err := mfa.ParseImportedHash(imported)
	if err != nil {
		t.Fatal(err)
	}
	c, err := a.DB.CustomerByLoginID(ctx, loginID)
	if err != nil {
		t.Fatal(err)
	}
	err = a.DB.InTx(ctx, func(tx *data.Tx) error {
		if kind == "trading" {
			return tx.SetTradingPasswordHash(ctx, c.ID, c.TradingPasswordHash, stored)
		}
		return tx.SetLoginPasswordHash(ctx, c.ID, c.PasswordHash, stored)
	})
	if err != nil {
		t.Fatal(err)
	}
	return stored
}

func storedLoginHash(t *testing.T, a *testApp, loginID string) (int64, string) {
	t.Helper()
	c, err := a.DB.CustomerByLoginID(context.Background(), loginID)
	if err != nil {
		t.Fatal(err)
	}
	return c.ID, c.PasswordHash
}

func upgradeEvents(t *testing.T, a *testApp, customerID int64) []data.AuditEvent {
	t.Helper()
	events, err := a.DB.AuditEventsFor(context.Background(), customerID, 100)
	if err != nil {
		t.Fatal(err)
	}
	var upgrades []data.AuditEvent
	for _, e := range events {
		if e.Action == "password.upgrade" {
			upgrades = append(upgrades, e)
		}
	}
	return upgrades
}

// A customer whose password hash came from the old system logs in with
// password and second factor; a bcrypt or PBKDF2 hash is then our
// argon2id (audited, scheme named, no hash), an imported argon2id stays
// as it is, and the next login works. A wrong password is refused and
// counted like any other.
func TestImportedHashLogsInAndIsUpgraded(t *testing.T) {
	t.Parallel()
	for _, scheme := range []string{"bcrypt", "pbkdf2-sha256", "argon2id"} {
		t.Run(scheme, func(t *testing.T) {
			t.Parallel()
			a := newTestApp(t)
			stored := importHash(t, a, "demo-app", "login", importedHashOf(t, scheme, demoPassword))
			id, _ := storedLoginHash(t, a, "demo-app")
			acctKey := "pw-acct:" + strconv.FormatInt(id, 10)
			since := a.clock.Now().Add(-a.Config.MFA.PasswordWindow)

			if p := a.newClient().login("demo-app", "Demo#2025wrong"); p.status != http.StatusUnauthorized {
				t.Fatalf("wrong password: %d %q", p.status, p.location)
			}
			if n, err := a.DB.ThrottleFailures(context.Background(), acctKey, since); err != nil || n != 1 {
				t.Fatalf("failures after a wrong password: %d (%v), want 1", n, err)
			}
			if _, h := storedLoginHash(t, a, "demo-app"); h != stored {
				t.Fatal("a wrong password changed the stored hash")
			}

			c := pendingClient(t, a, "demo-app")
			if p := c.submitCode(a.totpNow(demoTOTPSecret)); p.location != "/home" {
				t.Fatalf("second factor: %d %q", p.status, p.location)
			}
			if n, _ := a.DB.ThrottleFailures(context.Background(), acctKey, since); n != 0 {
				t.Errorf("failures after the right password: %d, want 0", n)
			}
			_, after := storedLoginHash(t, a, "demo-app")
			upgrades := upgradeEvents(t, a, id)
			if scheme == "argon2id" {
				if after != stored || len(upgrades) != 0 {
					t.Fatalf("imported argon2id rewritten (%v) or upgrade audited (%d)", after != stored, len(upgrades))
				}
			} else {
				if !strings.HasPrefix(after, "$argon2id$") || !pwHashMatches(t, a, "demo-app", "login", demoPassword) {
					t.Fatalf("stored hash after login is not our argon2id of the password: %.20s", after)
				}
				if len(upgrades) != 1 || upgrades[0].Detail != "kind=login scheme="+scheme || upgrades[0].Outcome != "success" {
					t.Fatalf("upgrade events: %+v", upgrades)
				}
				for _, part := range strings.Split(stored+after, "$") {
					if len(part) >= 16 && strings.Contains(upgrades[0].Detail+upgrades[0].Actor, part) {
						t.Error("the upgrade's audit event carries a hash")
					}
				}
			}

			a.clock.Advance(30 * time.Second) // the next TOTP step
			next := pendingClient(t, a, "demo-app")
			if p := next.submitCode(a.totpNow(demoTOTPSecret)); p.location != "/home" {
				t.Fatalf("next login: %d %q", p.status, p.location)
			}
			if n := len(upgradeEvents(t, a, id)); n != len(upgrades) {
				t.Errorf("the next login upgraded again: %d events", n)
			}
		})
	}
}

// Wrong passwords against an imported hash reserve their places before
// hashing, as against ours: 45 parallel tries hash at most the account's
// limit, the right password is then refused (and upgrades nothing) until
// the window has passed.
func TestImportedHashParallelWrongTriesReserve(t *testing.T) {
	t.Parallel()
	a := newTestApp(t, throttleConfig, func(cfg *Config) {
		cfg.MFA.PasswordFailuresPerAddress = 1000
	})
	stored := importHash(t, a, "demo-email", "login", importedHashOf(t, "bcrypt", demoPassword))
	limit := a.Config.MFA.PasswordFailuresPerAccount
	before := a.MFA.PasswordHashes()
	for i, status := range parallelPasswordTries(t, a, "/login", 45, "demo-email", "wrong password") {
		if status != http.StatusUnauthorized {
			t.Fatalf("try %d: status %d, want 401", i, status)
		}
	}
	if p := a.newClient().login("demo-email", demoPassword); p.status != http.StatusUnauthorized {
		t.Fatalf("right password after the burst: %d %q", p.status, p.location)
	}
	if n := a.MFA.PasswordHashes() - before; n > int64(limit) {
		t.Fatalf("%d hash computations for 45 parallel tries and one more, want at most %d", n, limit)
	}
	if _, h := storedLoginHash(t, a, "demo-email"); h != stored {
		t.Fatal("a throttled try changed the stored hash")
	}
	a.clock.Advance(a.Config.MFA.PasswordWindow + time.Second)
	if p := a.newClient().login("demo-email", demoPassword); p.location != "/login/verify" {
		t.Fatalf("right password after the window: %d", p.status)
	}
	if !pwHashMatches(t, a, "demo-email", "login", demoPassword) {
		t.Fatal("not upgraded after the window")
	}
}

// The password change form checks the current password, and the new one
// against the other password, whatever scheme either was imported in.
func TestPasswordChangeChecksImportedHashes(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	c := pwLogin(t, a, "demo-email")
	importHash(t, a, "demo-email", "login", importedHashOf(t, "bcrypt", demoPassword))
	importHash(t, a, "demo-email", "trading", importedHashOf(t, "pbkdf2-sha256", demoTradingPassword))
	const newPW = "river stone maple 2026"

	if p := pwChange(c, "login", "Demo#2025wrong", newPW, newPW); p.status != http.StatusUnauthorized {
		t.Fatalf("wrong current against bcrypt: %d", p.status)
	}
	p := pwChange(c, "login", demoPassword, demoTradingPassword, demoTradingPassword)
	if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.text("new_password-error"), "別のもの") {
		t.Fatalf("new login password equal to the imported trading one: %d %q", p.status, p.text("new_password-error"))
	}
	if p := pwChange(c, "login", demoPassword, newPW, newPW); p.status != http.StatusSeeOther {
		t.Fatalf("change with the right current (bcrypt): %d %q", p.status, p.text("current_password-error"))
	}
	if !pwHashMatches(t, a, "demo-email", "login", newPW) {
		t.Fatal("new login password not stored as argon2id")
	}
	const newTrading = "朝の散歩 と 緑茶 2026"
	if p := pwChange(c, "trading", demoTradingPassword, newTrading, newTrading); p.status != http.StatusSeeOther {
		t.Fatalf("change with the right current (pbkdf2): %d %q", p.status, p.text("current_trading_password-error"))
	}
	if !pwHashMatches(t, a, "demo-email", "trading", newTrading) {
		t.Fatal("new trading password not stored as argon2id")
	}
}

// A trading password imported in another scheme is checked where the
// trading password is asked for, here when an authenticator app is
// enrolled.
func TestEnrolmentChecksImportedTradingPassword(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	importHash(t, a, "demo-email", "trading", importedHashOf(t, "bcrypt", demoTradingPassword))
	c := loggedInClient(t, a, "demo-email")
	stepUp(t, a, c, "mfa", "demo-email", "")
	c.post("/settings/mfa/totp/start", nil)
	secret := strings.ReplaceAll(c.get("/settings/mfa/totp").text("totp-key"), " ", "")
	code, err := totpCodeForTest(secret, a.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	confirm := func(trading string) *page {
		return c.post("/settings/mfa/totp/confirm", url.Values{"code": {code}, "trading_password": {trading}, "use_login": {"on"}})
	}
	if p := confirm("Wrong#trade"); p.status != http.StatusUnauthorized || !p.has("trading_password-error") {
		t.Fatalf("wrong trading password: %d", p.status)
	}
	if p := confirm(demoTradingPassword); p.location != "/settings/mfa?notice=totp-added" {
		t.Fatalf("right trading password (bcrypt): %d %q %s", p.status, p.location, p.text("trading_password-error"))
	}
}
