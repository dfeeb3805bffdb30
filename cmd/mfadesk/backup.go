package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"mfadesk/data"
)

// backupCommand is "mfadesk backup --to FILE": an online, consistent copy
// of the database, safe while the service runs (docs/operations.md).
func backupCommand(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("mfadesk backup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := fs.String("db", envOr(getenv, "db", "./mfadesk.db"), "SQLite database file to back up")
	to := fs.String("to", "", "new file to write the backup to")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *to == "" || fs.NArg() > 0 {
		return errors.New("usage: mfadesk backup --to FILE [--db FILE]")
	}
	if err := data.BackupFile(ctx, *db, *to); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "backed up %s to %s\n", *db, *to)
	return nil
}

// envOr is MFADESK_<NAME>, or def, for the maintenance commands' flags.
func envOr(getenv func(string) string, name, def string) string {
	if v := getenv(envName(name)); v != "" {
		return v
	}
	return def
}
