package data

// Engine is the database behind a DB: embedded SQLite (the default) or
// PostgreSQL for installations with several instances
// (docs/operations.md). SQL is written once where the two agree; where
// they do not, each engine gets its own text.
type Engine int

const (
	SQLite Engine = iota
	Postgres
)

func (e Engine) String() string {
	if e == Postgres {
		return "postgres"
	}
	return "sqlite"
}

// Engine says which database this is.
func (db *DB) Engine() Engine { return db.engine }
