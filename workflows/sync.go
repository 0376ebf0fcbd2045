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

// Change ids of workflow.GetVersion (changeX = "x", each at version 1): a
// running sync replays its history on the worker's current code, so every
// change to the commands the workflow issues is taken only by runs that
// started on code that knows it. The strings are in recorded histories:
// never rename one.
const (
	// changeLinesTable: the lines table joined "all tables" (an empty
	// input). Read only for an empty input, as it always was.
	changeLinesTable = "lines-table"
	// changeCleanCancel: a cancel waits for the activities to stop, keeps
	// the lease until then, records sync_runs and closes CANCELED.
	changeCleanCancel = "clean-cancel"
	// changeLeaseHolder: a held table names the holding sync (a local
	// activity asks), and IfRunning wait and fail exist.
	changeLeaseHolder = "lease-holder"
	// changeVoiceSettingsTable: the voice_settings table joined "all
	// tables". Read only for an empty input, after changeLinesTable.
	changeVoiceSettingsTable = "voice-settings-table"
	// changeExportStart adds a local activity per export (ExportStart)
	// before its SyncTable, to name the export's start in its summary.
	changeExportStart = "export-start-in-summary"
)

// Statuses of a table's sync_runs row (warehouse.Run.Status); stateOf
// gives the progress state of each.
const (
	RunSuccess   = "success"
	RunSkipped   = "skipped"
	RunFailed    = "failed"
	RunCancelled = "cancelled"
)

// stateOf is the progress state of a table whose sync_runs status is
// status.
func stateOf(status string) string {
	switch status {
	case RunSuccess:
		return StateDone
	case RunSkipped:
		return StateSkipped
	case RunCancelled:
		return StateCancelled
	}
	return StateFailed
}

// gates are the version gates a sync takes, read once when it starts
// (readGates), in the order the recorded histories have their markers.
type gates struct {
	cleanCancel bool // changeCleanCancel
	namesHolder bool // changeLeaseHolder
	exportStart bool // changeExportStart
}

// readGates reads the version gates of a sync that has passed its input
// checks: one marker each, in this order (changeLinesTable, read earlier by
// resolveSources, only for an empty input, comes before them).
func readGates(ctx workflow.Context) gates {
	var g gates
	g.cleanCancel = workflow.GetVersion(ctx, changeCleanCancel, workflow.DefaultVersion, 1) >= 1
	g.namesHolder = workflow.GetVersion(ctx, changeLeaseHolder, workflow.DefaultVersion, 1) >= 1
	g.exportStart = workflow.GetVersion(ctx, changeExportStart, workflow.DefaultVersion, 1) >= 1
	return g
}

// Sync runs one activity per source table, all at once: the worker's shared
// rate budgets pace their requests. It waits for every table, so one
// failing table does not stop the others, then fails if any table failed.
func Sync(ctx workflow.Context, in SyncInput) (SyncResult, error) {
	started := workflow.Now(ctx)
	sources, err := resolveSources(ctx, in)
	if err != nil {
		return SyncResult{}, temporal.NewNonRetryableApplicationError(err.Error(), "bad_input", nil)
	}
	s, err := newSyncState(ctx, in, sources, started)
	if err != nil {
		return SyncResult{}, err
	}
	// With IfRunningFail, every export lease is taken before anything
	// starts, so a sync that meets a running one fails at once, having done
	// nothing.
	if s.gates.namesHolder && in.IfRunning == IfRunningFail && in.Window == nil {
		if held := s.leases.takeAll(sources); len(held) > 0 {
			s.leases.releaseAll()
			return s.refuse(held)
		}
	}
	// One coroutine per source; each records its outcome as soon as it
	// ends, so the progress query is current.
	wg := workflow.NewWaitGroup(s.ctx)
	for _, src := range sources {
		wg.Add(1)
		workflow.Go(s.ctx, func(ctx workflow.Context) {
			defer wg.Done()
			s.syncSource(ctx, src)
		})
	}
	wg.Wait(s.ctx)
	return s.finish()
}

// resolveSources is the source tables of in, checked: an unknown table, or
// a backfill that is not one (checkBackfill), is an error. An empty input
// means every table this code knows; a sync that started on code without
// the lines or voice_settings table (changeLinesTable,
// changeVoiceSettingsTable) resolves it as it did then.
func resolveSources(ctx workflow.Context, in SyncInput) ([]*tables.Table, error) {
	requested, err := tables.Resolve(in.Tables)
	if err != nil {
		return nil, err
	}
	if len(in.Tables) == 0 {
		unknown := map[string]bool{}
		if workflow.GetVersion(ctx, changeLinesTable, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
			unknown["lines"] = true
		}
		if workflow.GetVersion(ctx, changeVoiceSettingsTable, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
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
			return nil, err
		}
	}
	return sources, nil
}

// syncState is one sync's state, shared by the coroutines of its sources
// (workflow coroutines never run at once, so it needs no lock).
type syncState struct {
	ctx       workflow.Context // the workflow's, with the tables' activity options
	exportCtx workflow.Context // ctx on the export task queue
	in        SyncInput
	sources   []*tables.Table
	gates     gates
	started   time.Time
	info      workflow.Execution
	leases    *leases
	progress  map[string]*TableProgress // by table
	res       SyncResult
	failures  []string // "table: message" of every failed source
	runs      []warehouse.Run
}

