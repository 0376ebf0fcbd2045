package zendesk_test

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"talkwarehouse/talksim"
	"talkwarehouse/zendesk"
)

func simClient(t *testing.T, cfg talksim.Config) (*zendesk.Client, *talksim.Sim) {
	t.Helper()
	cfg.Email, cfg.APIToken = "a@b.c", "tok"
	sim := talksim.New(cfg)
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(srv.Close)
	c, err := zendesk.New(zendesk.Options{BaseURL: srv.URL + talksim.APIPrefix, Email: "a@b.c", APIToken: "tok",
		Backoff: time.Millisecond, MaxBackoff: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return c, sim
}

// Paging by the API's rules collects every call exactly (by id) and ends,
// although the last page keeps re-returning its final second.
func TestExportCollectsEveryRecordAndEnds(t *testing.T) {
	cfg := talksim.DefaultConfig()
	cfg.Calls = 3456
	c, sim := simClient(t, cfg)
	for _, ex := range []struct{ path, env, table string }{
		{"/stats/incremental/calls", "calls", "calls"}, {"/stats/incremental/legs", "legs", "call_legs"},
	} {
		ids := map[float64]bool{}
		pages := 0
		start := zendesk.ExportCursor{StartTime: cfg.Start.Unix()}
		end, err := c.Export(context.Background(), ex.path, ex.env, start, nil, func(p zendesk.Page, next zendesk.ExportCursor, last bool) error {
			pages++
			for _, r := range p.Records {
				var rec struct{ ID float64 }
				json.Unmarshal(r, &rec)
				ids[rec.ID] = true
			}
			if !last && next.URL == "" {
				t.Errorf("full page without next_page to follow")
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(ids) != sim.Expected()[ex.table] {
			t.Errorf("%s: %d distinct ids, want %d", ex.table, len(ids), sim.Expected()[ex.table])
		}
		// A second export from the stored cursor is one request.
		sim.ResetRequests()
		again := 0
		if _, err := c.Export(context.Background(), ex.path, ex.env, end, nil, func(zendesk.Page, zendesk.ExportCursor, bool) error { again++; return nil }); err != nil {
			t.Fatal(err)
		}
		if again != 1 || sim.Requests()[ex.path] != 1 {
			t.Errorf("%s: re-export from the cursor took %d pages, %d requests", ex.table, again, sim.Requests()[ex.path])
		}
	}
}

// More than 1000 records in one second cannot be paged by start_time: the
// client says so instead of looping.
func TestExportFailsLoudlyOnAPageThatCannotAdvance(t *testing.T) {
	cfg := talksim.DefaultConfig()
	cfg.Calls, cfg.CallsPerSecond = 2500, 1500
	c, _ := simClient(t, cfg)
	pages := 0
	_, err := c.Export(context.Background(), "/stats/incremental/calls", "calls", zendesk.ExportCursor{StartTime: cfg.Start.Unix()}, nil,
		func(zendesk.Page, zendesk.ExportCursor, bool) error { pages++; return nil })
	if zendesk.KindOf(err) != zendesk.Stuck || !strings.Contains(err.Error(), "share one second") || pages != 0 {
		t.Fatalf("err %v after %d pages", err, pages)
	}
}

func TestListFollowsNextPageAcrossPages(t *testing.T) {
	c, sim := simClient(t, talksim.DefaultConfig())
	n, pages := 0, 0
	err := c.List(context.Background(), c.URL("/greetings", nil), "greetings", nil, func(p zendesk.Page, next string) error {
		n += len(p.Records)
		pages++
		return nil
	})
	if err != nil || n != sim.Expected()["greetings"] || pages < 2 {
		t.Fatalf("err %v: %d greetings in %d pages, want %d", err, n, pages, sim.Expected()["greetings"])
	}
}

func TestExportRateLimitIsWaitedOut(t *testing.T) {
	cfg := talksim.DefaultConfig()
	cfg.Calls, cfg.ExportRPM = 100, 1000
	c, sim := simClient(t, cfg)
	sim.FailNext("/stats/incremental/calls", 1, talksim.Fault429RetryAfter)
	var tally zendesk.Tally
	if _, err := c.Export(context.Background(), "/stats/incremental/calls", "calls", zendesk.ExportCursor{StartTime: cfg.Start.Unix()}, &tally,
		func(zendesk.Page, zendesk.ExportCursor, bool) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if tally.Throttled.Load() != 1 || tally.Requests.Load() != 2 {
		t.Fatalf("throttled %d requests %d", tally.Throttled.Load(), tally.Requests.Load())
	}
}
