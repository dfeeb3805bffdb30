package main

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"mfadesk/mfa"
)

// The other flow tests hash cheaply (testConfig); this one keeps the
// production parameters covered: the flags' default is mfa.DefaultArgon2,
// and a whole app on it stores and checks hashes of that cost.
func TestProductionArgon2(t *testing.T) {
	t.Parallel()
	cfg, err := parseConfig(nil, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.MFA.Argon2 != mfa.DefaultArgon2() {
		t.Errorf("configured argon2id %+v, want the default %+v", cfg.MFA.Argon2, mfa.DefaultArgon2())
	}
	if testArgon2() == mfa.DefaultArgon2() {
		t.Fatal("testArgon2 is the production cost: this test would prove nothing")
	}

	a := newTestApp(t, productionArgon2)
	stored, err := a.DB.CustomerByLoginID(context.Background(), "demo-app")
	if err != nil {
		t.Fatal(err)
	}
	const prefix = "$argon2id$v=19$m=19456,t=2,p=1$"
	if !strings.HasPrefix(stored.PasswordHash, prefix) || !strings.HasPrefix(stored.TradingPasswordHash, prefix) {
		t.Errorf("demo hashes %q, %q; want the production parameters", stored.PasswordHash[:32], stored.TradingPasswordHash[:32])
	}
	c := a.newClient()
	if p := c.login("demo-app", "not the password"); p.status == http.StatusSeeOther {
		t.Fatal("wrong password passed")
	}
	if p := c.login("demo-app", demoPassword); p.status != http.StatusSeeOther || p.location != "/login/verify" {
		t.Fatalf("password step: status %d location %q", p.status, p.location)
	}
}
