package warehouse

import (
	"context"
	"fmt"
	"time"
)

// Cursor is where a table's incremental export stands: the start_time of
// the next request. It is written only after the rows before it are stored.
type Cursor struct {
	Table     string
	Cursor    time.Time
	SyncID    string // the Temporal run that wrote it
	Complete  bool   // the export caught up in that run
	Rows      uint64 // rows that run had written when it wrote this cursor
	UpdatedAt time.Time
}

// LoadCursor returns the newest cursor of a table; ok is false if the
// table has never been exported.
func (w *Warehouse) LoadCursor(ctx context.Context, table string) (c Cursor, ok bool, err error) {
	row := w.conn.QueryRow(ctx, `SELECT count(), argMax(cursor, _version), argMax(sync_id, _version),
       argMax(complete, _version), argMax(rows, _version), argMax(updated_at, _version)
FROM sync_cursors WHERE table_name = ?`, table)
	var n uint64
	var complete uint8
	if err := row.Scan(&n, &c.Cursor, &c.SyncID, &complete, &c.Rows, &c.UpdatedAt); err != nil {
		return c, false, fmt.Errorf("clickhouse: reading cursor of %s: %w", table, err)
	}
	c.Table, c.Complete = table, complete == 1
	c.Cursor, c.UpdatedAt = c.Cursor.UTC(), c.UpdatedAt.UTC()
	return c, n > 0, nil
}

// SaveCursor records a cursor; the newest write wins.
func (w *Warehouse) SaveCursor(ctx context.Context, c Cursor) error {
	b, err := w.conn.PrepareBatch(ctx, "INSERT INTO sync_cursors (table_name, cursor, sync_id, complete, rows, updated_at, _version)")
	if err != nil {
		return fmt.Errorf("clickhouse: saving cursor of %s: %w", c.Table, err)
	}
	defer b.Close()
	var complete uint8
	if c.Complete {
		complete = 1
	}
	now := time.Now()
	if err := b.Append(c.Table, c.Cursor.UTC(), c.SyncID, complete, c.Rows, now.UTC(), uint64(now.UnixNano())); err != nil {
		return err
	}
	if err := b.Send(); err != nil {
		return fmt.Errorf("clickhouse: saving cursor of %s: %w", c.Table, err)
	}
	return nil
}
