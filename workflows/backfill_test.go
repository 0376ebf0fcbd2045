package workflows_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"talkwarehouse/activities"
	"talkwarehouse/workflows"
)

var (
	jan = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	feb = time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC)
)

// A backfill hands its window to each export's activity, on the export
// queue, takes no table lease (the incremental sync keeps its cursor's
// one writer) and does not ask where the stored cursor stands; its result
// and its sync_runs rows name the window.
func TestBackfillPassesItsWindowAndTakesNoLease(t *testing.T) {
	for _, backfill := range []bool{false, true} {
		env, runs := newEnvRuns(t)
		var a *activities.Activities
		var calls sync.Map
		env.OnActivity(a.SyncTable, mock.Anything, mock.Anything).Return(
			func(ctx context.Context, in activities.SyncTableInput) (activities.SyncTableResult, error) {
				calls.Store(in.Table, in)
				calls.Store("queue:"+in.Table, activity.GetInfo(ctx).TaskQueue)
				r := activities.TableResult{Table: in.Table, Kind: "export", Rows: 7, Pages: 1}
				if in.Window != nil {
					reached := in.Window.To
					r.Window, r.WindowReached = in.Window, &reached
				} else {
					after := feb
					r.CursorAfter = &after
				}
				return activities.SyncTableResult{Tables: []activities.TableResult{r}}, nil
			})
		var leases int
		env.SetOnChildWorkflowStartedListener(func(info *workflow.Info, _ workflow.Context, _ converter.EncodedValues) {
			if info.WorkflowType.Name == workflows.LeaseName {
				leases++
			}
		})
		in := workflows.SyncInput{Tables: []string{"calls", "call_legs"}}
		if backfill {
			in.Window = &activities.Window{From: jan, To: feb}
		}
		env.ExecuteWorkflow(workflows.SyncName, in)
		if err := env.GetWorkflowError(); err != nil {
			t.Fatal(err)
		}
		var res workflows.SyncResult
		if err := env.GetWorkflowResult(&res); err != nil {
			t.Fatal(err)
		}
		if !backfill {
			// The listener sees leases: an incremental sync takes two.
			if leases != 2 || res.Window != nil || (*runs)[0].Mode != "incremental" {
				t.Fatalf("incremental sync: %d leases, window %v, mode %s", leases, res.Window, (*runs)[0].Mode)
			}
			continue
		}
		if leases != 0 {
			t.Errorf("a backfill took %d table leases", leases)
		}
		if res.Window == nil || !res.Window.From.Equal(jan) || !res.Window.To.Equal(feb) {
			t.Errorf("result window %v", res.Window)
		}
		for _, name := range []string{"calls", "call_legs"} {
			v, ok := calls.Load(name)
			if !ok {
				t.Fatalf("%s not synced", name)
			}
			if w := v.(activities.SyncTableInput).Window; w == nil || !w.From.Equal(jan) || !w.To.Equal(feb) {
				t.Errorf("%s: activity window %v", name, w)
			}
			if q, _ := calls.Load("queue:" + name); q != workflows.ExportTaskQueue("default-test-taskqueue") {
				t.Errorf("%s ran on %v", name, q)
			}
		}
		if len(*runs) != 2 {
			t.Fatalf("%d sync_runs rows", len(*runs))
		}
		for _, r := range *runs {
			if r.Mode != "backfill" || r.Status != "success" || r.CursorBefore != nil || r.CursorAfter != nil || len(r.Notes) == 0 ||
				r.Notes[0] != "backfill window 2024-01-01T00:00:00Z..2024-02-01T00:00:00Z, read up to 2024-02-01T00:00:00Z; stored cursor untouched" {
				t.Errorf("sync_runs row %+v", r)
			}
		}
	}
}

