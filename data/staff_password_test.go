package data

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"
)

// Until migration 0028 no staff member could change their password, so
// every existing one is still the initial password someone else was
// shown: the migration makes each change it at the next login. A
// replacement counts only over the hash it read.
func TestStaffPasswordMigrationAndReplace(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	sdb := migratedBelow(t, path, "0028")
	if _, err := sdb.Exec(`INSERT INTO staff (id, login_id, name, role, org_id, password_hash, created_at, updated_at)
		VALUES (1, 'agent', 'A', 'agent', 'support', 'old', 1, 1)`); err != nil {
		t.Fatal(err)
	}
	sdb.Close()
	db, err := Open(ctx, path, func() time.Time { return time.Unix(1_800_000_000, 0) })
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if st, err := db.StaffByID(ctx, 1); err != nil || !st.MustChangePassword {
		t.Fatalf("existing staff after the migration: %+v %v", st, err)
	}
	err = db.InTx(ctx, func(tx *Tx) error { return tx.ReplaceStaffPassword(ctx, 1, "not-the-stored-one", "new") })
	if !errors.Is(err, ErrConflict) {
		t.Errorf("replace over another hash: %v", err)
	}
	if err := db.InTx(ctx, func(tx *Tx) error { return tx.ReplaceStaffPassword(ctx, 1, "old", "new") }); err != nil {
		t.Fatal(err)
	}
	if st, _ := db.StaffByID(ctx, 1); st.MustChangePassword || st.PasswordHash != "new" {
		t.Errorf("after the replacement: must change %v, hash %q", st.MustChangePassword, st.PasswordHash)
	}
	if err := db.InTx(ctx, func(tx *Tx) error { return tx.SetStaffTemporaryPassword(ctx, 1, "temp") }); err != nil {
		t.Fatal(err)
	}
	if st, _ := db.StaffByID(ctx, 1); !st.MustChangePassword || st.PasswordHash != "temp" {
		t.Errorf("after a reset: must change %v, hash %q", st.MustChangePassword, st.PasswordHash)
	}
}
