package activities_test

import (
	"bytes"
	"context"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"talkwarehouse/activities"
	"talkwarehouse/config"
	"talkwarehouse/internal/chtest"
	"talkwarehouse/internal/connect"
	"talkwarehouse/tables"
	"talkwarehouse/talksim"
	"talkwarehouse/workflows"
	"talkwarehouse/zendesk"
)

// runSync runs the ZendeskTalkSync workflow in the SDK's test environment
// with the fixture's real activities: Temporal's retries and heartbeat
// details across attempts included, sync_runs written by RecordRuns.
func (f *fixture) runSync(t *testing.T, names ...string) (workflows.SyncResult, error) {
	t.Helper()
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	env.SetTestTimeout(5 * time.Minute)
	env.RegisterWorkflowWithOptions(workflows.Sync, workflow.RegisterOptions{Name: workflows.SyncName})
	env.RegisterWorkflowWithOptions(workflows.TableLease, workflow.RegisterOptions{Name: workflows.LeaseName})
	env.RegisterActivity(f.a)
	env.ExecuteWorkflow(workflows.SyncName, workflows.SyncInput{Tables: names})
	var res workflows.SyncResult
	err := env.GetWorkflowError()
	if err == nil {
		err = env.GetWorkflowResult(&res)
	}
	return res, err
}

// logBuffer collects a logger's output for assertions.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func (f *fixture) exportStarts() []int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.starts)
}

func (f *fixture) strings(t *testing.T, q string) []string {
	t.Helper()
	var out []string
	if err := f.wh.Conn().QueryRow(context.Background(), q).Scan(&out); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return out
}

// Issue 11, case 1: the calls export returns one call updated
// 2024-06-01T12:00:00Z and one, by a clock error upstream, updated
// 2031-01-01T00:00:00Z (end_time 1924992000). Sync 1 warns, in the log and
// in sync_runs, naming the record; sync 2 starts no later than sync 1
// started, and loads the call changed in between: 3 calls under FINAL.
func TestFutureDatedRecordDoesNotCarryTheCursorAway(t *testing.T) {
	cfg := talksim.DefaultConfig()
	cfg.Calls, cfg.LegsPerCall = 2, -1
	cfg.Start = time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)
	f := newFixture(t, cfg, zendesk.Options{})
	logs := &logBuffer{}
	f.a.Log = slog.New(slog.NewTextHandler(logs, nil))
	_, future := f.sim.CallIDRange()
	f.sim.UpdateCallsAt(time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC), future)

	sync1 := time.Now()
	res, err := f.runSync(t, "calls")
	if err != nil {
		t.Fatal(err)
	}
	want := "id " + strconv.FormatInt(future, 10) + " updated_at 2031-01-01T00:00:00Z"
	calls := res.Tables[0]
	if len(calls.Warnings) != 1 || !strings.Contains(calls.Warnings[0], want) {
		t.Errorf("sync 1 warnings %q, want one naming %q", calls.Warnings, want)
	}
	if l := logs.String(); !strings.Contains(l, "id="+strconv.FormatInt(future, 10)) || !strings.Contains(l, "updated_at=2031-01-01T00:00:00Z") {
		t.Errorf("the log does not name the future-dated record:\n%s", l)
	}
	if w := f.strings(t, "SELECT warnings FROM sync_runs FINAL WHERE table_name = 'calls'"); len(w) != 1 || !strings.Contains(w[0], want) {
		t.Errorf("sync_runs warnings %q, want one naming %q", w, want)
	}
	if calls.CursorAfter == nil || calls.CursorAfter.After(sync1.Add(-zendesk.DefaultExportLag)) {
		t.Errorf("cursor after sync 1 is %v, want at most its start minus 5 minutes", calls.CursorAfter)
	}

	f.sim.AddCalls(1) // changed after sync 1
	before := len(f.exportStarts())
	if _, err := f.runSync(t, "calls"); err != nil {
		t.Fatal(err)
	}
	if starts := f.exportStarts()[before:]; len(starts) == 0 || starts[0] > sync1.Unix() {
		t.Errorf("sync 2 asked for start_time %v, want no later than sync 1 started (%d)", starts, sync1.Unix())
	}
	if n := f.count(t, "SELECT count() FROM calls FINAL"); n != 3 {
		t.Errorf("count() FROM calls FINAL = %d, want 3", n)
	}
}

