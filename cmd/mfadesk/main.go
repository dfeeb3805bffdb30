// Command mfadesk runs the customer site and the support console.
//
//	mfadesk [serve] [flags]   serve the sites (default)
//	mfadesk migrate [flags]   apply database migrations and exit
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
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
	if cmd == "staff" || cmd == "audit" {
		// These take their own words (staff create, audit verify) and flags.
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		return consoleCommand(ctx, cmd, args, getenv, stdout, stderr)
	}
	cfg, err := parseConfig(args, getenv, stderr)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
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
	return fmt.Errorf("unknown command %q (want serve, migrate, staff or audit)", cmd)
}

func serve(ctx context.Context, cfg Config, log *slog.Logger, stdout io.Writer) error {
	app, err := newApp(ctx, cfg, time.Now, log)
	if err != nil {
		return err
	}
	defer app.Close()
	seeded := false
	if cfg.Demo && cfg.Delivery == "dev" {
		if seeded, err = seedDemo(ctx, app.MFA); err != nil {
			return fmt.Errorf("seed demo data: %w", err)
		}
		if _, err := seedDemoStaff(ctx, app); err != nil {
			return fmt.Errorf("seed demo staff: %w", err)
		}
	}
	go sweepSessions(ctx, app, log)
	stopWorker := app.startDelivery(ctx)
	defer stopWorker()

	servers := []*http.Server{newServer(cfg.Addr, app.Echo)}
	if cfg.ConsoleAddr != "" {
		servers = append(servers, newServer(cfg.ConsoleAddr, app.ConsoleEcho))
	}
	errc := make(chan error, len(servers))
	for _, srv := range servers {
		go func() { errc <- srv.ListenAndServe() }()
	}
	printBanner(stdout, cfg, seeded)

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	for _, srv := range servers {
		if err := srv.Shutdown(shutdown); err != nil {
			return err
		}
	}
	return nil
}

func newServer(addr string, h http.Handler) *http.Server {
	return &http.Server{Addr: addr, Handler: h, ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout: 30 * time.Second, WriteTimeout: 30 * time.Second, IdleTimeout: 120 * time.Second}
}

// sweepSessions deletes expired sessions now and then; expiry itself is
// enforced on every request, this only keeps the table small.
func sweepSessions(ctx context.Context, app *App, log *slog.Logger) {
	t := time.NewTicker(10 * time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			now := time.Now()
			if _, err := app.DB.DeleteSessionsBefore(ctx, now.Add(-30*time.Minute), now.Add(-12*time.Hour)); err != nil {
				log.Error("sweep sessions", "err", err)
			}
		}
	}
}

func printBanner(w io.Writer, cfg Config, seeded bool) {
	fmt.Fprintf(w, "mfadesk is running (env %s, database %s)\n", cfg.Env, cfg.DB)
	fmt.Fprintf(w, "  customer site: %s/login\n", cfg.Origin)
	if cfg.ConsoleAddr == "" {
		fmt.Fprintf(w, "  console:       %s/console/login\n", cfg.Origin)
	} else {
		fmt.Fprintf(w, "  console:       http://%s/console/login\n", cfg.ConsoleAddr)
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
	}
}
