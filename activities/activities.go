package activities

import (
	"context"
	"log/slog"
	"talkwarehouse/tables"
	"talkwarehouse/warehouse"
	"talkwarehouse/zendesk"
	"time"
)

// Activities holds what every activity shares in one worker process: one
// Zendesk client (so its rate budgets are the worker's) and one warehouse.
type Activities struct {
	Zendesk   *zendesk.Client
	Warehouse *warehouse.Warehouse
	// StartDate is where exports begin the first time or on a full refresh.
	StartDate time.Time
	Log       *slog.Logger
	// HeartbeatEvery is how often a running activity heartbeats, including
	// while it waits for the rate budget (default DefaultHeartbeatEvery).
	HeartbeatEvery time.Duration
	// ListPageSize is per_page for offset-paged lists (default 100).
	ListPageSize int
	// InsertRows and InsertEvery close an export's INSERT: after that many
	// rows (default DefaultInsertRows) or once it has been open that long
	// (default DefaultInsertEvery), whichever comes first. The cursor is
	// stored after each INSERT, so they bound what a crash re-fetches.
	InsertRows  int
	InsertEvery time.Duration
	// BlockRows is how many rows travel to ClickHouse as one block of an
	// open INSERT (default warehouse.DefaultBlockRows): the worker's memory.
	BlockRows int
}

// The defaults of InsertRows and InsertEvery: ClickHouse's guidance is
// inserts of 10k–100k rows or more, about one a second or fewer
// (https://clickhouse.com/docs/best-practices/selecting-an-insert-strategy).
const (
	DefaultInsertRows  = 100_000
	DefaultInsertEvery = 10 * time.Second
)

// SyncTable syncs one source table and the tables derived from it.
func (a *Activities) SyncTable(ctx context.Context, in SyncTableInput) (SyncTableResult, error) {
	t, ok := tables.Get(in.Table)
	if !ok || t.Parent != "" {
		return SyncTableResult{}, badInputError("%q is not a source table", in.Table)
	}
	if w := in.Window; w != nil {
		// A backfill is of an export, in a window already settled.
		if t.Kind != tables.Export {
			return SyncTableResult{}, badInputError("a backfill window (--from/--to) applies only to the exports calls and call_legs, not to %s", t.Name)
		}
		win := *w
		if win.From.IsZero() {
			win.From = a.StartDate
		}
		if err := win.Check(time.Now(), a.Zendesk.ExportLag()); err != nil {
			return SyncTableResult{}, badInputError("%s", err.Error())
		}
		in.Window = &win
	}
	run := a.newRun(ctx, t)
	defer run.stop()

	var err error
	switch t.Kind {
	case tables.Export:
		if in.Window != nil {
			err = a.syncWindow(ctx, run, *in.Window)
		} else {
			err = a.syncExport(ctx, run, in.FullRefresh)
		}
	case tables.Snapshot:
		err = a.syncList(ctx, run)
	case tables.Stats:
		err = a.syncStats(ctx, run)
	}
	return a.outcome(ctx, t, run, err)
}

func (a *Activities) log() *slog.Logger {
	if a.Log != nil {
		return a.Log
	}
	return slog.Default()
}

func (a *Activities) insertRows() int {
	if a.InsertRows > 0 {
		return a.InsertRows
	}
	return DefaultInsertRows
}

func (a *Activities) insertEvery() time.Duration {
	if a.InsertEvery > 0 {
		return a.InsertEvery
	}
	return DefaultInsertEvery
}

func (a *Activities) listPageSize() int {
	if a.ListPageSize > 0 {
		return a.ListPageSize
	}
	return 100
}
