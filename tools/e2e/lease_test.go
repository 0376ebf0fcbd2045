package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"talkwarehouse/workflows"
)

// Two syncs never export one table at once. A manual `starter sync --wait`
// that meets a running sync waits for it, naming it by workflow id, then
// syncs the table; with --no-wait-for-running it fails within seconds,
// naming it; a scheduled sync skips the table, recorded as skipped with the
// holder's workflow id. Every count is exact in the end.
func TestConcurrentSyncsDoNotShareAnExport(t *testing.T) {
	cfg := smallAccount()
	cfg.Calls = 30000 // 30 pages of calls
	e := newEnv(t, cfg)
	slowExports(e, 500*time.Millisecond)
	ctx := context.Background()
	c := e.client()
	first := e.startSync("--tables", "calls")
	e.waitRows("calls", 1000, 60*time.Second)

	// The default: wait for the running sync, then sync.
	type result struct {
		out string
		err error
	}
	waiter := make(chan result, 1)
	go func() {
		out, err := e.starter("sync", "--wait", "--tables", "calls,addresses")
		waiter <- result{out, err}
	}()

	// --no-wait-for-running: a non-zero exit within seconds, naming it.
	t0 := time.Now()
	out, err := e.starter("sync", "--wait", "--no-wait-for-running", "--tables", "calls,call_legs")
	took := time.Since(t0)
	if exitCode(err) == 0 || !strings.Contains(out, first) {
		t.Errorf("--no-wait-for-running: exit %d, output does not name %s:\n%s", exitCode(err), first, out)
	}
	if took > 20*time.Second {
		t.Errorf("--no-wait-for-running took %v, want seconds", took)
	}
	if n := e.count("SELECT count() FROM sync_runs FINAL WHERE workflow_id = ? AND status = 'success'", syncID(t, out)); n != 0 {
		t.Errorf("the sync that would not wait synced %d tables", n)
	}

	// What a schedule starts (no if_running): the table is skipped, naming
	// the sync that holds it.
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "e2e-scheduled-" + first, TaskQueue: e.queue},
		workflows.SyncName, workflows.SyncInput{Tables: []string{"calls"}})
	if err != nil {
		t.Fatal(err)
	}
	var res workflows.SyncResult
	if err := run.Get(ctx, &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Tables) != 1 || !res.Tables[0].Skipped || !strings.Contains(res.Tables[0].Reason, first) {
		t.Errorf("scheduled sync: %+v, want calls skipped naming %s", res.Tables, first)
	}
	if n := e.count("SELECT count() FROM sync_runs FINAL WHERE workflow_id = ? AND status = 'skipped' AND position(reason, ?) > 0", run.GetID(), first); n != 1 {
		t.Errorf("sync_runs has %d skipped calls rows of the scheduled sync naming %s, want 1", n, first)
	}
	if d, err := c.DescribeWorkflowExecution(ctx, first, ""); err != nil || d.GetWorkflowExecutionInfo().GetStatus() != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
		t.Fatalf("the first sync ended before the checks were done (%v): make its export slower", err)
	}

	w := <-waiter
	if w.err != nil {
		t.Fatalf("starter sync --wait that met a running sync: %v\n%s", w.err, w.out)
	}
	if !strings.Contains(w.out, "waiting for sync "+first) {
		t.Errorf("the waiting sync does not say which sync it waits for:\n%s", w.out)
	}
	if line := lineOf(w.out, "calls "); line == "" || strings.Contains(line, "SKIPPED") {
		t.Errorf("the waiting sync did not sync calls: %q\n%s", line, w.out)
	}
	second := syncID(t, w.out)
	if n := e.count(`SELECT count() FROM sync_runs FINAL WHERE workflow_id = ? AND table_name = 'calls' AND status = 'success'
AND started_at >= (SELECT max(finished_at) FROM sync_runs FINAL WHERE workflow_id = ? AND table_name = 'calls')`, second, first); n != 1 {
		t.Errorf("the waiting sync's calls did not start after the first sync's had finished")
	}
	e.checkCounts("calls", "addresses")
}
