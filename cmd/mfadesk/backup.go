package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"mfadesk/data"
)

// backupCommand is "mfadesk backup --to FILE": an online, consistent copy
// of the database, safe while the service runs (docs/operations.md).
func backupCommand(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("mfadesk backup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := fs.String("db", envOr(getenv, "db", "./mfadesk.db"), "SQLite database file to back up")
	to := fs.String("to", "", "new file to write the backup to (owner-only, 0600)")
	force := fs.Bool("force", false, "replace --to if it exists")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *to == "" || fs.NArg() > 0 {
		return errors.New("usage: mfadesk backup --to FILE [--force] [--db FILE]")
	}
	if err := requireDatabase(*db); err != nil {
		return err
	}
	if err := data.BackupFile(ctx, *db, *to, *force); err != nil {
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

// requireDatabase refuses a maintenance command on a database file that
// does not exist: opening it would create an empty database, and a
// mistyped --db would then "succeed" on nothing. Only serve and migrate
// create the database.
func requireDatabase(path string) error {
	if data.IsPostgresDSN(path) {
		return nil // connecting to a PostgreSQL database never creates it
	}
	info, err := os.Stat(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("database %s does not exist: check --db (MFADESK_DB); only `mfadesk migrate` and `mfadesk serve` create one", path)
	case err != nil:
		return fmt.Errorf("database %s: %w", path, err)
	case info.IsDir():
		return fmt.Errorf("database %s is a directory, not a database file", path)
	}
	return nil
}
