// Package workflows orchestrates syncs. Workflows only decide what runs
// and collect counts; the activities do every request and every insert.
package workflows

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"talkwarehouse/activities"
	"talkwarehouse/tables"
	"talkwarehouse/warehouse"
)

// SyncInput is a sync's request, readable as is in the web UI. It carries
// no secrets.
type SyncInput struct {
	// Tables to sync; empty means all 14. The starter and the schedules
	// send the resolved list (ResolveInput), so the web UI names them.
	Tables []string `json:"tables,omitempty"`
	// FullRefresh re-exports calls and call_legs from ZENDESK_START_DATE.
	FullRefresh bool `json:"full_refresh,omitempty"`
	// IfRunning says what to do with an export another sync is running:
	// IfRunningSkip (empty, what schedules do), IfRunningWait or
	// IfRunningFail.
	IfRunning string `json:"if_running,omitempty"`
	// Window, when set, makes the sync a backfill of the exports named in
	// Tables (calls, call_legs; nothing else): only records updated in the
	// window are read, the tables' stored cursors are neither read nor
	// moved, and no table lease is taken, so it runs beside the scheduled
	// incremental sync (its own workflow id, BackfillID, keeps one window
	// to one writer). Nil, as in every input before it existed, is an
	// ordinary sync.
	Window *activities.Window `json:"window,omitempty"`
}

// What a sync does with a table another sync is exporting (SyncInput.IfRunning).
const (
	// IfRunningSkip skips the table, recorded as skipped with the holder's
	// workflow id: the next scheduled sync takes it.
	IfRunningSkip = ""
	// IfRunningWait waits for the holder to finish the table, then syncs it
	// (starter sync's default).
	IfRunningWait = "wait"
	// IfRunningFail fails the sync before it starts anything (starter sync
	// --no-wait-for-running).
	IfRunningFail = "fail"
)

// SyncResult reports every table the sync touched, in name order.
type SyncResult struct {
	Tables []activities.TableResult `json:"tables"`
	// Window is a backfill's window (SyncInput.Window), as given.
	Window *activities.Window `json:"window,omitempty"`
}

// Activity timeouts. A dead worker or a cancel is noticed through
// heartbeats: activities heartbeat every activities.DefaultHeartbeatEvery
// (2 s), the worker sends at most one every HeartbeatThrottle (2 s), and a
// worker silent for HeartbeatTimeout (10 s) is taken for dead. An export of
// years of calls at 10 requests per minute can take many hours.
const (
	HeartbeatTimeout    = 10 * time.Second
	HeartbeatThrottle   = 2 * time.Second
	StartToCloseTimeout = 24 * time.Hour
)

// ProgressQuery returns the per-table state of a running sync.
const ProgressQuery = "progress"

// TableProgress is one table's state in the progress query.
type TableProgress struct {
	Table  string                  `json:"table"`
	State  string                  `json:"state"` // waiting, running, done, skipped, failed, cancelled
	Result *activities.TableResult `json:"result,omitempty"`
	Error  string                  `json:"error,omitempty"`
	// WaitingFor is the workflow id of the sync this one waits for, while
	// State is waiting.
	WaitingFor string `json:"waiting_for,omitempty"`
	// ExportFrom is where a running export began (exports only; known
	// once its lease is held).
	ExportFrom *time.Time `json:"export_from,omitempty"`
}

// Change ids of workflow.GetVersion: a running sync replays its history on
// the worker's current code, so every change to the commands the workflow
// issues is taken only by runs that started on code that knows it.
const (
	// versionCleanCancel: a cancel waits for the activities to stop, keeps
	// the lease until then, records sync_runs and closes CANCELED.
	versionCleanCancel = "clean-cancel"
	// versionLeaseHolder: a held table names the holding sync (a local
	// activity asks), and IfRunning wait and fail exist.
	versionLeaseHolder = "lease-holder"
	// versionLinesTable: the lines table joined "all tables" (an empty
	// input).
	versionLinesTable = "lines-table"
	// versionVoiceSettingsTable: the voice_settings table joined "all
	// tables".
	versionVoiceSettingsTable = "voice-settings-table"
	// exportStartChange adds a local activity per export (ExportStart)
	// before its SyncTable, to name the export's start in its summary.
	exportStartChange  = "export-start-in-summary"
	exportStartVersion = 1
)

