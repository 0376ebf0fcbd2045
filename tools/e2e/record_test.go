package e2e

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/temporalproto"
	"go.temporal.io/sdk/client"

	"talkwarehouse/internal/stack"
	"talkwarehouse/workflows"
)

// recordHistories names the set of workflow histories TestRecordHistories
// writes to workflows/testdata/histories/<set>/; empty (the default) skips
// it. See "Changing workflow code" in
// docs/operations.md.
var recordHistories = flag.String("record-histories", "", "record workflow histories into workflows/testdata/histories/`SET`")

// TestRecordHistories runs the workflows for real (devserver, worker,
// simulator, ClickHouse) through the cases the replay test must cover, and
// saves their histories as JSON: a full sync and its leases, a backfill of
// a window, a sync of an empty input (every table), a sync with a table skipped on 403, one that skips a table another sync holds (and,
// from code that has them, one that refuses to wait for it and one that
// waits), a failed sync, and a cancelled one with its lease.
func TestRecordHistories(t *testing.T) {
	if *recordHistories == "" {
		t.Skip("records workflow histories only with -record-histories=SET")
	}
	root, err := stack.Root()
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(root, "workflows", "testdata", "histories", *recordHistories)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	cfg := smallAccount()
	cfg.Calls = 6000
	e := newEnv(t, cfg)

	// A full sync of all tables, and the lease its calls export held.
	out := e.mustSync()
	id := syncID(t, out)
	e.saveHistory(dir, "full_sync", id, "")
	e.saveLeases(dir, "full_sync", id)

	// A backfill of a window (no lease, no cursor look-up).
	e.saveHistory(dir, "backfill", backfillID(t, e.mustSync("--tables", "calls,call_legs",
		"--from", "2024-01-01T00:05:00Z", "--to", "2024-01-01T00:10:00Z")), "")

	// A sync with an empty input (every table, as a client may ask): the
	// only case that reads the lines-table gate.
	e.saveHistory(dir, "all_tables", e.runSync(workflows.SyncInput{}), "")

	// 403 on /ivr: ivrs and its derived tables skipped, addresses synced.
	e.sim.FailStatus("/ivr", 403)
	e.saveHistory(dir, "skipped_403", syncID(t, e.mustSync("--tables", "ivrs,addresses")), "")
	e.sim.FailStatus("/ivr", 0)

	// A table another sync is exporting: a scheduled sync skips it, one
	// that may not wait fails, one that waits syncs it after the first.
	slowExports(e, 200*time.Millisecond)
	first := e.startSync("--tables", "call_legs", "--full-refresh")
	e.waitRows("call_legs", 3000, 60*time.Second)
	skip := e.runSync(workflows.SyncInput{Tables: []string{"call_legs", "addresses"}})
	e.saveHistory(dir, "skipped_held", skip, "")
	refused := e.runSync(workflows.SyncInput{Tables: []string{"call_legs", "addresses"}, IfRunning: workflows.IfRunningFail})
	e.saveHistory(dir, "refused_held", refused, "")
	waited := e.runSync(workflows.SyncInput{Tables: []string{"call_legs"}, IfRunning: workflows.IfRunningWait})
	e.saveHistory(dir, "waited_held", waited, "")
	e.waitSync(first, 2*time.Minute)

	// The legs export rejects the credentials: the sync fails, the others
	// complete.
	e.sim.ClearFaults()
	e.sim.FailStatus("/stats/incremental/legs", 401)
	fout, err := e.starter("sync", "--wait", "--tables", "calls,call_legs,addresses", "--full-refresh")
	if err == nil {
		t.Fatalf("sync with rejected legs succeeded:\n%s", fout)
	}
	e.saveHistory(dir, "failed", syncID(t, fout), "")
	e.sim.FailStatus("/stats/incremental/legs", 0)

	// Cancelled in the middle of the legs export.
	slowExports(e, 200*time.Millisecond)
	cid := e.startSync("--tables", "call_legs,addresses", "--full-refresh")
	time.Sleep(3 * time.Second)
	c := e.client()
	if err := c.CancelWorkflow(context.Background(), cid, ""); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	_ = c.GetWorkflow(ctx, cid, "").Get(ctx, nil)
	e.saveHistory(dir, "cancelled", cid, "")
	e.saveLeases(dir, "cancelled", cid)
	e.sim.ClearFaults()
	t.Logf("histories written to %s", dir)
}

// runSync runs a sync with the client, as a schedule starts one, waits for
// it to close (however it closes) and returns its workflow id.
func (e *env) runSync(in workflows.SyncInput) string {
	e.t.Helper()
	id := fmt.Sprintf("record-%d", time.Now().UnixNano())
	run, err := e.client().ExecuteWorkflow(context.Background(), client.StartWorkflowOptions{ID: id, TaskQueue: e.queue}, workflows.SyncName, in)
	if err != nil {
		e.t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	_ = run.Get(ctx, nil)
	return id
}

// saveHistory writes one run's history (the latest when runID is empty) as
// dir/name.json, in the JSON form the web UI and `temporal workflow show
// --output json` use, which the SDK's replayer reads.
func (e *env) saveHistory(dir, name, workflowID, runID string) {
	e.t.Helper()
	h := e.history(workflowID, runID)
	b, err := temporalproto.CustomJSONMarshalOptions{Indent: "  "}.Marshal(h)
	if err != nil {
		e.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".json"), append(b, '\n'), 0o644); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) history(workflowID, runID string) *historypb.History {
	e.t.Helper()
	it := e.client().GetWorkflowHistory(context.Background(), workflowID, runID, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	h := &historypb.History{}
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			e.t.Fatal(err)
		}
		h.Events = append(h.Events, ev)
	}
	return h
}

// saveLeases writes the history of every lease a sync started, as
// <name>_lease_<table>.json.
func (e *env) saveLeases(dir, name, workflowID string) {
	e.t.Helper()
	for _, ev := range e.history(workflowID, "").Events {
		if a := ev.GetChildWorkflowExecutionStartedEventAttributes(); a != nil {
			ex := a.GetWorkflowExecution()
			table := ex.GetWorkflowId()[len("talkwarehouse-lease-"+e.queue+"-"):]
			e.saveHistory(dir, name+"_lease_"+table, ex.GetWorkflowId(), ex.GetRunId())
		}
	}
}
