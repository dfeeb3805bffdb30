package data

import (
	"context"
	"fmt"
)

// AdoptionCounts counts the customers in each category now; every
// category is in the map, zero or not. The counts are kept by SQLite
// itself as customers, factors and passkeys change
// (0030_adoption_counts.sql), so this reads five rows however many
// customers there are.
func (db *DB) AdoptionCounts(ctx context.Context) (map[string]int, error) {
	return scanAdoptionCounts(ctx, db, `SELECT category, customers FROM adoption_totals`)
}

// scanAdoptionCounts runs a query of (category, count) rows.
func scanAdoptionCounts(ctx context.Context, db *DB, query string) (map[string]int, error) {
	rows, err := db.QueryContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("adoption counts: %w", err)
	}
	defer rows.Close()
	counts := map[string]int{}
	for _, cat := range AdoptionCategories() {
		counts[cat] = 0
	}
	for rows.Next() {
		var cat string
		var n int
		if err := rows.Scan(&cat, &n); err != nil {
			return nil, fmt.Errorf("scan adoption count: %w", err)
		}
		counts[cat] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("adoption counts: %w", err)
	}
	return counts, nil
}