// newSyncState reads the gates, shows every table waiting, answers the
// progress query and sets the tables' activity options.
func newSyncState(ctx workflow.Context, in SyncInput, sources []*tables.Table, started time.Time) (*syncState, error) {
	s := &syncState{in: in, sources: sources, gates: readGates(ctx), started: started, progress: map[string]*TableProgress{},
		res: SyncResult{Window: in.Window}}
	for _, src := range sources {
		for _, t := range src.Family() {
			s.progress[t.Name] = &TableProgress{Table: t.Name, State: StateWaiting}
		}
	}
	s.ctx = ctx
	s.show()
	if err := workflow.SetQueryHandler(ctx, ProgressQuery, s.query); err != nil {
		return nil, err
	}
	s.ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
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
		WaitForCancellation: s.gates.cleanCancel,
	})
	// The exports run on their own task queue, so that a deployment of
	// several workers can let exactly one of them poll it: the export budget
	// (10 requests a minute per account) then holds across workers.
	queue := workflow.GetInfo(s.ctx).TaskQueueName
	s.exportCtx = workflow.WithTaskQueue(s.ctx, ExportTaskQueue(queue))
	s.info = workflow.GetInfo(s.ctx).WorkflowExecution
	s.leases = newLeases(s.ctx, queue, s.info.ID, s.gates.cleanCancel, s.gates.namesHolder)
	return s, nil
}

// show rebuilds the current details; the sync calls it on every change of
// a table's state (details.go: they add nothing to the history).
func (s *syncState) show() { workflow.SetCurrentDetails(s.ctx, renderDetails(s.progress)) }

// query answers ProgressQuery: every table's progress, in name order.
func (s *syncState) query() ([]TableProgress, error) {
	out := make([]TableProgress, 0, len(s.progress))
	for _, p := range s.progress {
		out = append(out, *p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Table < out[j].Table })
	return out, nil
}

// setState sets the state of src's tables (from: where a running export
// began, nil if unknown or not an export).
func (s *syncState) setState(src *tables.Table, state string, from *time.Time) {
	for _, t := range src.Family() {
		s.progress[t.Name].State, s.progress[t.Name].ExportFrom = state, from
	}
	s.show()
}

// syncSource syncs one source: takes an export's lease (a backfill takes
// none), then runs its activity.
func (s *syncState) syncSource(ctx workflow.Context, src *tables.Table) {
	actx := ctx
	if src.Kind == tables.Export {
		// A backfill never touches the stored cursor: it takes no lease,
		// and runs on the export queue for the budget.
		if s.in.Window == nil {
			release, ok := s.takeLease(ctx, src)
			if !ok {
				return
			}
			defer release()
		}
		actx = s.exportCtx
	}
	s.runActivity(ctx, actx, src)
}

// takeLease takes src's lease: two syncs never export one table at once,
// its cursor has one writer. The lease is a child workflow whose id names
// the table; Temporal refuses a second while one runs. Unless ok, src has
// ended (skipped, failed or cancelled) and release is nil.
func (s *syncState) takeLease(ctx workflow.Context, src *tables.Table) (release func(), ok bool) {
	release, holder, err := s.leases.take(ctx, src, s.in.IfRunning, func(h string) {
		for _, t := range src.Family() {
			s.progress[t.Name].State, s.progress[t.Name].WaitingFor = StateWaiting, h
		}
		s.show()
	})
	for _, t := range src.Family() {
		s.progress[t.Name].WaitingFor = ""
	}
	switch {
	case err != nil:
		s.ended(src, err)
		return nil, false
	case release == nil:
		s.record(skipped(src, fmt.Sprintf("another sync (%s) is exporting %s; skipped so that its cursor has one writer", holder, src.Name)))
		return nil, false
	}
	return release, true
}

// runActivity runs src's SyncTable on actx and records how it ended.
func (s *syncState) runActivity(ctx, actx workflow.Context, src *tables.Table) {
	var a *activities.Activities
	sin := activities.SyncTableInput{Table: src.Name, FullRefresh: s.in.FullRefresh, Window: s.in.Window}
	var from *time.Time
	switch {
	case s.in.Window != nil && !s.in.Window.From.IsZero():
		f := s.in.Window.From
		from = &f
	case s.in.Window != nil:
	case src.Kind == tables.Export && s.gates.exportStart:
		from = exportFrom(ctx, sin)
	}
	s.setState(src, StateRunning, from)
	summary := activitySummary(src, s.in.FullRefresh, from)
	if s.in.Window != nil {
		summary = fmt.Sprintf("%s: backfill of window %s (stored cursor untouched)", src.Name, s.in.Window)
	}
	var r activities.SyncTableResult
	if err := workflow.ExecuteActivity(withSummary(actx, summary), a.SyncTable, sin).Get(ctx, &r); err != nil {
		s.ended(src, err)
		return
	}
	s.record(r)
}

