package warehouse

import (
	"context"
	"fmt"
	"strings"

	"talkwarehouse/schema"
)

// columnAdded reports whether stmt adds a column that the table already
// has. ClickHouse 18.16 knows no ADD COLUMN IF NOT EXISTS, and two workers
// starting together may both apply a migration, so the runner asks
// system.columns first.
func (w *Warehouse) columnAdded(ctx context.Context, stmt string) (bool, error) {
	table, column, ok := schema.AddedColumn(stmt)
	if !ok {
		return false, nil
	}
	db := w.cfg.Database
	if d, t, ok := strings.Cut(table, "."); ok {
		db, table = d, t
	}
	var n uint64
	if err := w.conn.QueryRow(ctx, "SELECT count() FROM system.columns WHERE database = ? AND table = ? AND name = ?",
		db, table, column).Scan(&n); err != nil {
		return false, fmt.Errorf("reading system.columns: %w", err)
	}
	return n > 0, nil
}
