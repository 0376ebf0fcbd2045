package workflows_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"talkwarehouse/activities"
	"talkwarehouse/tables"
	"talkwarehouse/warehouse"
	"talkwarehouse/workflows"
)

func newEnv(t *testing.T) *testsuite.TestWorkflowEnvironment {
	env, _ := newEnvRuns(t)
	return env
}

// newEnvRuns also returns the sync_runs rows the workflow records.
func newEnvRuns(t *testing.T) (*testsuite.TestWorkflowEnvironment, *[]warehouse.Run) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	env.RegisterWorkflowWithOptions(workflows.Sync, workflow.RegisterOptions{Name: workflows.SyncName})
	env.RegisterWorkflowWithOptions(workflows.TableLease, workflow.RegisterOptions{Name: workflows.LeaseName})
	env.RegisterActivity(&activities.Activities{})
	var a *activities.Activities
	var runs []warehouse.Run
	env.OnActivity(a.ExportStart, mock.Anything, mock.Anything).Return(exportStart, nil).Maybe()
	env.OnActivity(a.RecordRuns, mock.Anything, mock.Anything).Return(func(_ context.Context, r []warehouse.Run) error {
		runs = append(runs, r...)
		return nil
	})
	return env, &runs
}

// fakeSync answers like the real activity: one result per table of the
// source's family, with rows derived from the name so sums are checkable.
func fakeSync(calls *sync.Map) func(context.Context, activities.SyncTableInput) (activities.SyncTableResult, error) {
	return func(ctx context.Context, in activities.SyncTableInput) (activities.SyncTableResult, error) {
		calls.Store(in.Table, in)
		calls.Store("queue:"+in.Table, activity.GetInfo(ctx).TaskQueue)
		var r activities.SyncTableResult
		for _, t := range tables.MustGet(in.Table).Family() {
			r.Tables = append(r.Tables, activities.TableResult{Table: t.Name, Kind: string(t.Kind), Rows: len(t.Name), Pages: 1})
		}
		return r, nil
	}
}

func TestSyncRunsOneActivityPerSourceAndReportsEveryTable(t *testing.T) {
	env := newEnv(t)
	var a *activities.Activities
	var calls sync.Map
	env.OnActivity(a.SyncTable, mock.Anything, mock.Anything).Return(fakeSync(&calls))
	env.ExecuteWorkflow(workflows.SyncName, workflows.SyncInput{FullRefresh: true})
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	var res workflows.SyncResult
	if err := env.GetWorkflowResult(&res); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, tr := range res.Tables {
		got = append(got, tr.Table)
		if tr.Rows != len(tr.Table) {
			t.Errorf("%s: rows %d", tr.Table, tr.Rows)
		}
	}
	if strings.Join(got, ",") != strings.Join(tables.Names(), ",") {
		t.Fatalf("tables %v, want every table of the catalogue %v", got, tables.Names())
	}
	for _, name := range tables.Names() {
		q, ok := calls.Load("queue:" + name)
		if !ok {
			continue
		}
		want := "default-test-taskqueue"
		if tables.MustGet(name).Kind == tables.Export {
			want = workflows.ExportTaskQueue(want)
		}
		if q != want {
			t.Errorf("%s ran on task queue %v, want %s", name, q, want)
		}
		calls.Delete("queue:" + name)
	}
	sources := 0 // a derived table (ivr_menus, ivr_routes) comes with its parent's activity
	for _, name := range tables.Names() {
		if tables.MustGet(name).Parent == "" {
			sources++
		}
	}
	n := 0
	calls.Range(func(k, v any) bool {
		n++
		if !v.(activities.SyncTableInput).FullRefresh {
			t.Errorf("%s: full refresh not passed on", k)
		}
		if tables.MustGet(k.(string)).Parent != "" {
			t.Errorf("activity started for derived table %s", k)
		}
		return true
	})
	if n != sources || sources == len(got) {
		t.Fatalf("%d activities, want one per source table (%d of the %d)", n, sources, len(got))
	}
}

