package activities

import (
	"context"
	"fmt"
	"talkwarehouse/warehouse"
	"talkwarehouse/zendesk"
	"time"

	"go.temporal.io/sdk/activity"
)

// exportStart is where an export begins before any heartbeat is taken into
// account: the stored cursor, or ZENDESK_START_DATE on the first export or
// a full refresh; resumed says it continues earlier work.
func (a *Activities) exportStart(stored warehouse.Cursor, found, fullRefresh bool, syncID string) (start zendesk.ExportCursor, resumed bool) {
	start = zendesk.ExportCursor{StartTime: a.StartDate.Unix()}
	switch {
	case found && stored.SyncID == syncID:
		// This run already made progress (an earlier attempt): resume it,
		// even on a full refresh.
		start.StartTime = stored.Cursor.Unix()
	case found && !fullRefresh:
		start.StartTime = stored.Cursor.Unix()
	}
	return start, found && (stored.SyncID == syncID || !fullRefresh)
}

// exportStartLimit is the latest start_time an export may ask for now (Unix
// seconds), by the export lag's rule (zendesk.Client.Export): a stored
// cursor later than it (an older release, a clock that jumped) is moved
// back.
func (a *Activities) exportStartLimit() int64 {
	return time.Now().Add(-a.Zendesk.ExportLag()).Unix()
}

// syncExport reads calls or legs from their cursor. The cursor is stored in
// ClickHouse after each page's rows are, so a crash loses at most a page of
// work; a retried attempt resumes from the later of that cursor and its
// last heartbeat.
func (a *Activities) syncExport(ctx context.Context, run *run, fullRefresh bool) error {
	t := run.table
	syncID := activity.GetInfo(ctx).WorkflowExecution.RunID
	stored, found, err := a.Warehouse.LoadCursor(ctx, t.Name)
	if err != nil {
		return err
	}
	start, resumed := a.exportStart(stored, found, fullRefresh, syncID)
	if found && stored.SyncID == syncID {
		// An earlier attempt of this run stored rows and their cursor, but
		// its heartbeat may not have carried the count (the attempt failed
		// right after the cursor was written): the stored count is a floor.
		run.atLeastRows(t.Name, int(stored.Rows))
	}
	if hb := run.cp; hb.StartTime > start.StartTime {
		start = zendesk.ExportCursor{StartTime: hb.StartTime, URL: hb.ExportURL}
		resumed = true
	}
	if limit := a.exportStartLimit(); start.StartTime > limit {
		if resumed {
			run.warn(fmt.Sprintf("the stored cursor %s was later than now minus ZENDESK_EXPORT_LAG; re-reading from %s",
				start.Time().Format(time.RFC3339), time.Unix(limit, 0).UTC().Format(time.RFC3339)))
		}
		start = zendesk.ExportCursor{StartTime: limit}
	}
	before := start.Time()
	run.cursorBefore = &before
	if found && !fullRefresh {
		// The start of this sync is the cursor as the last sync left it.
		prev := stored.Cursor
		run.cursorBefore = &prev
	}
	if found {
		// Until this run stores one, the cursor after is the stored one.
		prev := stored.Cursor
		run.setCursorAfter(prev)
	}
	end, err := a.exportInto(ctx, run, start, 0, func(next zendesk.ExportCursor, last bool) error {
		if err := a.Warehouse.SaveCursor(ctx, warehouse.Cursor{
			Table: t.Name, Cursor: next.Time(), SyncID: syncID, Complete: last, Rows: uint64(run.rows(t.Name)),
		}); err != nil {
			return err
		}
		run.setCursorAfter(next.Time())
		return nil
	})
	if err != nil {
		return err
	}
	run.setCursorAfter(end.Time())
	return nil
}

// syncWindow backfills calls or legs in win, checked by SyncTable (From
// set): records updated in [From, To) only. The stored cursor is neither read
// nor written, so the incremental sync is unaffected; the window's progress
// is heartbeated after each insert, so a retried attempt resumes from it.
// Rows read twice (a retry, an incremental sync over the same time, a
// backfill run again) collapse by id in the warehouse.
func (a *Activities) syncWindow(ctx context.Context, run *run, win Window) error {
	start := zendesk.ExportCursor{StartTime: win.From.Unix()}
	if hb := run.cp; hb.StartTime > start.StartTime {
		start = zendesk.ExportCursor{StartTime: hb.StartTime, URL: hb.ExportURL}
	}
	run.setWindow(win, start.Time())
	end, err := a.exportInto(ctx, run, start, win.To.Unix(), func(next zendesk.ExportCursor, _ bool) error {
		run.setWindow(win, next.Time())
		return nil
	})
	if err != nil {
		return err
	}
	run.setWindow(win, end.Time())
	return nil
}

