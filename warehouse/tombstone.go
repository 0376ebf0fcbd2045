package warehouse

import (
	"context"
	"fmt"
	"strings"
	"time"

	"talkwarehouse/tables"
)

// Tombstone marks as deleted every live entity of t that a complete
// snapshot did not write: rows whose newest _version predates the
// snapshot's start. The tombstone is a copy of the entity's last row with
// _deleted = 1 and a newer _version, so FINAL keeps it and the values stay
// queryable. Only call it after a complete read: a snapshot cut short
// would delete what it did not reach.
func (w *Warehouse) Tombstone(ctx context.Context, t *tables.Table, snapshotStart uint64) (uint64, error) {
	if !t.Entity() {
		return 0, fmt.Errorf("tombstone: %s is not an entity table", t.Name)
	}
	var n uint64
	if err := w.conn.QueryRow(ctx, fmt.Sprintf("SELECT count() FROM %s FINAL WHERE _deleted = 0 AND _version < ?", t.Name), snapshotStart).Scan(&n); err != nil {
		return 0, fmt.Errorf("clickhouse: counting removed rows of %s: %w", t.Name, err)
	}
	if n == 0 {
		return 0, nil
	}
	var cols []string
	for _, c := range t.Columns {
		cols = append(cols, "`"+c.Name+"`")
	}
	cols = append(cols, "_raw")
	list := strings.Join(cols, ", ")
	now := time.Now()
	q := fmt.Sprintf("INSERT INTO %s (%s, _synced_at, _version, _deleted) SELECT %s, toDateTime(?), toUInt64(?), 1 FROM %s FINAL WHERE _deleted = 0 AND _version < ?",
		t.Name, list, list, t.Name)
	if err := w.conn.Exec(ctx, q, now.UTC().Unix(), uint64(now.UnixNano()), snapshotStart); err != nil {
		return 0, fmt.Errorf("clickhouse: marking removed rows of %s: %w", t.Name, err)
	}
	return n, nil
}
