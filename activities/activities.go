package activities

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"talkwarehouse/metrics"
	"talkwarehouse/tables"
	"talkwarehouse/warehouse"
	"talkwarehouse/zendesk"
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

// Error types of non-retryable failures, for the workflow's retry policy.
var NonRetryable = []string{"auth", "not_found", "rejected", "stuck", "deprecated", "bad_input"}

// SyncTable syncs one source table and the tables derived from it.
func (a *Activities) SyncTable(ctx context.Context, in SyncTableInput) (SyncTableResult, error) {
	t, ok := tables.Get(in.Table)
	if !ok || t.Parent != "" {
		return SyncTableResult{}, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("%q is not a source table", in.Table), "bad_input", nil)
	}
	if w := in.Window; w != nil {
		// A backfill is of an export, in a window already settled.
		if t.Kind != tables.Export {
			return SyncTableResult{}, temporal.NewNonRetryableApplicationError(
				fmt.Sprintf("a backfill window (--from/--to) applies only to the exports calls and call_legs, not to %s", t.Name), "bad_input", nil)
		}
		win := *w
		if win.From.IsZero() {
			win.From = a.StartDate
		}
		if err := win.Check(time.Now(), a.Zendesk.ExportLag()); err != nil {
			return SyncTableResult{}, temporal.NewNonRetryableApplicationError(err.Error(), "bad_input", nil)
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
	res := run.result()
	switch kind := zendesk.KindOf(err); {
	case err == nil:
		a.log().Info("table synced", "table", t.Name, "rows", run.cp.Rows, "pages", run.cp.Pages, "requests", run.tally.Requests.Load())
		return res, nil
	case kind == zendesk.Forbidden:
		// A plan or role without access skips this table; the others sync.
		for i := range res.Tables {
			res.Tables[i].Skipped, res.Tables[i].Reason = true, err.Error()
		}
		a.log().Warn("table skipped", "table", t.Name, "reason", err.Error())
		return res, nil
	case errors.Is(ctx.Err(), context.Canceled):
		// Cancelled (or the sync is gone): stopped, saying what is stored.
		a.log().Info("table sync cancelled", "table", t.Name, "rows", res.Tables[0].Rows, "pages", res.Tables[0].Pages)
		return res, temporal.NewCanceledError(res)
	// The partial result rides along as the error's details, so a failed
	// table's sync_runs row still says what it stored and where its cursor
	// stands.
	// A deprecation refusal (the end of exports for third-party apps) is
	// not a plan-gated 403: the table fails at once, loudly.
	case kind == zendesk.Auth, kind == zendesk.NotFound, kind == zendesk.Rejected, kind == zendesk.Stuck, kind == zendesk.Deprecated:
		return res, temporal.NewNonRetryableApplicationError(err.Error(), string(kind), nil, res)
	case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		return res, err
	default:
		return res, temporal.NewApplicationError(err.Error(), "transient", res)
	}
}

func (a *Activities) log() *slog.Logger {
	if a.Log != nil {
		return a.Log
	}
	return slog.Default()
}

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
// seconds): a cursor is never later than a request's time minus the export
// lag; one that is (written by an older release, or a clock that jumped)
// would skip what was changed since, so it is moved back.
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

// syncList reads a configuration table whole, following next_page, and
// resumes from the heartbeat's next page on a retry. Once the read is
// complete, entities it did not see are marked deleted, in every table of
// the family (a removed IVR takes its menus and routes with it). A read cut
// short returns before that, so it deletes nothing.
func (a *Activities) syncList(ctx context.Context, run *run) error {
	t := run.table
	run.advance(func(cp *Checkpoint) {
		if cp.SnapshotStart == 0 {
			cp.SnapshotStart = uint64(time.Now().UnixNano())
		}
	}, 0)
	u := run.cp.NextURL
	if u == "" {
		u = a.Zendesk.URL(t.Path, url.Values{"per_page": {fmt.Sprint(a.listPageSize())}})
	}
	err := a.Zendesk.List(ctx, u, t.Envelope, run.tally, func(p zendesk.Page, next string) error {
		if err := run.write(ctx, a.Warehouse, p, time.Now()); err != nil {
			return err
		}
		run.advance(func(cp *Checkpoint) { cp.NextURL = next }, 1)
		return nil
	})
	if err != nil {
		return err
	}
	for _, ft := range t.Family() {
		n, err := a.Warehouse.Tombstone(ctx, ft, run.cp.SnapshotStart)
		if err != nil {
			return err
		}
		run.deleted(ft.Name, int(n))
	}
	return nil
}

// syncStats takes one snapshot of a statistics endpoint. All its pages are
// read first and written as one batch stamped with the fetch time, so a
// snapshot is stored whole or not at all; these lists are small (one row
// per agent).
//
// The snapshot's time is its key, so a retried attempt must not take a new
// one: the fetch time is heartbeated before the insert, and an attempt that
// finds it first looks for the snapshot in ClickHouse (its insert may have
// been stored although the acknowledgement was lost), then stamps its own
// fetch with it, so that a retried insert replaces rather than adds.
//
// An OnlyChanges table (voice_settings) stores nothing when the fetched
// record is the same JSON value as the newest stored _raw (a note says so).
func (a *Activities) syncStats(ctx context.Context, run *run) error {
	t := run.table
	if at := run.checkpoint().SnapshotAt; at != 0 {
		n, err := a.Warehouse.SnapshotRows(ctx, t, warehouse.NewStamp(time.Unix(0, at)).SyncedAt)
		if err != nil {
			return err
		}
		if n > 0 {
			run.log.Info("statistics snapshot already stored by an earlier attempt", "table", t.Name, "rows", n)
			run.stored(warehouse.PageResult{Rows: map[string]int{t.Name: int(n)}})
			return nil
		}
	}
	fetchedAt := time.Now()
	var all zendesk.Page
	u := a.Zendesk.URL(t.Path, nil)
	if !t.Single {
		u = a.Zendesk.URL(t.Path, url.Values{"per_page": {fmt.Sprint(a.listPageSize())}})
	}
	err := a.Zendesk.List(ctx, u, t.Envelope, run.tally, func(p zendesk.Page, _ string) error {
		all.Records = append(all.Records, p.Records...)
		run.advance(nil, 1)
		return nil
	})
	if err != nil {
		return err
	}
	if t.OnlyChanges && len(all.Records) == 1 {
		// A change log (voice_settings): the same settings as the newest
		// stored row add nothing. An attempt whose insert was stored
		// although unacknowledged finds its own row here, so a retry
		// adds no copy either. (On a cluster a lagging replica may not
		// show the newest row yet: the worst case is a repeated row,
		// never a lost change.)
		latest, at, found, err := a.Warehouse.LatestRaw(ctx, t)
		if err != nil {
			return err
		}
		if found && tables.SameContent(latest, all.Records[0]) {
			run.note(fmt.Sprintf("%s unchanged since %s: no row stored", t.Name, at.Format(time.RFC3339)))
			return nil
		}
	}
	run.advance(func(cp *Checkpoint) {
		if cp.SnapshotAt == 0 {
			cp.SnapshotAt = fetchedAt.UnixNano()
		}
	}, 0)
	return run.write(ctx, a.Warehouse, all, time.Unix(0, run.checkpoint().SnapshotAt))
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

// atLeastRows raises a table's row count to n, the count stored with an
// earlier attempt's cursor.
func (r *run) atLeastRows(table string, n int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.cp.Rows[table] = max(r.cp.Rows[table], n)
}

func (r *run) rows(table string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.cp.Rows[table]
}

func (a *Activities) listPageSize() int {
	if a.ListPageSize > 0 {
		return a.ListPageSize
	}
	return 100
}

// run is one attempt's state: the checkpoint, shared with the background
// heartbeat, and the request tally.
type run struct {
	ctx   context.Context
	table *tables.Table
	start time.Time
	tally *zendesk.Tally
	log   *slog.Logger

	mu                        sync.Mutex
	cp                        Checkpoint
	problems                  int
	firstProblem              string
	deletions                 map[string]int
	cursorBefore, cursorAfter *time.Time
	// window and windowReached are a backfill's (setWindow).
	window        *Window
	windowReached *time.Time

	warnings, notes []string
	// futures are the first export records dated in the future, of
	// nFuture.
	futures []zendesk.FutureRecord
	nFuture int

	done chan struct{}
	wg   sync.WaitGroup
	// emitted is what the metrics have been told of the tally so far.
	emitted struct{ requests, throttled, retries int64 }
}

// newRun restores the last heartbeat's checkpoint and starts heartbeating
// every HeartbeatEvery, so that an activity waiting on the rate budget or a
// slow page never looks like a dead worker.
func (a *Activities) newRun(ctx context.Context, t *tables.Table) *run {
	r := &run{ctx: ctx, table: t, start: time.Now(), tally: &zendesk.Tally{}, log: a.log(), done: make(chan struct{})}
	if activity.HasHeartbeatDetails(ctx) {
		var cp Checkpoint
		if err := activity.GetHeartbeatDetails(ctx, &cp); err == nil {
			r.cp = cp
			r.log.Info("resuming from heartbeat", "table", t.Name, "pages", cp.Pages, "start_time", cp.StartTime, "next_url", cp.NextURL != "")
		}
	}
	if r.cp.Rows == nil {
		r.cp.Rows = map[string]int{}
	}
	every := a.HeartbeatEvery
	if every <= 0 {
		every = DefaultHeartbeatEvery
	}
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			select {
			case <-r.done:
				return
			case <-ctx.Done():
				return
			case <-tick.C:
				activity.RecordHeartbeat(ctx, r.checkpoint())
			}
		}
	}()
	return r
}