// Sync runs one activity per source table, all at once: the worker's shared
// rate budgets pace their requests. It waits for every table, so one
// failing table does not stop the others, then fails if any table failed.
func Sync(ctx workflow.Context, in SyncInput) (SyncResult, error) {
	started := workflow.Now(ctx)
	requested, err := tables.Resolve(in.Tables)
	if err != nil {
		return SyncResult{}, temporal.NewNonRetryableApplicationError(err.Error(), "bad_input", nil)
	}
	// An empty input means every table this code knows; a sync that started
	// on code without the lines (or voice_settings) table resolves it as it
	// did then.
	if len(in.Tables) == 0 {
		unknown := map[string]bool{}
		if workflow.GetVersion(ctx, versionLinesTable, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
			unknown["lines"] = true
		}
		if workflow.GetVersion(ctx, versionVoiceSettingsTable, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
			unknown["voice_settings"] = true
		}
		var known []*tables.Table
		for _, t := range requested {
			if !unknown[t.Name] {
				known = append(known, t)
			}
		}
		requested = known
	}
	sources := tables.Sources(requested)
	if in.Window != nil {
		if err := checkBackfill(in, sources); err != nil {
			return SyncResult{}, temporal.NewNonRetryableApplicationError(err.Error(), "bad_input", nil)
		}
	}
	cleanCancel := workflow.GetVersion(ctx, versionCleanCancel, workflow.DefaultVersion, 1) >= 1
	namesHolder := workflow.GetVersion(ctx, versionLeaseHolder, workflow.DefaultVersion, 1) >= 1

	progress := map[string]*TableProgress{}
	for _, s := range sources {
		for _, t := range s.Family() {
			progress[t.Name] = &TableProgress{Table: t.Name, State: StateWaiting}
		}
	}
	// The current details are rebuilt on every change of a table's state
	// (details.go: they add nothing to the history).
	showProgress := func() { workflow.SetCurrentDetails(ctx, renderDetails(progress)) }
	showProgress()
	setState := func(s *tables.Table, state string, from *time.Time) {
		for _, t := range s.Family() {
			progress[t.Name].State, progress[t.Name].ExportFrom = state, from
		}
		showProgress()
	}
	exportStart := workflow.GetVersion(ctx, exportStartChange, workflow.DefaultVersion, exportStartVersion)
	if err := workflow.SetQueryHandler(ctx, ProgressQuery, func() ([]TableProgress, error) {
		out := make([]TableProgress, 0, len(progress))
		for _, p := range progress {
			out = append(out, *p)
		}
		sort.Slice(out, func(i, j int) bool { return out[i].Table < out[j].Table })
		return out, nil
	}); err != nil {
		return SyncResult{}, err
	}

	ao := workflow.ActivityOptions{
		StartToCloseTimeout: StartToCloseTimeout,
		HeartbeatTimeout:    HeartbeatTimeout,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:        5 * time.Second,
			BackoffCoefficient:     2,
			MaximumInterval:        2 * time.Minute,
			MaximumAttempts:        10,
			NonRetryableErrorTypes: activities.NonRetryable,
		},
		// A cancel waits until the activity has stopped (it learns of the
		// cancel from its next heartbeat), so nothing writes after the
		// sync closed or its leases were released.
		WaitForCancellation: cleanCancel,
	}
	ctx = workflow.WithActivityOptions(ctx, ao)
	// The exports run on their own task queue, so that a deployment of
	// several workers can let exactly one of them poll it: the export budget
	// (10 requests a minute per account) then holds across workers.
	queue := workflow.GetInfo(ctx).TaskQueueName
	exportCtx := workflow.WithTaskQueue(ctx, ExportTaskQueue(queue))
	info := workflow.GetInfo(ctx).WorkflowExecution

	res := SyncResult{Window: in.Window}
	var failures []string
	var runs []warehouse.Run
	// end records how a source ended other than in success: failed,
	// cancelled or not started (skipped), with what its activity had stored
	// (partial, if any).
	end := func(s *tables.Table, status, msg string, partial *activities.SyncTableResult) {
		if status == "failed" {
			failures = append(failures, fmt.Sprintf("%s: %s", s.Name, msg))
		}
		for _, t := range s.Family() {
			tr := activities.TableResult{Table: t.Name, Kind: string(t.Kind), StartedAt: started, FinishedAt: workflow.Now(ctx)}
			if partial != nil {
				for _, p := range partial.Tables {
					if p.Table == t.Name {
						tr = p
					}
				}
			}
			switch status {
			case "failed":
				tr.Error = msg
			case "cancelled":
				tr.Cancelled = true
			case "skipped":
				tr.Skipped, tr.Reason = true, msg
			}
			progress[t.Name].State, progress[t.Name].Error, progress[t.Name].Result = status, msg, &tr
			res.Tables = append(res.Tables, tr)
			var endNotes []string // none, as before backfills, unless one
			if in.Window != nil {
				endNotes = windowNotes(in.Window, tr)
			}
			runs = append(runs, warehouse.Run{WorkflowID: info.ID, RunID: info.RunID, Table: t.Name,
				Mode: mode(t, in), Status: status,
				Rows: uint64(tr.Rows), Pages: uint64(tr.Pages), Requests: uint64(tr.Requests), Deleted: uint64(tr.Deleted),
				StartedAt: tr.StartedAt, FinishedAt: tr.FinishedAt, CursorBefore: tr.CursorBefore, CursorAfter: tr.CursorAfter,
				Reason: msg, Notes: endNotes})
		}
		showProgress()
	}
	fail := func(s *tables.Table, msg string, partial *activities.SyncTableResult) { end(s, "failed", msg, partial) }
	record := func(r activities.SyncTableResult) {
		for _, tr := range r.Tables {
			tr := tr
			state, status := "done", "success"
			if tr.Skipped {
				state, status = "skipped", "skipped"
			}
			progress[tr.Table].State, progress[tr.Table].Result = state, &tr
			res.Tables = append(res.Tables, tr)
			runs = append(runs, warehouse.Run{WorkflowID: info.ID, RunID: info.RunID, Table: tr.Table,
				Mode: mode(tables.MustGet(tr.Table), in), Status: status,
				Rows: uint64(tr.Rows), Pages: uint64(tr.Pages), Requests: uint64(tr.Requests), Deleted: uint64(tr.Deleted),
				StartedAt: tr.StartedAt, FinishedAt: tr.FinishedAt, CursorBefore: tr.CursorBefore, CursorAfter: tr.CursorAfter,
				Reason: tr.Reason, Warnings: tr.Warnings, Notes: windowNotes(in.Window, tr)})
		}
		showProgress()
	}
	// ended handles an activity's error: cancelled, or failed with the
	// figures of what it stored before it failed.
	ended := func(s *tables.Table, err error) {
		var canceled *temporal.CanceledError
		if cleanCancel && errors.As(err, &canceled) {
			var partial activities.SyncTableResult
			if canceled.HasDetails() && canceled.Details(&partial) == nil {
				end(s, "cancelled", "cancelled", &partial)
				return
			}
			end(s, "cancelled", "cancelled", nil)
			return
		}
		fail(s, rootMessage(err), partialResult(err))
	}

	leases := newLeases(ctx, queue, info.ID, cleanCancel, namesHolder)
	// With IfRunningFail, every export lease is taken before anything
	// starts, so a sync that meets a running one fails at once, having done
	// nothing.
	if namesHolder && in.IfRunning == IfRunningFail && in.Window == nil {
		if held := leases.takeAll(sources); len(held) > 0 {
			leases.releaseAll()
			var msgs []string
			reasons := map[string]string{}
			for _, h := range held {
				m := fmt.Sprintf("another sync (%s) is exporting %s; not waiting for it (--no-wait-for-running)", h.holder, h.table.Name)
				if h.err != nil {
					m = fmt.Sprintf("could not take the lease of %s: %s", h.table.Name, rootMessage(h.err))
				}
				msgs, reasons[h.table.Name] = append(msgs, m), m
			}
			msg := strings.Join(msgs, "; ")
			for _, s := range sources {
				if reason, ok := reasons[s.Name]; ok {
					fail(s, reason, nil)
				} else {
					end(s, "skipped", "not started: "+msg, nil)
				}
			}
			sortResult(&res)
			sort.Slice(runs, func(i, j int) bool { return runs[i].Table < runs[j].Table })
			if err := recordRuns(ctx, cleanCancel, runs); err != nil {
				msg += "; sync_runs: " + rootMessage(err)
			}
			return res, temporal.NewNonRetryableApplicationError(msg, "sync_running", nil, res)
		}
	}

	// One coroutine per source; each records its outcome as soon as it
	// ends, so the progress query is current.
	var a *activities.Activities
	wg := workflow.NewWaitGroup(ctx)
	for _, s := range sources {
		wg.Add(1)
		workflow.Go(ctx, func(ctx workflow.Context) {
			defer wg.Done()
			actx := ctx
			if s.Kind == tables.Export && in.Window != nil {
				// A backfill never touches the stored cursor: it takes no
				// lease, and runs on the export queue for the budget.
				actx = exportCtx
			} else if s.Kind == tables.Export {
				// Two syncs never export one table at once: its cursor has
				// one writer. The lease is a child workflow whose id names
				// the table; Temporal refuses a second while one runs.
				release, holder, err := leases.take(ctx, s, in.IfRunning, func(h string) {
					for _, t := range s.Family() {
						progress[t.Name].State, progress[t.Name].WaitingFor = StateWaiting, h
					}
					showProgress()
				})
				for _, t := range s.Family() {
					progress[t.Name].WaitingFor = ""
				}
				switch {
				case err != nil:
					ended(s, err)
					return
				case release == nil:
					record(skipped(s, fmt.Sprintf("another sync (%s) is exporting %s; skipped so that its cursor has one writer", holder, s.Name)))
					return
				}
				defer release()
				actx = exportCtx
			}
			sin := activities.SyncTableInput{Table: s.Name, FullRefresh: in.FullRefresh, Window: in.Window}
			var from *time.Time
			switch {
			case in.Window != nil && !in.Window.From.IsZero():
				f := in.Window.From
				from = &f
			case in.Window != nil:
			case s.Kind == tables.Export && exportStart >= exportStartVersion:
				from = exportFrom(ctx, sin)
			}
			setState(s, StateRunning, from)
			summary := activitySummary(s, in.FullRefresh, from)
			if in.Window != nil {
				summary = fmt.Sprintf("%s: backfill of window %s (stored cursor untouched)", s.Name, in.Window)
			}
			actx = withSummary(actx, summary)
			var r activities.SyncTableResult
			if err := workflow.ExecuteActivity(actx, a.SyncTable, sin).Get(ctx, &r); err != nil {
				ended(s, err)
				return
			}
			record(r)
		})
	}
	wg.Wait(ctx)
	sortResult(&res)
	sort.Slice(runs, func(i, j int) bool { return runs[i].Table < runs[j].Table })

	// Record what every table did, failures and cancels included.
	if err := recordRuns(ctx, cleanCancel, runs); err != nil {
		failures = append(failures, "sync_runs: "+rootMessage(err))
	}
	if cleanCancel && ctx.Err() != nil {
		return res, temporal.NewCanceledError(res)
	}
	if len(failures) > 0 {
		return res, temporal.NewNonRetryableApplicationError(summarize(failures, len(sources)), "sync_failed", nil, res)
	}
	return res, nil
}

