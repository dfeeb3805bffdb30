package data

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Moving an installation from SQLite to PostgreSQL (mfadesk migrate-db,
// docs/operations.md): every row of every table, in one transaction of
// the target, checked before it commits.

// derivedTables are kept by triggers from other tables (the console's
// search keys, the adoption counts): the target's triggers fill them as
// the rows they follow are copied, and their counts are checked like the
// rest.
var derivedTables = []string{"adoption_categories", "adoption_recount", "adoption_totals", "customer_search"}

// seededTables hold rows a fresh schema already has (its migrations
// insert them): the source's rows replace them.
var seededTables = []string{"organisations"}

// notCopied are each database's own.
var notCopied = []string{"schema_migrations"}

// CopiedTable is one table's row count in the source and, after the copy,
// in the target.
type CopiedTable struct {
	Name           string
	Source, Target int64
}

// CopyReport says what CopyTo did.
type CopyReport struct {
	Tables []CopiedTable
	Chain  AuditChainReport
}

// ErrTargetNotEmpty refuses a copy onto a database that already has data.
var ErrTargetNotEmpty = errors.New("the target database is not empty")

// CopyTo copies every table of db, a SQLite database at the latest
// schema, into dst, a freshly migrated PostgreSQL database, in one
// transaction of dst: rows in foreign-key order, identity sequences moved
// past the highest id, then row counts compared table by table and the
// audit chain verified under keys, with audit (an event saying what was
// done) appended last. Anything amiss rolls the whole copy back.
func (db *DB) CopyTo(ctx context.Context, dst *DB, keys []*AuditKey, audit func(CopyReport) AuditEvent) (CopyReport, error) {
	var rep CopyReport
	if db.engine != SQLite || dst.engine != Postgres {
		return rep, fmt.Errorf("copy: from SQLite to PostgreSQL only, not %s to %s", db.engine, dst.engine)
	}
	tables, err := db.copyOrder(ctx)
	if err != nil {
		return rep, err
	}
	err = dst.InTx(ctx, func(tx *Tx) error {
		if err := tx.checkSameTables(ctx, tables); err != nil {
			return err
		}
		if err := tx.refuseData(ctx, tables); err != nil {
			return err
		}
		for _, t := range seededTables {
			if _, err := tx.ExecContext(ctx, `DELETE FROM `+quoteIdent(t)); err != nil {
				return fmt.Errorf("copy: clear %s: %w", t, err)
			}
		}
		rep.Tables = nil
		for _, t := range tables {
			n, err := tableRows(ctx, db.sql, t)
			if err != nil {
				return err
			}
			if !slices.Contains(derivedTables, t) {
				if err := db.copyTable(ctx, tx, t); err != nil {
					return err
				}
			}
			rep.Tables = append(rep.Tables, CopiedTable{Name: t, Source: n})
		}
		var mismatched []string
		for i, t := range rep.Tables {
			n, err := tableRows(ctx, tx, t.Name)
			if err != nil {
				return err
			}
			rep.Tables[i].Target = n
			if n != t.Source {
				mismatched = append(mismatched, fmt.Sprintf("%s (%d rows, source %d)", t.Name, n, t.Source))
			}
		}
		if len(mismatched) > 0 {
			return fmt.Errorf("copy: row counts differ: %s", strings.Join(mismatched, ", "))
		}
		if err := db.compareAdoptionTotals(ctx, tx); err != nil {
			return err
		}
		if err := tx.setIdentities(ctx, tables); err != nil {
			return err
		}
		if rep.Chain, err = verifyAuditChain(ctx, tx, keys); err != nil {
			return err
		}
		if rep.Chain.BrokenID != 0 {
			return fmt.Errorf("copy: the audit chain on the target is broken at event %d: %s", rep.Chain.BrokenID, rep.Chain.Reason)
		}
		return tx.Audit(ctx, audit(rep))
	})
	return rep, err
}

// copyOrder lists the source's tables parents first, so every foreign key
// finds its row; ties in name order.
func (db *DB) copyOrder(ctx context.Context) ([]string, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT m.name, COALESCE(f."table", '') FROM sqlite_master m
		LEFT JOIN pragma_foreign_key_list(m.name) f WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' ORDER BY m.name`)
	if err != nil {
		return nil, fmt.Errorf("copy: list tables: %w", err)
	}
	defer rows.Close()
	parents := map[string][]string{}
	var names []string
	for rows.Next() {
		var name, parent string
		if err := rows.Scan(&name, &parent); err != nil {
			return nil, fmt.Errorf("copy: list tables: %w", err)
		}
		if _, seen := parents[name]; !seen {
			names = append(names, name)
			parents[name] = nil
		}
		if parent != "" && parent != name {
			parents[name] = append(parents[name], parent)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("copy: list tables: %w", err)
	}
	var order []string
	done := map[string]bool{}
	var visit func(name string, path []string) error
	visit = func(name string, path []string) error {
		if done[name] {
			return nil
		}
		if slices.Contains(path, name) {
			return fmt.Errorf("copy: foreign keys form a cycle: %s", strings.Join(append(path, name), " → "))
		}
		for _, p := range parents[name] {
			if err := visit(p, append(path, name)); err != nil {
				return err
			}
		}
		done[name] = true
		if !slices.Contains(notCopied, name) {
			order = append(order, name)
		}
		return nil
	}
	for _, name := range names {
		if err := visit(name, nil); err != nil {
			return nil, err
		}
	}
	return order, nil
}

// targetColumn is one column of a target table and its PostgreSQL type.
type targetColumn struct {
	name, dataType string
	identity       bool
}

func (tx *Tx) targetColumns(ctx context.Context, table string) ([]targetColumn, error) {
	rows, err := tx.QueryContext(ctx, `SELECT column_name, data_type, is_identity FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position`, table)
	if err != nil {
		return nil, fmt.Errorf("copy: columns of %s: %w", table, err)
	}
	defer rows.Close()
	var out []targetColumn
	for rows.Next() {
		var c targetColumn
		var identity string
		if err := rows.Scan(&c.name, &c.dataType, &identity); err != nil {
			return nil, fmt.Errorf("copy: columns of %s: %w", table, err)
		}
		c.identity = identity == "YES"
		out = append(out, c)
	}
	return out, rows.Err()
}

// checkSameTables refuses a target whose tables are not the source's: a
// schema translated incompletely would lose a table's rows.
func (tx *Tx) checkSameTables(ctx context.Context, tables []string) error {
	rows, err := tx.QueryContext(ctx, `SELECT table_name FROM information_schema.tables
		WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`)
	if err != nil {
		return fmt.Errorf("copy: target tables: %w", err)
	}
	defer rows.Close()
	var extra []string
	have := map[string]bool{}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return fmt.Errorf("copy: target tables: %w", err)
		}
		have[name] = true
		if !slices.Contains(tables, name) && !slices.Contains(notCopied, name) {
			extra = append(extra, name)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("copy: target tables: %w", err)
	}
	var missing []string
	for _, t := range tables {
		if !have[t] {
			missing = append(missing, t)
		}
	}
	if len(missing) > 0 || len(extra) > 0 {
		return fmt.Errorf("copy: the schemas differ: only in the source %v, only in the target %v (are both at the latest migration?)", missing, extra)
	}
	return nil
}

// refuseData fails if the target holds any row a fresh schema does not.
func (tx *Tx) refuseData(ctx context.Context, tables []string) error {
	for _, t := range tables {
		if slices.Contains(derivedTables, t) || slices.Contains(seededTables, t) {
			continue
		}
		var found int
		err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM `+quoteIdent(t)+` LIMIT 1) AS t`).Scan(&found)
		if err != nil {
			return fmt.Errorf("copy: %s: %w", t, err)
		}
		if found > 0 {
			return fmt.Errorf("%w: table %s has rows; copy only into a new, empty database", ErrTargetNotEmpty, t)
		}
	}
	return nil
}

func tableRows(ctx context.Context, q queryer, table string) (int64, error) {
	var n int64
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+quoteIdent(table)).Scan(&n); err != nil {
		return 0, fmt.Errorf("copy: count %s: %w", table, err)
	}
	return n, nil
}

// copyBatch is how many rows one INSERT carries.
const copyBatch = 200

// copyTable copies one table's rows, by the target's column names.
func (db *DB) copyTable(ctx context.Context, tx *Tx, table string) error {
	cols, err := tx.targetColumns(ctx, table)
	if err != nil {
		return err
	}
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = quoteIdent(c.name)
	}
	list := strings.Join(names, ", ")
	order := ""
	if slices.ContainsFunc(cols, func(c targetColumn) bool { return c.name == "id" }) {
		order = ` ORDER BY id` // a row referring to an earlier row of its table comes after it
	}
	rows, err := db.sql.QueryContext(ctx, `SELECT `+list+` FROM `+quoteIdent(table)+order)
	if err != nil {
		return fmt.Errorf("copy: read %s: %w", table, err)
	}
	defer rows.Close()
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
	var args []any
	flush := func() error {
		if len(args) == 0 {
			return nil
		}
		n := len(args) / len(cols)
		query := `INSERT INTO ` + quoteIdent(table) + ` (` + list + `) VALUES ` + strings.TrimSuffix(strings.Repeat(row+", ", n), ", ")
		if _, err := tx.ExecContext(ctx, query, args...); err != nil {
			return fmt.Errorf("copy: write %s: %w", table, err)
		}
		args = args[:0]
		return nil
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return fmt.Errorf("copy: read %s: %w", table, err)
		}
		for i, c := range cols {
			v, err := asColumn(vals[i], c.dataType)
			if err != nil {
				return fmt.Errorf("copy: %s.%s: %w", table, c.name, err)
			}
			args = append(args, v)
		}
		if len(args) >= copyBatch*len(cols) {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("copy: read %s: %w", table, err)
	}
	return flush()
}

// asColumn converts a value as SQLite returned it (its storage class,
// which need not be the column's declared type) to what the PostgreSQL
// column takes.
func asColumn(v any, dataType string) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch dataType {
	case "text", "character varying":
		switch x := v.(type) {
		case []byte:
			return string(x), nil
		case string:
			return x, nil
		default:
			return fmt.Sprint(x), nil
		}
	case "bytea":
		switch x := v.(type) {
		case string:
			return []byte(x), nil
		case []byte:
			return x, nil
		}
	case "bigint", "integer", "smallint":
		switch x := v.(type) {
		case int64:
			return x, nil
		case string:
			return strconv.ParseInt(x, 10, 64)
		case []byte:
			return strconv.ParseInt(string(x), 10, 64)
		case float64:
			if x == float64(int64(x)) {
				return int64(x), nil
			}
		}
	case "double precision", "real", "numeric":
		return v, nil
	}
	return nil, fmt.Errorf("a %T value for a %s column", v, dataType)
}

// compareAdoptionTotals checks that the target's triggers counted the
// customers of each adoption category as the source's did: equal row
// counts alone would not show a count that differs.
func (db *DB) compareAdoptionTotals(ctx context.Context, tx *Tx) error {
	read := func(q queryer) (string, error) {
		rows, err := q.QueryContext(ctx, `SELECT category, customers FROM adoption_totals ORDER BY category`)
		if err != nil {
			return "", fmt.Errorf("copy: adoption totals: %w", err)
		}
		defer rows.Close()
		var b strings.Builder
		for rows.Next() {
			var cat string
			var n int64
			if err := rows.Scan(&cat, &n); err != nil {
				return "", fmt.Errorf("copy: adoption totals: %w", err)
			}
			fmt.Fprintf(&b, "%s=%d ", cat, n)
		}
		return b.String(), rows.Err()
	}
	src, err := read(db.sql)
	if err != nil {
		return err
	}
	dst, err := read(tx)
	if err != nil {
		return err
	}
	if src != dst {
		return fmt.Errorf("copy: adoption totals differ: target %s, source %s", dst, src)
	}
	return nil
}

// setIdentities moves each identity column's sequence past the highest
// id copied: rows inserted with their ids do not move it.
func (tx *Tx) setIdentities(ctx context.Context, tables []string) error {
	for _, t := range tables {
		cols, err := tx.targetColumns(ctx, t)
		if err != nil {
			return err
		}
		for _, c := range cols {
			if !c.identity {
				continue
			}
			col := quoteIdent(c.name)
			if _, err := tx.ExecContext(ctx, `SELECT setval(pg_get_serial_sequence(?, ?), COALESCE((SELECT MAX(`+col+`) FROM `+
				quoteIdent(t)+`), 0) + 1, false)`, quoteIdent(t), c.name); err != nil {
				return fmt.Errorf("copy: sequence of %s.%s: %w", t, c.name, err)
			}
		}
	}
	return nil
}

// quoteIdent quotes a table or column name for either engine.
func quoteIdent(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}