func (r *run) stop() {
	close(r.done)
	r.wg.Wait()
	r.mu.Lock()
	r.emitTally()
	r.mu.Unlock()
}

// metrics is the SDK's metrics handler (Prometheus in the worker) tagged
// with a table.
func (r *run) metrics(table string) client.MetricsHandler {
	return activity.GetMetricsHandler(r.ctx).WithTags(map[string]string{"table": table})
}

// emitTally adds the request counts since the last call to the metrics.
// Callers hold r.mu.
func (r *run) emitTally() {
	m := r.metrics(r.table.Name)
	for _, c := range []struct {
		name string
		now  int64
		last *int64
	}{
		{metrics.Requests, r.tally.Requests.Load(), &r.emitted.requests},
		{metrics.Throttled, r.tally.Throttled.Load(), &r.emitted.throttled},
		{metrics.Retries, r.tally.Retries.Load(), &r.emitted.retries},
	} {
		if d := c.now - *c.last; d > 0 {
			m.Counter(c.name).Inc(d)
			*c.last = c.now
		}
	}
}

func (r *run) checkpoint() Checkpoint {
	r.mu.Lock()
	defer r.mu.Unlock()
	cp := r.cp
	cp.Rows = make(map[string]int, len(r.cp.Rows))
	for k, v := range r.cp.Rows {
		cp.Rows[k] = v
	}
	return cp
}

