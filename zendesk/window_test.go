package zendesk_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"talkwarehouse/talksim"
	"talkwarehouse/zendesk"
)

// exported reads an export and returns the distinct ids it delivered with
// their updated_at, the pages and the cursor it ended at.
func exported(t *testing.T, run func(zendesk.ExportPageFunc) (zendesk.ExportCursor, error)) (map[float64]time.Time, int, zendesk.ExportCursor, zendesk.ExportCursor) {
	t.Helper()
	ids := map[float64]time.Time{}
	pages := 0
	var lastNext zendesk.ExportCursor
	end, err := run(func(p zendesk.Page, next zendesk.ExportCursor, last bool) error {
		pages++
		lastNext = next
		for _, r := range p.Records {
			var rec struct {
				ID        float64
				UpdatedAt time.Time `json:"updated_at"`
			}
			if err := json.Unmarshal(r, &rec); err != nil {
				t.Fatal(err)
			}
			ids[rec.ID] = rec.UpdatedAt
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids, pages, end, lastNext
}

// A bounded export delivers exactly the records updated in [from, until)
// (the unbounded export, filtered), stops at the first page that reaches
// until instead of reading to the end, and ends with the cursor at until.
func TestExportUntilStopsAtTheWindowsEnd(t *testing.T) {
	cfg := talksim.DefaultConfig()
	cfg.Calls, cfg.CallsPerSecond = 6000, 4 // 25 minutes of calls, 1000 a page
	c, sim := simClient(t, cfg)
	from := cfg.Start.Add(5 * time.Minute).Unix()
	until := cfg.Start.Add(11*time.Minute + 30*time.Second).Unix() // inside a page
	for _, ex := range []struct{ path, env string }{{"/stats/incremental/calls", "calls"}, {"/stats/incremental/legs", "legs"}} {
		all, _, _, _ := exported(t, func(fn zendesk.ExportPageFunc) (zendesk.ExportCursor, error) {
			return c.Export(context.Background(), ex.path, ex.env, zendesk.ExportCursor{StartTime: from}, nil, fn)
		})
		want := map[float64]bool{}
		for id, u := range all {
			if u.Unix() < until {
				want[id] = true
			}
		}
		if len(want) == 0 || len(want) == len(all) {
			t.Fatalf("%s: the window holds %d of %d records; the test needs some on both sides", ex.path, len(want), len(all))
		}
		sim.ResetRequests()
		got, _, end, lastNext := exported(t, func(fn zendesk.ExportPageFunc) (zendesk.ExportCursor, error) {
			return c.ExportUntil(context.Background(), ex.path, ex.env, zendesk.ExportCursor{StartTime: from}, until, nil, fn)
		})
		if len(got) != len(want) {
			t.Errorf("%s: %d records in the window, want %d", ex.path, len(got), len(want))
		}
		for id, u := range got {
			if !want[id] || u.Unix() < from || u.Unix() >= until {
				t.Errorf("%s: record %v updated %s is outside [%d, %d)", ex.path, id, u, from, until)
			}
		}
		if end.StartTime != until || lastNext.StartTime != until || end.URL != "" {
			t.Errorf("%s: ended at %+v (last page's cursor %+v), want start_time %d", ex.path, end, lastNext, until)
		}
		// Pages of 1000: the window's records take ceil(n/1000) pages
		// (give or take a boundary), far fewer than the whole export.
		if n, max := sim.Requests()[ex.path], len(want)/zendesk.ExportPageSize+2; n > max {
			t.Errorf("%s: %d requests for %d records; it did not stop at the window's end", ex.path, n, len(want))
		}
	}
}

// A cursor already at the window's end asks nothing and says so.
func TestExportUntilAtItsEndRequestsNothing(t *testing.T) {
	cfg := talksim.DefaultConfig()
	c, sim := simClient(t, cfg)
	until := cfg.Start.Add(time.Minute).Unix()
	var note string
	end, err := c.ExportUntil(context.Background(), "/stats/incremental/calls", "calls", zendesk.ExportCursor{StartTime: until}, until, nil,
		func(p zendesk.Page, next zendesk.ExportCursor, last bool) error {
			if !last {
				t.Error("not the last page")
			}
			note = p.Note
			return nil
		})
	if err != nil || end.StartTime != until || !strings.Contains(note, "window done") || sim.Requests()["/stats/incremental/calls"] != 0 {
		t.Fatalf("err %v end %+v note %q requests %d", err, end, note, sim.Requests()["/stats/incremental/calls"])
	}
	if _, err := c.ExportUntil(context.Background(), "/stats/incremental/calls", "calls", zendesk.ExportCursor{StartTime: until}, 0, nil,
		func(zendesk.Page, zendesk.ExportCursor, bool) error { return nil }); err == nil {
		t.Fatal("an export until 0 was accepted")
	}
}
