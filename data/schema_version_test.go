package data

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mfadesk/pgtest"
)

func TestOpenRefusesNewerSchema(t *testing.T) {
	path := pgtest.DSN(t, filepath.Join(t.TempDir(), "m.db"))
	ctx := context.Background()
	now := func() time.Time { return time.Unix(1_800_000_000, 0) }
	db, err := Open(ctx, path, now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES ('9999_from_a_newer_release', 0)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	_, err = Open(ctx, path, now)
	if !errors.Is(err, ErrNewerSchema) || !strings.Contains(err.Error(), "9999_from_a_newer_release") {
		t.Fatalf("open: %v", err)
	}
}
