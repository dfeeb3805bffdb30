package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"time"

	"mfadesk/data"
	"mfadesk/mfa"
)

// rekeyCommand is "mfadesk rekey --old-key X --new-key Y": every TOTP
// secret (customers' factors, staff enrolled and pending) re-encrypted
// under the new key in one transaction, so the database is either all
// old key or all new key. Run it with the service stopped, then start the
// service with the new --secret-key (docs/operations.md).
func rekeyCommand(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("mfadesk rekey", flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := fs.String("db", envOr(getenv, "db", "./mfadesk.db"), "SQLite database file")
	oldFlag := fs.String("old-key", envOr(getenv, "old-secret-key", ""), "current key (hex or base64), or \"dev\" for the development key; prefer MFADESK_OLD_SECRET_KEY")
	newFlag := fs.String("new-key", envOr(getenv, "new-secret-key", ""), "new key (hex or base64); prefer MFADESK_NEW_SECRET_KEY")
	hideDefaults(fs, "old-key", "new-key") // their defaults are the keys in the environment
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *oldFlag == "" || *newFlag == "" || fs.NArg() > 0 {
		return errors.New("usage: mfadesk rekey --old-key KEY --new-key KEY [--db FILE]")
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
	if err := requireDatabase(*db); err != nil {
		return err
	}
	d, err := data.Open(ctx, *db, time.Now)
	if err != nil {
		return err
	}
	defer d.Close()
	n, err := rekey(ctx, d, oldKey, newKey)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "re-encrypted %d secrets in %s; start mfadesk with the new --secret-key\n", n, *db)
	return nil
}

// rekey re-encrypts every sealed secret from oldKey to newKey in one
// transaction. A secret that does not open under oldKey stops it with
// nothing changed (wrong key, or rekey already done).
func rekey(ctx context.Context, db *data.DB, oldKey, newKey []byte) (int, error) {
	oldBox, err := mfa.NewSecretBox(oldKey)
	if err != nil {
		return 0, err
	}
	newBox, err := mfa.NewSecretBox(newKey)
	if err != nil {
		return 0, err
	}
	n := 0
	err = db.InTx(ctx, func(tx *data.Tx) error {
		secrets, err := tx.SealedSecrets(ctx)
		if err != nil {
			return err
		}
		for _, s := range secrets {
			aad := sealedAAD(s)
			plain, err := oldBox.Open(s.Sealed, aad)
			if err != nil {
				return fmt.Errorf("%s.%s of row %d does not open with the old key; nothing was changed", s.Table, s.Column, s.ID)
			}
			sealed, err := newBox.Seal(plain, aad)
			if err != nil {
				return err
			}
			if err := tx.ReplaceSealedSecret(ctx, s, sealed); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}

// sealedAAD is the associated data a secret was sealed with. It must
// match mfa's factorAAD ("factor:<customer>:<kind>") and staffAAD
// ("staff:<staff>:totp"); TestRekey logs in with both after a rekey, so a
// change there that is not made here fails the test.
func sealedAAD(s data.SealedSecret) []byte {
	owner := strconv.FormatInt(s.Owner, 10)
	if s.Table == "staff" {
		return []byte("staff:" + owner + ":totp")
	}
	return []byte("factor:" + owner + ":" + s.Kind)
}
