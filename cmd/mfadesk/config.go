package main

import (
	"flag"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"mfadesk/mfa"
)

// Config is everything the program reads from flags and MFADESK_* variables.
type Config struct {
	Env         string // dev or production
	Addr        string
	ConsoleAddr string
	DB          string
	Origin      string
	Delivery    string // dev: messages stay in the outbox, shown at /dev/outbox
	SecretKey   []byte
	Demo        bool
	MFA         mfa.Config
}

// Dev reports whether this is a development run.
func (c Config) Dev() bool { return c.Env == "dev" }

// parseConfig reads flags, falling back to MFADESK_<NAME> environment
// variables, then to the defaults of DESIGN §4.
func parseConfig(args []string, getenv func(string) string, stderr io.Writer) (Config, error) {
	fs := flag.NewFlagSet("mfadesk serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	env := func(name, def string) string {
		if v := getenv("MFADESK_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))); v != "" {
			return v
		}
		return def
	}
	def := mfa.DefaultConfig()
	var cfg Config
	var secret, loginFrom, emailFrom, prFrom, interimUntil string
	fs.StringVar(&cfg.Env, "env", env("env", "dev"), "dev or production")
	fs.StringVar(&cfg.Addr, "addr", env("addr", "127.0.0.1:8080"), "listen address of the customer site")
	fs.StringVar(&cfg.ConsoleAddr, "console-addr", env("console-addr", ""), "console on its own listener (default: same listener under /console)")
	fs.StringVar(&cfg.DB, "db", env("db", "./mfadesk.db"), "SQLite database file")
	fs.StringVar(&cfg.Origin, "origin", env("origin", "http://localhost:8080"), "public URL; its host is the WebAuthn RP ID")
	fs.StringVar(&cfg.Delivery, "delivery", env("delivery", "dev"), "message delivery: dev (outbox only)")
	fs.StringVar(&secret, "secret-key", env("secret-key", ""), "32-byte key (hex or base64) for secrets at rest; dev uses a fixed development key")
	fs.BoolVar(&cfg.Demo, "demo", env("demo", "true") == "true", "seed demo data into an empty database (dev delivery only)")
	fs.StringVar(&loginFrom, "login-mfa-from", env("login-mfa-from", dateFlag(def.LoginMFAFrom)), "date login MFA becomes mandatory (YYYY-MM-DD JST, or off)")
	fs.StringVar(&emailFrom, "email-required-from", env("email-required-from", dateFlag(def.EmailRequiredFrom)), "date a valid email becomes required (YYYY-MM-DD JST, or off)")
	fs.StringVar(&prFrom, "phishing-resistant-from", env("phishing-resistant-from", "off"), "date passkeys become required where enrolled (YYYY-MM-DD JST, or off)")
	fs.StringVar(&interimUntil, "interim-methods-until", env("interim-methods-until", "off"), "date other methods stop passing protected operations (YYYY-MM-DD JST, or off)")
	fs.DurationVar(&def.CodeTTL, "code-ttl", envDuration(env, "code-ttl", def.CodeTTL), "validity of SMS and email codes")
	fs.IntVar(&def.CodeMaxAttempts, "code-max-attempts", envInt(env, "code-max-attempts", def.CodeMaxAttempts), "wrong tries per code")
	fs.DurationVar(&def.ResendCooldown, "resend-cooldown", envDuration(env, "resend-cooldown", def.ResendCooldown), "wait between code sends")
	fs.IntVar(&def.SendsPerHour, "sends-per-hour", envInt(env, "sends-per-hour", def.SendsPerHour), "codes sent to one account per hour")
	fs.DurationVar(&def.StepUpWindow, "stepup-window", envDuration(env, "stepup-window", def.StepUpWindow), "how recent a second factor must be for a sensitive operation")
	fs.DurationVar(&def.WithdrawalHold, "withdrawal-hold", envDuration(env, "withdrawal-hold", def.WithdrawalHold), "withdrawal hold after a contact change or support reset")
	fs.IntVar(&def.LockThreshold, "lock-threshold", envInt(env, "lock-threshold", def.LockThreshold), "consecutive second-factor failures that lock")
	fs.DurationVar(&def.LockDuration, "lock-duration", envDuration(env, "lock-duration", def.LockDuration), "how long a second-factor lock lasts")
	fs.IntVar(&def.PasswordFailuresPerAccount, "password-failures-per-account", envInt(env, "password-failures-per-account", def.PasswordFailuresPerAccount), "password failures per account per window")
	fs.IntVar(&def.PasswordFailuresPerAddress, "password-failures-per-address", envInt(env, "password-failures-per-address", def.PasswordFailuresPerAddress), "password failures per client address per window")
	fs.DurationVar(&def.PasswordWindow, "password-window", envDuration(env, "password-window", def.PasswordWindow), "password throttling window")
	if err := fs.Parse(args); err != nil {
		return Config{}, err
	}
	if fs.NArg() > 0 {
		return Config{}, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	var err error
	for _, d := range []struct {
		name string
		in   string
		out  *time.Time
	}{{"login-mfa-from", loginFrom, &def.LoginMFAFrom}, {"email-required-from", emailFrom, &def.EmailRequiredFrom},
		{"phishing-resistant-from", prFrom, &def.PhishingResistantFrom}, {"interim-methods-until", interimUntil, &def.InterimMethodsUntil}} {
		if *d.out, err = parseDate(d.in); err != nil {
			return Config{}, fmt.Errorf("--%s: %w", d.name, err)
		}
	}
	cfg.MFA = def
	if err := cfg.validate(secret); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

func (cfg *Config) validate(secret string) error {
	if cfg.Env != "dev" && cfg.Env != "production" {
		return fmt.Errorf("--env must be dev or production, not %q", cfg.Env)
	}
	if cfg.Delivery != "dev" {
		return fmt.Errorf("--delivery %q is not available yet; use dev", cfg.Delivery)
	}
	u, err := url.Parse(cfg.Origin)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("--origin must be a URL like https://example.jp, not %q", cfg.Origin)
	}
	cfg.SecretKey = mfa.DevSecretKey()
	if secret != "" {
		if cfg.SecretKey, err = mfa.ParseSecretKey(secret); err != nil {
			return fmt.Errorf("--secret-key: %w", err)
		}
	}
	if cfg.Env == "production" {
		// Issue 8 adds SMTP and SMS delivery; until then production cannot run safely.
		return fmt.Errorf("production mode needs real delivery (SMTP, SMS), which this build does not have yet")
	}
	return nil
}

func dateFlag(t time.Time) string {
	if t.IsZero() {
		return "off"
	}
	return t.In(mfa.JST).Format("2006-01-02")
}

// parseDate reads YYYY-MM-DD as the start of that day in JST, or "off".
func parseDate(s string) (time.Time, error) {
	if s == "off" || s == "" {
		return time.Time{}, nil
	}
	t, err := time.ParseInLocation("2006-01-02", s, mfa.JST)
	if err != nil {
		return time.Time{}, fmt.Errorf("want YYYY-MM-DD or off, got %q", s)
	}
	return t, nil
}

func envDuration(env func(string, string) string, name string, def time.Duration) time.Duration {
	if d, err := time.ParseDuration(env(name, "")); err == nil {
		return d
	}
	return def
}

func envInt(env func(string, string) string, name string, def int) int {
	var n int
	if _, err := fmt.Sscanf(env(name, ""), "%d", &n); err == nil {
		return n
	}
	return def
}
