package warehouse

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

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

// PageResult counts what one page wrote, per table.
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
	res := PageResult{Rows: map[string]int{}}
	recs := make([]tables.Record, 0, len(raws))
	for _, raw := range raws {
		rec, err := tables.ParseRecord(raw)
		if err != nil {
			return res, fmt.Errorf("%s: %w", src.Name, err)
		}
		recs = append(recs, rec)
	}
	return res, w.writeFamily(ctx, src, recs, st, &res)
}

func (w *Warehouse) writeFamily(ctx context.Context, t *tables.Table, recs []tables.Record, st Stamp, res *PageResult) error {
	if err := w.insert(ctx, t, recs, st, res); err != nil {
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
		if err := w.writeFamily(ctx, child, kids, st, res); err != nil {
			return err
		}
	}
	return nil
}

// insert writes records of one table as one batch with a column list.
func (w *Warehouse) insert(ctx context.Context, t *tables.Table, recs []tables.Record, st Stamp, res *PageResult) error {
	res.Rows[t.Name] += 0
	if len(recs) == 0 {
		return nil
	}
	batch, err := w.conn.PrepareBatch(ctx, fmt.Sprintf("INSERT INTO %s (%s)", t.Name, t.QuotedColumns()))
	if err != nil {
		return fmt.Errorf("clickhouse: preparing insert into %s: %w", t.Name, err)
	}
	defer batch.Close()
	row := make([]any, 0, len(t.Columns)+4)
	for _, rec := range recs {
		var problems []error
		row, problems, err = t.Values(rec, row[:0])
		if err != nil {
			return err
		}
		res.Problems = append(res.Problems, problems...)
		row = append(row, string(rec.Raw), st.SyncedAt)
		if t.Entity() {
			row = append(row, st.Version, uint8(0))
		}
		if err := batch.Append(row...); err != nil {
			return fmt.Errorf("clickhouse: %s: %w", t.Name, err)
		}
	}
	if err := batch.Send(); err != nil {
		return fmt.Errorf("clickhouse: inserting %d rows into %s: %w", len(recs), t.Name, err)
	}
	res.Rows[t.Name] += len(recs)
	return nil
}
