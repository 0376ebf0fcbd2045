package warehouse

import (
	"context"
	"fmt"
	"time"
)

// Run is one table's part in one sync, as sync_runs records it.
type Run struct {
	WorkflowID   string     `json:"workflow_id"`
	RunID        string     `json:"run_id"`
	Table        string     `json:"table"`
	Mode         string     `json:"mode"`   // incremental, full_refresh, backfill, snapshot, stats
	Status       string     `json:"status"` // success, skipped, failed, cancelled
	Rows         uint64     `json:"rows"`
	Pages        uint64     `json:"pages"`
	Requests     uint64     `json:"requests"`
	Deleted      uint64     `json:"deleted"`
	StartedAt    time.Time  `json:"started_at"`
	FinishedAt   time.Time  `json:"finished_at"`
	CursorBefore *time.Time `json:"cursor_before,omitempty"`
	CursorAfter  *time.Time `json:"cursor_after,omitempty"`
	Reason       string     `json:"reason,omitempty"`
	// Warnings and Notes are the table's (activities.TableResult).
	Warnings []string `json:"warnings,omitempty"`
	Notes    []string `json:"notes,omitempty"`
}

// RecordRuns writes a sync's rows into sync_runs as one batch.
func (w *Warehouse) RecordRuns(ctx context.Context, runs []Run) error {
	if len(runs) == 0 {
		return nil
	}
	b, err := w.conn.PrepareBatch(ctx, `INSERT INTO sync_runs (workflow_id, run_id, table_name, mode, status, rows, pages,
 requests, deleted, started_at, finished_at, cursor_before, cursor_after, reason, warnings, notes, _version)`)
	if err != nil {
		return fmt.Errorf("clickhouse: recording sync runs: %w", err)
	}
	defer b.Close()
	v := uint64(time.Now().UnixNano())
	for _, r := range runs {
		if err := b.Append(r.WorkflowID, r.RunID, r.Table, r.Mode, r.Status, r.Rows, r.Pages, r.Requests, r.Deleted,
			r.StartedAt.UTC(), r.FinishedAt.UTC(), utcPtr(r.CursorBefore), utcPtr(r.CursorAfter), r.Reason,
			nonNil(r.Warnings), nonNil(r.Notes), v); err != nil {
			return err
		}
	}
	if err := b.Send(); err != nil {
		return fmt.Errorf("clickhouse: recording sync runs: %w", err)
	}
	return nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// TableStatus is the latest state of one table, for `starter status`.
type TableStatus struct {
	Table       string
	LastStatus  string
	LastRun     time.Time // finished_at of the latest sync of the table
	LastSuccess *time.Time
	Cursor      *time.Time // exports: the cursor after the latest success other than a backfill (which leaves it)
	Rows        uint64     // rows written by the latest success
	Reason      string     // of the latest run, if skipped or failed
}

// Status summarizes sync_runs per table.
func (w *Warehouse) Status(ctx context.Context) ([]TableStatus, error) {
	rows, err := w.conn.Query(ctx, `SELECT table_name,
       argMax(status, finished_at),
       max(finished_at),
       maxIf(finished_at, status = 'success'),
       countIf(status = 'success'),
       argMaxIf(cursor_after, finished_at, status = 'success' AND mode != 'backfill'),
       argMaxIf(rows, finished_at, status = 'success'),
       argMax(reason, finished_at)
FROM sync_runs FINAL
GROUP BY table_name
ORDER BY table_name`)
	if err != nil {
		return nil, fmt.Errorf("clickhouse: reading sync_runs: %w", err)
	}
	defer rows.Close()
	var out []TableStatus
	for rows.Next() {
		var s TableStatus
		var success time.Time
		var successes uint64
		if err := rows.Scan(&s.Table, &s.LastStatus, &s.LastRun, &success, &successes, &s.Cursor, &s.Rows, &s.Reason); err != nil {
			return nil, err
		}
		if successes > 0 {
			success = success.UTC()
			s.LastSuccess = &success
		}
		s.LastRun = s.LastRun.UTC()
		out = append(out, s)
	}
	return out, rows.Err()
}
