package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"text/tabwriter"
	"time"

	"mfadesk/data"
)

// migrateDBCommand is "mfadesk migrate-db --from sqlite:PATH --to
// postgres://…": it moves an installation from its SQLite file to a new,
// empty PostgreSQL database (docs/operations.md, "Several instances on
// PostgreSQL"). The source is first migrated to this binary's schema;
// the copy is one transaction of the target, checked (row counts, the
// audit chain) and audited there before it commits.
func migrateDBCommand(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("mfadesk migrate-db", flag.ContinueOnError)
	fs.SetOutput(stderr)
	from := fs.String("from", "", "the SQLite database to move, as sqlite:PATH")
	to := fs.String("to", "", "the new, empty PostgreSQL database, as postgres://…")
	oldKeys := fs.String("audit-old-keys", "", "earlier audit keys the trail was chained under, comma-separated; prefer MFADESK_AUDIT_OLD_KEYS")
	own, rest := splitFlags(args, fs)
	if err := fs.Parse(own); err != nil {
		return err
	}
	path, ok := strings.CutPrefix(*from, "sqlite:")
	if !ok || path == "" || !data.IsPostgresDSN(*to) {
		return errors.New("usage: mfadesk migrate-db --from sqlite:PATH --to postgres://… [config flags]")
	}
	if err := requireDatabase(path); err != nil {
		return err
	}
	if *oldKeys == "" {
		*oldKeys = getenv(envName("audit-old-keys"))
	}
	keys, err := parseAuditKeys(*oldKeys)
	if err != nil {
		return fmt.Errorf("--audit-old-keys: %w", err)
	}
	cfg, err := parseConfig(append(rest, "--db", path), getenv, stderr)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	// The source through the whole app: it is migrated to this binary's
	// schema and its secret key checked, as at any start.
	return withApp(ctx, cfg, log, func(src *App) error {
		dst, err := data.Open(ctx, *to, time.Now)
		if err != nil {
			return fmt.Errorf("target: %w", err)
		}
		defer dst.Close()
		dst.SetAuditKey(src.DB.AuditKey())
		keys = append(keys, src.DB.AuditKey())
		rep, err := src.DB.CopyTo(ctx, dst, keys, func(rep data.CopyReport) data.AuditEvent {
			var rows int64
			for _, t := range rep.Tables {
				rows += t.Source
			}
			return data.AuditEvent{ActorKind: "system", Actor: "cli", Action: "database.migrate", Outcome: "success",
				Detail: fmt.Sprintf("copied from SQLite: %d tables, %d rows, audit chain of %d events verified",
					len(rep.Tables), rows, rep.Chain.Events)}
		})
		if err != nil {
			return fmt.Errorf("migrate-db (nothing was written to the target): %w", err)
		}
		return printCopyReport(stdout, path, rep)
	})
}

func printCopyReport(w io.Writer, from string, rep data.CopyReport) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "TABLE\tSOURCE\tTARGET\t")
	var rows int64
	for _, t := range rep.Tables {
		fmt.Fprintf(tw, "%s\t%d\t%d\t\n", t.Name, t.Source, t.Target)
		rows += t.Source
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "copied %s: %d tables, %d rows, counts equal; audit chain intact: %d events%s, plus this migration's\n",
		from, len(rep.Tables), rows, rep.Chain.Events, chainSummary(rep.Chain))
	return nil
}
