package activities_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"talkwarehouse/activities"
	"talkwarehouse/talksim"
	"talkwarehouse/warehouse"
	"talkwarehouse/zendesk"
)

// windowIDs is what the simulator holds for an export in [from, to): the
// ids of the unbounded export's records updated then.
func windowIDs(t *testing.T, zd *zendesk.Client, path, envelope string, from, to time.Time) map[int64]bool {
	t.Helper()
	ids := map[int64]bool{}
	_, err := zd.Export(context.Background(), path, envelope, zendesk.ExportCursor{StartTime: from.Unix()}, nil,
		func(p zendesk.Page, _ zendesk.ExportCursor, _ bool) error {
			for _, r := range p.Records {
				var rec struct {
					ID        int64
					UpdatedAt time.Time `json:"updated_at"`
				}
				if err := json.Unmarshal(r, &rec); err != nil {
					return err
				}
				if !rec.UpdatedAt.Before(from) && rec.UpdatedAt.Before(to) {
					ids[rec.ID] = true
				}
			}
			return nil
		})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

// A backfill stores exactly the window's rows of calls and call_legs, and
// leaves the stored cursor as it was (a cursor of calls, none of
// call_legs); run again, it adds no row.
func TestBackfillStoresExactlyItsWindowAndLeavesTheCursor(t *testing.T) {
	cfg := talksim.DefaultConfig()
	cfg.Calls = 6000 // 25 minutes of calls, 18,000 legs
	f := newFixture(t, cfg, zendesk.Options{})
	from, to := cfg.Start.Add(5*time.Minute), cfg.Start.Add(11*time.Minute+30*time.Second)
	ctx := context.Background()
	stored := warehouse.Cursor{Table: "calls", Cursor: cfg.Start.Add(20 * time.Minute), SyncID: "scheduled-run", Complete: true, Rows: 4800}
	if err := f.wh.SaveCursor(ctx, stored); err != nil {
		t.Fatal(err)
	}
	win := &activities.Window{From: from, To: to}
	for _, ex := range []struct{ table, path, env string }{
		{"calls", "/stats/incremental/calls", "calls"}, {"call_legs", "/stats/incremental/legs", "legs"},
	} {
		want := windowIDs(t, f.a.Zendesk, ex.path, ex.env, from, to)
		for round := 1; round <= 2; round++ {
			v, err := f.env().ExecuteActivity(f.a.SyncTable, activities.SyncTableInput{Table: ex.table, Window: win})
			if err != nil {
				t.Fatalf("%s round %d: %v", ex.table, round, err)
			}
			var res activities.SyncTableResult
			if err := v.Get(&res); err != nil {
				t.Fatal(err)
			}
			r := res.Tables[0]
			if r.Window == nil || !r.Window.From.Equal(from) || !r.Window.To.Equal(to) || r.WindowReached == nil || !r.WindowReached.Equal(to) {
				t.Errorf("%s: result window %+v reached %v, want %s..%s reached %s", ex.table, r.Window, r.WindowReached, from, to, to)
			}
			if r.CursorBefore != nil || r.CursorAfter != nil {
				t.Errorf("%s: a backfill reports cursors %v %v", ex.table, r.CursorBefore, r.CursorAfter)
			}
			if r.Rows < len(want) {
				t.Errorf("%s: %d rows written, the window holds %d", ex.table, r.Rows, len(want))
			}
			q := fmt.Sprintf("SELECT count() FROM %s FINAL", ex.table)
			if n := f.count(t, q); n != uint64(len(want)) {
				t.Errorf("%s round %d: %d rows stored, want the window's %d", ex.table, round, n, len(want))
			}
			outside := fmt.Sprintf("SELECT count() FROM %s WHERE updated_at < toDateTime(%d) OR updated_at >= toDateTime(%d)", ex.table, from.Unix(), to.Unix())
			if n := f.count(t, outside); n != 0 {
				t.Errorf("%s: %d rows outside the window", ex.table, n)
			}
		}
	}
	got, found, err := f.wh.LoadCursor(ctx, "calls")
	if err != nil || !found || !got.Cursor.Equal(stored.Cursor) || got.SyncID != stored.SyncID || !got.Complete || got.Rows != stored.Rows {
		t.Errorf("calls cursor after the backfill: %+v found %v err %v, want %+v", got, found, err, stored)
	}
	if _, found, err := f.wh.LoadCursor(ctx, "call_legs"); err != nil || found {
		t.Errorf("call_legs has a cursor after a backfill (found %v, err %v)", found, err)
	}
	if n := f.count(t, "SELECT count() FROM sync_cursors"); n != 1 {
		t.Errorf("%d cursor rows, want the one saved before", n)
	}
}

// A retried backfill resumes from its heartbeat, not from the window's
// start; a window without a start begins at ZENDESK_START_DATE.
func TestBackfillResumesFromItsHeartbeat(t *testing.T) {
	cfg := talksim.DefaultConfig()
	cfg.Calls = 3000
	f := newFixture(t, cfg, zendesk.Options{})
	to := cfg.Start.Add(10 * time.Minute)
	hb := cfg.Start.Add(4 * time.Minute).Unix()
	env := f.env()
	env.SetHeartbeatDetails(activities.Checkpoint{StartTime: hb, Pages: 2, Rows: map[string]int{"calls": 960}})
	if _, err := env.ExecuteActivity(f.a.SyncTable, activities.SyncTableInput{Table: "calls", Window: &activities.Window{To: to}}); err != nil {
		t.Fatal(err)
	}
	if len(f.starts) == 0 || f.starts[0] != hb {
		t.Fatalf("first request at start_time %v, want the heartbeat's %d", f.starts, hb)
	}
	f.starts = nil
	if _, err := f.env().ExecuteActivity(f.a.SyncTable, activities.SyncTableInput{Table: "calls", Window: &activities.Window{To: to}}); err != nil {
		t.Fatal(err)
	}
	if len(f.starts) == 0 || f.starts[0] != cfg.Start.Unix() {
		t.Fatalf("first request at start_time %v, want ZENDESK_START_DATE %d", f.starts, cfg.Start.Unix())
	}
}

// Windows that cannot be backfilled are refused before any request, and
// not retried.
func TestBackfillRefusesBadWindows(t *testing.T) {
	cfg := talksim.DefaultConfig()
	f := newFixture(t, cfg, zendesk.Options{})
	now := time.Now()
	for _, c := range []struct {
		table string
		win   activities.Window
		want  string
	}{
		{"calls", activities.Window{From: cfg.Start.Add(time.Hour), To: cfg.Start}, "--to 2024-01-01T00:00:00Z is not after --from"},
		{"call_legs", activities.Window{From: cfg.Start, To: now.Add(-time.Minute)}, "later than now minus ZENDESK_EXPORT_LAG"},
		{"greetings", activities.Window{From: cfg.Start, To: cfg.Start.Add(time.Hour)}, "only to the exports calls and call_legs, not to greetings"},
	} {
		_, err := f.env().ExecuteActivity(f.a.SyncTable, activities.SyncTableInput{Table: c.table, Window: &c.win})
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "bad_input") {
			t.Errorf("%s %s: err %v, want %q (bad_input)", c.table, c.win, err, c.want)
		}
	}
	if len(f.starts) != 0 {
		t.Errorf("export requests were sent: %v", f.starts)
	}
}
