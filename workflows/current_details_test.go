package workflows_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	sdkpb "go.temporal.io/api/sdk/v1"

	"talkwarehouse/activities"
	"talkwarehouse/tables"
	"talkwarehouse/workflows"
)

// exportStart is where the fake ExportStart says every export begins.
var exportStart = time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)

// currentDetails reads the workflow's current details the way the web UI
// does: the built-in __temporal_workflow_metadata query.
func currentDetails(t *testing.T, q interface {
	Get(valuePtr any) error
}) string {
	t.Helper()
	var md sdkpb.WorkflowMetadata
	if err := q.Get(&md); err != nil {
		t.Fatal(err)
	}
	return md.GetCurrentDetails()
}

// While a sync runs, its current details show every table's state; at the
// end, every table done with its rows and pages, and exports with the
// time they began and their new cursor.
func TestCurrentDetailsFollowTheTables(t *testing.T) {
	env := newEnv(t)
	var a *activities.Activities
	var calls sync.Map
	ok := fakeSync(&calls)
	var midway string
	env.OnActivity(a.SyncTable, mock.Anything, mock.Anything).Return(
		func(ctx context.Context, in activities.SyncTableInput) (activities.SyncTableResult, error) {
			if in.Table == "calls" {
				// Seen from inside an activity: calls is running and began
				// where ExportStart said.
				v, err := env.QueryWorkflow("__temporal_workflow_metadata")
				if err != nil {
					t.Error(err)
				} else {
					midway = currentDetails(t, v)
				}
			}
			r, err := ok(ctx, in)
			if tables.MustGet(in.Table).Kind == tables.Export {
				after := exportStart.Add(time.Hour)
				r.Tables[0].CursorAfter = &after
			}
			return r, err
		})
	env.ExecuteWorkflow(workflows.SyncName, workflows.SyncInput{})
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(midway, "| calls | running |  |  | from 2026-11-30T08:00:00Z |") {
		t.Errorf("mid-sync details:\n%s", midway)
	}
	v, err := env.QueryWorkflow("__temporal_workflow_metadata")
	if err != nil {
		t.Fatal(err)
	}
	final := currentDetails(t, v)
	if all := len(tables.All()); !strings.HasPrefix(final, fmt.Sprintf("**%d tables**: %d done\n", all, all)) {
		t.Errorf("final details:\n%s", final)
	}
	for _, name := range tables.Names() {
		row := "| " + name + " | done | " + strconv.Itoa(len(name)) + " | 1 | "
		if !strings.Contains(final, row) {
			t.Errorf("final details lack %q:\n%s", row, final)
		}
	}
	if !strings.Contains(final, "| calls | done | 5 | 1 | now 2026-11-30T09:00:00Z |") {
		t.Errorf("calls' new cursor missing:\n%s", final)
	}
}