// recordRuns writes the sync_runs rows. After a cancel (cleanCancel) it
// runs on a disconnected context, so a cancelled sync still says what it
// did.
func recordRuns(ctx workflow.Context, cleanCancel bool, runs []warehouse.Run) error {
	if cleanCancel {
		ctx, _ = workflow.NewDisconnectedContext(ctx)
	}
	rctx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, MaximumInterval: time.Minute, MaximumAttempts: 20},
		Summary:             fmt.Sprintf("sync_runs: record what %d tables did", len(runs)),
	})
	var a *activities.Activities
	return workflow.ExecuteActivity(rctx, a.RecordRuns, runs).Get(ctx, nil)
}

func sortResult(res *SyncResult) {
	sort.Slice(res.Tables, func(i, j int) bool { return res.Tables[i].Table < res.Tables[j].Table })
}

// partialResult is what a failed SyncTable had stored: the details of its
// application error, or its last heartbeat after a timeout.
func partialResult(err error) *activities.SyncTableResult {
	var app *temporal.ApplicationError
	if errors.As(err, &app) && app.HasDetails() {
		var r activities.SyncTableResult
		if app.Details(&r) == nil {
			return &r
		}
	}
	return nil
}

// mode names how a table is synced, for sync_runs.
func mode(t *tables.Table, in SyncInput) string {
	switch {
	case t.Kind == tables.Export && in.Window != nil:
		return "backfill"
	case t.Kind == tables.Export && in.FullRefresh:
		return "full_refresh"
	case t.Kind == tables.Export:
		return "incremental"
	}
	return string(t.Kind)
}

