package warehouse_test

import (
	"context"
	"testing"
	"time"

	"talkwarehouse/warehouse"
)

// A backfill leaves the stored cursor, so `starter status` keeps showing
// the cursor of the latest other success even when a backfill came after
// (its rows carry no cursor, and the query leaves mode backfill out), and
// its sync_runs row names its window.
func TestStatusCursorIgnoresBackfills(t *testing.T) {
	w := open(t)
	ctx := context.Background()
	t0 := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	cur := time.Date(2026, 11, 30, 23, 55, 0, 0, time.UTC)
	runs := []warehouse.Run{
		{WorkflowID: "inc", RunID: "1", Table: "calls", Mode: "incremental", Status: "success", Rows: 5,
			StartedAt: t0, FinishedAt: t0.Add(time.Minute), CursorAfter: &cur},
		{WorkflowID: "talk-backfill-calls-20240101T000000Z-20240201T000000Z", RunID: "2", Table: "calls", Mode: "backfill", Status: "success", Rows: 9,
			StartedAt: t0.Add(time.Hour), FinishedAt: t0.Add(2 * time.Hour),
			Notes: []string{"backfill window 2024-01-01T00:00:00Z..2024-02-01T00:00:00Z, read up to 2024-02-01T00:00:00Z; stored cursor untouched"}},
	}
	if err := w.RecordRuns(ctx, runs); err != nil {
		t.Fatal(err)
	}
	st, err := w.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(st) != 1 || st[0].Cursor == nil || !st[0].Cursor.Equal(cur) || !st[0].LastRun.Equal(t0.Add(2*time.Hour)) {
		t.Fatalf("status %+v, want the incremental cursor %s and the backfill as the last run", st, cur)
	}
	if n := count(t, w, "SELECT count() FROM sync_runs WHERE mode = 'backfill' AND notes[1] LIKE 'backfill window 2024-01-01T00:00:00Z..%'"); n != 1 {
		t.Fatalf("%d backfill rows naming their window", n)
	}
}
