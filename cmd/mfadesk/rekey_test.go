package main

import (
	"bytes"
	"context"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"mfadesk/data"
	"mfadesk/mfa"
)

const wrongKeyMessage = "the secret key does not open this database's secrets; was it rotated?"

// useRecoveryCode logs in as loginID with a recovery code.
func useRecoveryCode(t *testing.T, a *testApp, loginID, code string) *page {
	t.Helper()
	c := pendingClient(t, a, loginID)
	if p := c.post("/login/method", url.Values{"method": {"recovery"}}); p.location != "/login/verify" {
		t.Fatalf("switch to recovery: %d %q", p.status, p.location)
	}
	c.get("/login/verify")
	return c.submitCode(code)
}

// issueRecoveryCodes issues a new set on the settings page and returns it.
func issueRecoveryCodes(t *testing.T, c *client) []string {
	t.Helper()
	p := c.post("/settings/mfa/recovery", nil)
	var codes []string
	walk(p.byTestID("recovery-codes"), func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "code" {
			codes = append(codes, textOf(n))
		}
	})
	if len(codes) != mfa.RecoveryCodeCount {
		t.Fatalf("%d recovery codes shown: %d", len(codes), p.status)
	}
	return codes
}

// keyIDsOf lists the key ids that the stored recovery codes name.
func keyIDsOf(t *testing.T, db *data.DB) []string {
	t.Helper()
	rows, err := db.QueryContext(context.Background(),
		`SELECT DISTINCT `+keyIDOf(db, `code_hash`)+` FROM recovery_codes WHERE used_at = 0`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	return ids
}

// What the operator hit: a rekey voided every recovery code and
// outstanding temporary pass. Now they stay usable while the old key is
// listed in --old-secret-keys, fail as wrong codes (not an error page)
// once it is not, and whatever is made after the rekey uses the new key.
func TestRekeyKeepsRecoveryCodesAndTempPasses(t *testing.T) {
	t.Parallel()
	a := newConsoleApp(t)
	c := loggedInClient(t, a, "demo-app")
	stepUp(t, a, c, "mfa", "demo-app", demoTOTPSecret)
	codes := issueRecoveryCodes(t, c)
	pass := resetWithPass(t, a, "demo-sms")

	newKey := randomKey(t)
	devID, newID := mfa.KeyID(mfa.DevSecretKey()), mfa.KeyID(newKey)
	out, err := runCommand("rekey", "--db", a.Config.DB, "--old-key", "dev", "--new-key", hex.EncodeToString(newKey))
	if err != nil {
		t.Fatalf("rekey: %v", err)
	}
	for _, want := range []string{"under key " + newID + " (new key)", "key " + devID + " (old key): recovery codes: 10 (until used)"} {
		if !strings.Contains(out, want) {
			t.Errorf("rekey output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, hex.EncodeToString(newKey)) {
		t.Error("rekey printed the key")
	}
	// The pass expires on the test's clock, not the command's.
	var status bytes.Buffer
	if err := printKeyStatus(context.Background(), &status, a.DB, map[string]string{devID: "old"}); err != nil {
		t.Fatal(err)
	}
	if want := "key " + devID + " (old): temporary passes: 1 (the last expires 2026-11-29 11:"; !strings.Contains(status.String(), want) {
		t.Errorf("status lacks %q:\n%s", want, status.String())
	}

	// The new key alone: what the old key made is refused like a wrong code.
	alone := reopen(t, a, newKey)
	if p := useRecoveryCode(t, alone, "demo-app", codes[0]); p.status != http.StatusUnauthorized || p.location != "" {
		t.Errorf("old recovery code without the old key: %d %q", p.status, p.location)
	}
	if _, p := tempPassLogin(alone, "demo-sms", pass); p.status != http.StatusUnauthorized || p.location != "" {
		t.Errorf("old temporary pass without the old key: %d %q", p.status, p.location)
	}

	// With the old key listed both still work.
	both := reopen(t, a, newKey, mfa.DevSecretKey())
	if p := useRecoveryCode(t, both, "demo-app", codes[1]); p.location != "/home" {
		t.Errorf("old recovery code with the old key listed: %d %q", p.status, p.text("notice-error"))
	}
	if _, p := tempPassLogin(both, "demo-sms", pass); p.location != "/settings/mfa" {
		t.Errorf("old temporary pass with the old key listed: %d %q", p.status, p.text("notice-error"))
	}

	// New recovery codes are made with the new key and need no old one.
	both.clock.Advance(30 * time.Second)
	c = loggedInClient(t, both, "demo-app")
	stepUp(t, both, c, "mfa", "demo-app", demoTOTPSecret)
	fresh := issueRecoveryCodes(t, c)
	if ids := keyIDsOf(t, both.DB); len(ids) != 1 || ids[0] != newID {
		t.Errorf("new recovery codes name keys %v, want %s", ids, newID)
	}
	if p := useRecoveryCode(t, alone, "demo-app", fresh[0]); p.location != "/home" {
		t.Errorf("new recovery code with the new key alone: %d %q", p.status, p.text("notice-error"))
	}

	// Nothing usable needs the old key any more, and --status says so.
	out, err = runCommand("rekey", "--status", "--db", a.Config.DB, "--secret-key", hex.EncodeToString(newKey))
	if err != nil {
		t.Fatalf("rekey --status: %v", err)
	}
	if !strings.Contains(out, "key "+newID+" (--secret-key): recovery codes: 9") || strings.Contains(out, devID) {
		t.Errorf("rekey --status:\n%s", out)
	}
}

// Starting with a key that does not open the database's secrets is
// refused at once with a message that never shows the key, from serve's
// newApp and from the maintenance commands; the old key listed in
// --old-secret-keys lets a not yet rekeyed database start.
func TestStartRefusesWrongKey(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a := newTestApp(t)
	wrong := randomKey(t)
	cfg := a.Config
	cfg.SecretKey = wrong
	if _, err := newApp(ctx, cfg, a.clock.Now, slog.New(slog.NewTextHandler(io.Discard, nil))); err == nil ||
		!strings.Contains(err.Error(), wrongKeyMessage) {
		t.Fatalf("newApp with a wrong key: %v", err)
	}
	for _, args := range [][]string{
		{"migrate", "--db", a.Config.DB, "--secret-key", hex.EncodeToString(wrong)},
		{"staff", "create", "--login", "x", "--role", "agent", "--org", "support", "--db", a.Config.DB, "--secret-key", hex.EncodeToString(wrong)},
	} {
		out, err := runCommand(args...)
		if err == nil || !strings.Contains(err.Error(), wrongKeyMessage) ||
			strings.Contains(err.Error()+out, hex.EncodeToString(wrong)) {
			t.Errorf("%s with a wrong key: %v %q", args[0], err, out)
		}
	}

	// The old key listed: starts, warns, and reads the secrets.
	var log bytes.Buffer
	cfg.OldSecretKeys = [][]byte{mfa.DevSecretKey()}
	app, err := newApp(ctx, cfg, a.clock.Now, slog.New(slog.NewTextHandler(&log, nil)))
	if err != nil {
		t.Fatalf("newApp with the old key listed: %v", err)
	}
	app.Close()
	if !strings.Contains(log.String(), "run mfadesk rekey") || strings.Contains(log.String(), hex.EncodeToString(wrong)) {
		t.Errorf("log: %s", log.String())
	}
	b := reopen(t, a, wrong, mfa.DevSecretKey())
	b.clock.Advance(30 * time.Second)
	if p := pendingClient(t, b, "demo-app").submitCode(b.totpNow(demoTOTPSecret)); p.location != "/home" {
		t.Errorf("TOTP with the old key listed: %d %q", p.status, p.location)
	}

	// A database with no secrets at all is protected by the key check alone.
	empty := newTestApp(t, func(c *Config) { c.Demo = false })
	cfg = empty.Config
	cfg.SecretKey = wrong
	if _, err := newApp(ctx, cfg, empty.clock.Now, slog.New(slog.NewTextHandler(io.Discard, nil))); err == nil ||
		!strings.Contains(err.Error(), wrongKeyMessage) {
		t.Errorf("newApp with a wrong key on a database without secrets: %v", err)
	}
}

// A database from before key checks: the first start proves the key on
// a stored secret (a wrong one is refused and writes nothing), writes
// the key check, and gives the hashes made before key ids the key's id,
// so the codes customers hold keep working.
func TestFirstStartAfterUpgrade(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a := newConsoleApp(t)
	c := loggedInClient(t, a, "demo-app")
	stepUp(t, a, c, "mfa", "demo-app", demoTOTPSecret)
	codes := issueRecoveryCodes(t, c)
	pass := resetWithPass(t, a, "demo-sms")
	agent := a.staffLogin("agent") // a spoken verification code, pending
	spoken := agent.openCase(a.customerID("demo-app"), "phone")
	if p := agent.post(spoken+"/verify/spoken", url.Values{"channel": {"email"}}); p.location != spoken+"?notice=code_sent" {
		t.Fatalf("spoken code: %q", p.location)
	}
	waiting := pendingClient(t, a, "demo-email")
	hashed := []string{"recovery_codes.code_hash", "temp_passes.pass_hash", "challenges.code_hash", "verifications.code_hash"}
	unstamped := func(db *data.DB) int {
		total := 0
		for _, tc := range hashed {
			table, column, _ := strings.Cut(tc, ".")
			var n int
			if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+table+` WHERE `+column+` <> '' AND `+column+` NOT LIKE '%$%$%'`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			total += n
		}
		return total
	}
	if _, err := a.DB.ExecContext(ctx, `DELETE FROM key_check`); err != nil {
		t.Fatal(err)
	}
	for _, tc := range hashed {
		table, column, _ := strings.Cut(tc, ".")
		if _, err := a.DB.ExecContext(ctx, `UPDATE `+table+` SET `+column+` = substr(`+column+`, `+strpos(a.DB)+`(`+column+`, '$') + 1) WHERE `+column+` <> ''`); err != nil {
			t.Fatal(err)
		}
	}
	if n := unstamped(a.DB); n < 13 { // 10 codes, a pass, a login code, a verification code
		t.Fatalf("%d hashes without key ids, want at least 13", n)
	}

	cfg := a.Config
	cfg.SecretKey = randomKey(t)
	if _, err := newApp(ctx, cfg, a.clock.Now, slog.New(slog.NewTextHandler(io.Discard, nil))); err == nil ||
		!strings.Contains(err.Error(), wrongKeyMessage) {
		t.Fatalf("first start with a wrong key: %v", err)
	}
	if _, err := a.DB.KeyCheck(ctx); err != data.ErrNotFound {
		t.Fatalf("a refused start wrote the key check: %v", err)
	}

	b := reopen(t, a, mfa.DevSecretKey())
	devID := mfa.KeyID(mfa.DevSecretKey())
	if kc, err := b.DB.KeyCheck(ctx); err != nil || kc.KeyID != devID {
		t.Fatalf("key check after the first start: %+v %v", kc, err)
	}
	if n := unstamped(b.DB); n != 0 {
		t.Errorf("%d hashes still without key ids", n)
	}
	if ids := keyIDsOf(t, b.DB); len(ids) != 1 || ids[0] != devID {
		t.Errorf("recovery codes from before the upgrade name keys %v, want %s", ids, devID)
	}
	if p := useRecoveryCode(t, b, "demo-app", codes[0]); p.location != "/home" {
		t.Errorf("recovery code from before the upgrade: %d %q", p.status, p.text("notice-error"))
	}
	if _, p := tempPassLogin(b, "demo-sms", pass); p.location != "/settings/mfa" {
		t.Errorf("temporary pass from before the upgrade: %d %q", p.status, p.text("notice-error"))
	}
	waiting.app = b // same host, so the same cookies
	if p := waiting.submitCode(a.lastCode(demoContacts["demo-email"].email)); p.location != "/home" {
		t.Errorf("login code from before the upgrade: %d %q", p.status, p.text("code-error"))
	}
}

// rekey moves the key check with the secrets: afterwards the old key
// alone is refused at start, and a rekey that cannot open the key check
// with its old key changes nothing.
func TestRekeyUpdatesKeyCheck(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a := newTestApp(t)
	newKey := randomKey(t)
	if _, err := runCommand("rekey", "--db", a.Config.DB, "--old-key", "dev", "--new-key", hex.EncodeToString(newKey)); err != nil {
		t.Fatalf("rekey: %v", err)
	}
	kc, err := a.DB.KeyCheck(ctx)
	if err != nil || kc.KeyID != mfa.KeyID(newKey) {
		t.Fatalf("key check after the rekey: %+v %v", kc, err)
	}
	cfg := a.Config // the development key
	if _, err := newApp(ctx, cfg, a.clock.Now, slog.New(slog.NewTextHandler(io.Discard, nil))); err == nil ||
		!strings.Contains(err.Error(), wrongKeyMessage) {
		t.Errorf("start with the old key after the rekey: %v", err)
	}
	other := randomKey(t)
	if _, err := runCommand("rekey", "--db", a.Config.DB, "--old-key", "dev", "--new-key", hex.EncodeToString(other)); err == nil {
		t.Error("rekey from a key that does not open the key check was accepted")
	}
	if after, _ := a.DB.KeyCheck(ctx); !bytes.Equal(after.Sealed, kc.Sealed) {
		t.Error("a refused rekey changed the key check")
	}
	reopen(t, a, newKey)
}

// --old-secret-keys comes from the flag or MFADESK_OLD_SECRET_KEYS, names
// a bad entry by position, never by its text, and production accepts no
// development key, not even as an old one.
func TestOldSecretKeysConfig(t *testing.T) {
	t.Parallel()
	a, b := strings.Repeat("0a", 32), strings.Repeat("0b", 32)
	env := map[string]string{"MFADESK_OLD_SECRET_KEYS": a + ", " + b}
	cfg, err := parseConfig(nil, func(k string) string { return env[k] }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.OldSecretKeys) != 2 || hex.EncodeToString(cfg.OldSecretKeys[1]) != b {
		t.Fatalf("old keys from the environment: %d", len(cfg.OldSecretKeys))
	}
	bad := strings.Repeat("0c", 31) + "zz"
	if _, err := parseConfig([]string{"--old-secret-keys", a + "," + bad}, func(string) string { return "" }, io.Discard); err == nil ||
		!strings.Contains(err.Error(), "--old-secret-keys") || strings.Contains(err.Error(), bad) {
		t.Errorf("bad old key: %v", err)
	}
	if _, err := parseConfig(with(safeProduction(), "--old-secret-keys", "dev"), func(string) string { return "" }, io.Discard); err == nil ||
		!strings.Contains(err.Error(), "--old-secret-keys") {
		t.Errorf("production with the development key as an old key: %v", err)
	}
	if cfg, err := parseConfig(with(safeProduction(), "--old-secret-keys", a), func(string) string { return "" }, io.Discard); err != nil || len(cfg.OldSecretKeys) != 1 {
		t.Errorf("production with an old key: %v", err)
	}
}

// keyIDOf is the key id a keyed hash column names: what comes before
// its first '$'.
func keyIDOf(db *data.DB, column string) string {
	return `substr(` + column + `, 1, ` + strpos(db) + `(` + column + `, '$') - 1)`
}

// strpos is the engine's function for where a substring starts.
func strpos(db *data.DB) string {
	if db.Engine() == data.Postgres {
		return `strpos`
	}
	return `instr`
}
