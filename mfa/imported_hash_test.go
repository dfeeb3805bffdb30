package mfa

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/bcrypt"

	"mfadesk/data"
	"mfadesk/jst"
	"mfadesk/pgtest"
)

// Django's own test vector (tests/auth_tests/test_hashers.py, Django 1.8:
// make_password("lètmein", "seasalt", "pbkdf2_sha256")) and the same key at
// 120,000 iterations (Django 2.1's), written the three accepted ways.
const (
	djangoVector        = "pbkdf2_sha256$20000$seasalt$oBSd886ysm3AqYun62DOdin8YcfbU1z9cksZSuLP9r0="
	djangoVector120k    = "pbkdf2_sha256$120000$seasalt$fsgWMpOXin7ZAmi4j+7XjKCZ4JCvxJTGiwwDrawRqSc="
	phcVector120k       = "$pbkdf2-sha256$i=120000,l=32$c2Vhc2FsdA$fsgWMpOXin7ZAmi4j+7XjKCZ4JCvxJTGiwwDrawRqSc"
	passlibVector120k   = "$pbkdf2-sha256$120000$c2Vhc2FsdA$fsgWMpOXin7ZAmi4j.7XjKCZ4JCvxJTGiwwDrawRqSc"
	storedPBKDF2Vec120k = "$pbkdf2-sha256$i=120000$c2Vhc2FsdA$fsgWMpOXin7ZAmi4j+7XjKCZ4JCvxJTGiwwDrawRqSc"
	// golang.org/x/crypto/bcrypt's TestBcryptingIsCorrect: "allmine".
	bcryptVector = "$2a$10$XajjQvNhvvRt5GSeFk1xFeyqRrsxkhBkUiQeg0dt.wU1qD4aFDcga"
)

