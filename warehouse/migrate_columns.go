package warehouse

import (
	"context"
	"fmt"
	"regexp"
	"strings"
)

// addColumn matches "ALTER TABLE t [ON CLUSTER c] ADD COLUMN name …", one
// column per statement.
var addColumn = regexp.MustCompile("(?is)^\\s*ALTER\\s+TABLE\\s+`?([\\w.]+?)`?(?:\\s+ON\\s+CLUSTER\\s+\\S+)?\\s+ADD\\s+COLUMN\\s+`?(\\w+)`?\\s")

// columnAdded reports whether stmt adds a column that the table already
// has. ClickHouse 18.16 knows no ADD COLUMN IF NOT EXISTS, and two workers
// starting together may both apply a migration, so the runner asks
// system.columns first.
func (w *Warehouse) columnAdded(ctx context.Context, stmt string) (bool, error) {
	m := addColumn.FindStringSubmatch(stmt)
	if m == nil {
		return false, nil
	}
	db, table := w.cfg.Database, m[1]
	if d, t, ok := strings.Cut(table, "."); ok {
		db, table = d, t
	}
	var n uint64
	if err := w.conn.QueryRow(ctx, "SELECT count() FROM system.columns WHERE database = ? AND table = ? AND name = ?",
		db, table, m[2]).Scan(&n); err != nil {
		return false, fmt.Errorf("reading system.columns: %w", err)
	}
	return n > 0, nil
}
