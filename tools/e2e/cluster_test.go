package e2e

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"

	"talkwarehouse/config"
	"talkwarehouse/internal/chtest"
	"talkwarehouse/internal/connect"
	"talkwarehouse/internal/stack"
	"talkwarehouse/schema"
	"talkwarehouse/tables"
	"talkwarehouse/talksim"
	"talkwarehouse/warehouse"
)

// exportLog records when each export request was answered, and how.
type exportLog struct {
	mu    sync.Mutex
	times []time.Time
	codes []int
	urls  []string
}

type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) { w.code = code; w.ResponseWriter.WriteHeader(code) }

func (l *exportLog) record(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.Contains(r.URL.Path, "/stats/incremental/") {
			h.ServeHTTP(w, r)
			return
		}
		sw := &statusWriter{ResponseWriter: w, code: 200}
		h.ServeHTTP(sw, r)
		l.mu.Lock()
		l.times, l.codes = append(l.times, time.Now()), append(l.codes, sw.code)
		l.urls = append(l.urls, fmt.Sprintf("%s %s %s %d", time.Now().Format("15:04:05.000"), r.URL.Path, r.URL.Query().Get("start_time"), sw.code))
		l.mu.Unlock()
	})
}

// busiestMinute is the most export requests in any 60 s, and the 429s.
func (l *exportLog) busiestMinute() (most, throttled int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for i, t := range l.times {
		n := 0
		for _, u := range l.times[i:] {
			if u.Sub(t) < time.Minute {
				n++
			}
		}
		most = max(most, n)
		if l.codes[i] == http.StatusTooManyRequests {
			throttled++
		}
	}
	return most, throttled
}

// clusterEnv is a stack on a two-replica cluster, as the cluster deployment of
// docs/scaling.md: every worker and the test's own connection get both
// replicas in CLICKHOUSE_ADDR and CLICKHOUSE_CLUSTER.
type clusterEnv struct {
	*env
	cluster *stack.Cluster
	workers []*stack.Process
}

func newClusterEnv(t *testing.T, simCfg talksim.Config, workerEnv ...string) *clusterEnv {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end test skipped in -short mode")
	}
	c := chtest.StartCluster(t)
	ch := chtest.ClusterConfig(c.Addrs())
	workerEnv = append([]string{"CLICKHOUSE_CLUSTER=" + ch.Cluster, "CLICKHOUSE_REPLICA_PATH=" + ch.ReplicaPath}, workerEnv...)
	e := newEnvOn(t, simCfg, ch, nil, workerEnv...)
	ce := &clusterEnv{env: e, cluster: c, workers: []*stack.Process{e.worker}}
	ce.workers = append(ce.workers, ce.startAnotherWorker("worker2"))
	return ce
}

// startAnotherWorker starts one more worker on the same task queue.
func (e *clusterEnv) startAnotherWorker(name string) *stack.Process {
	e.t.Helper()
	p, _ := e.launchWorker(name, workerReady)
	return p
}

// exportsHolder waits for the worker that serves the exports.
func (e *clusterEnv) exportsHolder() int {
	e.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		var holders []int
		for i, w := range e.workers {
			if done, _ := w.Exited(); done {
				continue
			}
			if strings.Count(w.Tail(1<<20), "serving the exports") > strings.Count(w.Tail(1<<20), "no longer serving the exports") {
				holders = append(holders, i)
			}
		}
		if len(holders) > 1 {
			e.t.Fatalf("workers %v all serve the exports", holders)
		}
		if len(holders) == 1 {
			return holders[0]
		}
		time.Sleep(100 * time.Millisecond)
	}
	e.t.Fatal("no worker serves the exports after 30 s")
	return -1
}

// node is a connection to one replica only.
func (e *clusterEnv) node(i int) *warehouse.Warehouse {
	e.t.Helper()
	cfg := e.ch
	cfg.Addr, cfg.Cluster = e.cluster.Nodes[i].Addr, ""
	w, err := connect.Warehouse(context.Background(), cfg, config.Analytics{}, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { w.Close() })
	return w
}

// checkReplica waits until replica i has fetched every part (SYSTEM SYNC
// REPLICA), then compares its live rows under FINAL with the simulator.
func (e *clusterEnv) checkReplica(i int, only ...string) {
	e.t.Helper()
	w := e.node(i)
	ctx := context.Background()
	want := e.sim.Expected()
	for _, tb := range tables.All() {
		exp, ok := want[tb.Name]
		if !ok || !tb.Entity() || (len(only) > 0 && !slices.Contains(only, tb.Name)) {
			continue
		}
		sctx, cancel := context.WithTimeout(ctx, 90*time.Second)
		err := w.Conn().Exec(sctx, "SYSTEM SYNC REPLICA "+e.ch.Database+"."+tb.Name)
		cancel()
		if err != nil {
			e.t.Errorf("replica %d: %s has not fetched every part: %v", i+1, tb.Name, err)
		}
		var n uint64
		if err := w.Conn().QueryRow(ctx, "SELECT count() FROM "+tb.Name+" FINAL WHERE _deleted = 0").Scan(&n); err != nil {
			e.t.Fatal(err)
		}
		if n != uint64(exp) {
			e.t.Errorf("replica %d: %s has %d live rows under FINAL, simulator has %d", i+1, tb.Name, n, exp)
		}
	}
}

