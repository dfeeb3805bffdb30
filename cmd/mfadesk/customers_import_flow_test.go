package main

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"mfadesk/mfa"
)

// Flows around imported customers (docs/security.md S71).

// A contact the import changes for a customer who had verified one is not
// trusted for codes; every contact they had verified is told, and
// withdrawals are held. A customer with no verified contact takes the
// back office's as verified.
func TestCustomersImportChangedContactNotTrusted(t *testing.T) {
	t.Parallel()
	a := newTestApp(t, noReadCache)
	file := importFile(t, "utf-8", importHeaderJA,
		"1000001,demo-app,山田 太郎,ヤマダ タロウ,1950-04-01,,,,,new-app@example.jp,090-5555-6666,,,",
		"1000004,demo-noemail,高橋 正子,タカハシ マサコ,1942-07-07,,,,,masako@example.jp,,,,")
	out, errOut, err := runImport(a, file)
	if err != nil {
		t.Fatalf("import: %v\n%s", err, errOut)
	}
	if !strings.Contains(out, "changed 2") || !strings.Contains(out, "contacts not trusted 2") {
		t.Errorf("output: %s", out)
	}
	c := a.customer("demo-app")
	if c.Email != "new-app@example.jp" || c.EmailStatus != "unverified" || c.Phone != "+819055556666" || c.PhoneVerified {
		t.Errorf("changed contacts trusted: %+v", c)
	}
	if c.WithdrawalHoldReason != "contact_import" || !c.WithdrawalHoldUntil.After(a.clock.Now()) {
		t.Errorf("hold %q until %v", c.WithdrawalHoldReason, c.WithdrawalHoldUntil)
	}
	told := map[string]int{}
	for _, m := range a.outbox() {
		if strings.Contains(m.Body, "当社のお客様情報の更新") {
			told[m.To]++
		}
	}
	if told["demo-app@example.jp"] != 2 || len(told) != 1 {
		t.Errorf("notices: %v, want two to the old verified address only", told)
	}
	if c := a.customer("demo-noemail"); c.Email != "masako@example.jp" || c.EmailStatus != "verified" {
		t.Errorf("customer without a verified contact: %+v", c)
	}
}

// A closed account's sessions end, and it can no longer log in or reset
// its password.
func TestCustomersImportClosedAccountDeactivated(t *testing.T) {
	t.Parallel()
	a := newTestApp(t) // read cache on, as a server runs
	c := loggedInClient(t, a, "demo-sms")
	file := importFile(t, "utf-8", importHeaderJA,
		"1000002,demo-sms,佐藤 花子,サトウ ハナコ,1948-11-23,,,,,,,,解約,")
	out, errOut, err := runImport(a, file)
	if err != nil || !strings.Contains(out, "closed 1") {
		t.Fatalf("import: %v\n%s%s", err, out, errOut)
	}
	if p := c.get("/home"); p.status == http.StatusOK {
		t.Fatal("the closed account's session goes on")
	}
	if n := countRows(t, a, "sessions WHERE customer_id = "+itoaTest(importedState(t, a, "1000002").ID)); n != 0 {
		t.Errorf("%d sessions left", n)
	}
	if p := a.newClient().login("demo-sms", demoPassword); p.status != http.StatusUnauthorized {
		t.Errorf("closed account login: %d %q", p.status, p.location)
	}
	before := resetCodes(a)
	forgotStart(a, "demo-sms", "1948-11-23")
	if after := resetCodes(a); after["+819000000002"] != before["+819000000002"] || after["demo-sms@example.jp"] != before["demo-sms@example.jp"] {
		t.Errorf("closed account got a reset code: %v", after)
	}
	var detail string
	if err := a.DB.QueryRowContext(context.Background(), `SELECT detail FROM audit_events WHERE action = 'customer.import'
		ORDER BY id DESC LIMIT 1`).Scan(&detail); err != nil || !strings.Contains(detail, "closed sessions_ended") {
		t.Errorf("audit: %q %v", detail, err)
	}
}

