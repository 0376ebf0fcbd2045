package e2e

import (
	"testing"

	"talkwarehouse/internal/chtest"
)

// Issue 11, part 3, against a real Temporal server and worker process: the
// worker reaches ClickHouse through a proxy that loses the acknowledgement
// of the first insert into each listed table (the server commits the
// rows). Temporal retries; each table holds exactly the right rows under
// FINAL, each statistic one snapshot.
func TestLostInsertAcknowledgementsEndToEnd(t *testing.T) {
	cfg := smallAccount()
	cfg.Agents = 3
	var proxy *chtest.Proxy
	e := newEnvWith(t, cfg, func(e *env) {
		proxy = chtest.NewProxy(t, e.ch.Addr)
		e.ch.Addr = proxy.Addr() // the worker's; e.wh stays direct
	})
	lose := []string{"agents_activity", "account_overview", "calls", "sync_cursors", "sync_runs"}
	proxy.DropAckOnce(lose...)
	out := e.mustSync("--tables", "calls,agents_activity,account_overview")
	t.Log(out)
	if got := proxy.Dropped(); len(got) != len(lose) {
		t.Fatalf("acknowledgements lost for %v, want each of %v", got, lose)
	}
	e.checkCounts("calls")
	for table, want := range map[string]uint64{"agents_activity": 3, "account_overview": 1, "sync_runs": 3, "sync_cursors": 1} {
		if n := e.count("SELECT count() FROM " + table + " FINAL"); n != want {
			t.Errorf("%s: %d rows under FINAL, want %d", table, n, want)
		}
	}
	// The retried table's sync_runs row counts what every attempt of the
	// run stored, not only the last attempt's (which resumed near the end).
	if got, want := e.count("SELECT rows FROM sync_runs FINAL WHERE table_name = 'calls'"), uint64(e.sim.Expected()["calls"]); got < want {
		t.Errorf("calls: sync_runs says %d rows, the simulator has %d calls, all loaded by this sync", got, want)
	}
	// Not even a replaced copy: the retry found the snapshot stored and
	// inserted nothing (rows before any merge, without FINAL).
	for table, want := range map[string]uint64{"agents_activity": 3, "account_overview": 1} {
		if n := e.count("SELECT uniqExact(_synced_at) FROM " + table); n != 1 {
			t.Errorf("%s: %d snapshot times, want 1", table, n)
		}
		if n := e.count("SELECT count() FROM " + table); n != want {
			t.Errorf("%s: %d rows stored, want %d", table, n, want)
		}
	}
}
