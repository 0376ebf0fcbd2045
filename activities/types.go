// Package activities does the I/O of a sync: one activity per source table
// fetches from Zendesk page by page, writes each page to ClickHouse, and
// heartbeats its checkpoint so a retried attempt resumes where the work
// stopped. Activities return counts and cursors, never records.
package activities

import (
	"errors"
	"fmt"
	"time"
)

// DefaultHeartbeatEvery is how often a running activity heartbeats: with
// the worker's heartbeat throttle (workflows.HeartbeatThrottle) it is how
// soon a cancel reaches it.
const DefaultHeartbeatEvery = 2 * time.Second

// SyncTableInput asks for one source table. It holds no secrets: those
// stay in the worker's environment.
type SyncTableInput struct {
	// Table is a source table (derived tables come with their source:
	// ivr_menus and ivr_routes with ivrs).
	Table string `json:"table"`
	// FullRefresh re-exports calls and legs from ZENDESK_START_DATE instead
	// of the stored cursor. Other tables are always read whole.
	FullRefresh bool `json:"full_refresh"`
	// Window, when set, makes this a backfill of an export: only records
	// updated in [From, To) are read and stored, and the table's stored
	// cursor is neither read nor written (the window's progress is the
	// activity's heartbeat). Nil is an ordinary sync.
	Window *Window `json:"window,omitempty"`
}

// Window is a backfill's range of updated_at: From inclusive, To exclusive,
// whole seconds (the export's start_time). A zero From means the worker's
// ZENDESK_START_DATE.
type Window struct {
	From time.Time `json:"from,omitempty"`
	To   time.Time `json:"to"`
}

// String is the window as "2024-01-01T00:00:00Z..2024-02-01T00:00:00Z"
// ("ZENDESK_START_DATE.." when From is zero).
func (w Window) String() string {
	from := "ZENDESK_START_DATE"
	if !w.From.IsZero() {
		from = w.From.UTC().Format(time.RFC3339)
	}
	return from + ".." + w.To.UTC().Format(time.RFC3339)
}

// Check refuses a window that cannot be backfilled at now with the export
// lag lag (ZENDESK_EXPORT_LAG): To not after From, or To later than now
// minus lag (the part of the export an incremental sync re-reads, still
// settling). The error names the flags to fix.
func (w Window) Check(now time.Time, lag time.Duration) error {
	if w.To.IsZero() {
		return errors.New("the backfill window has no end (--to)")
	}
	if !w.From.IsZero() && !w.To.After(w.From) {
		return fmt.Errorf("the backfill window is empty: --to %s is not after --from %s",
			w.To.UTC().Format(time.RFC3339), w.From.UTC().Format(time.RFC3339))
	}
	if limit := now.Add(-lag); w.To.After(limit) {
		return fmt.Errorf("the backfill window ends at %s, later than now minus ZENDESK_EXPORT_LAG (%s, %s): records that recent are still settling and the incremental sync reads them; give an earlier --to",
			w.To.UTC().Format(time.RFC3339), lag, limit.UTC().Truncate(time.Second).Format(time.RFC3339))
	}
	return nil
}

// TableResult is what a sync did to one warehouse table.
type TableResult struct {
	Table     string        `json:"table"`
	Kind      string        `json:"kind"`
	Rows      int           `json:"rows"`  // rows written (duplicates across page boundaries included)
	Pages     int           `json:"pages"` // pages fetched by this table's source
	Requests  int64         `json:"requests"`
	Retries   int64         `json:"retries"`
	Throttled int64         `json:"throttled"` // 429 answers
	Duration  time.Duration `json:"duration"`
	// Skipped tables were not synced (403: plan or role) and say why.
	Skipped bool   `json:"skipped,omitempty"`
	Reason  string `json:"reason,omitempty"`
	// Error is why a failed table failed; its counts and cursors are what
	// it had stored by then. Cancelled tables were stopped by a cancel.
	Error     string `json:"error,omitempty"`
	Cancelled bool   `json:"cancelled,omitempty"`
	// Exports only: the cursor before and after (start_time of the next sync).
	CursorBefore *time.Time `json:"cursor_before,omitempty"`
	CursorAfter  *time.Time `json:"cursor_after,omitempty"`
	// Window is a backfill's window (the stored cursor is untouched, and
	// CursorBefore and CursorAfter are unset); WindowReached is where it
	// got: the start_time of its next request, Window.To once done.
	Window        *Window    `json:"window,omitempty"`
	WindowReached *time.Time `json:"window_reached,omitempty"`
	// Deleted counts entities marked removed upstream (_deleted = 1) by
	// this complete snapshot.
	Deleted int `json:"deleted,omitempty"`
	// Problems counts field values of an unexpected type stored as NULL,
	// and FirstProblem names the first: table, record id, field and value.
	Problems     int    `json:"problems,omitempty"`
	FirstProblem string `json:"first_problem,omitempty"`
	// Warnings name what looked wrong in the data and how it was handled
	// (export records dated in the future, a stored cursor in the future);
	// Notes are for information ("nothing new yet"). sync_runs keeps both.
	Warnings []string `json:"warnings,omitempty"`
	Notes    []string `json:"notes,omitempty"`
	// StartedAt and FinishedAt bound the activity's last attempt.
	StartedAt  time.Time `json:"started_at"`
	FinishedAt time.Time `json:"finished_at"`
}

// SyncTableResult covers a source table and the tables derived from it.
type SyncTableResult struct {
	Tables []TableResult `json:"tables"`
}

// Checkpoint is the heartbeat detail: enough to resume mid-table. It holds
// cursors and counts, never records or credentials.
type Checkpoint struct {
	// NextURL is the next page of an offset-paged list.
	NextURL string `json:"next_url,omitempty"`
	// StartTime and ExportURL are an export's next request.
	StartTime int64  `json:"start_time,omitempty"`
	ExportURL string `json:"export_url,omitempty"`
	// SnapshotStart is when a configuration table's read began (ns, the
	// _version scale): after a complete read, live rows older than it were
	// not seen, so they were removed upstream.
	SnapshotStart uint64 `json:"snapshot_start,omitempty"`
	// SnapshotAt is a statistics snapshot's fetch time (unix ns), its key:
	// a retried attempt stamps its snapshot with it, and does not write
	// one already stored (an insert whose acknowledgement was lost).
	SnapshotAt int64 `json:"snapshot_at,omitempty"`
	// Rows and Pages so far, carried across attempts.
	Rows  map[string]int `json:"rows,omitempty"`
	Pages int            `json:"pages"`
}
