package main

import (
	"bytes"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"mfadesk/data"
	"mfadesk/jst"
	"mfadesk/mfa"
	"mfadesk/notify"
	"mfadesk/support"
	"mfadesk/web"
)

// Config is everything the program reads from flags and MFADESK_* variables.
type Config struct {
	Env         string // dev or production
	Addr        string
	ConsoleAddr string
	DB          string
	Origin      string
	// Delivery is dev (messages stay in the outbox, shown at /dev/outbox)
	// or smtp (email over SMTP, SMS over the provider's HTTP API).
	Delivery  string
	SMTP      notify.SMTPSender // Password is a secret: never logged
	SMS       notify.SMSSender  // Token is a secret: never logged
	SecretKey []byte
	Demo      bool
	MFA       mfa.Config
	// TLS: the server serves HTTPS itself with a certificate and key, or
	// a reverse proxy in front of it terminates TLS (said explicitly).
	TLSCert              string
	TLSKey               string
	TLSTerminatedByProxy bool
	// MetricsAddr serves /metrics (and /healthz) on its own listener and
	// takes /metrics off the customer listener.
	MetricsAddr string
	// knownEnv is every MFADESK_* variable mfadesk reads (unknownEnv).
	knownEnv map[string]bool
	// ReadCache keeps pages' sessions, customers and factor summaries in
	// memory (data/cache.go). Off for a second process writing the same
	// database, which the cache would see only after its one-second TTL.
	ReadCache bool
	// TrustedProxies are the reverse proxies whose X-Forwarded-For or
	// Forwarded header names the client (web.ClientIP).
	TrustedProxies []netip.Prefix
	// AuditKey keys the audit trail's chain and anchors; a secret, never
	// logged. Empty: the public development audit key (refused in production).
	AuditKey []byte
	// AuditAnchor is the file the audit trail's head is appended to.
	AuditAnchor string
	// OldSecretKeys are earlier secret keys, used only to check keyed
	// hashes and open secrets they made, never to make new ones.
	OldSecretKeys [][]byte
	// Retention is applied by the periodic sweep (docs/operations.md).
	Retention data.Retention
	// LetterFont is the Japanese TrueType font letters are printed with;
	// empty or unreadable: the print queue says what to install.
	LetterFont string
	// OIDCKeyRotation is how long an OpenID Connect signing key signs
	// before its successor takes over (docs/operations.md).
	OIDCKeyRotation time.Duration
}

// Dev reports whether this is a development run.
func (c Config) Dev() bool { return c.Env == "dev" }

