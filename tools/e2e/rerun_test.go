package e2e

import (
	"context"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"

	"talkwarehouse/tables"
)

// A sync that failed on credentials, fixed afterwards, is rerun by Reset
// to its first workflow task (as from the web UI) and completes.
func TestFailedSyncRerunByReset(t *testing.T) {
	e := newEnv(t, smallAccount(), "ZENDESK_API_TOKEN=revoked-token")
	id := e.startSync()
	c := e.client()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := c.GetWorkflow(ctx, id, "").Get(ctx, nil); err == nil {
		t.Fatal("sync with a revoked token succeeded")
	}

	// The operator fixes the token and restarts the worker.
	e.worker.Stop()
	e.extra = nil
	e.startWorker()

	// Reset to the first workflow task, as the web UI's Reset does.
	var firstTask int64
	iter := c.GetWorkflowHistory(ctx, id, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for iter.HasNext() && firstTask == 0 {
		ev, err := iter.Next()
		if err != nil {
			t.Fatal(err)
		}
		if ev.GetEventType() == enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED {
			firstTask = ev.GetEventId()
		}
	}
	desc, err := c.DescribeWorkflowExecution(ctx, id, "")
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.ResetWorkflowExecution(ctx, &workflowservice.ResetWorkflowExecutionRequest{
		Namespace:                 "default",
		WorkflowExecution:         desc.GetWorkflowExecutionInfo().GetExecution(),
		Reason:                    "token fixed",
		WorkflowTaskFinishEventId: firstTask,
		RequestId:                 "rerun-" + id,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.GetWorkflow(ctx, id, resp.GetRunId()).Get(ctx, nil); err != nil {
		t.Fatalf("reset run failed: %v\n%s", err, e.worker.Tail(3000))
	}
	e.checkCounts()
	all := uint64(len(tables.All()))
	if n := e.count("SELECT count() FROM sync_runs FINAL WHERE status = 'failed'"); n != all {
		t.Errorf("sync_runs has %d failed rows from the first run, want %d", n, all)
	}
	if n := e.count("SELECT count() FROM sync_runs FINAL WHERE status = 'success' AND run_id = ?", resp.GetRunId()); n != all {
		t.Errorf("sync_runs has %d successful rows for the reset run, want %d", n, all)
	}
}
