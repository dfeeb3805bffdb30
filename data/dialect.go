package data

// pick is the SQL text for e: sqlite's or postgres's, where the two
// engines disagree.
func pick(e Engine, sqlite, postgres string) string {
	if e == Postgres {
		return postgres
	}
	return sqlite
}
