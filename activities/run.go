package activities

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"talkwarehouse/metrics"
	"talkwarehouse/tables"
	"talkwarehouse/warehouse"
	"talkwarehouse/zendesk"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
)

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

	stopBeat func() // ends the background heartbeat
	// emitted is what the metrics have been told of the tally so far.
	emitted struct{ requests, throttled, retries int64 }
}

// newRun restores the last heartbeat's checkpoint and starts heartbeating
// every HeartbeatEvery, so that an activity waiting on the rate budget or a
// slow page never looks like a dead worker.
func (a *Activities) newRun(ctx context.Context, t *tables.Table) *run {
	r := &run{ctx: ctx, table: t, start: time.Now(), tally: &zendesk.Tally{}, log: a.log()}
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
	r.stopBeat = heartbeat(ctx, a.HeartbeatEvery, func() any { return r.checkpoint() })
	return r
}

func (r *run) stop() {
	r.stopBeat()
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