// write stores one page (and its derived rows) and counts it.
func (r *run) write(ctx context.Context, w *warehouse.Warehouse, p zendesk.Page, fetchedAt time.Time) error {
	res, err := w.WritePage(ctx, r.table, p.Records, warehouse.NewStamp(fetchedAt))
	if err != nil {
		return err
	}
	r.stored(res)
	return nil
}

// stored counts rows that are now in ClickHouse.
func (r *run) stored(res warehouse.PageResult) {
	r.mu.Lock()
	for name, n := range res.Rows {
		r.cp.Rows[name] += n
		r.metrics(name).Counter(metrics.Rows).Inc(int64(n))
	}
	if len(res.Problems) > 0 && r.problems < 3 {
		r.log.Warn("field values of an unexpected type stored as NULL (kept in _raw)", "table", r.table.Name, "first", res.Problems[0].Error(), "count", len(res.Problems))
	}
	if len(res.Problems) > 0 && r.firstProblem == "" {
		r.firstProblem = res.Problems[0].Error()
	}
	r.problems += len(res.Problems)
	r.mu.Unlock()
}

// advance updates the checkpoint, counting pages, then heartbeats it.
func (r *run) advance(update func(*Checkpoint), pages int) {
	r.mu.Lock()
	if pages > 0 {
		r.cp.Pages += pages
		r.metrics(r.table.Name).Counter(metrics.Pages).Inc(int64(pages))
	}
	r.emitTally()
	if update != nil {
		update(&r.cp)
	}
	r.mu.Unlock()
	// The SDK throttles heartbeats to the server; the newest details win.
	activity.RecordHeartbeat(r.ctx, r.checkpoint())
}

