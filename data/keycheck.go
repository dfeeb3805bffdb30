package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// KeyCheck is the database's key check: a constant sealed under the key
// its secrets are under, and that key's id.
type KeyCheck struct {
	Sealed    []byte
	KeyID     string
	UpdatedAt time.Time
}

// KeyCheck reads the key check; ErrNotFound before the first is written.
func (db *DB) KeyCheck(ctx context.Context) (*KeyCheck, error) { return keyCheck(ctx, db) }

// KeyCheck reads the key check inside a transaction.
func (tx *Tx) KeyCheck(ctx context.Context) (*KeyCheck, error) { return keyCheck(ctx, tx) }

func keyCheck(ctx context.Context, q queryer) (*KeyCheck, error) {
	var kc KeyCheck
	var updated int64
	err := q.QueryRowContext(ctx, `SELECT sealed, key_id, updated_at FROM key_check WHERE id = 1`).Scan(&kc.Sealed, &kc.KeyID, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("key check: %w", err)
	}
	kc.UpdatedAt = time.Unix(updated, 0)
	return &kc, nil
}

// PutKeyCheck writes the key check, replacing the one there.
func (tx *Tx) PutKeyCheck(ctx context.Context, sealed []byte, keyID string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO key_check (id, sealed, key_id, updated_at) VALUES (1, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET sealed = excluded.sealed, key_id = excluded.key_id, updated_at = excluded.updated_at`,
		sealed, keyID, tx.now.Unix())
	if err != nil {
		return fmt.Errorf("write key check: %w", err)
	}
	return nil
}

// SampleSealedSecret returns one sealed secret, to learn which key the
// database is on; ErrNotFound when it holds none.
func (tx *Tx) SampleSealedSecret(ctx context.Context) (*SealedSecret, error) {
	for _, c := range sealedColumns {
		s := SealedSecret{Table: c.table, Column: c.column}
		err := tx.QueryRowContext(ctx, c.query+` LIMIT 1`).Scan(&s.ID, &s.Owner, &s.Kind, &s.Sealed)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("sample sealed secret in %s.%s: %w", c.table, c.column, err)
		}
		return &s, nil
	}
	return nil, ErrNotFound
}

// keyedHashColumns are every column holding keyed hashes, stored as
// "keyid$salt$mac" (mfa.CodeHasher), with what keeps a row usable: a
// key may be dropped once no usable row names it. A new column is added
// here.
var keyedHashColumns = []struct {
	table, column, what string
	usable              string // SQL condition
	expires             bool   // has expires_at; recovery codes last until used
}{
	{"recovery_codes", "code_hash", "recovery codes", "used_at = 0", false},
	{"temp_passes", "pass_hash", "temporary passes", "used_at = 0 AND voided_at = 0", true},
	{"challenges", "code_hash", "one-time codes", "used_at = 0 AND voided_at = 0", true},
	{"verifications", "code_hash", "verification codes", "status = 'pending' AND code_hash <> ''", true},
}

// StampKeyedHashes gives keyed hashes made before hashes named their key
// ("salt$mac") the id of the key that made them, and returns how many.
func (tx *Tx) StampKeyedHashes(ctx context.Context, keyID string) (int64, error) {
	var total int64
	for _, c := range keyedHashColumns {
		// Table and column come from keyedHashColumns, never from input.
		res, err := tx.ExecContext(ctx, `UPDATE `+c.table+` SET `+c.column+` = ? || '$' || `+c.column+
			` WHERE `+c.column+` <> '' AND `+c.column+` NOT LIKE '%$%$%'`, keyID)
		if err != nil {
			return 0, fmt.Errorf("stamp key ids in %s.%s: %w", c.table, c.column, err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return 0, err
		}
		total += n
	}
	return total, nil
}

// KeyedHashes counts the still usable keyed hashes of one kind made by
// one key.
type KeyedHashes struct {
	KeyID string
	What  string // "recovery codes", "temporary passes", ...
	Count int
	// Until is when the last of them expires; zero for recovery codes,
	// which last until used or replaced.
	Until time.Time
}

// UsableKeyedHashes counts the keyed hashes that could still be checked,
// by key and kind.
func (db *DB) UsableKeyedHashes(ctx context.Context) ([]KeyedHashes, error) {
	var out []KeyedHashes
	for _, c := range keyedHashColumns {
		until, where, args := `0`, c.usable, []any{}
		if c.expires {
			until, where, args = `MAX(expires_at)`, where+` AND expires_at > ?`, []any{db.unix()}
		}
		// The key id is what comes before the first '$'.
		keyID := `substr(` + c.column + `, 1, ` + pick(db.engine, `instr`, `strpos`) + `(` + c.column + `, '$') - 1)`
		rows, err := db.QueryContext(ctx, `SELECT `+keyID+`, COUNT(*), `+until+
			` FROM `+c.table+` WHERE `+where+` GROUP BY 1 ORDER BY 1`, args...)
		if err != nil {
			return nil, fmt.Errorf("keyed hashes in %s: %w", c.table, err)
		}
		for rows.Next() {
			k := KeyedHashes{What: c.what}
			var until int64
			if err := rows.Scan(&k.KeyID, &k.Count, &until); err != nil {
				rows.Close()
				return nil, fmt.Errorf("scan keyed hashes: %w", err)
			}
			if until > 0 {
				k.Until = time.Unix(until, 0)
			}
			out = append(out, k)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("keyed hashes in %s: %w", c.table, err)
		}
	}
	return out, nil
}
