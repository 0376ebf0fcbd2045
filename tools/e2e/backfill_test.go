package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
)

// backfillID finds the backfill's workflow id in the starter's output.
func backfillID(t *testing.T, out string) string {
	for _, f := range strings.Fields(out) {
		if strings.HasPrefix(f, "talk-backfill-") {
			return f
		}
	}
	t.Fatalf("no backfill workflow id in %q", out)
	return ""
}

// `starter sync --from --to` stores exactly its window's calls and legs
// and no cursor; a second backfill runs beside a slow incremental sync
// (it takes no lease, so neither waits), the same window twice at once is
// refused, the window is in the summary and in sync_runs, and in the end
// every count is exact: the rows loaded twice collapsed, and the only
// cursors are the incremental sync's.
func TestBackfillBesideTheIncrementalSync(t *testing.T) {
	cfg := smallAccount()
	cfg.Calls = 12000 // 50 minutes of calls at 4 a second, 12 pages; 36 of legs
	e := newEnv(t, cfg)
	ctx := context.Background()
	const from, to = "2024-01-01T00:05:00Z", "2024-01-01T00:10:00Z"
	window := "updated_at >= toDateTime('2024-01-01 00:05:00', 'UTC') AND updated_at < toDateTime('2024-01-01 00:10:00', 'UTC')"

	out := e.mustSync("--tables", "calls,call_legs", "--from", from, "--to", to)
	if !strings.Contains(out, "backfill window "+from+".."+to) || !strings.Contains(out, "window "+from+".."+to+" read up to "+to) {
		t.Errorf("the summary does not name the window:\n%s", out)
	}
	t.Logf("starter sync --wait --from %s --to %s:\n%s", from, to, out)
	first := backfillID(t, out)
	inWindow := map[string]uint64{}
	for _, tb := range []string{"calls", "call_legs"} {
		inWindow[tb] = e.count("SELECT count() FROM " + tb + " FINAL")
		if inWindow[tb] == 0 {
			t.Fatalf("%s: the backfill stored nothing:\n%s", tb, out)
		}
		if n := e.count("SELECT count() FROM " + tb + " WHERE NOT (" + window + ")"); n != 0 {
			t.Errorf("%s: %d rows outside the window", tb, n)
		}
	}
	if n := e.count("SELECT count() FROM sync_cursors"); n != 0 {
		t.Errorf("the backfill wrote %d cursor rows", n)
	}
	if n := e.count("SELECT count() FROM sync_runs FINAL WHERE workflow_id = ? AND mode = 'backfill' AND status = 'success' AND notes[1] LIKE ?",
		first, "backfill window "+from+".."+to+", read up to "+to+"%"); n != 2 {
		t.Errorf("sync_runs has %d backfill rows of %s naming the window, want 2", n, first)
	}

	// A slow incremental sync, and beside it a backfill of another window.
	slowExports(e, 300*time.Millisecond)
	inc := e.startSync("--tables", "calls,call_legs")
	e.waitRows("calls", 1000, 60*time.Second)
	out, err := e.starter("sync", "--tables", "calls,call_legs", "--from", "2024-01-01T00:20:00Z", "--to", "2024-01-01T00:25:00Z")
	if err != nil {
		t.Fatalf("backfill beside the incremental sync: %v\n%s", err, out)
	}
	second := backfillID(t, out)
	again, err := e.starter("sync", "--tables", "calls,call_legs", "--from", "2024-01-01T00:20:00Z", "--to", "2024-01-01T00:25:00Z")
	if err == nil || !strings.Contains(again, "already running as workflow "+second) {
		t.Errorf("the same window twice at once: err %v\n%s", err, again)
	}
	e.waitSync(second, 2*time.Minute)
	c := e.client()
	if d, err := c.DescribeWorkflowExecution(ctx, inc, ""); err != nil || d.GetWorkflowExecutionInfo().GetStatus() != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
		t.Errorf("the incremental sync ended before the backfill (%v): the test shows nothing; make its export slower", err)
	}
	res := e.waitSync(inc, 5*time.Minute)
	for _, tr := range res.Tables {
		if tr.Skipped || tr.Error != "" || tr.CursorAfter == nil {
			t.Errorf("incremental sync: %+v", tr)
		}
	}
	e.checkCounts("calls", "call_legs")
	for _, tb := range []string{"calls", "call_legs"} {
		if n := e.count("SELECT count() FROM " + tb + " FINAL WHERE " + window); n != inWindow[tb] {
			t.Errorf("%s: the full export has %d rows in the window, the backfill stored %d", tb, n, inWindow[tb])
		}
	}
	var ids []string
	rows, err := e.wh.Conn().Query(ctx, "SELECT DISTINCT sync_id FROM sync_cursors")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	d, err := c.DescribeWorkflowExecution(ctx, inc, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != 1 || ids[0] != d.GetWorkflowExecutionInfo().GetExecution().GetRunId() {
		t.Errorf("cursors written by %v, want only the incremental sync's run", ids)
	}
}
