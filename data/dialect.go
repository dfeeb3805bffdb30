package data

import "context"

// The SQL in this package is written once, in the subset SQLite and
// PostgreSQL both accept: ON CONFLICT instead of INSERT OR IGNORE/REPLACE,
// RETURNING instead of LastInsertId, CASE instead of scalar MAX/MIN,
// COALESCE instead of IFNULL, times computed in Go from the unix seconds
// stored, booleans stored as 0/1 integers (boolInt). The few statements
// that cannot be shared pick their text per engine.

// pick returns the text for engine e: sqlite for SQLite, postgres for
// PostgreSQL.
func pick(e Engine, sqlite, postgres string) string {
	if e == Postgres {
		return postgres
	}
	return sqlite
}

// insertID runs an INSERT into a table with an id column and returns
// the new row's id: PostgreSQL's driver has no LastInsertId, and both
// engines return it with RETURNING.
func (tx *Tx) insertID(ctx context.Context, insert string, args ...any) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, insert+` RETURNING id`, args...).Scan(&id)
	return id, err
}