// An imported customer without a password hash sets one through the
// password reset, then logs in; one with an argon2id hash logs in with it.
func TestImportedCustomerSetsPasswordThroughReset(t *testing.T) {
	t.Parallel()
	a := newTestApp(t, noReadCache)
	hash, err := mfa.HashPassword("Imported#2026pass", testArgon2())
	if err != nil {
		t.Fatal(err)
	}
	file := importFile(t, "utf-8", "account_number,login_id,name_kanji,name_kana,birth_date,email,password_hash",
		"2000001,kondo,近藤 恵,コンドウ ケイ,1955-03-09,kondo@example.jp,",
		"2000002,ono,小野 健,オノ ケン,1970-12-31,ono@example.jp,\""+hash+"\"") // CSV quotes the hash's commas
	if _, errOut, err := runImport(a, file); err != nil {
		t.Fatalf("import: %v\n%s", err, errOut)
	}
	if p := a.newClient().login("kondo", forgotNewPassword); p.status != http.StatusUnauthorized {
		t.Fatalf("a password for a customer without one: %d %q", p.status, p.location)
	}
	c, p := forgotStart(a, "kondo", "1955-03-09")
	if p.location != "/login/forgot/verify" {
		t.Fatalf("knowledge step: %d %q", p.status, p.location)
	}
	c.get("/login/forgot/verify")
	if p := c.post("/login/forgot/verify", url.Values{"code": {a.lastCode("kondo@example.jp")}}); p.location != "/login/forgot/password" {
		t.Fatalf("code step: %d %q", p.status, p.location)
	}
	c.get("/login/forgot/password")
	p = c.post("/login/forgot/password", url.Values{"new_password": {forgotNewPassword}, "new_password_confirm": {forgotNewPassword}})
	if p.location != "/login?notice=reset" {
		t.Fatalf("password step: %d %q", p.status, p.location)
	}
	for _, who := range []struct{ login, password, email string }{
		{"kondo", forgotNewPassword, "kondo@example.jp"}, {"ono", "Imported#2026pass", "ono@example.jp"}} {
		cl := a.newClient()
		if p := cl.login(who.login, who.password); p.location != "/login/verify" {
			t.Fatalf("%s password: %d %q", who.login, p.status, p.location)
		}
		cl.get("/login/verify")
		if p := cl.submitCode(a.lastCode(who.email)); p.location != "/home" {
			t.Fatalf("%s code: %d %q", who.login, p.status, p.location)
		}
	}
}

// Production refuses a database holding the demo accounts, whose
// passwords are published; a database without them is accepted.
func TestProductionRefusesDemoDatabase(t *testing.T) {
	t.Parallel()
	productionKeys := func(cfg *Config) {
		var err error
		if cfg.SecretKey, err = mfa.ParseSecretKey(productionKey); err != nil {
			t.Fatal(err)
		}
		if cfg.AuditKey, err = mfa.ParseSecretKey(productionAuditKey); err != nil {
			t.Fatal(err)
		}
	}
	a := newTestApp(t, productionKeys)
	args := append(safeProduction(), "--db", a.Config.DB, "--addr", "127.0.0.1:0")
	err := run(append([]string{"serve"}, args...), func(string) string { return "" }, new(strings.Builder), new(strings.Builder))
	if err == nil || !strings.Contains(err.Error(), "demo data") || !strings.Contains(err.Error(), "customer demo-app") {
		t.Fatalf("production serve on the demo database: %v", err)
	}
	file := importFile(t, "utf-8", importHeaderJA, "2000001,kondo,近藤 恵,コンドウ ケイ,1955-03-09,,,,,,,,,")
	err = run(append([]string{"customers", "import", file}, args...), func(string) string { return "" }, new(strings.Builder), new(strings.Builder))
	if err == nil || !strings.Contains(err.Error(), "demo data") {
		t.Fatalf("production import into the demo database: %v", err)
	}
	clean := newTestApp(t, func(cfg *Config) { cfg.Demo = false })
	if _, errOut, err := runImport(clean, file); err != nil {
		t.Fatalf("import: %v %s", err, errOut)
	}
	if err := refuseDemoData(context.Background(), clean.App); err != nil {
		t.Fatalf("database without demo data refused: %v", err)
	}
}

// A back-office file carrying bcrypt and PBKDF2 hashes: each customer logs
// in with the password they already had, and the first login replaces the
// old scheme's hash by our argon2id.
func TestImportedForeignHashesLogInAndAreUpgraded(t *testing.T) {
	t.Parallel()
	a := newTestApp(t, noReadCache)
	const password = "Imported#2026pass"
	file := importFile(t, "utf-8", "account_number,login_id,name_kanji,name_kana,birth_date,email,password_hash",
		"2000011,bcryptuser,佐野 次郎,サノ ジロウ,1960-01-02,sano@example.jp,\""+importedHashOf(t, "bcrypt", password)+"\"",
		"2000012,pbkdfuser,原 花,ハラ ハナ,1962-03-04,hara@example.jp,\""+importedHashOf(t, "pbkdf2-sha256", password)+"\"")
	if _, errOut, err := runImport(a, file); err != nil {
		t.Fatalf("import: %v\n%s", err, errOut)
	}
	for _, who := range []struct{ login, email string }{{"bcryptuser", "sano@example.jp"}, {"pbkdfuser", "hara@example.jp"}} {
		if _, h := storedLoginHash(t, a, who.login); strings.HasPrefix(h, "$argon2id$") {
			t.Fatalf("%s: imported hash stored as argon2id before any login", who.login)
		}
		if p := a.newClient().login(who.login, password+"x"); p.status != http.StatusUnauthorized {
			t.Fatalf("%s wrong password: %d %q", who.login, p.status, p.location)
		}
		cl := a.newClient()
		if p := cl.login(who.login, password); p.location != "/login/verify" {
			t.Fatalf("%s password: %d %q", who.login, p.status, p.location)
		}
		cl.get("/login/verify")
		if p := cl.submitCode(a.lastCode(who.email)); p.location != "/home" {
			t.Fatalf("%s code: %d %q", who.login, p.status, p.location)
		}
		if _, h := storedLoginHash(t, a, who.login); !strings.HasPrefix(h, "$argon2id$") || !pwHashMatches(t, a, who.login, "login", password) {
			t.Fatalf("%s: stored hash after the login is not our argon2id of the password: %.12s", who.login, h)
		}
	}
}
