package zendesk_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"talkwarehouse/talksim"
	"talkwarehouse/zendesk"
)

// lagClient is a client of sim that records the start_time of every export
// request.
func lagClient(t *testing.T, sim *talksim.Sim, lag time.Duration) (*zendesk.Client, *[]int64) {
	t.Helper()
	var starts []int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if st := r.URL.Query().Get("start_time"); st != "" {
			n, _ := strconv.ParseInt(st, 10, 64)
			starts = append(starts, n)
		}
		sim.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	c, err := zendesk.New(zendesk.Options{BaseURL: srv.URL + talksim.APIPrefix, Email: "a@b.c", APIToken: "tok",
		Backoff: time.Millisecond, MaxBackoff: 10 * time.Millisecond, ExportLag: lag})
	if err != nil {
		t.Fatal(err)
	}
	return c, &starts
}

type page struct {
	p    zendesk.Page
	next zendesk.ExportCursor
	last bool
}

func export(t *testing.T, c *zendesk.Client, from int64) ([]page, zendesk.ExportCursor, time.Time) {
	t.Helper()
	var got []page
	requested := time.Now()
	end, err := c.Export(context.Background(), "/stats/incremental/calls", "calls", zendesk.ExportCursor{StartTime: from}, nil,
		func(p zendesk.Page, next zendesk.ExportCursor, last bool) error {
			got = append(got, page{p, next, last})
			return nil
		})
	if err != nil {
		t.Fatal(err)
	}
	return got, end, requested
}

// The case: one call updated 2024-06-01T12:00:00Z and one, by a
// clock error upstream, 2031-01-01T00:00:00Z, so end_time is 1924992000.
// The cursor stays at most the request time minus the lag, and the future
// record is named.
func TestExportCursorNeverPassesRequestTimeMinusLag(t *testing.T) {
	cfg := talksim.DefaultConfig()
	cfg.Calls, cfg.Start = 2, time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)
	sim := talksim.New(cfg)
	_, last := sim.CallIDRange()
	future := time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC)
	sim.UpdateCallsAt(future, last)
	c, _ := lagClient(t, sim, 0) // 0: the default, 5 minutes

	pages, end, requested := export(t, c, cfg.Start.Unix())
	if len(pages) != 1 || len(pages[0].p.Records) != 2 || pages[0].p.EndTime != 1924992000 {
		t.Fatalf("want one page of 2 calls ending 1924992000, got %+v", pages)
	}
	limit := requested.Add(-zendesk.DefaultExportLag).Unix()
	if n := pages[0].next; n.StartTime > limit || n.URL != "" || end != n {
		t.Fatalf("cursor %+v (returned %+v), want at most request time - 5m = %d", n, end, limit)
	}
	if n := pages[0].next.StartTime; n < limit-5 {
		t.Fatalf("cursor %d held back further than needed (%d)", n, limit)
	}
	f := pages[0].p.Future
	if len(f) != 1 || f[0].ID != strconv.FormatInt(last, 10) || !f[0].UpdatedAt.Equal(future) {
		t.Fatalf("future records %+v, want call %d at %s", f, last, future)
	}
}

// Records in the lag window are delivered but the cursor stays behind
// them, so the next export re-reads them (Zendesk may still add records
// there). Within one export, a full page is still followed by its
// next_page; only the cursor handed out is held back, without the URL.
func TestExportHoldsTheCursorBehindRecentRecords(t *testing.T) {
	cfg := talksim.DefaultConfig()
	cfg.Calls, cfg.Start = 1500, time.Now().Add(-3*time.Minute).Truncate(time.Second)
	cfg.CallsPerSecond = 10 // 150 s of calls, the last 1.5 minutes old
	sim := talksim.New(cfg)
	c, starts := lagClient(t, sim, 2*time.Minute)
	pages, end, requested := export(t, c, cfg.Start.Unix())
	n := 0
	for _, p := range pages {
		n += len(p.p.Records)
		if p.next.StartTime > time.Now().Add(-2*time.Minute).Unix() {
			t.Fatalf("cursor %d is younger than the lag", p.next.StartTime)
		}
		if p.next.URL != "" {
			t.Fatalf("a held-back cursor keeps next_page %s", p.next.URL)
		}
	}
	if len(pages) != 2 || n < 1500 || len(*starts) != 2 {
		t.Fatalf("pages %d, records %d, requests %v: the full first page was not followed", len(pages), n, *starts)
	}
	if want := requested.Add(-2 * time.Minute).Unix(); end.StartTime < want-5 || end.StartTime > want+5 {
		t.Fatalf("end cursor %s, want about request time - 2m", end.Time())
	}
	if (*starts)[1] <= end.StartTime {
		t.Fatalf("second request at start_time %d: next_page was not followed", (*starts)[1])
	}
}

// A start_time younger than a minute is never requested, and Zendesk's
// 400 "Too recent start_time" (a clock ahead of Zendesk's) is "nothing new
// yet", not a failure.
func TestExportTooRecentStartTimeIsNothingNewYet(t *testing.T) {
	cfg := talksim.DefaultConfig()
	cfg.Calls = 10
	cfg.MinStartTimeAge = time.Minute
	t.Run("not requested", func(t *testing.T) {
		sim := talksim.New(cfg)
		c, starts := lagClient(t, sim, 0)
		young := time.Now().Add(-20 * time.Second).Unix()
		pages, end, requested := export(t, c, young)
		if len(*starts) != 0 {
			t.Fatalf("asked for start_time %v, younger than a minute", *starts)
		}
		if len(pages) != 1 || !pages[0].last || len(pages[0].p.Records) != 0 || !strings.Contains(pages[0].p.Note, "nothing new yet") {
			t.Fatalf("pages %+v, want one empty last page with a note", pages)
		}
		if end.StartTime > requested.Add(-zendesk.DefaultExportLag).Unix() {
			t.Fatalf("cursor %s is after request time - lag", end.Time())
		}
	})
	t.Run("answered 400", func(t *testing.T) {
		cfg := cfg
		cfg.Now = func() time.Time { return time.Now().Add(-10 * time.Minute) } // Zendesk's clock is behind ours
		sim := talksim.New(cfg)
		c, starts := lagClient(t, sim, 0)
		from := time.Now().Add(-6 * time.Minute).Unix()
		pages, end, _ := export(t, c, from)
		if len(*starts) != 1 || sim.Requests()["/stats/incremental/calls"] != 1 {
			t.Fatalf("requests %v", *starts)
		}
		if len(pages) != 1 || !pages[0].last || !strings.Contains(pages[0].p.Note, "Too recent start_time") {
			t.Fatalf("pages %+v, want one empty last page with a note", pages)
		}
		if end.StartTime != from {
			t.Fatalf("cursor moved to %s on a refused request", end.Time())
		}
	})
}