// parseConfig reads flags, falling back to MFADESK_<NAME> environment
// variables (applied and checked by applyEnv, config_env.go), then to the
// built-in defaults.
func parseConfig(args []string, getenv func(string) string, stderr io.Writer) (Config, error) {
	fs := flag.NewFlagSet("mfadesk serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage of %s (each flag can be set as MFADESK_<NAME>; defaults shown are the built-in ones):\n", fs.Name())
		fs.PrintDefaults()
	}
	def := mfa.DefaultConfig()
	keep := data.DefaultRetention()
	var cfg Config
	var secret, loginFrom, emailFrom, prFrom, interimUntil string
	var trustedProxies string
	fs.StringVar(&cfg.Env, "env", env("env", "dev"), "dev or production")
	fs.StringVar(&cfg.Addr, "addr", env("addr", "127.0.0.1:8080"), "listen address of the customer site")
	fs.StringVar(&cfg.ConsoleAddr, "console-addr", env("console-addr", ""), "console on its own listener (default: same listener under /console)")
	fs.StringVar(&cfg.DB, "db", env("db", "./mfadesk.db"), "SQLite database file")
	fs.StringVar(&cfg.Origin, "origin", env("origin", ""), "public URL; its host is the WebAuthn RP ID (default http://localhost:<port of --addr>)")
	fs.StringVar(&cfg.Delivery, "delivery", env("delivery", "dev"), "message delivery: dev (outbox only) or smtp (email over SMTP, SMS over HTTP)")
	fs.StringVar(&cfg.SMTP.Host, "smtp-host", env("smtp-host", ""), "SMTP server host")
	fs.IntVar(&cfg.SMTP.Port, "smtp-port", envInt(env, "smtp-port", 0), "SMTP server port (default 587 for starttls, 465 for tls, 25 for none)")
	fs.StringVar(&cfg.SMTP.User, "smtp-user", env("smtp-user", ""), "SMTP AUTH user (no AUTH when empty)")
	fs.StringVar(&cfg.SMTP.Password, "smtp-password", env("smtp-password", ""), "SMTP AUTH password (prefer MFADESK_SMTP_PASSWORD)")
	fs.StringVar(&cfg.SMTP.From, "smtp-from", env("smtp-from", ""), "sender address of emails")
	fs.StringVar(&cfg.SMTP.Security, "smtp-tls", env("smtp-tls", notify.SMTPStartTLS), "SMTP transport security: starttls, tls or none (none only in dev)")
	fs.StringVar(&cfg.SMS.URL, "sms-url", env("sms-url", ""), "SMS provider API URL: POST {\"to\",\"body\"} as JSON")
	fs.StringVar(&cfg.SMS.Token, "sms-token", env("sms-token", ""), "SMS provider bearer token (prefer MFADESK_SMS_TOKEN)")
	fs.StringVar(&cfg.TLSCert, "tls-cert", env("tls-cert", ""), "TLS certificate file (PEM): serve HTTPS, TLS 1.2+")
	fs.StringVar(&cfg.TLSKey, "tls-key", env("tls-key", ""), "TLS private key file (PEM)")
	fs.BoolVar(&cfg.TLSTerminatedByProxy, "tls-terminated-by-proxy", env("tls-terminated-by-proxy", "false") == "true", "a reverse proxy in front terminates TLS (production without --tls-cert)")
	fs.StringVar(&cfg.MetricsAddr, "metrics-addr", env("metrics-addr", ""), "serve /metrics on this address instead of the customer listener")
	fs.StringVar(&trustedProxies, "trusted-proxies", env("trusted-proxies", ""), "comma-separated CIDRs of reverse proxies whose X-Forwarded-For/Forwarded name the client (default: none, the connection's address is the client)")
	fs.StringVar(&secret, "secret-key", env("secret-key", ""), "32-byte key (hex or base64) for secrets at rest; dev uses a fixed development key")
	oldSecrets := fs.String("old-secret-keys", env("old-secret-keys", ""), "earlier secret keys, comma-separated, still accepted for what they made (recovery codes, passes); prefer MFADESK_OLD_SECRET_KEYS")
	fs.BoolVar(&cfg.ReadCache, "read-cache", env("read-cache", "true") == "true", "keep sessions, customers, factor summaries and staff members in memory between requests (false when another process writes the same database)")
	fs.BoolVar(&cfg.Demo, "demo", env("demo", "true") == "true", "seed demo data into an empty database (dev delivery only; default true in dev, false in production)")
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
	fs.IntVar(&def.PasskeyPostpones, "passkey-postpones", envInt(env, "passkey-postpones", def.PasskeyPostpones), "times a customer may postpone registering a passkey in the phishing-resistant phase")
	fs.DurationVar(&def.TempPassTTL, "temp-pass-ttl", envDuration(env, "temp-pass-ttl", def.TempPassTTL), "validity of a temporary access pass issued by support")
	fs.DurationVar(&def.ApprovalTTL, "approval-ttl", envDuration(env, "approval-ttl", def.ApprovalTTL), "how long a four-eyes request waits for a supervisor")
	approvalRoles := fs.String("approval-roles", env("approval-roles", strings.Join(def.ApprovalRoles, ",")), "staff roles whose resets and contact changes need approval (partners always do)")
	fs.DurationVar(&def.OutreachInterval, "outreach-interval", envDuration(env, "outreach-interval", def.OutreachInterval), "time between two registration reminders of one outreach run (the outbox holds each back until its turn)")
	approvalActions := fs.String("approval-actions", env("approval-actions", strings.Join(def.ApprovalActions, ",")), "actions that need approval: reset, contact, password")
	fs.IntVar(&def.LockThreshold, "lock-threshold", envInt(env, "lock-threshold", def.LockThreshold), "consecutive second-factor failures that lock")
	fs.DurationVar(&def.LockDuration, "lock-duration", envDuration(env, "lock-duration", def.LockDuration), "how long a second-factor lock lasts")
	fs.IntVar(&def.PasswordFailuresPerAccount, "password-failures-per-account", envInt(env, "password-failures-per-account", def.PasswordFailuresPerAccount), "password failures per account per window")
	fs.IntVar(&def.PasswordFailuresPerAddress, "password-failures-per-address", envInt(env, "password-failures-per-address", def.PasswordFailuresPerAddress), "password failures per client address per window")
	fs.DurationVar(&def.PasswordWindow, "password-window", envDuration(env, "password-window", def.PasswordWindow), "password throttling window")
	fs.IntVar(&def.HashConcurrency, "hash-concurrency", envInt(env, "hash-concurrency", def.HashConcurrency), "password hashes (argon2id) computed at once; 0: one less than the CPUs (at least 1)")
	fs.DurationVar(&def.HashWait, "hash-wait", envDuration(env, "hash-wait", def.HashWait), "the queue for hashing slots holds what they get through in this time; a login past it is answered 503 (busy)")
	// The audit key's default stays empty, and the environment is read after
	// parsing, so --help (which prints defaults) never shows it.
	var auditKey string
	fs.StringVar(&auditKey, "audit-key", "", "32-byte key (hex or base64) for the audit trail's HMAC chain and anchors; prefer MFADESK_AUDIT_KEY (dev uses a fixed development key)")
	fs.StringVar(&cfg.AuditAnchor, "audit-anchor", env("audit-anchor", ""), "append the audit trail's head to this file (JSON lines, mode 0600) each minute it moved and at shutdown")
	fs.DurationVar(&cfg.Retention.Sessions, "retain-sessions", envDuration(env, "retain-sessions", keep.Sessions), "how long expired one-time code records and passkey ceremonies are kept (session rows go when they expire)")
	fs.DurationVar(&cfg.Retention.OutboxContent, "retain-outbox", envDuration(env, "retain-outbox", keep.OutboxContent), "how long subjects and bodies of sent or failed messages are kept (bodies with a code go at once)")
	fs.DurationVar(&cfg.Retention.DeliveryLog, "retain-delivery-log", envDuration(env, "retain-delivery-log", keep.DeliveryLog), "how long sent or failed messages stay in the delivery log")
	fs.DurationVar(&cfg.OIDCKeyRotation, "oidc-key-rotation", envDuration(env, "oidc-key-rotation", 30*24*time.Hour), "how long an OpenID Connect signing key signs before the next one (published a day ahead) takes over")
	fs.StringVar(&cfg.LetterFont, "letter-font", env("letter-font", support.FirstExistingFont(support.DefaultLetterFonts)), "Japanese TrueType font for printed letters (default: the first of "+strings.Join(support.DefaultLetterFonts, ", ")+" that exists)")
	if err := fs.Parse(args); err != nil {
		return Config{}, err
	}
	if fs.NArg() > 0 {
		return Config{}, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	cfg.knownEnv = envNames(fs)
	// Every bad value is collected, so one failed start names them all.
	var problems []error
	if err := applyEnv(fs, getenv); err != nil {
		problems = append(problems, err)
	}
	def.ApprovalRoles, def.ApprovalActions = splitList(*approvalRoles), splitList(*approvalActions)
	for _, a := range def.ApprovalActions {
		if a != "reset" && a != "contact" && a != "password" {
			problems = append(problems, fmt.Errorf("--approval-actions: unknown action %q (want reset, contact, password)", a))
		}
	}
	if cfg.OIDCKeyRotation < 2*time.Hour {
		problems = append(problems, fmt.Errorf("--oidc-key-rotation: %v is shorter than 2h (a retired key stays published for an ID token's hour)", cfg.OIDCKeyRotation))
	}
	if def.OutreachInterval < 0 {
		problems = append(problems, fmt.Errorf("--outreach-interval: %v is negative", def.OutreachInterval))
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	fs.VisitAll(func(f *flag.Flag) { set[f.Name] = set[f.Name] || getenv(envName(f.Name)) != "" })
	// Demo data defaults to on only in dev, so production needs no
	// --demo=false; asking for it in production is refused by validate.
	if !set["demo"] {
		cfg.Demo = cfg.Env == "dev"
	}
	// Without --origin the origin follows --addr, so the printed URLs and
	// the WebAuthn RP ID match where the server listens. Production
	// refuses the resulting http:// origin.
	if !set["origin"] {
		origin, err := devOrigin(cfg.Addr)
		if err != nil {
			problems = append(problems, err)
		}
		cfg.Origin = origin
	}
	for _, d := range []struct {
		name string
		in   string
		out  *time.Time
	}{{"login-mfa-from", loginFrom, &def.LoginMFAFrom}, {"email-required-from", emailFrom, &def.EmailRequiredFrom},
		{"phishing-resistant-from", prFrom, &def.PhishingResistantFrom}, {"interim-methods-until", interimUntil, &def.InterimMethodsUntil}} {
		var err error
		if *d.out, err = parseDate(d.in); err != nil {
			problems = append(problems, fmt.Errorf("--%s: %w", d.name, err))
		}
	}
	var err error
	if cfg.TrustedProxies, err = web.ParseTrustedProxies(trustedProxies); err != nil {
		problems = append(problems, fmt.Errorf("--trusted-proxies: %w", err))
	}
	if auditKey != "" {
		if cfg.AuditKey, err = mfa.ParseSecretKey(auditKey); err != nil {
			problems = append(problems, fmt.Errorf("--audit-key (MFADESK_AUDIT_KEY): %w", err))
		} else if !bytes.Equal(cfg.AuditKey, data.DevAuditKey()) {
			if err := weakSecretKey(cfg.AuditKey); err != nil {
				problems = append(problems, fmt.Errorf("--audit-key (MFADESK_AUDIT_KEY) %w", err))
			}
		}
	}
	if cfg.OldSecretKeys, err = mfa.ParseSecretKeys(*oldSecrets); err != nil {
		problems = append(problems, fmt.Errorf("--old-secret-keys (MFADESK_OLD_SECRET_KEYS): %w", err))
	}
	if len(problems) > 0 {
		return Config{}, fmt.Errorf("bad configuration:\n%w", errors.Join(problems...))
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
	u, err := url.Parse(cfg.Origin)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("--origin must be a URL like https://example.jp, not %q", cfg.Origin)
	}
	cfg.SecretKey = mfa.DevSecretKey()
	if secret != "" {
		// Errors name the flag and its variable, never the key.
		if cfg.SecretKey, err = mfa.ParseSecretKey(secret); err != nil {
			return fmt.Errorf("--secret-key (MFADESK_SECRET_KEY): %w", err)
		}
		if !bytes.Equal(cfg.SecretKey, mfa.DevSecretKey()) {
			if err := weakSecretKey(cfg.SecretKey); err != nil {
				return fmt.Errorf("--secret-key (MFADESK_SECRET_KEY) %w", err)
			}
		}
	}
	if err := cfg.validateDelivery(); err != nil {
		return err
	}
	if r := cfg.Retention; r.Sessions <= 0 || r.OutboxContent <= 0 || r.DeliveryLog <= 0 {
		return errors.New("--retain-sessions, --retain-outbox and --retain-delivery-log must be positive durations, like 168h")
	}
	if (cfg.TLSCert == "") != (cfg.TLSKey == "") {
		return errors.New("--tls-cert and --tls-key go together")
	}
	if cfg.TLSCert != "" {
		// Loaded now so a bad file stops the start, not the first request.
		if _, err := tls.LoadX509KeyPair(cfg.TLSCert, cfg.TLSKey); err != nil {
			return fmt.Errorf("--tls-cert/--tls-key: %w", err)
		}
	}
	if cfg.Env == "production" {
		return cfg.productionProblems()
	}
	return nil
}

func (cfg *Config) validateDelivery() error {
	switch cfg.Delivery {
	case "dev":
		return nil
	case "smtp":
	default:
		return fmt.Errorf("--delivery must be dev or smtp, not %q", cfg.Delivery)
	}
	var problems []error
	if cfg.SMTP.Host == "" || cfg.SMTP.From == "" {
		problems = append(problems, errors.New("--delivery smtp needs --smtp-host and --smtp-from"))
	}
	switch cfg.SMTP.Security {
	case notify.SMTPStartTLS, notify.SMTPTLS, notify.SMTPNone:
	default:
		problems = append(problems, fmt.Errorf("--smtp-tls must be starttls, tls or none, not %q", cfg.SMTP.Security))
	}
	if u, err := url.Parse(cfg.SMS.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		// Errors name the flag, never the value: the URL may hold credentials.
		problems = append(problems, errors.New("--delivery smtp needs --sms-url, the SMS provider's http(s) URL"))
	}
	return errors.Join(problems...)
}

// productionProblems lists every setting that is unsafe outside
// development (docs/operations.md, "Configuration"; docs/security.md S24,
// S37, S50, S59), so one start-up names them all.
func (cfg *Config) productionProblems() error {
	var problems []error
	add := func(format string, args ...any) { problems = append(problems, fmt.Errorf(format, args...)) }
	if cfg.Delivery == "dev" {
		add("production needs real delivery: --delivery smtp")
	}
	if bytes.Equal(cfg.SecretKey, mfa.DevSecretKey()) {
		add("production needs its own --secret-key (MFADESK_SECRET_KEY), not the development key")
	}
	for _, k := range cfg.OldSecretKeys {
		if bytes.Equal(k, mfa.DevSecretKey()) {
			add("production cannot accept the development key, not even in --old-secret-keys")
		}
	}
	if cfg.Demo {
		add("production cannot seed demo data: drop --demo")
	}
	switch {
	case len(cfg.AuditKey) == 0 || bytes.Equal(cfg.AuditKey, data.DevAuditKey()):
		add("production needs its own --audit-key (MFADESK_AUDIT_KEY), not the development key")
	case bytes.Equal(cfg.AuditKey, cfg.SecretKey):
		add("production needs an --audit-key different from --secret-key")
	}
	if !strings.HasPrefix(cfg.Origin, "https://") {
		add("production needs an https:// --origin (secure cookies, HSTS, passkeys)")
	}
	if cfg.TLSCert == "" && !cfg.TLSTerminatedByProxy {
		add("production needs TLS: --tls-cert and --tls-key, or --tls-terminated-by-proxy")
	}
	if cfg.Delivery == "smtp" && cfg.SMTP.Security == notify.SMTPNone {
		add("production cannot send email unencrypted: --smtp-tls starttls or tls")
	}
	if cfg.Delivery == "smtp" && !strings.HasPrefix(cfg.SMS.URL, "https://") {
		add("production needs an https:// --sms-url: the token and codes would travel in clear")
	}
	if cfg.MetricsAddr == "" {
		add("production needs --metrics-addr: /metrics tells login failure rates and must not be on the customer listener")
	}
	if len(problems) > 0 {
		return fmt.Errorf("refusing to start in production: %w", errors.Join(problems...))
	}
	return nil
}

// envName is the environment variable of a flag: --smtp-host is
// MFADESK_SMTP_HOST.
func envName(flag string) string {
	return "MFADESK_" + strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))
}

func dateFlag(t time.Time) string {
	if t.IsZero() {
		return "off"
	}
	return t.In(jst.Zone).Format("2006-01-02")
}

// parseDate reads YYYY-MM-DD as the start of that day in JST, or "off".
func parseDate(s string) (time.Time, error) {
	if s == "off" || s == "" {
		return time.Time{}, nil
	}
	t, err := time.ParseInLocation("2006-01-02", s, jst.Zone)
	if err != nil {
		return time.Time{}, fmt.Errorf("want YYYY-MM-DD or off, got %q", s)
	}
	return t, nil
}

// splitList reads a comma-separated flag, dropping blanks.
func splitList(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}
