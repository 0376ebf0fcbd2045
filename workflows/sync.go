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
	// Tables to sync; empty means all 14.
	Tables []string `json:"tables,omitempty"`
	// FullRefresh re-exports calls and call_legs from ZENDESK_START_DATE.
	FullRefresh bool `json:"full_refresh,omitempty"`
}

// SyncResult reports every table the sync touched, in name order.
type SyncResult struct {
	Tables []activities.TableResult `json:"tables"`
}

// Activity timeouts. A dead worker is noticed within HeartbeatTimeout; an
// export of years of calls at 10 requests per minute can take many hours.
const (
	HeartbeatTimeout    = 30 * time.Second
	StartToCloseTimeout = 24 * time.Hour
)

// ProgressQuery returns the per-table state of a running sync.
const ProgressQuery = "progress"

// TableProgress is one table's state in the progress query.
type TableProgress struct {
	Table  string                  `json:"table"`
	State  string                  `json:"state"` // running, done, skipped, failed
	Result *activities.TableResult `json:"result,omitempty"`
	Error  string                  `json:"error,omitempty"`
}

// Sync runs one activity per source table, all at once: the worker's shared
// rate budgets pace their requests. It waits for every table, so one
// failing table does not stop the others, then fails if any table failed.
func Sync(ctx workflow.Context, in SyncInput) (SyncResult, error) {
	started := workflow.Now(ctx)
	requested, err := tables.Resolve(in.Tables)
	if err != nil {
		return SyncResult{}, temporal.NewNonRetryableApplicationError(err.Error(), "bad_input", nil)
	}
	sources := tables.Sources(requested)

	progress := map[string]*TableProgress{}
	for _, s := range sources {
		for _, t := range s.Family() {
			progress[t.Name] = &TableProgress{Table: t.Name, State: "running"}
		}
	}
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

	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: StartToCloseTimeout,
		HeartbeatTimeout:    HeartbeatTimeout,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:        5 * time.Second,
			BackoffCoefficient:     2,
			MaximumInterval:        2 * time.Minute,
			MaximumAttempts:        10,
			NonRetryableErrorTypes: activities.NonRetryable,
		},
	})
	// The exports run on their own task queue, so that a deployment of
	// several workers can let exactly one of them poll it: the export budget
	// (10 requests a minute per account) then holds across workers.
	queue := workflow.GetInfo(ctx).TaskQueueName
	exportCtx := workflow.WithTaskQueue(ctx, ExportTaskQueue(queue))
	info := workflow.GetInfo(ctx).WorkflowExecution

	var res SyncResult
	var failures []string
	var runs []warehouse.Run
	fail := func(s *tables.Table, msg string) {
		failures = append(failures, fmt.Sprintf("%s: %s", s.Name, msg))
		for _, t := range s.Family() {
			progress[t.Name].State, progress[t.Name].Error = "failed", msg
			runs = append(runs, warehouse.Run{WorkflowID: info.ID, RunID: info.RunID, Table: t.Name,
				Mode: mode(t, in.FullRefresh), Status: "failed", StartedAt: started, FinishedAt: workflow.Now(ctx), Reason: msg})
		}
	}
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
				Mode: mode(tables.MustGet(tr.Table), in.FullRefresh), Status: status,
				Rows: uint64(tr.Rows), Pages: uint64(tr.Pages), Requests: uint64(tr.Requests), Deleted: uint64(tr.Deleted),
				StartedAt: tr.StartedAt, FinishedAt: tr.FinishedAt, CursorBefore: tr.CursorBefore, CursorAfter: tr.CursorAfter,
				Reason: tr.Reason})
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
			if s.Kind == tables.Export {
				// Two syncs never export one table at once: its cursor has
				// one writer. The lease is a child workflow whose id names
				// the table; Temporal refuses a second while one runs.
				release, holder, err := acquireLease(ctx, queue, s.Name, info.ID)
				if err != nil {
					fail(s, err.Error())
					return
				}
				if release == nil {
					record(skipped(s, fmt.Sprintf("another sync (%s) is exporting %s; skipped so that its cursor has one writer", holder, s.Name)))
					return
				}
				defer release()
				actx = exportCtx
			}
			var r activities.SyncTableResult
			if err := workflow.ExecuteActivity(actx, a.SyncTable, activities.SyncTableInput{Table: s.Name, FullRefresh: in.FullRefresh}).Get(ctx, &r); err != nil {
				fail(s, rootMessage(err))
				return
			}
			record(r)
		})
	}
	wg.Wait(ctx)
	sort.Slice(runs, func(i, j int) bool { return runs[i].Table < runs[j].Table })
	sort.Slice(res.Tables, func(i, j int) bool { return res.Tables[i].Table < res.Tables[j].Table })

	// Record what every table did, failures included.
	rctx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, MaximumInterval: time.Minute, MaximumAttempts: 20},
	})
	if err := workflow.ExecuteActivity(rctx, a.RecordRuns, runs).Get(ctx, nil); err != nil {
		failures = append(failures, "sync_runs: "+rootMessage(err))
	}
	if len(failures) > 0 {
		return res, temporal.NewNonRetryableApplicationError(summarize(failures, len(sources)), "sync_failed", nil, res)
	}
	return res, nil
}

// mode names how a table is synced, for sync_runs.
func mode(t *tables.Table, fullRefresh bool) string {
	switch {
	case t.Kind == tables.Export && fullRefresh:
		return "full_refresh"
	case t.Kind == tables.Export:
		return "incremental"
	}
	return string(t.Kind)
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