// Issue 11, case 2: a sync started right after the previous one must not
// fail on Zendesk's 400 "Too recent start_time"; it never asks for a
// start_time younger than a minute, and if the 400 comes anyway (here:
// Zendesk's clock 10 minutes behind the worker's) it is "nothing new yet",
// a note in the summary and in sync_runs.
func TestTooRecentStartTimeIsNotAFailure(t *testing.T) {
	t.Run("sync right after sync", func(t *testing.T) {
		cfg := talksim.DefaultConfig()
		cfg.Calls, cfg.LegsPerCall, cfg.MinStartTimeAge = 10, -1, time.Minute
		f := newFixture(t, cfg, zendesk.Options{})
		f.sim.AddCalls(5) // updated now: end_time is now
		if _, err := f.runSync(t, "calls"); err != nil {
			t.Fatal(err)
		}
		before := len(f.exportStarts())
		if _, err := f.runSync(t, "calls"); err != nil {
			t.Fatalf("second sync: %v", err)
		}
		for _, s := range f.exportStarts()[before:] {
			if s > time.Now().Add(-time.Minute).Unix() {
				t.Errorf("asked for start_time %d, younger than a minute", s)
			}
		}
		if n := f.count(t, "SELECT count() FROM calls FINAL"); n != 15 {
			t.Errorf("%d calls, want 15", n)
		}
	})
	t.Run("400 anyway", func(t *testing.T) {
		cfg := talksim.DefaultConfig()
		cfg.Calls, cfg.LegsPerCall, cfg.MinStartTimeAge = 10, -1, time.Minute
		cfg.Now = func() time.Time { return time.Now().Add(-10 * time.Minute) }
		f := newFixture(t, cfg, zendesk.Options{})
		f.sim.AddCalls(5) // at Zendesk's now: 10 minutes ago by ours
		if _, err := f.runSync(t, "calls"); err != nil {
			t.Fatal(err)
		}
		res, err := f.runSync(t, "calls")
		if err != nil {
			t.Fatalf("a 400 Too recent start_time failed the sync: %v", err)
		}
		if n := res.Tables[0].Notes; len(n) != 1 || !strings.Contains(n[0], "nothing new yet") || !strings.Contains(n[0], "Too recent start_time") {
			t.Errorf("notes %q, want one saying nothing new yet", n)
		}
		if n := f.count(t, "SELECT count() FROM sync_runs FINAL WHERE table_name = 'calls' AND status = 'success' AND has(arrayMap(x -> position(x, 'nothing new yet') > 0, notes), 1)"); n != 1 {
			t.Errorf("%d successful sync_runs rows noting nothing new yet, want 1", n)
		}
		if n := f.count(t, "SELECT count() FROM calls FINAL"); n != 15 {
			t.Errorf("%d calls, want 15", n)
		}
	})
}