// record records a source's activity result: every table done, or skipped
// as the activity said.
func (s *syncState) record(r activities.SyncTableResult) {
	for _, tr := range r.Tables {
		tr := tr
		status := RunSuccess
		if tr.Skipped {
			status = RunSkipped
		}
		s.progress[tr.Table].State, s.progress[tr.Table].Result = stateOf(status), &tr
		s.res.Tables = append(s.res.Tables, tr)
		s.runs = append(s.runs, s.runRow(tr, status, tr.Reason))
	}
	s.show()
}

// ended records an activity's (or a lease wait's) error: cancelled, or
// failed with the figures of what it stored before it failed.
func (s *syncState) ended(src *tables.Table, err error) {
	var canceled *temporal.CanceledError
	if s.gates.cleanCancel && errors.As(err, &canceled) {
		var partial activities.SyncTableResult
		if canceled.HasDetails() && canceled.Details(&partial) == nil {
			s.end(src, RunCancelled, "cancelled", &partial)
			return
		}
		s.end(src, RunCancelled, "cancelled", nil)
		return
	}
	s.end(src, RunFailed, rootMessage(err), partialResult(err))
}

// end records how a source ended other than in success: status RunFailed,
// RunCancelled or RunSkipped (not started), msg the error or reason, with
// what its activity had stored (partial, if any).
func (s *syncState) end(src *tables.Table, status, msg string, partial *activities.SyncTableResult) {
	if status == RunFailed {
		s.failures = append(s.failures, fmt.Sprintf("%s: %s", src.Name, msg))
	}
	for _, t := range src.Family() {
		tr := activities.TableResult{Table: t.Name, Kind: string(t.Kind), StartedAt: s.started, FinishedAt: workflow.Now(s.ctx)}
		if partial != nil {
			for _, p := range partial.Tables {
				if p.Table == t.Name {
					tr = p
				}
			}
		}
		switch status {
		case RunFailed:
			tr.Error = msg
		case RunCancelled:
			tr.Cancelled = true
		case RunSkipped:
			tr.Skipped, tr.Reason = true, msg
		}
		s.progress[t.Name].State, s.progress[t.Name].Error, s.progress[t.Name].Result = stateOf(status), msg, &tr
		s.res.Tables = append(s.res.Tables, tr)
		s.runs = append(s.runs, s.runRow(tr, status, msg))
	}
	s.show()
}

// runRow is the sync_runs row of a table's result tr, the only place one
// is built: status one of RunSuccess..., reason the skip reason, the error
// or "cancelled"; warnings and notes are tr's (a backfill's window first).
func (s *syncState) runRow(tr activities.TableResult, status, reason string) warehouse.Run {
	return warehouse.Run{WorkflowID: s.info.ID, RunID: s.info.RunID, Table: tr.Table,
		Mode: mode(tables.MustGet(tr.Table), s.in), Status: status,
		Rows: uint64(tr.Rows), Pages: uint64(tr.Pages), Requests: uint64(tr.Requests), Deleted: uint64(tr.Deleted),
		StartedAt: tr.StartedAt, FinishedAt: tr.FinishedAt, CursorBefore: tr.CursorBefore, CursorAfter: tr.CursorAfter,
		Reason: reason, Warnings: tr.Warnings, Notes: windowNotes(s.in.Window, tr)}
}

// refuse ends a sync with IfRunningFail that met exports other syncs hold
// (held): those fail, naming the holder, the other sources are not
// started; sync_runs says so and the sync fails (sync_running).
func (s *syncState) refuse(held []heldTable) (SyncResult, error) {
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
	for _, src := range s.sources {
		if reason, ok := reasons[src.Name]; ok {
			s.end(src, RunFailed, reason, nil)
		} else {
			s.end(src, RunSkipped, "not started: "+msg, nil)
		}
	}
	if err := s.recordRuns(); err != nil {
		msg += "; sync_runs: " + rootMessage(err)
	}
	return s.res, temporal.NewNonRetryableApplicationError(msg, "sync_running", nil, s.res)
}

// finish records what every table did, failures and cancels included, and
// ends the sync: CANCELED after a cancel (changeCleanCancel), failed if a
// table failed.
func (s *syncState) finish() (SyncResult, error) {
	if err := s.recordRuns(); err != nil {
		s.failures = append(s.failures, "sync_runs: "+rootMessage(err))
	}
	if s.gates.cleanCancel && s.ctx.Err() != nil {
		return s.res, temporal.NewCanceledError(s.res)
	}
	if len(s.failures) > 0 {
		return s.res, temporal.NewNonRetryableApplicationError(summarize(s.failures, len(s.sources)), "sync_failed", nil, s.res)
	}
	return s.res, nil
}

// recordRuns sorts the result and the rows by table and writes the rows.
func (s *syncState) recordRuns() error {
	sortResult(&s.res)
	sort.Slice(s.runs, func(i, j int) bool { return s.runs[i].Table < s.runs[j].Table })
	return recordRuns(s.ctx, s.gates.cleanCancel, s.runs)
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
