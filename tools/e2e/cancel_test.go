package e2e

import (
	"context"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"

	"talkwarehouse/workflows"
)

// legRequests is how many legs export requests the simulator has seen.
func (e *env) legRequests() int { return e.sim.Requests()["/stats/incremental/legs"] }

// waitClosed waits for a workflow to close and returns its status.
func (e *env) waitClosed(id string, timeout time.Duration) enumspb.WorkflowExecutionStatus {
	e.t.Helper()
	c := e.client()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		d, err := c.DescribeWorkflowExecution(context.Background(), id, "")
		if err != nil {
			e.t.Fatal(err)
		}
		if st := d.GetWorkflowExecutionInfo().GetStatus(); st != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
			return st
		}
		time.Sleep(50 * time.Millisecond)
	}
	e.t.Fatalf("%s still running after %v:\n%s", id, timeout, e.worker.Tail(3000))
	return 0
}

// quietAfter waits until the legs export has made no request for quiet
// and returns when the last one came.
func (e *env) quietAfter(quiet, timeout time.Duration) time.Time {
	e.t.Helper()
	n, last := e.legRequests(), time.Now()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
		if m := e.legRequests(); m != n {
			n, last = m, time.Now()
		}
		if time.Since(last) >= quiet {
			return last
		}
	}
	e.t.Fatalf("the legs export still makes requests after %v", timeout)
	return time.Time{}
}

// A sync cancelled in the middle of its legs export closes CANCELED once
// the export has stopped (within seconds), makes no request after it
// closed, keeps the table's lease until then, and records the table as
// cancelled with the rows stored and the cursor after them. A terminated
// sync (no cleanup at all) stops within seconds too, and leaves no cursor
// ahead of its rows: the next sync loads every leg.
func TestCancelAndTerminateStopCleanly(t *testing.T) {
	cfg := smallAccount()
	cfg.Calls = 20000 // 60 pages of legs
	e := newEnv(t, cfg)
	slowExports(e, 150*time.Millisecond)
	c := e.client()
	ctx := context.Background()

	id := e.startSync("--tables", "call_legs,addresses", "--full-refresh")
	e.waitRows("call_legs", 6000, 60*time.Second)
	asked := time.Now()
	if err := c.CancelWorkflow(ctx, id, ""); err != nil {
		t.Fatal(err)
	}
	st := e.waitClosed(id, time.Minute)
	closed := time.Now()
	atClose := e.legRequests()
	if st != enumspb.WORKFLOW_EXECUTION_STATUS_CANCELED {
		t.Errorf("cancelled sync closed %v, want CANCELED", st)
	}
	t.Logf("cancel to close: %v", closed.Sub(asked))
	if d := closed.Sub(asked); d > 15*time.Second {
		t.Errorf("the cancelled sync took %v to close; its export should stop within seconds", d)
	}
	// The lease ended with the sync, not before its export stopped.
	lease, err := c.DescribeWorkflowExecution(ctx, workflows.LeaseID(e.queue, "call_legs"), "")
	if err != nil {
		t.Fatal(err)
	}
	if li := lease.GetWorkflowExecutionInfo(); li.GetStatus() == enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
		t.Errorf("the lease outlived the cancelled sync")
	} else if li.GetCloseTime().AsTime().Before(asked) {
		t.Errorf("lease closed at %v, before the cancel", li.GetCloseTime().AsTime())
	}
	time.Sleep(5 * time.Second)
	if n := e.legRequests(); n != atClose {
		t.Errorf("%d legs export requests after the sync closed", n-atClose)
	}
	var status string
	var rows uint64
	var after *time.Time
	if err := e.wh.Conn().QueryRow(ctx, `SELECT status, rows, cursor_after FROM sync_runs FINAL
WHERE workflow_id = ? AND table_name = 'call_legs'`, id).Scan(&status, &rows, &after); err != nil {
		t.Fatalf("no sync_runs row for the cancelled sync's call_legs: %v", err)
	}
	stored := e.count("SELECT count() FROM call_legs")
	var cursor time.Time
	if err := e.wh.Conn().QueryRow(ctx, "SELECT cursor FROM sync_cursors FINAL WHERE table_name = 'call_legs'").Scan(&cursor); err != nil {
		t.Fatal(err)
	}
	t.Logf("cancelled: sync_runs %s, %d rows, cursor_after %v; %d legs stored, cursor %v", status, rows, after, stored, cursor)
	if status != "cancelled" || rows != stored || after == nil || !after.Equal(cursor) {
		t.Errorf("sync_runs says %s, %d rows, cursor_after %v; want cancelled, %d rows, %v", status, rows, after, stored, cursor)
	}

	// Terminated: the export notices at its next heartbeat.
	id = e.startSync("--tables", "call_legs", "--full-refresh")
	for deadline := time.Now().Add(time.Minute); e.count("SELECT count() FROM call_legs") < stored+6000; time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the second export did not store 6000 legs in a minute:\n%s", e.worker.Tail(3000))
		}
	}
	asked = time.Now()
	if err := c.TerminateWorkflow(ctx, id, "", "e2e: terminate mid-export"); err != nil {
		t.Fatal(err)
	}
	last := e.quietAfter(4*time.Second, time.Minute)
	t.Logf("terminate to the export's last request: %v", last.Sub(asked))
	if d := last.Sub(asked); d > 10*time.Second {
		t.Errorf("the export of the terminated sync went on for %v", d)
	}
	e.sim.ClearFaults()
	e.mustSync("--tables", "call_legs")
	e.checkCounts("call_legs")
}