func TestSyncOfDerivedTableFetchesItsSource(t *testing.T) {
	env := newEnv(t)
	var a *activities.Activities
	var calls sync.Map
	env.OnActivity(a.SyncTable, mock.Anything, mock.Anything).Return(fakeSync(&calls))
	env.ExecuteWorkflow(workflows.SyncName, workflows.SyncInput{Tables: []string{"ivr_routes", "calls"}})
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	_, ivrs := calls.Load("ivrs")
	_, callsRan := calls.Load("calls")
	_, legs := calls.Load("call_legs")
	if !ivrs || !callsRan || legs {
		t.Fatalf("ivrs=%v calls=%v legs=%v", ivrs, callsRan, legs)
	}
}

func TestSyncRefusesUnknownTable(t *testing.T) {
	env := newEnv(t)
	env.ExecuteWorkflow(workflows.SyncName, workflows.SyncInput{Tables: []string{"calls", "tickets"}})
	err := env.GetWorkflowError()
	if err == nil || !strings.Contains(err.Error(), "tickets") || !strings.Contains(err.Error(), "call_legs") {
		t.Fatalf("error %v should name the unknown table and list the valid ones", err)
	}
}

// A failing table fails the sync after the others finished, with the
// activity's own message; a shared message (rejected token) is said once.
func TestSyncFailsWithEveryFailedTableAndKeepsTheRest(t *testing.T) {
	env, runs := newEnvRuns(t)
	var a *activities.Activities
	var calls sync.Map
	ok := fakeSync(&calls)
	env.OnActivity(a.SyncTable, mock.Anything, mock.Anything).Return(
		func(ctx context.Context, in activities.SyncTableInput) (activities.SyncTableResult, error) {
			if in.Table == "calls" || in.Table == "call_legs" {
				calls.Store(in.Table, in)
				return activities.SyncTableResult{}, temporal.NewNonRetryableApplicationError("zendesk /x: HTTP 401: unauthorized (check ZENDESK_API_TOKEN)", "auth", nil)
			}
			return ok(ctx, in)
		})
	env.ExecuteWorkflow(workflows.SyncName, workflows.SyncInput{})
	err := env.GetWorkflowError()
	if err == nil {
		t.Fatal("sync succeeded")
	}
	var app *temporal.ApplicationError
	if !asApp(err, &app) || app.Message() != fmt.Sprintf("2 of %d tables failed: zendesk /x: HTTP 401: unauthorized (check ZENDESK_API_TOKEN)", len(tables.Sources(tables.All()))) {
		t.Fatalf("error %v", err)
	}
	var res workflows.SyncResult
	if err := app.Details(&res); err != nil || len(res.Tables) != len(tables.All()) {
		t.Fatalf("partial result: %d tables, err %v", len(res.Tables), err)
	}
	for _, tr := range res.Tables {
		if failed := tr.Table == "calls" || tr.Table == "call_legs"; failed != strings.Contains(tr.Error, "401") {
			t.Errorf("%s in the result: error %q", tr.Table, tr.Error)
		}
	}
	sources := 0 // a derived table (ivr_menus, ivr_routes) comes with its parent's activity
	for _, name := range tables.Names() {
		if tables.MustGet(name).Parent == "" {
			sources++
		}
	}
	n := 0
	calls.Range(func(k, _ any) bool {
		if !strings.HasPrefix(k.(string), "queue:") {
			n++
		}
		return true
	})
	if want := len(tables.Sources(tables.All())); n != want {
		t.Fatalf("%d activities ran, want all %d", n, want)
	}
	// sync_runs gets every table, the failed ones with their reason.
	status := map[string]string{}
	for _, r := range *runs {
		status[r.Table] = r.Status + " " + r.Mode
		if r.Status == "failed" && !strings.Contains(r.Reason, "401") {
			t.Errorf("%s failed without its reason: %+v", r.Table, r)
		}
	}
	if len(status) != len(tables.All()) || status["calls"] != "failed incremental" || status["call_legs"] != "failed incremental" ||
		status["ivr_routes"] != "success snapshot" || status["agents_activity"] != "success stats" {
		t.Fatalf("sync_runs %v", status)
	}
}

