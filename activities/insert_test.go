package activities_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"talkwarehouse/activities"
	"talkwarehouse/config"
	"talkwarehouse/internal/chtest"
	"talkwarehouse/internal/connect"
	"talkwarehouse/talksim"
	"talkwarehouse/zendesk"
)

// viaProxy points the fixture's activities at ClickHouse through a proxy
// that sees every INSERT.
func (f *fixture) viaProxy(t *testing.T) *chtest.Proxy {
	t.Helper()
	proxy := chtest.NewProxy(t, chtest.Addr(t))
	wh, err := connect.Warehouse(context.Background(), config.ClickHouse{
		Addr: proxy.Addr(), Database: f.wh.Database(), User: "default"}, config.Analytics{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { wh.Close() })
	f.a.Warehouse = wh
	return proxy
}

// commits checks that every cursor insert follows an insert of table since
// the previous one (the cursor is stored only after the rows it covers)
// and returns the number of table's INSERTs.
func commits(t *testing.T, inserts []string, table string) int {
	t.Helper()
	n, sinceCursor := 0, 0
	for _, name := range inserts {
		switch name {
		case table:
			n++
			sinceCursor++
		case "sync_cursors":
			if sinceCursor == 0 && n > 0 {
				t.Errorf("a cursor was stored with no %s INSERT before it: %v", table, inserts)
			}
			sinceCursor = 0
		}
	}
	if sinceCursor != 0 {
		t.Errorf("%d %s INSERT(s) after the last cursor: %v", sinceCursor, table, inserts)
	}
	return n
}

// An export's INSERT spans pages (blocks of BlockRows) and ends after
// InsertRows rows; the cursor is stored after each, never before.
func TestExportInsertsCloseByRows(t *testing.T) {
	cfg := talksim.DefaultConfig()
	cfg.Calls = 10000 // 10 pages
	f := newFixture(t, cfg, zendesk.Options{})
	proxy := f.viaProxy(t)
	f.a.InsertRows, f.a.BlockRows = 3000, 700
	f.sync(t, f.env(), "calls")
	if n := f.count(t, "SELECT count() FROM calls FINAL"); n != 10000 {
		t.Fatalf("%d calls under FINAL, want 10000", n)
	}
	// Commits after pages 3, 6, 9 and the last: one per page would be 10.
	if n := commits(t, proxy.Inserts(), "calls"); n < 3 || n > 5 {
		t.Fatalf("%d INSERTs into calls for 10 pages with InsertRows 3000, want 4 (3 to 5): %v", n, proxy.Inserts())
	}
}

// While the rate budget keeps pages apart, an INSERT open for InsertEvery
// is closed anyway: the rows and the cursor do not wait for InsertRows.
func TestExportInsertsCloseByTime(t *testing.T) {
	cfg := talksim.DefaultConfig()
	cfg.Calls = 2500 // three pages, 1.5 s apart
	f := newFixture(t, cfg, zendesk.Options{ExportRPM: 1, Window: 1500 * time.Millisecond})
	proxy := f.viaProxy(t)
	f.a.InsertEvery = 500 * time.Millisecond
	f.sync(t, f.env(), "calls")
	if n := f.count(t, "SELECT count() FROM calls FINAL"); n != 2500 {
		t.Fatalf("%d calls under FINAL, want 2500", n)
	}
	if n := commits(t, proxy.Inserts(), "calls"); n != 3 {
		t.Fatalf("%d INSERTs into calls, want 3 (one per page: each waited longer than InsertEvery): %v", n, proxy.Inserts())
	}
}

// A stopping worker (SIGTERM) lets a running export commit its INSERT in
// flight and store the cursor, then fail retryably; the retry resumes at
// that cursor, fetching again at most the page whose request was in flight.
func TestExportCommitsWhenTheWorkerStops(t *testing.T) {
	cfg := talksim.DefaultConfig()
	cfg.Calls = 10000 // 10 pages
	f := newFixture(t, cfg, zendesk.Options{})
	f.sim.SetFaults(talksim.Faults{Every: 1, Kinds: []talksim.FaultKind{talksim.FaultSlow}, SlowDelay: 150 * time.Millisecond,
		Paths: []string{"/stats/incremental/calls"}})
	env := f.env()
	stop := make(chan struct{})
	env.SetWorkerStopChannel(stop)
	go func() { time.Sleep(700 * time.Millisecond); close(stop) }()
	_, err := env.ExecuteActivity(f.a.SyncTable, activities.SyncTableInput{Table: "calls"})
	if err == nil || !strings.Contains(err.Error(), "worker stopping") {
		t.Fatalf("SyncTable on a stopping worker: %v, want a retryable worker stopping error", err)
	}
	stored, ok, lerr := f.wh.LoadCursor(context.Background(), "calls")
	if lerr != nil || !ok {
		t.Fatalf("no cursor stored at the stop (%v)", lerr)
	}
	// Rows as inserted (pages overlap at their boundaries; FINAL would
	// collapse the repeats the cursor's count includes).
	n := f.count(t, "SELECT count() FROM calls")
	if n == 0 || n >= 10000 || stored.Rows != n {
		t.Fatalf("at the stop: %d call rows stored, the cursor counts %d: want the same, between 0 and 10000", n, stored.Rows)
	}
	before := len(f.starts)
	f.sim.SetFaults(talksim.Faults{})
	f.sync(t, f.env(), "calls")
	if n := f.count(t, "SELECT count() FROM calls FINAL"); n != 10000 {
		t.Fatalf("%d calls after the retry, want 10000", n)
	}
	twice := f.sim.FetchedTwice("/stats/incremental/calls")
	if twice > 1 {
		t.Fatalf("%d pages fetched twice (%d requests before the stop, %d in all, %d rows stored at the stop), want at most 1 (the request in flight)", twice, before, len(f.starts), n)
	}
	t.Logf("%d calls stored at the stop; %d export requests before it, %d in all", n, before, len(f.starts))
}
