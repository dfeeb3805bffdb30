package main

import (
	"context"
	"slices"
	"strings"
	"testing"

	"mfadesk/data"
	"mfadesk/idp"
)

// With the demo data in dev, the demo relying party's client is seeded
// once, with the URIs cmd/mfadesk-demo-rp uses and the published secret
// (which the banner prints); its URIs pass the console's own checks.
func TestDemoClientSeeded(t *testing.T) {
	t.Parallel()
	a := newConsoleApp(t)
	ctx := context.Background()
	if seeded, err := seedDemoClient(ctx, a.App); err != nil || !seeded {
		t.Fatalf("seed: %v %v", seeded, err)
	}
	if seeded, err := seedDemoClient(ctx, a.App); err != nil || seeded {
		t.Fatalf("second seed: %v %v", seeded, err)
	}
	c, err := a.DB.OIDCClient(ctx, idp.DemoClientID)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(c.RedirectURIs, []string{"http://localhost:8081/callback"}) ||
		!slices.Equal(c.PostLogoutRedirectURIs, []string{"http://localhost:8081/"}) ||
		c.BackchannelLogoutURI != "http://localhost:8081/backchannel" || c.Public ||
		!slices.Equal(c.Scopes, []string{"openid", "profile", "email", "offline_access"}) ||
		!idp.ClientSecretMatches(c.SecretHash, idp.DemoClientSecret) {
		t.Errorf("demo client %+v", c)
	}
	if p := (&idp.Clients{AllowLoopbackHTTP: true}).Check(demoClient()); p != nil {
		t.Errorf("demo client fails the console's checks: %v", p)
	}
	var banner strings.Builder
	printBanner(&banner, a.Config, true)
	if !strings.Contains(banner.String(), "go run ./cmd/mfadesk-demo-rp") || !strings.Contains(banner.String(), idp.DemoClientSecret) {
		t.Errorf("banner:\n%s", banner.String())
	}
	banner.Reset()
	noDemo := a.Config
	noDemo.Demo = false
	if printBanner(&banner, noDemo, false); strings.Contains(banner.String(), idp.DemoClientSecret) {
		t.Errorf("banner without demo data prints the demo secret:\n%s", banner.String())
	}
}

// Production refuses a database holding the demo client, or any client
// given its published secret, even without the demo customers.
func TestProductionRefusesDemoClient(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a := newTestApp(t, func(cfg *Config) { cfg.Demo = false })
	if _, err := seedDemoStaff(ctx, a.App); err != nil {
		t.Fatal(err)
	}
	admin, err := a.DB.StaffByLogin(ctx, "admin")
	if err != nil {
		t.Fatal(err)
	}
	_, secret, err := (&idp.Clients{DB: a.DB}).Register(ctx, idp.ClientInput{Name: "Trade",
		RedirectURIs: []string{"https://trade.example.jp/cb"}, Scopes: []string{"openid"}}, data.AuditEvent{StaffID: admin.ID})
	if err != nil || secret == "" {
		t.Fatalf("register: %v", err)
	}
	if err := refuseDemoData(ctx, a.App); err != nil {
		t.Fatalf("database with a real client refused: %v", err)
	}
	if _, err := seedDemoClient(ctx, a.App); err != nil {
		t.Fatal(err)
	}
	err = refuseDemoData(ctx, a.App)
	if err == nil || !strings.Contains(err.Error(), "oidc client demo-rp") {
		t.Fatalf("database with the demo client: %v", err)
	}

	b := newTestApp(t, func(cfg *Config) { cfg.Demo = false })
	if _, err := seedDemoStaff(ctx, b.App); err != nil {
		t.Fatal(err)
	}
	admin, _ = b.DB.StaffByLogin(ctx, "admin")
	if err := b.DB.InTx(ctx, func(tx *data.Tx) error {
		return tx.CreateOIDCClient(ctx, &data.OIDCClient{ID: "copied", Name: "Copied", RedirectURIs: []string{"https://x.example/cb"},
			Scopes: []string{"openid"}, SecretHash: idp.HashClientSecret(idp.DemoClientSecret), CreatedBy: admin.ID})
	}); err != nil {
		t.Fatal(err)
	}
	if err := refuseDemoData(ctx, b.App); err == nil || !strings.Contains(err.Error(), "oidc client copied") {
		t.Fatalf("client with the demo secret: %v", err)
	}
}
