package warehouse

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"talkwarehouse/tables"
)

// Stamp is the bookkeeping written with a page's rows.
type Stamp struct {
	// SyncedAt is when the rows were fetched; for statistics it is the
	// snapshot's time and part of the key.
	SyncedAt time.Time
	// Version orders entity rows: the newest fetch wins under FINAL.
	Version uint64
}

// NewStamp stamps rows fetched at t.
func NewStamp(t time.Time) Stamp {
	return Stamp{SyncedAt: t.UTC().Truncate(time.Second), Version: uint64(t.UnixNano())}
}

// PageResult counts what pages added, per table.
type PageResult struct {
	Rows map[string]int
	// Problems are field values of an unexpected type, stored as NULL
	// (the value stays in _raw). Callers log a sample.
	Problems []error
}

// WritePage stores one page of a source table's records, and the rows of
// every table derived from them (ivr_menus and ivr_routes from ivrs), each
// table as one batch. Writing the same page again is harmless: entity
// tables collapse by id, statistics by their snapshot key.
func (w *Warehouse) WritePage(ctx context.Context, src *tables.Table, raws []json.RawMessage, st Stamp) (PageResult, error) {
	x := w.NewWriter(src)
	defer x.Close()
	res, err := x.Add(ctx, raws, st)
	if err != nil {
		return res, err
	}
	return res, x.Flush(ctx)
}

// SnapshotRows counts the rows of a statistics snapshot taken at syncedAt
// (its _synced_at): 0 when it is not stored.
func (w *Warehouse) SnapshotRows(ctx context.Context, t *tables.Table, syncedAt time.Time) (uint64, error) {
	var n uint64
	if err := w.conn.QueryRow(ctx, fmt.Sprintf("SELECT count() FROM %s WHERE _synced_at = ?", t.Name), syncedAt.UTC()).Scan(&n); err != nil {
		return 0, fmt.Errorf("clickhouse: looking for the %s snapshot of %s: %w", t.Name, syncedAt.UTC().Format(time.RFC3339), err)
	}
	return n, nil
}

// LatestRaw returns the _raw of t's newest row (by _synced_at); ok is
// false when t is empty. OnlyChanges tables compare a fetch with it.
func (w *Warehouse) LatestRaw(ctx context.Context, t *tables.Table) (raw json.RawMessage, syncedAt time.Time, ok bool, err error) {
	rows, err := w.conn.Query(ctx, fmt.Sprintf("SELECT _raw, _synced_at FROM %s ORDER BY _synced_at DESC LIMIT 1", t.Name))
	if err != nil {
		return nil, time.Time{}, false, fmt.Errorf("clickhouse: reading the newest row of %s: %w", t.Name, err)
	}
	defer rows.Close()
	if !rows.Next() {
		return nil, time.Time{}, false, rows.Err()
	}
	var s string
	if err := rows.Scan(&s, &syncedAt); err != nil {
		return nil, time.Time{}, false, fmt.Errorf("clickhouse: reading the newest row of %s: %w", t.Name, err)
	}
	return json.RawMessage(s), syncedAt.UTC(), true, nil
}

// Writer gathers pages of a source table (and its derived tables) in open
// batches and sends them together: ClickHouse prefers fewer, bigger inserts
// (each insert is a part to write and merge). Nothing is stored until
// Flush; a cursor covering the rows may be saved only after it.
type Writer struct {
	w        *Warehouse
	src      *tables.Table
	batches  map[string]driver.Batch
	buffered int
	row      []any
}

// NewWriter starts a writer for src's family of tables.
func (w *Warehouse) NewWriter(src *tables.Table) *Writer {
	return &Writer{w: w, src: src, batches: map[string]driver.Batch{}}
}

// Buffered is the number of rows added since the last Flush.
func (x *Writer) Buffered() int { return x.buffered }

// Add appends a page of source records, and the rows derived from them,
// to the open batches.
func (x *Writer) Add(ctx context.Context, raws []json.RawMessage, st Stamp) (PageResult, error) {
	res := PageResult{Rows: map[string]int{}}
	recs := make([]tables.Record, len(raws))
	for i, raw := range raws {
		recs[i] = tables.Record{Raw: raw}
	}
	return res, x.addFamily(ctx, x.src, recs, st, &res)
}

func (x *Writer) addFamily(ctx context.Context, t *tables.Table, recs []tables.Record, st Stamp, res *PageResult) error {
	if err := x.add(ctx, t, recs, st, res); err != nil {
		return err
	}
	for _, child := range t.Children() {
		var kids []tables.Record
		for _, r := range recs {
			derived, err := child.Derive(r)
			if err != nil {
				return err
			}
			kids = append(kids, derived...)
		}
		if err := x.addFamily(ctx, child, kids, st, res); err != nil {
			return err
		}
	}
	return nil
}

// add appends records of one table to its batch (opened on first use,
// with a column list: 18.16 needs one).
func (x *Writer) add(ctx context.Context, t *tables.Table, recs []tables.Record, st Stamp, res *PageResult) error {
	if len(recs) == 0 {
		return nil
	}
	batch, ok := x.batches[t.Name]
	if !ok {
		var err error
		batch, err = x.w.conn.PrepareBatch(x.w.quorumContext(ctx, t.Name), fmt.Sprintf("INSERT INTO %s (%s)", t.Name, t.QuotedColumns()))
		if err != nil {
			return fmt.Errorf("clickhouse: preparing insert into %s: %w", t.Name, err)
		}
		x.batches[t.Name] = batch
	}
	for _, rec := range recs {
		var problems []error
		var err error
		x.row, problems, err = t.Values(rec, x.row[:0])
		if err != nil {
			return err
		}
		res.Problems = append(res.Problems, problems...)
		x.row = append(x.row, string(rec.Raw), st.SyncedAt)
		if t.Entity() {
			x.row = append(x.row, st.Version, uint8(0))
		}
		if err := batch.Append(x.row...); err != nil {
			return fmt.Errorf("clickhouse: %s: %w", t.Name, err)
		}
	}
	res.Rows[t.Name] += len(recs)
	x.buffered += len(recs)
	return nil
}

// Flush sends every open batch, one insert per table.
func (x *Writer) Flush(ctx context.Context) error {
	for _, t := range x.src.Family() {
		batch, ok := x.batches[t.Name]
		if !ok {
			continue
		}
		delete(x.batches, t.Name)
		if err := batch.Send(); err != nil {
			batch.Close()
			return fmt.Errorf("clickhouse: inserting into %s: %w", t.Name, err)
		}
	}
	x.buffered = 0
	return nil
}

// Close drops what was not flushed and releases the connections.
func (x *Writer) Close() {
	for name, b := range x.batches {
		b.Abort()
		delete(x.batches, name)
	}
	x.buffered = 0
}