// windowNotes is a table's notes for sync_runs: a backfill's first says
// its window and how far it got ("backfill window
// 2024-01-01T00:00:00Z..2024-02-01T00:00:00Z, read up to
// 2024-02-01T00:00:00Z; stored cursor untouched").
func windowNotes(w *activities.Window, tr activities.TableResult) []string {
	if w == nil {
		return tr.Notes
	}
	if tr.Window != nil {
		w = tr.Window // its start resolved by the worker
	}
	n := "backfill window " + w.String()
	if tr.WindowReached != nil {
		n += ", read up to " + tr.WindowReached.UTC().Format(time.RFC3339)
	}
	return append([]string{n + "; stored cursor untouched"}, tr.Notes...)
}

// checkBackfill refuses a backfill (in.Window) that is not one: a table
// that is not an export, a full refresh, or a window that ends before it
// starts. Whether the window has settled (ZENDESK_EXPORT_LAG) is the
// activity's to check: the setting is the worker's.
func checkBackfill(in SyncInput, sources []*tables.Table) error {
	var others []string
	for _, s := range sources {
		if s.Kind != tables.Export {
			others = append(others, s.Name)
		}
	}
	switch w := in.Window; {
	case len(others) > 0:
		return fmt.Errorf("a backfill window (--from/--to) applies only to the exports calls and call_legs, not to %s; give --tables calls,call_legs", strings.Join(others, ", "))
	case in.FullRefresh:
		return errors.New("a backfill window (--from/--to) and --full-refresh exclude each other")
	case w.To.IsZero():
		return errors.New("the backfill window has no end (--to)")
	case !w.From.IsZero() && !w.To.After(w.From):
		return fmt.Errorf("the backfill window is empty: --to %s is not after --from %s", w.To.UTC().Format(time.RFC3339), w.From.UTC().Format(time.RFC3339))
	}
	return nil
}

