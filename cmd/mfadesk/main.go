// Command mfadesk runs the customer site and the support console.
//
//	mfadesk [serve] [flags]   serve the sites (default)
//	mfadesk migrate [flags]   apply database migrations and exit
//	mfadesk rekey --old-key X --new-key Y [--db F]   re-encrypt TOTP secrets under a new key
//	mfadesk rekey --status [--db F]                  which keys the database still needs
//	mfadesk backup --to FILE [--db F]                online copy of the database
//	mfadesk customers import FILE [--dry-run] [--encoding E]   load the back office's customer export
//	mfadesk scim-token create|revoke --name N | list           the back office's SCIM bearer tokens
//	mfadesk migrate-db --from sqlite:PATH --to postgres://…  move an installation to PostgreSQL
//
// See docs/operations.md.
package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"mfadesk/data"
	"mfadesk/idp"
	"mfadesk/web"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"syscall"
	"time"
)

func main() {
	if err := run(os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "mfadesk:", err)
		}
		os.Exit(1)
	}
}

func run(args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	switch cmd {
	case "staff", "audit":
		// These take their own words (staff create, audit verify) and flags.
		return consoleCommand(ctx, cmd, args, getenv, stdout, stderr)
	case "rekey":
		return rekeyCommand(ctx, args, getenv, stdout, stderr)
	case "backup":
		return backupCommand(ctx, args, getenv, stdout, stderr)
	case "customers":
		return customersCommand(ctx, args, getenv, stdout, stderr)
	case "scim-token":
		return scimTokenCommand(ctx, args, getenv, stdout, stderr)
	case "migrate-db":
		return migrateDBCommand(ctx, args, getenv, stdout, stderr)
	}
	cfg, err := parseConfig(args, getenv, stderr)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	if !cfg.Dev() {
		// Structured JSON for the log collector in production.
		log = slog.New(slog.NewJSONHandler(stderr, nil))
	}
	// Warned, not refused: a variable meant for another subcommand or
	// another release may share the environment file (docs/operations.md).
	for _, name := range cfg.unknownEnv(os.Environ()) {
		log.Warn("unknown environment variable ignored (a typo?)", "name", name)
	}
	if w := goVersionWarning(runtime.Version()); w != "" {
		log.Warn(w)
	}
	switch cmd {
	case "serve":
		return serve(ctx, cfg, log, stdout)
	case "migrate":
		app, err := newApp(ctx, cfg, time.Now, log)
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, "migrations applied to", cfg.DB)
		return app.Close()
	}
	return fmt.Errorf("unknown command %q (want serve, migrate, migrate-db, staff, audit, rekey, backup, customers or scim-token)", cmd)
}

func serve(ctx context.Context, cfg Config, log *slog.Logger, stdout io.Writer) error {
	app, err := newApp(ctx, cfg, time.Now, log)
	if err != nil {
		return err
	}
	defer app.Close()
	if !cfg.Dev() {
		if err := refuseDemoData(ctx, app); err != nil {
			return err
		}
	}
	seeded := false
	if cfg.Demo && cfg.Delivery == "dev" {
		if seeded, err = seedDemo(ctx, app.MFA); err != nil {
			return fmt.Errorf("seed demo data: %w", err)
		}
		if _, err := seedDemoStaff(ctx, app); err != nil {
			return fmt.Errorf("seed demo staff: %w", err)
		}
		if _, err := seedDemoClient(ctx, app); err != nil {
			return fmt.Errorf("seed demo OpenID Connect client: %w", err)
		}
	}
	go app.scheduleJob(ctx, jobSweep, sweepInterval, app.sweep)
	go app.scheduleJob(ctx, jobAdoption, adoptionInterval, app.snapshotAdoption)
	go app.OIDC.DeliverLogouts(ctx, 15*time.Second)
	// The worker outlives the signal: requests finishing during shutdown
	// may still queue messages, and it is stopped after the servers.
	stopWorker := app.startDelivery(context.WithoutCancel(ctx))
	defer stopWorker()
	// Anchored last at shutdown, after the requests and the worker.
	anchorTicker := time.NewTicker(time.Minute)
	defer anchorTicker.Stop()
	stopAnchors, err := app.startAuditAnchors(context.WithoutCancel(ctx), anchorTicker.C)
	if err != nil {
		return err
	}
	defer stopAnchors()

	site, metrics := app.siteHandlers()
	servers := []*http.Server{newServer(cfg.Addr, site, log)}
	if cfg.ConsoleAddr != "" {
		servers = append(servers, newServer(cfg.ConsoleAddr, app.ConsoleEcho, log))
	}
	// The metrics listener is internal (firewalled, scraped by
	// Prometheus) and speaks plain HTTP.
	var plain []*http.Server
	if metrics != nil {
		plain = append(plain, newServer(cfg.MetricsAddr, metrics, log))
	}
	if cfg.InternalAddr != "" {
		plain = append(plain, newServer(cfg.InternalAddr, app.Internal, log))
	}
	var listeners []net.Listener
	for _, srv := range append(append([]*http.Server{}, servers...), plain...) {
		l, err := net.Listen("tcp", srv.Addr)
		if err != nil {
			closeAll(listeners)
			return fmt.Errorf("listen %s: %w", srv.Addr, err)
		}
		listeners = append(listeners, l)
	}
	printBanner(stdout, cfg, seeded)
	err = runServers(ctx, servers, plain, listeners, cfg.TLSCert, cfg.TLSKey)
	stopWorker()
	stopAnchors()
	return err
}

