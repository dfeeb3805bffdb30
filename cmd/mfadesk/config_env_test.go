package main

import (
	"bytes"
	"encoding/hex"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"mfadesk/mfa"
)

func mapEnv(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

// runWithEnv runs the command line with env as the environment and
// returns everything it wrote, stdout and stderr, and its error.
func runWithEnv(env map[string]string, args ...string) (string, error) {
	var out bytes.Buffer
	err := run(args, mapEnv(env), &out, &out)
	return out.String(), err
}

// Secrets come from the environment; --help, usage errors and refusals
// show none of them (docs/operations.md, Configuration).
func TestSecretsNeverPrinted(t *testing.T) {
	t.Parallel()
	secrets := map[string]string{
		"MFADESK_SECRET_KEY":     productionKey,
		"MFADESK_SMTP_PASSWORD":  "smtp-pw-Zq81",
		"MFADESK_SMS_TOKEN":      "sms-tok-Zq82",
		"MFADESK_OLD_SECRET_KEY": "9ec1448019ec71b9efe7c54115f3133d9ec1448019ec71b9efe7c54115f3133e",
		"MFADESK_NEW_SECRET_KEY": "1f0e8a34c2d95b7766aa0b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f70",
	}
	noSecret := func(t *testing.T, what, out string, err error) {
		t.Helper()
		text := out
		if err != nil {
			text += err.Error()
		}
		for name, v := range secrets {
			if strings.Contains(text, v) {
				t.Errorf("%s shows %s:\n%s", what, name, text)
			}
		}
	}
	for _, args := range [][]string{
		{"--help"},
		{"--no-such-flag"},
		{"--code-ttl", "soon"},
		{"migrate", "--help"},
		{"audit", "verify", "--help"},
		{"staff", "list", "--bogus"},
		{"rekey", "--help"},
		{"rekey", "--bogus"},
	} {
		out, err := runWithEnv(secrets, args...)
		if err == nil {
			t.Errorf("%v: no error", args)
		}
		noSecret(t, strings.Join(args, " "), out, err)
	}
	// A bad secret is named by its flag, never shown.
	for _, bad := range []string{"zz-not-a-key-Zq83", strings.Repeat("ab", 32)} {
		env := map[string]string{"MFADESK_SECRET_KEY": bad}
		_, err := parseConfig(nil, mapEnv(env), io.Discard)
		if err == nil || !strings.Contains(err.Error(), "--secret-key") || strings.Contains(err.Error(), bad) {
			t.Errorf("bad secret key: %v", err)
		}
	}
}

func TestEnvValues(t *testing.T) {
	t.Parallel()
	t.Run("booleans", func(t *testing.T) {
		for v, want := range map[string]bool{"1": true, "0": false, "true": true, "FALSE": false, "Yes": true,
			"no": false, "ON": true, "off": false, "t": true, "F": false} {
			cfg, err := parseConfig(nil, mapEnv(map[string]string{"MFADESK_READ_CACHE": v, "MFADESK_TLS_TERMINATED_BY_PROXY": v}), io.Discard)
			if err != nil {
				t.Fatalf("%q: %v", v, err)
			}
			if cfg.ReadCache != want || cfg.TLSTerminatedByProxy != want {
				t.Errorf("%q: read cache %v, proxy %v, want %v", v, cfg.ReadCache, cfg.TLSTerminatedByProxy, want)
			}
		}
		cfg, err := parseConfig(nil, mapEnv(map[string]string{"MFADESK_DEMO": "0"}), io.Discard)
		if err != nil || cfg.Demo {
			t.Errorf("MFADESK_DEMO=0 in dev: demo %v (%v)", cfg.Demo, err)
		}
	})
	t.Run("every bad value named at once", func(t *testing.T) {
		env := map[string]string{"MFADESK_CODE_TTL": "5 minutes", "MFADESK_LOCK_THRESHOLD": "ten",
			"MFADESK_READ_CACHE": "maybe", "MFADESK_SMTP_PORT": "25x", "MFADESK_LOGIN_MFA_FROM": "next week"}
		_, err := parseConfig(nil, mapEnv(env), io.Discard)
		if err == nil {
			t.Fatal("bad values accepted")
		}
		for _, want := range []string{`MFADESK_CODE_TTL: "5 minutes" is not a duration`, `MFADESK_LOCK_THRESHOLD: "ten" is not a whole number`,
			`MFADESK_READ_CACHE: "maybe" is not a boolean`, `MFADESK_SMTP_PORT: "25x" is not a whole number`, "--login-mfa-from"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error lacks %q:\n%v", want, err)
			}
		}
	})
	t.Run("applied, command line first", func(t *testing.T) {
		env := map[string]string{"MFADESK_CODE_TTL": "10m", "MFADESK_LOCK_THRESHOLD": "7", "MFADESK_STEPUP_WINDOW": "2m"}
		cfg, err := parseConfig([]string{"--stepup-window", "3m"}, mapEnv(env), io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		if cfg.MFA.CodeTTL != 10*time.Minute || cfg.MFA.LockThreshold != 7 || cfg.MFA.StepUpWindow != 3*time.Minute {
			t.Errorf("code ttl %v, lock threshold %d, step-up %v", cfg.MFA.CodeTTL, cfg.MFA.LockThreshold, cfg.MFA.StepUpWindow)
		}
	})
}

func TestUnknownEnvNamed(t *testing.T) {
	t.Parallel()
	cfg, err := parseConfig(nil, mapEnv(nil), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	got := cfg.unknownEnv([]string{"MFADESK_SECRET_KY=abc", "MFADESK_DB=x", "MFADESK_OLD_SECRET_KEY=y",
		"MFADESK_METRICS_ADDR=z", "HOME=/root", "MFADESK_CODETTL=5m"})
	if strings.Join(got, ",") != "MFADESK_CODETTL,MFADESK_SECRET_KY" {
		t.Errorf("unknown %v", got)
	}
}

func TestWeakSecretKeyRefused(t *testing.T) {
	t.Parallel()
	half := "9ec1448019ec71b9efe7c54115f3133d"
	for _, tt := range []struct {
		name, key string
		ok        bool
	}{
		{"all zero", strings.Repeat("00", 32), false},
		{"one byte", strings.Repeat("07", 32), false},
		{"short pattern", strings.Repeat("deadbeef", 8), false},
		{"fifteen values", strings.Repeat("000102030405060708090a0b0c0d0e", 3)[:64], false},
		{"16 bytes twice", half + half, false},
		{"random", productionKey, true},
		{"development key in dev", hex.EncodeToString(mfa.DevSecretKey()), true},
	} {
		_, err := parseConfig([]string{"--secret-key", tt.key}, mapEnv(nil), io.Discard)
		if (err == nil) != tt.ok {
			t.Errorf("%s: %v", tt.name, err)
		}
		if err != nil && (!strings.Contains(err.Error(), "--secret-key") || strings.Contains(err.Error(), tt.key)) {
			t.Errorf("%s: error %q does not name the flag, or shows the key", tt.name, err)
		}
	}
}

func TestDevOriginFollowsAddr(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		args []string
		env  map[string]string
		want string
	}{
		{nil, nil, "http://localhost:8080"},
		{[]string{"--addr", "127.0.0.1:18493"}, nil, "http://localhost:18493"},
		{[]string{"--addr", "0.0.0.0:9000"}, nil, "http://localhost:9000"},
		{[]string{"--addr", "[::]:9001"}, nil, "http://localhost:9001"},
		{[]string{"--addr", ":9002"}, nil, "http://localhost:9002"},
		{[]string{"--addr", "192.168.1.5:9003"}, nil, "http://192.168.1.5:9003"},
		{nil, map[string]string{"MFADESK_ADDR": "127.0.0.1:9004"}, "http://localhost:9004"},
		{[]string{"--addr", "127.0.0.1:9005", "--origin", "http://mfadesk.test:80"}, nil, "http://mfadesk.test:80"},
		{[]string{"--addr", "127.0.0.1:9006"}, map[string]string{"MFADESK_ORIGIN": "http://mfadesk.test"}, "http://mfadesk.test"},
	} {
		cfg, err := parseConfig(tt.args, mapEnv(tt.env), io.Discard)
		if err != nil {
			t.Fatalf("%v %v: %v", tt.args, tt.env, err)
		}
		if cfg.Origin != tt.want {
			t.Errorf("%v %v: origin %s, want %s", tt.args, tt.env, cfg.Origin, tt.want)
		}
	}
	if _, err := parseConfig([]string{"--addr", "8080"}, mapEnv(nil), io.Discard); err == nil || !strings.Contains(err.Error(), "--addr") {
		t.Errorf("--addr without a port: %v", err)
	}
}

func TestGoVersionWarning(t *testing.T) {
	t.Parallel()
	mod, err := os.ReadFile("../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	toolchain := ""
	for _, line := range strings.Split(string(mod), "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "toolchain "); ok {
			toolchain = strings.TrimSpace(v)
		}
	}
	if toolchain != goToolchain {
		t.Errorf("go.mod's toolchain is %q, goToolchain is %q: change them together", toolchain, goToolchain)
	}
	for running, warn := range map[string]bool{"go1.26.8": true, "go1.25.3": true, "go1.26.11": false,
		"go1.26.12": false, "go1.27.0": false, "go1.26.11 X:nodwarf5": false, "devel go1.27-abcdef": false} {
		if got := goVersionWarning(running) != ""; got != warn {
			t.Errorf("%s: warning %v, want %v", running, got, warn)
		}
	}
}