// identities lists the workers that ran tasks of a workflow.
func (e *clusterEnv) identities(id string) []string {
	c := e.client()
	it := c.GetWorkflowHistory(context.Background(), id, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	var out []string
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			e.t.Fatal(err)
		}
		var who string
		if a := ev.GetActivityTaskStartedEventAttributes(); a != nil {
			who = a.GetIdentity()
		}
		if w := ev.GetWorkflowTaskStartedEventAttributes(); w != nil {
			who = w.GetIdentity()
		}
		if who != "" && !slices.Contains(out, who) {
			out = append(out, who)
		}
	}
	return out
}

// Two workers and a two-replica cluster: a full sync during which replica
// 1 is killed (kill -9) completes through replica 2 with exact counts;
// replica 1, restarted, catches up; an incremental sync follows; both
// replicas agree, and the migrations ran once.
func TestClusterSyncSurvivesALostReplica(t *testing.T) {
	cfg := smallAccount()
	cfg.Calls = 9000 // 9 export pages of calls, 27 of legs
	e := newClusterEnv(t, cfg)
	slowExports(e.env, 100*time.Millisecond)
	id := e.startSync()
	e.waitRows("call_legs", 6000, 90*time.Second)
	e.cluster.Kill(0)
	t.Log("replica 1 killed")
	e.waitSync(id, 4*time.Minute)
	e.checkReplica(1)

	if err := e.cluster.Start(0); err != nil {
		t.Fatal(err)
	}
	e.checkReplica(0)

	e.sim.ResetRequests()
	out := e.mustSync()
	if n := e.sim.Requests()["/stats/incremental/calls"] + e.sim.Requests()["/stats/incremental/legs"]; n > 4 {
		t.Errorf("incremental sync made %d export requests, want a handful:\n%s", n, out)
	}
	e.checkReplica(0)
	e.checkReplica(1)

	ms, err := schema.Migrations()
	if err != nil {
		t.Fatal(err)
	}
	for i := range e.cluster.Nodes {
		w := e.node(i)
		var rows, versions uint64
		_ = w.Conn().Exec(context.Background(), "SYSTEM SYNC REPLICA "+e.ch.Database+".schema_migrations")
		if err := w.Conn().QueryRow(context.Background(), "SELECT count(), uniqExact(version) FROM schema_migrations").Scan(&rows, &versions); err != nil {
			t.Fatal(err)
		}
		if rows != uint64(len(ms)) || versions != uint64(len(ms)) {
			t.Errorf("replica %d: schema_migrations has %d rows for %d versions, want each of the %d migrations recorded once", i+1, rows, versions, len(ms))
		}
	}
	who := append(e.identities(id), e.identities(syncID(t, out))...)
	slices.Sort(who)
	who = slices.Compact(who)
	t.Logf("workers that ran tasks of the two syncs: %v", who)
	if len(who) < 2 {
		t.Errorf("only %v ran the syncs' tasks; two workers share the task queue", who)
	}
}

// Two workers under the real export budget (10 requests a minute): the
// worker serving the exports is killed (kill -9) mid-export; the other
// takes the exports over, resumes from the checkpoint, completes with
// exact counts, and the account never sees more than 10 export requests
// in any minute (the simulator enforces it with 429s).
func TestClusterWorkerKilledMidExportBudgetHolds(t *testing.T) {
	cfg := smallAccount()
	cfg.Calls = 3000 // 4 export pages of calls and 10 of legs: more than a minute's budget
	cfg.ExportRPM = 10
	e := newClusterEnv(t, cfg, "ZENDESK_EXPORT_RPM=10")
	slowExports(e.env, 150*time.Millisecond)
	holder := e.exportsHolder()
	id := e.startSync("--tables", "calls,call_legs")
	e.waitRows("call_legs", 3000, 90*time.Second)
	before := e.sim.Requests()
	e.workers[holder].Kill()
	killed := time.Now()
	t.Logf("killed worker %d, the exports' holder", holder+1)
	res := e.waitSync(id, 5*time.Minute)
	after := e.sim.Requests()
	e.checkCounts("calls", "call_legs")
	e.checkReplica(0, "calls", "call_legs")
	e.checkReplica(1, "calls", "call_legs")
	if next := e.exportsHolder(); next == holder {
		t.Errorf("the killed worker still holds the exports")
	}
	pages := map[string]int{}
	for _, tr := range res.Tables {
		pages[tr.Table] = tr.Pages
	}
	// The pages a single uninterrupted run needs: 3000 calls and 9000 legs
	// at 1000 per page, plus the last, partial one.
	needed := 4 + 10
	fetched := after["/stats/incremental/calls"] + after["/stats/incremental/legs"]
	most, throttled := e.exports.busiestMinute()
	t.Logf("export requests: %d before the kill, %d in all (%d pages needed): %d fetched twice; took %v after the kill; busiest minute %d requests, %d answered 429",
		before["/stats/incremental/calls"]+before["/stats/incremental/legs"], fetched, needed, fetched-needed,
		time.Since(killed).Round(time.Second), most, throttled)
	// A crash re-fetches at most what was not yet stored: per export, the
	// pages of one insert (about 3000 rows) and the one fetched ahead.
	const resumeSlack = 2 * 4
	if fetched-needed > resumeSlack {
		t.Logf("export requests:\n%s", strings.Join(e.exports.urls, "\n"))
		for i, w := range e.workers {
			t.Logf("worker %d:\n%s", i+1, w.Tail(6000))
		}
	}
	if fetched-needed > resumeSlack {
		t.Errorf("%d export pages fetched twice: the other worker started over instead of resuming", fetched-needed)
	}
	if most > 10 || throttled > 0 {
		t.Errorf("the export budget did not hold across workers: %d requests in one minute, %d refused with 429", most, throttled)
	}
}