// runServers serves until ctx ends, then shuts every server down at once:
// no new connections, requests in flight finish (up to 15 s). servers
// serve TLS when certFile is set, plain serve plain HTTP; listeners are
// theirs in that order.
func runServers(ctx context.Context, servers, plain []*http.Server, listeners []net.Listener, certFile, keyFile string) error {
	all := append(append([]*http.Server{}, servers...), plain...)
	errc := make(chan error, len(all))
	for i, srv := range all {
		if i < len(servers) && certFile != "" {
			srv.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12} // docs/security.md S37
		}
		go func() {
			var err error
			if i < len(servers) && certFile != "" {
				err = srv.ServeTLS(listeners[i], certFile, keyFile)
			} else {
				err = srv.Serve(listeners[i])
			}
			if !errors.Is(err, http.ErrServerClosed) {
				errc <- err
			}
		}()
	}
	var serveErr error
	select {
	case serveErr = <-errc:
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	errs := make(chan error, len(all))
	for _, srv := range all {
		go func() { errs <- srv.Shutdown(shutdown) }()
	}
	for range all {
		serveErr = errors.Join(serveErr, <-errs)
	}
	return serveErr
}

func closeAll(ls []net.Listener) {
	for _, l := range ls {
		l.Close()
	}
}

// newServer is an HTTP server with timeouts. Its own errors (TLS
// handshakes, malformed requests it answers before Echo sees them) go to
// log as warnings, so production's log stays JSON lines.
func newServer(addr string, h http.Handler, log *slog.Logger) *http.Server {
	return &http.Server{Addr: addr, Handler: h, ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout: 30 * time.Second, WriteTimeout: 30 * time.Second, IdleTimeout: 120 * time.Second,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
}

// sweep deletes expired sessions (expiry itself is enforced on every
// request, this keeps the table small), scrubs the messages of expired
// codes and applies the retention flags, at the app's clock
// (docs/operations.md, Retention).
func (a *App) sweep(ctx context.Context) error {
	now := a.now()
	if _, err := a.DB.DeleteSessionsBefore(ctx, now.Add(-30*time.Minute), now.Add(-12*time.Hour)); err != nil {
		return err
	}
	if err := a.DB.SweepAnonymous(ctx, now.Add(-web.AnonymousTTL)); err != nil {
		return err
	}
	if err := a.DB.DeleteJobRunsBefore(ctx, now.Add(-jobRunsKept)); err != nil {
		return err
	}
	s, err := a.DB.Sweep(ctx, a.Config.Retention)
	if err != nil {
		return err
	}
	if s == (data.Swept{}) {
		return nil
	}
	a.Log.Info("sweep", "code_messages_scrubbed", s.CodeMessages, "contents_dropped", s.Contents,
		"messages_deleted", s.Messages, "challenges_deleted", s.Challenges, "ceremonies_deleted", s.Ceremonies, "letter_codes_scrubbed", s.Letters, "oidc_deleted", s.OIDC)
	return nil
}

func printBanner(w io.Writer, cfg Config, seeded bool) {
	fmt.Fprintf(w, "mfadesk is running (env %s, database %s)\n", cfg.Env, cfg.DB)
	fmt.Fprintf(w, "  customer site: %s/login\n", cfg.Origin)
	if cfg.ConsoleAddr == "" {
		fmt.Fprintf(w, "  console:       %s/console/login\n", cfg.Origin)
	} else {
		fmt.Fprintf(w, "  console:       http://%s/console/login\n", cfg.ConsoleAddr)
	}
	if cfg.InternalAddr != "" {
		fmt.Fprintf(w, "  SCIM (internal): http://%s/scim/v2  (tokens: mfadesk scim-token create --name NAME)\n", cfg.InternalAddr)
	}
	if cfg.Delivery == "dev" {
		fmt.Fprintf(w, "  dev outbox:    %s/dev/outbox  (email and SMS codes appear here)\n", cfg.Origin)
	}
	if cfg.Demo && cfg.Delivery == "dev" {
		if seeded {
			fmt.Fprintln(w, "  demo data seeded into the empty database")
		}
		fmt.Fprintf(w, "  demo logins (password %s, trading password %s):\n", demoPassword, demoTradingPassword)
		fmt.Fprintf(w, "    demo-app      authenticator app, TOTP secret %s\n", demoTOTPSecret)
		fmt.Fprintln(w, "    demo-sms      SMS code (see the dev outbox)")
		fmt.Fprintln(w, "    demo-email    email code fallback (see the dev outbox)")
		fmt.Fprintln(w, "    demo-noemail  no valid email: refused, with how to recover")
		fmt.Fprintf(w, "  demo staff (console; password %s, TOTP secret %s):\n", demoStaffPassword, demoTOTPSecret)
		fmt.Fprintln(w, "    admin, supervisor, agent (support centre), partner (partner shop), auditor")
		fmt.Fprintf(w, "  demo relying party: go run ./cmd/mfadesk-demo-rp, then http://localhost:8081 (client %s, secret %s)\n",
			idp.DemoClientID, idp.DemoClientSecret)
	}
}
