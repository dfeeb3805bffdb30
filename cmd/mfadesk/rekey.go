package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"mfadesk/data"
	"mfadesk/jst"
	"mfadesk/mfa"
)

// rekeyCommand is "mfadesk rekey --old-key X --new-key Y": every TOTP
// secret (customers' factors, staff enrolled and pending) re-encrypted
// under the new key in one transaction, so the database is either all
// old key or all new key. Run it with the service stopped, then start the
// service with the new --secret-key and the old one in --old-secret-keys,
// which keeps the keyed hashes the old key made (recovery codes, passes)
// working. "mfadesk rekey --status" says which keys those still need
// (docs/operations.md).
func rekeyCommand(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("mfadesk rekey", flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := fs.String("db", envOr(getenv, "db", "./mfadesk.db"), "SQLite database file")
	oldFlag := fs.String("old-key", envOr(getenv, "old-secret-key", ""), "current key (hex or base64), or \"dev\" for the development key; prefer MFADESK_OLD_SECRET_KEY")
	newFlag := fs.String("new-key", envOr(getenv, "new-secret-key", ""), "new key (hex or base64); prefer MFADESK_NEW_SECRET_KEY")
	status := fs.Bool("status", false, "change nothing: print which key the secrets are under and how many usable keyed hashes each key made")
	current := fs.String("secret-key", envOr(getenv, "secret-key", ""), "with --status: the service's key, to name its id; prefer MFADESK_SECRET_KEY")
	olds := fs.String("old-secret-keys", envOr(getenv, "old-secret-keys", ""), "with --status: the service's old keys, to name their ids; prefer MFADESK_OLD_SECRET_KEYS")
	hideDefaults(fs, "old-key", "new-key", "secret-key", "old-secret-keys") // their defaults are the keys in the environment
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 || (!*status && (*oldFlag == "" || *newFlag == "")) {
		return errors.New("usage: mfadesk rekey --old-key KEY --new-key KEY [--db FILE], or mfadesk rekey --status [--db FILE]")
	}
	if *status {
		names, err := statusKeyNames(*current, *olds)
		if err != nil {
			return err
		}
		d, err := data.Open(ctx, *db, time.Now)
		if err != nil {
			return err
		}
		defer d.Close()
		return printKeyStatus(ctx, stdout, d, names)
	}
	oldKey := mfa.DevSecretKey()
	if *oldFlag != "dev" {
		var err error
		if oldKey, err = mfa.ParseSecretKey(*oldFlag); err != nil {
			return fmt.Errorf("--old-key: %w", err)
		}
	}
	newKey, err := mfa.ParseSecretKey(*newFlag)
	if err != nil {
		return fmt.Errorf("--new-key: %w", err)
	}
	switch {
	case bytes.Equal(oldKey, newKey):
		return errors.New("the new key is the old key")
	case bytes.Equal(newKey, mfa.DevSecretKey()):
		return errors.New("the new key is the public development key")
	}
	if err := weakSecretKey(newKey); err != nil {
		return fmt.Errorf("--new-key %w", err)
	}
	if err := requireDatabase(*db); err != nil {
		return err
	}
	d, err := data.Open(ctx, *db, time.Now)
	if err != nil {
		return err
	}
	defer d.Close()
	n, err := mfa.Rekey(ctx, d, oldKey, newKey)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "re-encrypted %d secrets in %s; start mfadesk with the new --secret-key, "+
		"and the old key in --old-secret-keys while any keyed hash below still needs it\n", n, *db)
	return printKeyStatus(ctx, stdout, d, map[string]string{mfa.KeyID(oldKey): "old key", mfa.KeyID(newKey): "new key"})
}

// statusKeyNames names the ids of the keys given to rekey --status, so
// its report says which configured key each id is.
func statusKeyNames(current, olds string) (map[string]string, error) {
	names := map[string]string{mfa.KeyID(mfa.DevSecretKey()): "development key"}
	oldKeys, err := mfa.ParseSecretKeys(olds)
	if err != nil {
		return nil, fmt.Errorf("--old-secret-keys: %w", err)
	}
	for _, k := range oldKeys {
		names[mfa.KeyID(k)] = "in --old-secret-keys"
	}
	if current != "" {
		key, err := mfa.ParseSecretKey(current)
		if err != nil {
			return nil, fmt.Errorf("--secret-key: %w", err)
		}
		names[mfa.KeyID(key)] = "--secret-key"
	}
	return names, nil
}

// printKeyStatus tells which key the database's secrets are under and,
// by key, the keyed hashes that could still be checked: an old key may
// leave --old-secret-keys once no line names it. Key ids only, never keys.
func printKeyStatus(ctx context.Context, w io.Writer, db *data.DB, names map[string]string) error {
	name := func(id string) string {
		if n := names[id]; n != "" {
			return id + " (" + n + ")"
		}
		return id
	}
	kc, err := db.KeyCheck(ctx)
	switch {
	case errors.Is(err, data.ErrNotFound):
		fmt.Fprintln(w, "TOTP secrets: no key check yet (mfadesk writes it at its next start)")
	case err != nil:
		return err
	default:
		fmt.Fprintf(w, "TOTP secrets: under key %s\n", name(kc.KeyID))
	}
	hashes, err := db.UsableKeyedHashes(ctx)
	if err != nil {
		return err
	}
	if len(hashes) == 0 {
		fmt.Fprintln(w, "keyed hashes still usable: none; no old key is needed for them")
		return nil
	}
	fmt.Fprintln(w, "keyed hashes still usable, by the key that made them:")
	for _, h := range hashes {
		until := "until used"
		if !h.Until.IsZero() {
			until = "the last expires " + h.Until.In(jst.Zone).Format("2006-01-02 15:04 MST")
		}
		fmt.Fprintf(w, "  key %s: %s: %d (%s)\n", name(h.KeyID), h.What, h.Count, until)
	}
	fmt.Fprintln(w, "an old key may leave --old-secret-keys once no line above names it")
	return nil
}