// BackfillID is the workflow id of a backfill of the tables in w, e.g.
// talk-backfill-calls+call_legs-20240101T000000Z-20240201T000000Z ("start"
// for a window from ZENDESK_START_DATE). Temporal refuses a second
// workflow with this id while one runs, so a window has one writer; once
// it closed, the same backfill can run again (rows collapse by id).
func BackfillID(names []string, w activities.Window) string {
	from := "start"
	if !w.From.IsZero() {
		from = w.From.UTC().Format("20060102T150405Z")
	}
	return "talk-backfill-" + strings.Join(names, "+") + "-" + from + "-" + w.To.UTC().Format("20060102T150405Z")
}

// rootMessage is the activity's own message, without the SDK's wrapping
// (the ApplicationError inside the ActivityError).
func rootMessage(err error) string {
	var app *temporal.ApplicationError
	if errors.As(err, &app) {
		return app.Message()
	}
	return err.Error()
}

// summarize lists failed tables; an error shared by every table (a rejected
// token) is said once.
func summarize(failures []string, total int) string {
	same := true
	first := failures[0][strings.Index(failures[0], ": ")+2:]
	for _, f := range failures[1:] {
		if f[strings.Index(f, ": ")+2:] != first {
			same = false
		}
	}
	if same && len(failures) > 1 {
		return fmt.Sprintf("%d of %d tables failed: %s", len(failures), total, first)
	}
	return fmt.Sprintf("%d of %d tables failed: %s", len(failures), total, strings.Join(failures, "; "))
}

// ExportTaskQueue is the task queue of the export activities for a sync
// running on queue.
func ExportTaskQueue(queue string) string { return queue + "-exports" }

// SyncName is the workflow type name, as the web UI and schedules show it.
const SyncName = "ZendeskTalkSync"