// setWindow notes a backfill's window and where it has got to.
func (r *run) setWindow(w Window, reached time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.window, r.windowReached = &w, &reached
}

// setCursorAfter notes the export cursor as stored in sync_cursors.
func (r *run) setCursorAfter(t time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.cursorAfter = &t
}

// maxFutureNamed is how many records dated in the future a run names.
const maxFutureNamed = 5

// future logs export records dated in the future (a clock error upstream)
// and keeps the first few for the run's warning.
func (r *run) future(recs []zendesk.FutureRecord) {
	if len(recs) == 0 {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, f := range recs {
		if len(r.futures) < maxFutureNamed {
			r.futures = append(r.futures, f)
			r.log.Warn("export record dated in the future: the cursor is held at the request time minus ZENDESK_EXPORT_LAG",
				"table", r.table.Name, "id", f.ID, "updated_at", f.UpdatedAt.Format(time.RFC3339))
		}
	}
	r.nFuture += len(recs)
}

// warn records a warning for the result and the log.
func (r *run) warn(msg string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.warnings = append(r.warnings, msg)
	r.log.Warn(msg, "table", r.table.Name)
}

// note records a note for the result and the log.
func (r *run) note(msg string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.notes = append(r.notes, msg)
	r.log.Info(msg, "table", r.table.Name)
}

// warningsLocked is the run's warnings, the future-dated records' first.
// Callers hold r.mu.
func (r *run) warningsLocked() []string {
	out := slices.Clone(r.warnings)
	if r.nFuture > 0 {
		named := make([]string, len(r.futures))
		for i, f := range r.futures {
			named[i] = fmt.Sprintf("id %s updated_at %s", f.ID, f.UpdatedAt.Format(time.RFC3339))
		}
		more := ""
		if r.nFuture > len(r.futures) {
			more = fmt.Sprintf(" and %d more", r.nFuture-len(r.futures))
		}
		out = append([]string{fmt.Sprintf("%d record(s) dated in the future (clock error upstream): %s%s; the cursor was held at the request time minus ZENDESK_EXPORT_LAG, so later records still load",
			r.nFuture, strings.Join(named, ", "), more)}, out...)
	}
	return out
}

func (r *run) deleted(table string, n int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.deletions == nil {
		r.deletions = map[string]int{}
	}
	r.deletions[table] = n
	r.metrics(table).Counter(metrics.Deleted).Inc(int64(n))
	if n > 0 {
		r.log.Info("entities removed upstream marked deleted", "table", table, "count", n)
	}
}

func (r *run) result() SyncTableResult {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out SyncTableResult
	for _, t := range r.table.Family() {
		out.Tables = append(out.Tables, TableResult{
			Table: t.Name, Kind: string(t.Kind), Rows: r.cp.Rows[t.Name], Pages: r.cp.Pages,
			Requests: r.tally.Requests.Load(), Retries: r.tally.Retries.Load(), Throttled: r.tally.Throttled.Load(),
			Duration: time.Since(r.start), Problems: r.problems, FirstProblem: r.firstProblem, Deleted: r.deletions[t.Name],
			CursorBefore: r.cursorBefore, CursorAfter: r.cursorAfter, Window: r.window, WindowReached: r.windowReached,
			StartedAt: r.start.UTC(), FinishedAt: time.Now().UTC(),
			Warnings: r.warningsLocked(), Notes: slices.Clone(r.notes),
		})
	}
	return out
}
