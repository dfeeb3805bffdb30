package main

import (
	"io"
	"testing"

	"mfadesk/idp"
)

// The defaults fit `go run ./cmd/mfadesk` with its demo data: the demo
// client, its published secret, the URLs it is registered with, and the
// phishing-resistant class for 「出金」.
func TestFlags(t *testing.T) {
	cfg, addr, err := config(nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Issuer != "http://localhost:8080/oidc" || cfg.ClientID != idp.DemoClientID || cfg.ClientSecret != idp.DemoClientSecret ||
		cfg.BaseURL != "http://localhost:8081" || addr != "localhost:8081" || cfg.StepUpACR != idp.ACRPhishingResistant {
		t.Errorf("defaults %+v %q", cfg, addr)
	}
	cfg, addr, err = config([]string{"--issuer", "https://id.example.jp/oidc", "--client-id", "trade", "--client-secret", "s",
		"--addr", "127.0.0.1:9000"}, io.Discard)
	if err != nil || cfg.Issuer != "https://id.example.jp/oidc" || cfg.ClientID != "trade" || cfg.ClientSecret != "s" ||
		cfg.BaseURL != "http://127.0.0.1:9000" || addr != "127.0.0.1:9000" {
		t.Errorf("flags: %v %+v", err, cfg)
	}
	if _, _, err := config([]string{"extra"}, io.Discard); err == nil {
		t.Error("a stray argument was accepted")
	}
}
