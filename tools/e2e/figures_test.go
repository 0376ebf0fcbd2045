package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

// Credentials rejected after six pages of the legs export: the sync fails
// at once, and the call_legs row of sync_runs and the summary keep what
// the table stored (rows, pages, the cursor before and after) with the
// error.
func TestFailedExportKeepsItsFigures(t *testing.T) {
	cfg := smallAccount()
	cfg.Calls = 3000 // 9 pages of legs
	e := newEnv(t, cfg)
	e.sim.FailStatusAfter("/stats/incremental/legs", 6, 401)
	out, err := e.starter("sync", "--wait", "--tables", "call_legs")
	if err == nil {
		t.Fatalf("sync with credentials rejected mid-export succeeded:\n%s", out)
	}
	stored := e.count("SELECT count() FROM call_legs")
	if stored < 3000 {
		t.Fatalf("%d legs stored before the 401, want the six pages' worth", stored)
	}
	var rows, pages uint64
	var before, after *time.Time
	var reason string
	if err := e.wh.Conn().QueryRow(context.Background(), `SELECT rows, pages, cursor_before, cursor_after, reason
FROM sync_runs FINAL WHERE table_name = 'call_legs' AND status = 'failed'`).Scan(&rows, &pages, &before, &after, &reason); err != nil {
		t.Fatalf("no failed call_legs row in sync_runs: %v", err)
	}
	var cursor time.Time
	if err := e.wh.Conn().QueryRow(context.Background(), "SELECT cursor FROM sync_cursors FINAL WHERE table_name = 'call_legs'").Scan(&cursor); err != nil {
		t.Fatal(err)
	}
	t.Logf("sync_runs: rows %d, pages %d, cursor %v -> %v, reason %q; stored %d, sync_cursors %v", rows, pages, before, after, reason, stored, cursor)
	if rows != stored || pages != 6 {
		t.Errorf("sync_runs says %d rows in %d pages, want %d rows (all stored) in 6 pages", rows, pages, stored)
	}
	if before == nil || !before.Equal(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("cursor_before %v, want ZENDESK_START_DATE", before)
	}
	if after == nil || !after.Equal(cursor) {
		t.Errorf("cursor_after %v, want the stored cursor %v", after, cursor)
	}
	if !strings.Contains(reason, "401") {
		t.Errorf("reason %q does not give the error", reason)
	}
	line := lineOf(out, "call_legs ")
	for _, want := range []string{"FAILED", "401", fmt.Sprint(stored), "cursor " + cursor.UTC().Format(time.RFC3339)} {
		if !strings.Contains(line, want) {
			t.Errorf("summary line of call_legs does not show %q: %q\n%s", want, line, out)
		}
	}
}
