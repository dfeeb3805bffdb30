package main

import (
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mfadesk/data"
	"mfadesk/mfa"
)

// testCert writes httptest's self-signed certificate for 127.0.0.1 and
// its key as PEM files, and returns a pool that trusts it.
func testCert(t *testing.T) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	srv := httptest.NewUnstartedServer(http.NotFoundHandler())
	srv.StartTLS()
	defer srv.Close()
	c := srv.TLS.Certificates[0]
	key, err := x509.MarshalPKCS8PrivateKey(c.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Certificate[0]}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: key}), 0o600); err != nil {
		t.Fatal(err)
	}
	pool = x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	return certFile, keyFile, pool
}

// productionKey is random (`openssl rand -hex 32`): patterned keys are refused.
const productionKey = "43b34527b2a3fd9e331f27b58ddaa65eca8dd79954fc1ef4ee019b7e1733ed8c"

const productionAuditKey = "9f1c2e7a5b3d8e6f0a4c1b9d7e2f5a8c3b6d0e9f1a7c4b2e8d5f3a6c9b0e7d1f"

// safeProduction is a production configuration that starts.
func safeProduction() []string {
	return []string{"--env", "production", "--delivery", "smtp", "--smtp-host", "smtp.example.jp",
		"--smtp-from", "noreply@example.jp", "--sms-url", "https://sms.example.jp/v1/messages",
		"--secret-key", productionKey, "--audit-key", productionAuditKey, "--origin", "https://mfadesk.example.jp",
		"--tls-terminated-by-proxy", "--metrics-addr", "10.0.0.5:9100"}
}

// with returns args with flag set to value (added, or replaced), or
// removed when value is "-".
func with(args []string, flag, value string) []string {
	var out []string
	for i := 0; i < len(args); i++ {
		if args[i] == flag {
			if i+1 < len(args) && !strings.HasPrefix(args[i+1], "--") {
				i++
			}
			continue
		}
		out = append(out, args[i])
	}
	if value == "-" {
		return out
	}
	if value == "" {
		return append(out, flag)
	}
	return append(out, flag, value)
}

func TestProductionRefusesUnsafeSettings(t *testing.T) {
	t.Parallel()
	certFile, keyFile, _ := testCert(t)
	devKey := hex.EncodeToString(mfa.DevSecretKey())
	safe := safeProduction()
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want string // in the error
	}{
		{"dev delivery", with(safe, "--delivery", "dev"), nil, "--delivery smtp"},
		{"no secret key", with(safe, "--secret-key", "-"), nil, "--secret-key"},
		{"development key given", with(safe, "--secret-key", devKey), nil, "development key"},
		{"demo data", with(safe, "--demo", ""), nil, "demo"},
		{"no audit key", with(safe, "--audit-key", "-"), nil, "--audit-key"},
		{"development audit key", with(safe, "--audit-key", hex.EncodeToString(data.DevAuditKey())), nil, "--audit-key"},
		{"audit key is the secret key", with(safe, "--audit-key", productionKey), nil, "--audit-key different from --secret-key"},
		{"demo data from the environment", safe, map[string]string{"MFADESK_DEMO": "true"}, "demo"},
		{"http origin", with(safe, "--origin", "http://mfadesk.example.jp"), nil, "https:// --origin"},
		{"no TLS", with(safe, "--tls-terminated-by-proxy", "-"), nil, "--tls-cert"},
		{"unencrypted SMTP", with(safe, "--smtp-tls", "none"), nil, "--smtp-tls"},
		{"http SMS provider", with(safe, "--sms-url", "http://sms.example.jp/v1"), nil, "--sms-url"},
		{"no SMS provider", with(safe, "--sms-url", "-"), nil, "--sms-url"},
		{"no SMTP host", with(safe, "--smtp-host", "-"), nil, "--smtp-host"},
		{"cert without key", with(with(safe, "--tls-terminated-by-proxy", "-"), "--tls-cert", certFile), nil, "--tls-key"},
		{"unreadable cert", with(with(with(safe, "--tls-terminated-by-proxy", "-"), "--tls-cert", certFile+".missing"), "--tls-key", keyFile), nil, "--tls-cert"},
		{"unknown delivery", with(safe, "--delivery", "carrier-pigeon"), nil, "--delivery"},
		{"metrics on the customer listener", with(safe, "--metrics-addr", "-"), nil, "--metrics-addr"},
		{"no origin", with(safe, "--origin", "-"), nil, "https:// --origin"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseConfig(tt.args, func(k string) string { return tt.env[k] }, io.Discard)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one naming %q", err, tt.want)
			}
		})
	}

	t.Run("audit key from the environment", func(t *testing.T) {
		env := map[string]string{"MFADESK_AUDIT_KEY": productionAuditKey}
		cfg, err := parseConfig(with(safe, "--audit-key", "-"), func(k string) string { return env[k] }, io.Discard)
		if err != nil || hex.EncodeToString(cfg.AuditKey) != productionAuditKey {
			t.Fatalf("%v, key set %v", err, cfg.AuditKey != nil)
		}
	})

	t.Run("safe settings start", func(t *testing.T) {
		for _, args := range [][]string{safe,
			with(with(with(safe, "--tls-terminated-by-proxy", "-"), "--tls-cert", certFile), "--tls-key", keyFile)} {
			cfg, err := parseConfig(args, func(string) string { return "" }, io.Discard)
			if err != nil {
				t.Fatalf("%v: %v", args, err)
			}
			if cfg.Demo || cfg.Dev() || cfg.Delivery != "smtp" || cfg.SMTP.Security != "starttls" {
				t.Errorf("config %+v", cfg)
			}
		}
	})
}

