package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/user"
	"path/filepath"
	"slices"
	"strings"

	"mfadesk/support"
)

// customersCommand runs "mfadesk customers import FILE [--dry-run]
// [--encoding auto|utf-8|sjis] [config flags]": the back office's
// customer master export, upserted by account number (docs/operations.md,
// "Importing customers").
func customersCommand(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "import" {
		return errors.New("unknown command: want mfadesk customers import FILE [--dry-run] [--encoding auto|utf-8|sjis]")
	}
	fs := flag.NewFlagSet("mfadesk customers import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dryRun := fs.Bool("dry-run", false, "check the file and count what would change, changing nothing")
	encoding := fs.String("encoding", "auto", "file encoding: auto (UTF-8 if valid, else Shift_JIS), utf-8 or sjis (CP932, as Excel saves)")
	// splitFlags takes the word after each of fs's flags as its value:
	// the boolean is spelled with its value, so it takes none.
	words := slices.Clone(args[1:])
	for i, w := range words {
		if w == "--dry-run" || w == "-dry-run" {
			words[i] = "--dry-run=true"
		}
	}
	own, rest := splitFlags(words, fs)
	if err := fs.Parse(own); err != nil {
		return err
	}
	var file string
	var config []string
	for _, a := range rest {
		if file == "" && !strings.HasPrefix(a, "-") && (len(config) == 0 || !needsValue(config[len(config)-1])) {
			file = a
			continue
		}
		config = append(config, a)
	}
	if file == "" {
		return errors.New("customers import needs the file: mfadesk customers import FILE")
	}
	cfg, err := parseConfig(config, getenv, stderr)
	if err != nil {
		return err
	}
	if err := requireDatabase(cfg.DB); err != nil {
		return err
	}
	raw, err := os.ReadFile(file)
	if err != nil {
		return fmt.Errorf("customers import: %w", err)
	}
	f, err := support.ReadImportFile(raw, *encoding)
	if err != nil {
		return fmt.Errorf("customers import %s: %w", file, err)
	}
	fmt.Fprintf(stdout, "%s: %d rows, %s, sha256 %s\n", file, len(f.Rows)+len(f.Problems), f.Encoding, f.SHA256)
	if len(f.Unknown) > 0 {
		fmt.Fprintf(stdout, "columns not imported: %s\n", strings.Join(f.Unknown, ", "))
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	return withApp(ctx, cfg, log, func(app *App) error {
		if !cfg.Dev() {
			if err := refuseDemoData(ctx, app); err != nil {
				return err
			}
		}
		counts, err := app.Support.ImportCustomers(ctx, f, support.ImportOptions{DryRun: *dryRun,
			Operator: operatorName(getenv), FileName: filepath.Base(file)})
		var rejected *support.ImportRejectedError
		if errors.As(err, &rejected) {
			for _, p := range rejected.Problems {
				fmt.Fprintln(stderr, p)
			}
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "new %d, changed %d, unchanged %d, closed %d, contacts not trusted %d\n",
			counts.New, counts.Changed, counts.Unchanged, counts.Closed, counts.Untrusted)
		if *dryRun {
			fmt.Fprintln(stdout, "dry run: nothing changed")
			return nil
		}
		if counts.New+counts.Changed+counts.Closed > 0 {
			// Closed accounts' sessions end: say so only once a running
			// server's read cache can no longer serve them.
			waitOutReadCaches()
		}
		fmt.Fprintln(stdout, "imported")
		return nil
	})
}

// needsValue reports whether a configuration flag as typed takes the
// next argument as its value (--db F, not --db=F or a boolean).
func needsValue(arg string) bool {
	if !strings.HasPrefix(arg, "-") || strings.Contains(arg, "=") {
		return false
	}
	switch strings.TrimLeft(arg, "-") {
	case "demo", "read-cache", "tls-terminated-by-proxy":
		return false
	}
	return true
}

// operatorName is who ran the import, for the audit trail.
func operatorName(getenv func(string) string) string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	if name := getenv("USER"); name != "" {
		return name
	}
	return "unknown"
}
