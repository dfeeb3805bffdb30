package data

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
)

// Maintenance for operators: re-encrypting secrets under a new key and
// online backups. See docs/operations.md.

// SealedSecret is one secret sealed under the application key: a
// customer's factor (TOTP seed), a staff member's enrolled or pending
// TOTP seed, or a letter's code, with what its sealing is bound to
// (owner and kind).
type SealedSecret struct {
	Table  string // "factors", "staff", "postal_letters" or "oidc_signing_keys"
	Column string // "secret_enc", "totp_secret_enc", "totp_pending_enc" or "code_enc"
	ID     int64  // the row
	Owner  int64  // customer id (factors, letters), staff id (staff) or key generation (oidc)
	Kind   string // the factor's kind; "totp" for staff; "letter" for letters
	Sealed []byte
}

// sealedColumns are every column holding a sealed secret; rekey must
// cover them all, so a new one is added here.
var sealedColumns = []struct{ table, column, query string }{
	{"factors", "secret_enc", `SELECT id, customer_id, kind, secret_enc FROM factors WHERE secret_enc IS NOT NULL ORDER BY id`},
	{"staff", "totp_secret_enc", `SELECT id, id, 'totp', totp_secret_enc FROM staff WHERE totp_secret_enc IS NOT NULL ORDER BY id`},
	{"staff", "totp_pending_enc", `SELECT id, id, 'totp', totp_pending_enc FROM staff WHERE totp_pending_enc IS NOT NULL ORDER BY id`},
	{"postal_letters", "code_enc", `SELECT id, customer_id, 'letter', code_enc FROM postal_letters WHERE code_enc IS NOT NULL ORDER BY id`},
	{"oidc_signing_keys", "private_enc", `SELECT id, generation, 'oidc', private_enc FROM oidc_signing_keys ORDER BY id`},
}

// SealedSecrets lists every sealed secret in the database.
func (tx *Tx) SealedSecrets(ctx context.Context) ([]SealedSecret, error) {
	var out []SealedSecret
	for _, c := range sealedColumns {
		rows, err := tx.tx.QueryContext(ctx, c.query)
		if err != nil {
			return nil, fmt.Errorf("sealed secrets in %s.%s: %w", c.table, c.column, err)
		}
		for rows.Next() {
			s := SealedSecret{Table: c.table, Column: c.column}
			if err := rows.Scan(&s.ID, &s.Owner, &s.Kind, &s.Sealed); err != nil {
				rows.Close()
				return nil, fmt.Errorf("scan sealed secret: %w", err)
			}
			out = append(out, s)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("sealed secrets in %s.%s: %w", c.table, c.column, err)
		}
	}
	return out, nil
}

// ReplaceSealedSecret stores sealed in place of s.Sealed.
func (tx *Tx) ReplaceSealedSecret(ctx context.Context, s SealedSecret, sealed []byte) error {
	for _, c := range sealedColumns {
		if c.table != s.Table || c.column != s.Column {
			continue
		}
		// Table and column come from sealedColumns, never from input.
		res, err := tx.tx.ExecContext(ctx, `UPDATE `+c.table+` SET `+c.column+` = ? WHERE id = ? AND `+c.column+` = ?`,
			sealed, s.ID, s.Sealed)
		if err != nil {
			return fmt.Errorf("replace %s.%s of %d: %w", s.Table, s.Column, s.ID, err)
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return fmt.Errorf("replace %s.%s of %d: %w", s.Table, s.Column, s.ID, ErrConflict)
		}
		return nil
	}
	return fmt.Errorf("no sealed column %s.%s", s.Table, s.Column)
}

// BackupFile writes a consistent copy of the database at src to dst.
// VACUUM INTO reads one snapshot, so the service keeps running during the
// copy; the copy is compact and needs no WAL file beside it. src is
// opened without applying migrations, so a backup taken before an upgrade
// is of the schema as it was. The copy holds personal data: it is written
// owner-only (0600) into a temporary file beside dst, then renamed, so dst
// is never half written nor readable by others. An existing dst is
// refused unless overwrite.
func BackupFile(ctx context.Context, src, dst string, overwrite bool) error {
	if _, err := os.Stat(src); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if _, err := os.Stat(dst); err == nil && !overwrite {
		return fmt.Errorf("backup: %s exists; choose a new file (or --force to replace it)", dst)
	}
	// os.CreateTemp creates the file 0600; VACUUM INTO fills an empty file
	// and keeps its mode.
	tmp, err := os.CreateTemp(filepath.Dir(dst), filepath.Base(dst)+".partial-*")
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	tmp.Close()
	defer os.Remove(tmp.Name()) // after the rename, nothing is left to remove
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	sdb, err := sql.Open("sqlite", "file:"+src+"?"+q.Encode())
	if err != nil {
		return fmt.Errorf("backup: open %s: %w", src, err)
	}
	defer sdb.Close()
	if _, err := sdb.ExecContext(ctx, `VACUUM INTO ?`, tmp.Name()); err != nil {
		return fmt.Errorf("backup to %s: %w", dst, err)
	}
	if err := os.Rename(tmp.Name(), dst); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	return nil
}
