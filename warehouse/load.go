package warehouse

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
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
// tables collapse by id, statistics by their snapshot key. Each table's
// rows go as a single block, so that a snapshot is stored whole or not at
// all (syncStats relies on it).
func (w *Warehouse) WritePage(ctx context.Context, src *tables.Table, raws []json.RawMessage, st Stamp) (PageResult, error) {
	x := w.NewWriter(src, math.MaxInt)
	defer x.Close()
	res, err := x.Add(ctx, raws, st)
	if err != nil {
		return res, err
	}
	return res, x.Commit(ctx)
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

// Writer streams pages of a source table (and its derived tables) into one
// open INSERT per table. ClickHouse prefers few, big inserts (each insert is
// a part to write and merge later: its guidance is 10k–100k rows or more,
// about one insert a second), while the worker's memory must stay flat, so
// rows travel a block at a time (BlockRows: the driver's Batch.Flush sends
// a block and keeps the INSERT open) and an INSERT ends only at Commit.
// Nothing counts as stored before Commit returns: a cursor covering the
// rows may be saved only after it. A Writer dropped without Commit (Close,
// or a crash) may leave some of its rows stored, which is harmless: rows
// collapse by their keys, and the cursor still points before them.
type Writer struct {
	w         *Warehouse
	src       *tables.Table
	blockRows int
	batches   map[string]driver.Batch
	pending   int       // rows added since the last Commit
	opened    time.Time // when the first of them was added
	row       []any
}

// DefaultBlockRows is how many rows of a table a Writer holds before it
// sends them as a block of the open INSERT (about 100 MB of worker memory
// at most for exports, whose _raw is a few KB a row).
const DefaultBlockRows = 3000

// NewWriter starts a writer for src's family of tables that sends a block
// every blockRows rows of a table (DefaultBlockRows when 0 or less).
func (w *Warehouse) NewWriter(src *tables.Table, blockRows int) *Writer {
	if blockRows <= 0 {
		blockRows = DefaultBlockRows
	}
	return &Writer{w: w, src: src, blockRows: blockRows, batches: map[string]driver.Batch{}}
}

// Pending is the number of rows added since the last Commit (sent or not,
// none of them committed).
func (x *Writer) Pending() int { return x.pending }

// OpenFor is how long the oldest uncommitted row has waited: 0 when none.
func (x *Writer) OpenFor() time.Duration {
	if x.pending == 0 {
		return 0
	}
	return time.Since(x.opened)
}

// Add appends a page of source records, and the rows derived from them,
// to the open INSERTs, sending every full block.
func (x *Writer) Add(ctx context.Context, raws []json.RawMessage, st Stamp) (PageResult, error) {
	res := PageResult{Rows: map[string]int{}}
	recs := make([]tables.Record, len(raws))
	for i, raw := range raws {
		recs[i] = tables.Record{Raw: raw}
	}
	if x.pending == 0 {
		x.opened = time.Now()
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

// add appends records of one table to its INSERT (opened on first use,
// with a column list: 18.16 needs one), sending a block whenever blockRows
// rows wait.
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
		if batch.Rows() >= x.blockRows {
			if err := batch.Flush(); err != nil {
				return fmt.Errorf("clickhouse: sending a block of %s: %w", t.Name, err)
			}
		}
	}
	res.Rows[t.Name] += len(recs)
	x.pending += len(recs)
	return nil
}

// Commit sends what waits and ends every open INSERT, one per table: once
// it returns, the rows added so far are stored.
func (x *Writer) Commit(ctx context.Context) error {
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
	x.pending = 0
	return nil
}

// Close drops what was not committed and releases the connections.
func (x *Writer) Close() {
	for name, b := range x.batches {
		b.Abort()
		delete(x.batches, name)
	}
	x.pending = 0
}