// exportInto reads run's export from start (up to until, Unix seconds, when
// not 0) and writes its pages. They stream into one INSERT per table (a
// block at a time, so memory stays flat), closed after InsertRows rows or
// InsertEvery, whichever comes first, and at the end. After each INSERT has
// committed, never before, saved is told the cursor that is now safe to
// store, and it is heartbeated: a crash re-fetches at most one INSERT's
// pages (InsertRows rows plus the page that crossed it, or InsertEvery of
// fetching plus a second). A stopping worker (SIGTERM) commits the INSERT
// in flight and fails retryably, handing the rest to the next attempt. It
// returns where the export ended.
func (a *Activities) exportInto(ctx context.Context, run *run, start zendesk.ExportCursor, until int64,
	saved func(next zendesk.ExportCursor, last bool) error) (zendesk.ExportCursor, error) {
	t := run.table
	x := a.Warehouse.NewWriter(t, a.BlockRows)
	defer x.Close()
	var pending warehouse.PageResult
	pages := 0
	end, pendingNext := start, start
	commit := func(last bool) error {
		if pages == 0 && pendingNext == end {
			return nil
		}
		if err := x.Commit(ctx); err != nil {
			return err
		}
		run.stored(pending)
		pending = warehouse.PageResult{}
		next := pendingNext
		if err := saved(next, last); err != nil {
			return err
		}
		run.advance(func(cp *Checkpoint) { cp.StartTime, cp.ExportURL = next.StartTime, next.URL }, pages)
		pages, end = 0, next
		return nil
	}
	due := func() bool { return x.Pending() >= a.insertRows() || x.OpenFor() >= a.insertEvery() }
	store := func(p zendesk.Page, next zendesk.ExportCursor, last bool) error {
		run.future(p.Future)
		if p.Note != "" {
			// No page came ("nothing new yet"): only the cursor may move.
			run.note(p.Note)
			pendingNext = next
			return commit(last)
		}
		res, err := x.Add(ctx, p.Records, warehouse.NewStamp(time.Now()))
		if err != nil {
			return err
		}
		pending = merge(pending, res)
		pages, pendingNext = pages+1, next
		if due() || last {
			return commit(last)
		}
		return nil
	}
	// While the budget waits (or a page is slow), an INSERT open for
	// InsertEvery is closed anyway, so rows and cursor do not wait with it.
	idle := func() error {
		if due() {
			return commit(false)
		}
		return nil
	}
	stopping := func() error {
		if err := commit(false); err != nil {
			return err
		}
		return fmt.Errorf("worker stopping: %s stored up to %s; the next attempt resumes there", t.Name, end.Time().UTC().Format(time.RFC3339))
	}
	err := prefetchExport(ctx, a.Zendesk, exportRead{table: t, start: start, until: until, tally: run.tally,
		store: store, idle: idle, idleAfter: time.Second, stop: activity.GetWorkerStopChannel(ctx), stopped: stopping})
	return end, err
}

// merge adds b's counts to a.
func merge(a, b warehouse.PageResult) warehouse.PageResult {
	if a.Rows == nil {
		a.Rows = map[string]int{}
	}
	for k, v := range b.Rows {
		a.Rows[k] += v
	}
	a.Problems = append(a.Problems, b.Problems...)
	return a
}

// ExportStart says where an export of in.Table will begin, by the rule
// syncExport applies (exportStart, capped at now minus ZENDESK_EXPORT_LAG).
// The workflow runs it as a local activity, once the table's lease is held,
// only to name that time in the export's activity summary and in its
// current details; SyncTable still decides for itself when it runs (a
// heartbeat of an earlier attempt can move it later).
func (a *Activities) ExportStart(ctx context.Context, in SyncTableInput) (time.Time, error) {
	stored, found, err := a.Warehouse.LoadCursor(ctx, in.Table)
	if err != nil {
		return time.Time{}, err
	}
	start, _ := a.exportStart(stored, found, in.FullRefresh, activity.GetInfo(ctx).WorkflowExecution.RunID)
	return time.Unix(min(start.StartTime, a.exportStartLimit()), 0).UTC(), nil
}