// A backfill of a table that is not an export, with a full refresh, or
// with an empty window fails at once, before any activity.
func TestBackfillRefusesWhatIsNotOne(t *testing.T) {
	for _, c := range []struct {
		in   workflows.SyncInput
		want string
	}{
		{workflows.SyncInput{Tables: []string{"calls", "greetings"}, Window: &activities.Window{From: jan, To: feb}},
			"applies only to the exports calls and call_legs, not to greetings"},
		{workflows.SyncInput{Tables: []string{"calls"}, FullRefresh: true, Window: &activities.Window{From: jan, To: feb}},
			"--full-refresh exclude each other"},
		{workflows.SyncInput{Tables: []string{"calls"}, Window: &activities.Window{From: feb, To: jan}},
			"--to 2024-01-01T00:00:00Z is not after --from 2024-02-01T00:00:00Z"},
		{workflows.SyncInput{Tables: []string{"calls"}, Window: &activities.Window{From: jan}}, "has no end (--to)"},
	} {
		env := newEnv(t)
		var a *activities.Activities
		env.OnActivity(a.SyncTable, mock.Anything, mock.Anything).Return(activities.SyncTableResult{}, nil).Never()
		env.OnActivity(a.RecordRuns, mock.Anything, mock.Anything).Return(nil).Maybe()
		env.ExecuteWorkflow(workflows.SyncName, c.in)
		if err := env.GetWorkflowError(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: error %v, want %q", c.in, err, c.want)
		}
	}
}

func TestBackfillIDAndSummaryNameTheWindow(t *testing.T) {
	w := activities.Window{From: jan, To: feb.Add(90 * time.Minute)}
	if got := workflows.BackfillID([]string{"calls", "call_legs"}, w); got != "talk-backfill-calls+call_legs-20240101T000000Z-20240201T013000Z" {
		t.Errorf("BackfillID = %q", got)
	}
	if got := workflows.BackfillID([]string{"calls"}, activities.Window{To: feb}); got != "talk-backfill-calls-start-20240201T000000Z" {
		t.Errorf("BackfillID without a start = %q", got)
	}
	in := workflows.SyncInput{Tables: []string{"call_legs", "calls"}, Window: &w}
	if got := workflows.Summary(in, jan); got != "Backfill of calls and call_legs, window 2024-01-01..2024-02-01T01:30:00Z" {
		t.Errorf("Summary = %q", got)
	}
	if got := workflows.Summary(workflows.SyncInput{Tables: []string{"calls"}, Window: &activities.Window{To: feb}}, time.Time{}); got != "Backfill of calls, window ZENDESK_START_DATE..2024-02-01" {
		t.Errorf("Summary without a start = %q", got)
	}
	if d := workflows.Details(in, jan, "starter sync"); !strings.Contains(d, "**Backfill** (calls, call_legs): records updated in 2024-01-01..2024-02-01T01:30:00Z only") {
		t.Errorf("Details = %q", d)
	}
}

// A backfill table that fails keeps its window and how far it read in its
// sync_runs row and in the result.
func TestFailedBackfillNamesWhereItStopped(t *testing.T) {
	env, runs := newEnvRuns(t)
	var a *activities.Activities
	w := &activities.Window{From: jan, To: feb}
	reached := jan.Add(72 * time.Hour)
	partial := activities.SyncTableResult{Tables: []activities.TableResult{{Table: "calls", Kind: "export",
		Rows: 3000, Pages: 3, Window: w, WindowReached: &reached}}}
	const msg = "zendesk /stats/incremental/calls: HTTP 401: unauthorized"
	env.OnActivity(a.SyncTable, mock.Anything, mock.Anything).Return(partial, temporal.NewNonRetryableApplicationError(msg, "auth", nil, partial))
	env.ExecuteWorkflow(workflows.SyncName, workflows.SyncInput{Tables: []string{"calls"}, Window: w})
	var app *temporal.ApplicationError
	if err := env.GetWorkflowError(); !asApp(err, &app) {
		t.Fatalf("error %v", err)
	}
	if len(*runs) != 1 {
		t.Fatalf("sync_runs %+v", *runs)
	}
	r := (*runs)[0]
	if r.Status != "failed" || r.Mode != "backfill" || r.Rows != 3000 || r.Reason != msg || len(r.Notes) != 1 ||
		r.Notes[0] != "backfill window 2024-01-01T00:00:00Z..2024-02-01T00:00:00Z, read up to 2024-01-04T00:00:00Z; stored cursor untouched" {
		t.Fatalf("failed backfill's sync_runs row: %+v", r)
	}
	var res workflows.SyncResult
	if err := app.Details(&res); err != nil || res.Window == nil || len(res.Tables) != 1 || res.Tables[0].WindowReached == nil || !res.Tables[0].WindowReached.Equal(reached) {
		t.Fatalf("result %+v, %v", res, err)
	}
}
