package zendesk_test

import (
	"context"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"talkwarehouse/talksim"
	"talkwarehouse/zendesk"
)

// An account whose real limits are below ZENDESK_RPM / ZENDESK_EXPORT_RPM:
// the client learns them from the first answers' headers and a sync of a
// few hundred pages (a list page by page, both exports at once) draws no
// 429, counted by the simulator. Limits per minute are scaled down to a
// 300 ms window on both sides, as the limiter tests shorten theirs.
func TestLearnedLimitsKeepASyncFreeOf429s(t *testing.T) {
	const window = 300 * time.Millisecond
	cfg := talksim.DefaultConfig()
	cfg.Email, cfg.APIToken = "a@b.c", "tok"
	cfg.Greetings = 300
	cfg.Calls = 3000 // 4 pages of calls, 10 of legs
	cfg.AccountRPM, cfg.ExportRPM, cfg.RateWindow = 40, 3, window
	sim := talksim.New(cfg)
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(srv.Close)
	c, err := zendesk.New(zendesk.Options{BaseURL: srv.URL + talksim.APIPrefix, Email: "a@b.c", APIToken: "tok",
		RPM: 80, ExportRPM: 6, Window: window, Backoff: time.Millisecond, MaxBackoff: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var tally zendesk.Tally
	var wg sync.WaitGroup
	errs := make(chan error, 3)
	greetings, pages := 0, 0
	wg.Go(func() {
		errs <- c.List(ctx, c.URL("/greetings", url.Values{"per_page": {"1"}}), "greetings", &tally, func(p zendesk.Page, _ string) error {
			greetings += len(p.Records)
			pages++
			return nil
		})
	})
	for _, ex := range []struct{ path, env string }{{"/stats/incremental/calls", "calls"}, {"/stats/incremental/legs", "legs"}} {
		wg.Go(func() {
			_, err := c.Export(ctx, ex.path, ex.env, zendesk.ExportCursor{StartTime: cfg.Start.Unix()}, &tally,
				func(zendesk.Page, zendesk.ExportCursor, bool) error { return nil })
			errs <- err
		})
	}
	start := time.Now()
	wg.Wait()
	took := time.Since(start)
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	reqs := sim.Requests()
	total := reqs["/greetings"] + reqs["/stats/incremental/calls"] + reqs["/stats/incremental/legs"]
	t.Logf("%d requests (%d greetings pages, %d export pages) in %v", total, pages, total-reqs["/greetings"], took.Round(time.Millisecond))
	if greetings != 300 || pages < 300 {
		t.Fatalf("%d greetings in %d pages", greetings, pages)
	}
	if n := sim.RateLimited(); n != 0 || tally.Throttled.Load() != 0 {
		t.Fatalf("%d 429s from the simulator (%d seen by the client) over %d requests", n, tally.Throttled.Load(), total)
	}
	a, e := c.Budgets()
	if a.Learned != 40 || a.Effective != 40 || e.Learned != 3 || e.Effective != 3 {
		t.Fatalf("budgets account %+v export %+v", a, e)
	}
}
