// Command mfadesk-load drives a running mfadesk over HTTP with simulated
// customers and prints throughput and latency per step, next to two
// ceilings measured in the same run: a bare Echo handler served by this
// process, and argon2id alone at the configured parameters.
//
// By default it builds and starts its own mfadesk on a free loopback port
// with a database in a fresh temporary directory, measures that process,
// and stops it at the end; --url (and --server-pid, to read its CPU) point
// it at a server started by hand instead. It only ever talks to loopback
// addresses, and every phase is bounded in time (--duration) and in
// requests (--max-requests): it stops by itself.
//
//	go run ./cmd/mfadesk-load --seed-load 4000 --rounds 3
//
// See docs/performance.md for what it measures and why.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/signal"
	"slices"
	"strings"
	"time"

	"mfadesk/data"
	"mfadesk/mfa"
)

type options struct {
	url             string
	db              string
	secretKey       string
	seedLoad        int
	duration        time.Duration
	concurrency     int
	maxRequests     int
	phases          string
	hashes          int
	hashConcurrency int
	rounds          int
	loginsBurst     int
	serverPID       int
	dbPID           int
	serverBin       string
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "mfadesk-load:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var o options
	fs := flag.NewFlagSet("mfadesk-load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.url, "url", "", "a running mfadesk to measure (loopback only); default: build and start one on a free port with a temporary database")
	fs.StringVar(&o.serverBin, "server-bin", "", "the mfadesk binary to start (default: go build ./cmd/mfadesk)")
	fs.StringVar(&o.db, "db", "", "with --url: the server's SQLite file or postgres:// URL, for --seed-load; without --url: a postgres:// URL (an empty database) for the server this tool starts, to measure PostgreSQL")
	fs.StringVar(&o.secretKey, "secret-key", "", "the server's --secret-key (default: the development key)")
	fs.IntVar(&o.seedLoad, "seed-load", 0, "first write this many load customers (load-NNNNN, each with its own TOTP secret) into --db")
	fs.DurationVar(&o.duration, "duration", 10*time.Second, "length of each timed phase")
	fs.IntVar(&o.concurrency, "concurrency", 50, "simulated customers at once")
	fs.IntVar(&o.maxRequests, "max-requests", 1_000_000, "at most this many requests per phase")
	fs.StringVar(&o.phases, "phases", "hash,bare,page,console,login", "phases to run, in this order: hash, bare, page, console, login")
	fs.IntVar(&o.hashes, "hashes", 300, "argon2id checks in the hash phase")
	fs.IntVar(&o.hashConcurrency, "hash-concurrency", mfa.DefaultHashConcurrency(), "argon2id checks at once in the hash phase (match the server's)")
	fs.IntVar(&o.rounds, "rounds", 1, "run the phases this many times and report the median ratios: the machine's speed drifts between phases")
	fs.IntVar(&o.loginsBurst, "logins-burst", 0, "then fire this many logins at once and report the answers and the server's peak RSS")
	fs.IntVar(&o.serverPID, "server-pid", 0, "with --url: the server's process id, to read its CPU time per phase and its RSS (with --logins-burst) from /proc")
	fs.IntVar(&o.dbPID, "db-pid", 0, "the PostgreSQL server's (postmaster's) process id: each phase also reports the CPU of it and its backends")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := o.validate(); err != nil {
		return err
	}
	if o.url == "" {
		srv, err := startServer(ctx, o.serverBin, o.db, stdout)
		if err != nil {
			return err
		}
		defer srv.stop()
		o.url, o.db, o.serverPID = srv.url, srv.db, srv.pid()
	}

	if o.seedLoad > 0 {
		start := time.Now()
		added, err := seedLoadCustomers(ctx, o.db, o.secretKey, o.seedLoad)
		if err != nil {
			return err
		}
		where := o.db
		if data.IsPostgresDSN(where) {
			where = "PostgreSQL" // the URL may hold a password
		}
		fmt.Fprintf(stdout, "seeded %d load customers into %s (%d already there) in %s\n",
			added, where, o.seedLoad-added, time.Since(start).Round(time.Millisecond))
	}

	l := newLoad(o)
	var rounds [][]*phaseResult
	for round := 1; round <= o.rounds && ctx.Err() == nil; round++ {
		if o.rounds > 1 {
			fmt.Fprintf(stdout, "\n##### round %d of %d\n", round, o.rounds)
		}
		results, err := l.runPhases(ctx, stdout)
		if err != nil {
			return err
		}
		printRatios(stdout, results)
		rounds = append(rounds, results)
	}
	if len(rounds) > 1 {
		printMedianRatios(stdout, rounds)
	}

	if o.loginsBurst > 0 && ctx.Err() == nil {
		if err := l.burstPhase(ctx, stdout); err != nil {
			return fmt.Errorf("burst: %w", err)
		}
	}
	return nil
}

// runPhases runs --phases once, in order.
func (l *load) runPhases(ctx context.Context, stdout io.Writer) ([]*phaseResult, error) {
	var results []*phaseResult
	for _, phase := range strings.Split(l.o.phases, ",") {
		if ctx.Err() != nil {
			break
		}
		var r *phaseResult
		var err error
		switch strings.TrimSpace(phase) {
		case "hash":
			r = l.hashPhase(ctx)
		case "bare":
			r, err = l.barePhase(ctx)
		case "page":
			r, err = l.pagePhase(ctx)
		case "console":
			r, err = l.consolePhase(ctx)
		case "login":
			r, err = l.loginPhase(ctx)
		case "":
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("phase %s: %w", phase, err)
		}
		r.print(stdout)
		results = append(results, r)
	}
	return results, nil
}

func (o *options) validate() error {
	if err := o.validateServer(); err != nil {
		return err
	}
	for _, p := range strings.Split(o.phases, ",") {
		if p = strings.TrimSpace(p); p != "" && !slices.Contains([]string{"hash", "bare", "page", "console", "login"}, p) {
			return fmt.Errorf("--phases: unknown phase %q", p)
		}
	}
	switch {
	case o.seedLoad < 0 || o.seedLoad > 100_000:
		return errors.New("--seed-load must be between 0 and 100000")
	case o.duration <= 0 || o.duration > 10*time.Minute:
		return errors.New("--duration must be between 0 and 10m")
	case o.concurrency < 1 || o.concurrency > 2000:
		return errors.New("--concurrency must be between 1 and 2000")
	case o.maxRequests < 1 || o.maxRequests > 10_000_000:
		return errors.New("--max-requests must be between 1 and 10000000")
	case o.hashes < 1 || o.hashes > 100_000:
		return errors.New("--hashes must be between 1 and 100000")
	case o.hashConcurrency < 1 || o.hashConcurrency > 1024:
		return errors.New("--hash-concurrency must be between 1 and 1024")
	case o.rounds < 1 || o.rounds > 20:
		return errors.New("--rounds must be between 1 and 20")
	case o.loginsBurst < 0 || o.loginsBurst > 10_000:
		return errors.New("--logins-burst must be between 0 and 10000")
	}
	return nil
}

// validateServer checks which server is measured: the tool's own, or the
// one at --url, whose process id only the operator can tell.
func (o *options) validateServer() error {
	if o.url == "" {
		switch {
		case o.db != "" && !data.IsPostgresDSN(o.db):
			return errors.New("--db without --url must be a postgres:// URL: otherwise the server this tool starts has its own temporary SQLite database")
		case o.serverPID != 0:
			return errors.New("--server-pid is for a server given with --url: the tool measures the server it starts")
		}
		return nil
	}
	if o.serverBin != "" {
		return errors.New("--server-bin starts a server; --url measures a running one: give one of them")
	}
	u, err := url.Parse(o.url)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return fmt.Errorf("--url %q is not an http(s) URL", o.url)
	}
	if !isLoopback(u.Hostname()) {
		// A load tool must never be pointed at someone else's server.
		return fmt.Errorf("--url must be a loopback address (127.0.0.1, ::1 or localhost), not %q", u.Hostname())
	}
	o.url = strings.TrimSuffix(o.url, "/")
	if o.seedLoad > 0 && o.db == "" {
		return errors.New("--seed-load with --url needs --db, that server's SQLite file")
	}
	return nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