// A heartbeat checkpoint never holds a cursor later than request time
// minus the lag, and a resumed attempt whose checkpoint does (an older
// release's) starts from now minus the lag instead, saying so.
func TestResumedAttemptNeverStartsAfterNowMinusLag(t *testing.T) {
	cfg := talksim.DefaultConfig()
	cfg.Calls, cfg.LegsPerCall = 10, -1
	f := newFixture(t, cfg, zendesk.Options{})
	f.sim.AddCalls(3)
	env := f.env()
	env.SetHeartbeatDetails(activities.Checkpoint{StartTime: time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC).Unix(), Pages: 1})
	t0 := time.Now()
	v, err := env.ExecuteActivity(f.a.SyncTable, activities.SyncTableInput{Table: "calls"})
	if err != nil {
		t.Fatal(err)
	}
	var res activities.SyncTableResult
	if err := v.Get(&res); err != nil {
		t.Fatal(err)
	}
	limit := t0.Add(-zendesk.DefaultExportLag).Unix()
	if s := f.exportStarts(); len(s) == 0 || s[0] > limit {
		t.Fatalf("resumed at start_time %v, want at most now - 5m (%d)", s, limit)
	}
	if w := res.Tables[0].Warnings; len(w) != 1 || !strings.Contains(w[0], "2031-01-01T00:00:00Z") {
		t.Errorf("warnings %q, want one about the stored cursor", w)
	}
	c, _, err := f.wh.LoadCursor(context.Background(), "calls")
	if err != nil {
		t.Fatal(err)
	}
	if c.Cursor.Unix() > time.Now().Add(-zendesk.DefaultExportLag).Unix() {
		t.Errorf("stored cursor %s is after now - 5m", c.Cursor)
	}
	if n := f.count(t, "SELECT count() FROM calls FINAL"); n != 3 {
		t.Errorf("%d calls, want the 3 added", n)
	}
}

// Issue 11, part 3: the acknowledgement of an insert is lost on its way
// back from ClickHouse, though the server committed the rows, for every
// kind of table the product writes; Temporal retries the activity (or the
// recording). Every table holds exactly the right rows under FINAL, and
// each statistic one snapshot.
func TestLostInsertAcknowledgementsNeverDoubleRows(t *testing.T) {
	cfg := talksim.DefaultConfig()
	cfg.Calls, cfg.Agents = 1500, 3
	f := newFixture(t, cfg, zendesk.Options{})
	proxy := chtest.NewProxy(t, chtest.Addr(t))
	viaProxy, err := connect.Warehouse(context.Background(), config.ClickHouse{
		Addr: proxy.Addr(), Database: f.wh.Database(), User: "default", Password: ""}, config.Analytics{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { viaProxy.Close() })
	f.a.Warehouse = viaProxy
	lose := []string{"agents_activity", "account_overview", "calls", "call_legs", "greetings", "ivr_routes", "sync_cursors", "sync_runs"}
	proxy.DropAckOnce(lose...)

	res, err := f.runSync(t)
	if err != nil {
		t.Fatal(err)
	}
	if got := proxy.Dropped(); len(got) != len(lose) {
		t.Fatalf("acknowledgements lost for %v, want each of %v", got, lose)
	}
	if len(res.Tables) != len(tables.All()) {
		t.Fatalf("%d tables in the result", len(res.Tables))
	}
	want := f.sim.Expected()
	for _, tb := range tables.All() {
		switch {
		case tb.Entity():
			if n := f.count(t, "SELECT count() FROM "+tb.Name+" FINAL"); n != uint64(want[tb.Name]) {
				t.Errorf("%s: %d rows under FINAL, want %d", tb.Name, n, want[tb.Name])
			}
		case tb.Kind == tables.Stats:
			rows := uint64(1)
			if tb.Name == "agents_activity" {
				rows = 3
			}
			if n := f.count(t, "SELECT count() FROM "+tb.Name+" FINAL"); n != rows {
				t.Errorf("%s: %d rows under FINAL, want %d", tb.Name, n, rows)
			}
			if n := f.count(t, "SELECT uniqExact(_synced_at) FROM "+tb.Name); n != 1 {
				t.Errorf("%s: %d snapshot times, want 1", tb.Name, n)
			}
		}
	}
	if n := f.count(t, "SELECT count() FROM sync_runs FINAL"); n != uint64(len(tables.All())) {
		t.Errorf("sync_runs: %d rows under FINAL, want one per table", n)
	}
	if n := f.count(t, "SELECT count() FROM sync_runs FINAL WHERE status = 'success'"); n != uint64(len(tables.All())) {
		t.Errorf("sync_runs: %d successes, want one per table", n)
	}
	if n := f.count(t, "SELECT count() FROM sync_cursors FINAL"); n != 2 {
		t.Errorf("sync_cursors: %d rows under FINAL, want 2", n)
	}
}