// argon2Vector is an argon2id hash of password made with x/crypto/argon2
// directly (not HashPassword) at other costs than ours.
func argon2Vector(password string, m, t uint32, p uint8) string {
	salt := []byte("another salt 16b")
	key := argon2.IDKey([]byte(password), salt, t, m, p, 32)
	return fmt.Sprintf("$argon2id$v=19$m=%d,t=%d,p=%d$%s$%s", m, t, p,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
}

func TestParseImportedHash(t *testing.T) {
	bcrypt2b, err := bcrypt.GenerateFromPassword([]byte("パスワード long enough"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	bcrypt2y := "$2y$" + strings.TrimPrefix(bcryptVector, "$2a$")
	argon := argon2Vector("password", 1024, 3, 2)
	tests := []struct {
		name, in, stored, password string
	}{
		{"bcrypt 2a vector", bcryptVector, bcryptVector, "allmine"},
		{"bcrypt 2y", bcrypt2y, bcrypt2y, "allmine"},
		{"bcrypt 2b generated", string(bcrypt2b), string(bcrypt2b), "パスワード long enough"},
		{"django vector", djangoVector, "$pbkdf2-sha256$i=20000$c2Vhc2FsdA$oBSd886ysm3AqYun62DOdin8YcfbU1z9cksZSuLP9r0", "lètmein"},
		{"django 120k", djangoVector120k, storedPBKDF2Vec120k, "lètmein"},
		{"phc pbkdf2", phcVector120k, storedPBKDF2Vec120k, "lètmein"},
		{"passlib pbkdf2", passlibVector120k, storedPBKDF2Vec120k, "lètmein"},
		{"stored pbkdf2 again", storedPBKDF2Vec120k, storedPBKDF2Vec120k, "lètmein"},
		{"argon2id reference", "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
			"$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4", "password"},
		{"argon2id other costs", argon, argon, "password"},
		{"surrounding space", " \t" + bcryptVector + "\r\n", bcryptVector, "allmine"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			stored, err := ParseImportedHash(tc.in)
			if err != nil || stored != tc.stored {
				t.Fatalf("ParseImportedHash = %q, %v; want %q", stored, err, tc.stored)
			}
			if ok, err := checkStoredPassword(stored, tc.password); err != nil || !ok {
				t.Errorf("right password: %v, %v", ok, err)
			}
			for _, wrong := range []string{tc.password + "z", "", strings.ToUpper(tc.password)} {
				if ok, err := checkStoredPassword(stored, wrong); err != nil || ok {
					t.Errorf("wrong password %q: %v, %v", wrong, ok, err)
				}
			}
		})
	}
}

func TestParseImportedHashRefuses(t *testing.T) {
	const salt, key = "c2Vhc2FsdA", "fsgWMpOXin7ZAmi4j+7XjKCZ4JCvxJTGiwwDrawRqSc"
	argon := func(params string) string {
		return "$argon2id$v=19$" + params + "$YW5vdGhlciBzYWx0IDE2Yg$" + strings.Repeat("A", 43)
	}
	tests := []struct{ name, in string }{
		{"empty", ""},
		{"plain text", "Demo#2025login"},
		{"md5 crypt", "$1$saltsalt$qjXMvbEw8oaL.CzflDugX/"},
		{"sha512 crypt", "$6$saltsalt$" + strings.Repeat("a", 86)},
		{"django sha1", "pbkdf2_sha1$20000$seasalt$abcdefghijklmnopqrstuvwxyz0="},
		{"django argon2", "argon2$argon2id$v=19$m=102400,t=2,p=8$c29tZXNhbHQ$" + key},
		{"oversized", "$2a$10$" + strings.Repeat("a", 2000)},

		{"argon2i", strings.Replace(argon("m=1024,t=2,p=1"), "argon2id", "argon2i", 1)},
		{"argon2id v=16", strings.Replace(argon("m=1024,t=2,p=1"), "v=19", "v=16", 1)},
		{"argon2id memory above 256 MiB", argon("m=262145,t=1,p=1")},
		{"argon2id time above 10", argon("m=1024,t=11,p=1")},
		{"argon2id memory × time above 1 GiB", argon("m=262144,t=5,p=1")},
		{"argon2id threads above 8", argon("m=1024,t=1,p=9")},
		{"argon2id padded", argon("m=1024,t=2,p=1") + "="},
		{"argon2id malformed", "$argon2id$v=19$m=1024$x$y"},

		{"bcrypt cost 15", "$2b$15$" + bcryptVector[7:]},
		{"bcrypt cost 31", "$2b$31$" + bcryptVector[7:]},
		{"bcrypt cost 03", "$2b$03$" + bcryptVector[7:]},
		{"bcrypt cost not digits", "$2b$1x$" + bcryptVector[7:]},
		{"bcrypt 2x", "$2x$10$" + bcryptVector[7:]},
		{"bcrypt 2", "$2$10$" + bcryptVector[7:]},
		{"bcrypt short", bcryptVector[:59]},
		{"bcrypt long", bcryptVector + "a"},
		{"bcrypt bad character", bcryptVector[:59] + "+"},

		{"django iterations below 1000", "pbkdf2_sha256$999$seasalt$" + key + "="},
		{"django iterations above 3,000,000", "pbkdf2_sha256$3000001$seasalt$" + key + "="},
		{"django iterations huge", "pbkdf2_sha256$99999999999999999999$seasalt$" + key + "="},
		{"django iterations signed", "pbkdf2_sha256$+20000$seasalt$" + key + "="},
		{"django salt short", "pbkdf2_sha256$20000$abc$" + key + "="},
		{"django hash unpadded", "pbkdf2_sha256$20000$seasalt$" + key},
		{"django hash short", "pbkdf2_sha256$20000$seasalt$YWJjZGVmZ2hpams="},
		{"django hash 64 bytes", "pbkdf2_sha256$20000$seasalt$" + base64.StdEncoding.EncodeToString(make([]byte, 64))},
		{"django extra field", djangoVector + "$x"},
		{"phc missing i", "$pbkdf2-sha256$n=20000$" + salt + "$" + key},
		{"phc l not the length", "$pbkdf2-sha256$i=20000,l=64$" + salt + "$" + key},
		{"phc l not a number", "$pbkdf2-sha256$i=20000,l=x$" + salt + "$" + key},
		{"phc padded salt", "$pbkdf2-sha256$i=20000$" + salt + "==$" + key},
		{"phc bad hash", "$pbkdf2-sha256$i=20000$" + salt + "$%%%%"},
		{"phc iterations above 3,000,000", "$pbkdf2-sha256$i=3000001$" + salt + "$" + key},
		{"phc missing hash", "$pbkdf2-sha256$i=20000$" + salt},
		{"passlib iterations below 1000", "$pbkdf2-sha256$999$" + salt + "$" + key},
	}
	for _, tc := range tests {
		stored, err := ParseImportedHash(tc.in)
		if !errors.Is(err, ErrUnsupportedHash) || stored != "" {
			t.Errorf("%s: got %q, %v; want ErrUnsupportedHash", tc.name, stored, err)
			continue
		}
		// The error is logged by the importer: it must not carry the hash.
		for _, part := range strings.Split(tc.in, "$") {
			if len(part) >= 16 && strings.Contains(err.Error(), part) {
				t.Errorf("%s: error %q contains part of the hash", tc.name, err)
			}
		}
	}
}

// A stored row is checked against the import bounds again, so a tampered
// one cannot make a login run bcrypt at cost 31 or PBKDF2 for minutes.
func TestCheckStoredPasswordRefusesOutOfBounds(t *testing.T) {
	for _, stored := range []string{
		"$2b$31$" + bcryptVector[7:],
		"$pbkdf2-sha256$i=500000000$c2Vhc2FsdA$fsgWMpOXin7ZAmi4j+7XjKCZ4JCvxJTGiwwDrawRqSc",
		"$1$saltsalt$qjXMvbEw8oaL.CzflDugX/",
		"",
	} {
		if ok, err := checkStoredPassword(stored, "allmine"); err == nil || ok {
			t.Errorf("%.20s: %v, %v; want an error", stored, ok, err)
		}
	}
}

// newCustomerTestService is a Service with cfg on a fresh database with
// one customer, "taro", whose login and trading password hashes are hash.
func newCustomerTestService(t *testing.T, cfg Config, hash string) (*Service, *data.Customer) {
	t.Helper()
	ctx := context.Background()
	now := time.Date(2026, 1, 5, 10, 0, 0, 0, jst.Zone)
	db, err := data.Open(ctx, pgtest.DSN(t, filepath.Join(t.TempDir(), "t.db")), func() time.Time { return now })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.InTx(ctx, func(tx *data.Tx) error {
		_, err := tx.CreateCustomer(ctx, &data.Customer{AccountNumber: "1000001", LoginID: "taro",
			NameKanji: "山田 太郎", NameKana: "ヤマダ タロウ", BirthDate: "1950-04-01", EmailStatus: "none",
			PasswordHash: hash, TradingPasswordHash: hash})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	c, err := db.CustomerByLoginID(ctx, "taro")
	if err != nil {
		t.Fatal(err)
	}
	return &Service{DB: db, Config: cfg}, c
}

// newImportTestService is newCustomerTestService with cheap argon2id and
// taro's hashes imported ones.
func newImportTestService(t *testing.T, imported string) (*Service, *data.Customer) {
	t.Helper()
	cfg := DefaultConfig()
	cfg.Argon2 = cheapArgon2()
	return newCustomerTestService(t, cfg, imported)
}

// An imported bcrypt or PBKDF2 check can be far cheaper than argon2id at
// our cost; timing it would shrink the estimate the hashing queue is
// sized by (S61), so it is not timed. A check at our cost still is.
func TestImportedCheckKeepsTheHashEstimate(t *testing.T) {
	stored, err := ParseImportedHash("pbkdf2_sha256$1000$seasalt$" + base64.StdEncoding.EncodeToString(make([]byte, 32)))
	if err != nil {
		t.Fatal(err)
	}
	s, _ := newImportTestService(t, stored)
	ctx := context.Background()
	before := s.hashLimiter().fastest.Load()
	for range 3 {
		if _, err := s.checkCustomerPassword(ctx, stored, "wrong"); err != nil {
			t.Fatal(err)
		}
	}
	if got := s.hashLimiter().fastest.Load(); got != before {
		t.Fatalf("estimate moved from %s to %s after imported checks", time.Duration(before), time.Duration(got))
	}
	own, err := HashPassword("pw", s.Config.Argon2)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.checkCustomerPassword(ctx, own, "pw"); err != nil {
		t.Fatal(err)
	}
	if got := s.hashLimiter().fastest.Load(); got == before {
		t.Fatal("a check at our own cost was not timed")
	}
}

// The right password against an imported hash stores our argon2id in the
// success's transaction, audited with the scheme's name and no hash; a
// wrong one changes nothing. Staff logins accept argon2id only.
func TestLoginUpgradesImportedHash(t *testing.T) {
	ctx := context.Background()
	imported, err := bcrypt.GenerateFromPassword([]byte("right password"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	s, c := newImportTestService(t, string(imported))

	if _, err := s.CheckLoginPassword(ctx, "taro", "wrong password", "192.0.2.1", ""); !errors.Is(err, ErrBadCredentials) {
		t.Fatalf("wrong password: %v", err)
	}
	if now, _ := s.DB.CustomerByLoginID(ctx, "taro"); now.PasswordHash != string(imported) {
		t.Fatal("a wrong password changed the hash")
	}
	if _, err := s.CheckLoginPassword(ctx, "taro", "right password", "192.0.2.1", ""); err != nil {
		t.Fatalf("right password: %v", err)
	}
	now, err := s.DB.CustomerByLoginID(ctx, "taro")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(now.PasswordHash, phcPrefix(s.Config.Argon2)) {
		t.Fatalf("hash after login is not our argon2id: %.30s", now.PasswordHash)
	}
	if ok, err := CheckPassword(now.PasswordHash, "right password"); err != nil || !ok {
		t.Fatalf("upgraded hash does not check: %v, %v", ok, err)
	}
	events, err := s.DB.AuditEventsFor(ctx, c.ID, 10)
	if err != nil {
		t.Fatal(err)
	}
	var upgrades int
	for _, e := range events {
		if e.Action == "password.upgrade" {
			upgrades++
			if e.Outcome != "success" || e.Detail != "kind=login scheme=bcrypt" || strings.Contains(e.Detail, "$") {
				t.Errorf("upgrade event %q %q", e.Outcome, e.Detail)
			}
		}
	}
	if upgrades != 1 {
		t.Fatalf("%d password.upgrade events, want 1", upgrades)
	}
	// The next login checks the argon2id hash and upgrades nothing.
	if _, err := s.CheckLoginPassword(ctx, "taro", "right password", "192.0.2.1", ""); err != nil {
		t.Fatalf("second login: %v", err)
	}
	if events, _ := s.DB.AuditEventsFor(ctx, c.ID, 10); countAction(events, "password.upgrade") != 1 {
		t.Error("second login upgraded again")
	}

	// A console login (staff) is never checked against an imported scheme.
	err = s.LoginPassword(ctx, PasswordAttempt{Try: PasswordTry{AcctKey: "staff-pw:x"}, Hash: string(imported),
		Password: "right password", Who: "staff", Event: func(outcome string) data.AuditEvent {
			return data.AuditEvent{ActorKind: "staff", Action: "staff.login.password", Outcome: outcome}
		}})
	if err == nil {
		t.Fatal("a staff login passed with a bcrypt hash")
	}
}

// A hash replaced since it was read (a reset while the login ran) is
// newer than the imported one checked, and stays.
func TestUpgradeKeepsANewerHash(t *testing.T) {
	ctx := context.Background()
	s, c := newImportTestService(t, bcryptVector)
	newer, err := HashPassword("reset meanwhile", s.Config.Argon2)
	if err != nil {
		t.Fatal(err)
	}
	upgraded, err := HashPassword("allmine", s.Config.Argon2)
	if err != nil {
		t.Fatal(err)
	}
	err = s.DB.InTx(ctx, func(tx *data.Tx) error {
		if err := tx.SetLoginPasswordHash(ctx, c.ID, bcryptVector, newer); err != nil {
			return err
		}
		return upgradeLoginPassword(ctx, tx, c, upgraded, data.AuditEvent{ActorKind: "customer", CustomerID: c.ID})
	})
	if err != nil {
		t.Fatal(err)
	}
	if now, _ := s.DB.CustomerByLoginID(ctx, "taro"); now.PasswordHash != newer {
		t.Fatal("the upgrade overwrote a newer hash")
	}
	if events, _ := s.DB.AuditEventsFor(ctx, c.ID, 10); countAction(events, "password.upgrade") != 0 {
		t.Error("an upgrade that did not happen was audited")
	}
}

func countAction(events []data.AuditEvent, action string) int {
	n := 0
	for _, e := range events {
		if e.Action == action {
			n++
		}
	}
	return n
}