func TestDeliveryConfigFromEnvironment(t *testing.T) {
	t.Parallel()
	env := map[string]string{
		"MFADESK_DELIVERY": "smtp", "MFADESK_SMTP_HOST": "smtp.example.jp", "MFADESK_SMTP_PORT": "2525",
		"MFADESK_SMTP_USER": "mailer", "MFADESK_SMTP_PASSWORD": "pw-secret", "MFADESK_SMTP_FROM": "noreply@example.jp",
		"MFADESK_SMTP_TLS": "tls", "MFADESK_SMS_URL": "http://127.0.0.1:9/sms", "MFADESK_SMS_TOKEN": "tok-secret",
	}
	cfg, err := parseConfig(nil, func(k string) string { return env[k] }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	s := cfg.SMTP
	if s.Host != "smtp.example.jp" || s.Port != 2525 || s.User != "mailer" || s.Password != "pw-secret" ||
		s.From != "noreply@example.jp" || s.Security != "tls" || cfg.SMS.URL != env["MFADESK_SMS_URL"] || cfg.SMS.Token != "tok-secret" {
		t.Errorf("config %+v %+v", s, cfg.SMS)
	}
	if !cfg.Demo || !cfg.Dev() {
		t.Error("dev lost its demo data default")
	}
	// A bad provider URL is named by flag, never echoed: it may hold credentials.
	env["MFADESK_SMS_URL"] = "https//user:secret@sms"
	if _, err := parseConfig(nil, func(k string) string { return env[k] }, io.Discard); err == nil || strings.Contains(err.Error(), "secret") {
		t.Errorf("bad SMS URL: %v", err)
	}
}

func TestApprovalFlags(t *testing.T) {
	t.Parallel()
	env := func(string) string { return "" }
	cfg, err := parseConfig([]string{"--approval-roles", "agent, supervisor", "--approval-actions", "reset", "--temp-pass-ttl", "30m"}, env, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(cfg.MFA.ApprovalRoles, ",") != "agent,supervisor" || strings.Join(cfg.MFA.ApprovalActions, ",") != "reset" || cfg.MFA.TempPassTTL != 30*time.Minute {
		t.Fatalf("parsed %v %v %v", cfg.MFA.ApprovalRoles, cfg.MFA.ApprovalActions, cfg.MFA.TempPassTTL)
	}
	if _, err := parseConfig([]string{"--approval-actions", "reset,delete"}, env, io.Discard); err == nil {
		t.Fatal("an unknown approval action was accepted")
	}
}