func TestProgressQuery(t *testing.T) {
	env := newEnv(t)
	var a *activities.Activities
	var calls sync.Map
	env.OnActivity(a.SyncTable, mock.Anything, mock.Anything).Return(fakeSync(&calls))
	env.ExecuteWorkflow(workflows.SyncName, workflows.SyncInput{Tables: []string{"addresses"}})
	v, err := env.QueryWorkflow(workflows.ProgressQuery)
	if err != nil {
		t.Fatal(err)
	}
	var p []workflows.TableProgress
	if err := v.Get(&p); err != nil {
		t.Fatal(err)
	}
	if len(p) != 1 || p[0].State != "done" || p[0].Result == nil || p[0].Result.Rows != len("addresses") {
		t.Fatalf("progress %+v", p)
	}
}

// A table that fails keeps what it stored: the activity's partial result
// (the details of its error), warnings and notes included, reaches
// sync_runs and the sync's result.
func TestFailedTableKeepsItsFigures(t *testing.T) {
	env, runs := newEnvRuns(t)
	var a *activities.Activities
	before, after := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2024, 1, 1, 3, 20, 0, 0, time.UTC)
	partial := activities.SyncTableResult{Tables: []activities.TableResult{{Table: "call_legs", Kind: "export",
		Rows: 5991, Pages: 6, Requests: 7, CursorBefore: &before, CursorAfter: &after,
		Warnings: []string{"1 record(s) dated in the future"}, Notes: []string{"a note"}}}}
	const msg = "zendesk /stats/incremental/legs: HTTP 401: unauthorized (check ZENDESK_API_TOKEN)"
	env.OnActivity(a.SyncTable, mock.Anything, mock.Anything).Return(partial, temporal.NewNonRetryableApplicationError(msg, "auth", nil, partial))
	env.ExecuteWorkflow(workflows.SyncName, workflows.SyncInput{Tables: []string{"call_legs"}})
	var app *temporal.ApplicationError
	if err := env.GetWorkflowError(); !asApp(err, &app) {
		t.Fatalf("error %v", err)
	}
	if len(*runs) != 1 {
		t.Fatalf("sync_runs %+v", *runs)
	}
	r := (*runs)[0]
	if r.Status != "failed" || r.Rows != 5991 || r.Pages != 6 || r.Requests != 7 || r.Reason != msg ||
		r.CursorBefore == nil || !r.CursorBefore.Equal(before) || r.CursorAfter == nil || !r.CursorAfter.Equal(after) {
		t.Fatalf("failed table's sync_runs row: %+v", r)
	}
	// Its warnings and notes are the stored rows', as a success's are.
	if strings.Join(r.Warnings, "|") != "1 record(s) dated in the future" || strings.Join(r.Notes, "|") != "a note" {
		t.Fatalf("failed table's sync_runs warnings %q, notes %q", r.Warnings, r.Notes)
	}
	var res workflows.SyncResult
	if err := app.Details(&res); err != nil || len(res.Tables) != 1 {
		t.Fatalf("result %+v, %v", res, err)
	}
	if tr := res.Tables[0]; tr.Rows != 5991 || tr.Error != msg || tr.CursorAfter == nil {
		t.Fatalf("failed table in the result: %+v", tr)
	}
}

// A cancelled sync still records every table (the recording activity runs
// on a disconnected context) and closes CANCELED, not FAILED. (That it
// waits for its activities to stop, which the SDK's test environment does
// not model, is TestCancelAndTerminateStopCleanly in e2e.)
func TestCancelledSyncRecordsItsTablesAndClosesCanceled(t *testing.T) {
	env, runs := newEnvRuns(t)
	var a *activities.Activities
	env.OnActivity(a.SyncTable, mock.Anything, mock.Anything).Return(
		func(ctx context.Context, in activities.SyncTableInput) (activities.SyncTableResult, error) {
			env.CancelWorkflow()
			select {
			case <-ctx.Done():
			case <-time.After(2 * time.Second):
			}
			return activities.SyncTableResult{}, temporal.NewCanceledError()
		})
	env.ExecuteWorkflow(workflows.SyncName, workflows.SyncInput{Tables: []string{"call_legs", "addresses"}})
	if err := env.GetWorkflowError(); !temporal.IsCanceledError(err) {
		t.Fatalf("sync closed with %v, want cancelled", err)
	}
	status := map[string]string{}
	for _, r := range *runs {
		status[r.Table] = r.Status
	}
	if status["call_legs"] != "cancelled" || status["addresses"] != "cancelled" {
		t.Fatalf("sync_runs %v, want both tables cancelled", status)
	}
}
