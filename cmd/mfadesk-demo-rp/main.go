// Command mfadesk-demo-rp is the demo relying party: a small "trading
// site" that signs in through mfadesk's OpenID Connect provider, shows the
// claims and asks for a fresh passkey before 「出金」. Run it next to
// `go run ./cmd/mfadesk` (which seeds its client, demo-rp, with the demo
// data):
//
//	go run ./cmd/mfadesk-demo-rp
//
// then open http://localhost:8081. The logic is in package demorp.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"time"

	"mfadesk/demorp"
	"mfadesk/idp"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "mfadesk-demo-rp:", err)
		os.Exit(1)
	}
}

// config reads the flags.
func config(args []string, stderr io.Writer) (demorp.Config, string, error) {
	fs := flag.NewFlagSet("mfadesk-demo-rp", flag.ContinueOnError)
	fs.SetOutput(stderr)
	issuer := fs.String("issuer", "http://localhost:8080/oidc", "the provider's issuer URL")
	clientID := fs.String("client-id", idp.DemoClientID, "the client id registered at the provider")
	// The default is the demo client's published secret, seeded only
	// with the demo data in dev (README).
	secret := fs.String("client-secret", idp.DemoClientSecret, "the client secret")
	addr := fs.String("addr", "localhost:8081", "where this site listens (its URLs are http://ADDR/...)")
	if err := fs.Parse(args); err != nil {
		return demorp.Config{}, "", err
	}
	if fs.NArg() > 0 {
		return demorp.Config{}, "", fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	return demorp.Config{Issuer: *issuer, ClientID: *clientID, ClientSecret: *secret, BaseURL: "http://" + *addr,
		StepUpACR: idp.ACRPhishingResistant, HTTPClient: &http.Client{Timeout: 10 * time.Second}}, *addr, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, addr, err := config(args, stderr)
	if err != nil {
		return err
	}
	rp, err := demorp.New(cfg)
	if err != nil {
		return err
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: rp, ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(stdout, "demo relying party on %s (provider %s, client %s)\n", cfg.BaseURL, cfg.Issuer, cfg.ClientID)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(l) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
