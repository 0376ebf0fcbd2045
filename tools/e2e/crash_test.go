package e2e

import (
	"context"
	"fmt"
	"io"
	"net"
	"sync"
	"syscall"
	"testing"
	"time"

	"talkwarehouse/internal/stack"
	"talkwarehouse/talksim"
	"talkwarehouse/workflows"
)

// slowExports makes every export request take d, so a sync is still
// exporting when the test breaks something.
func slowExports(e *env, d time.Duration) {
	e.sim.SetFaults(talksim.Faults{Every: 1, Kinds: []talksim.FaultKind{talksim.FaultSlow}, SlowDelay: d,
		Paths: []string{"/stats/incremental/calls", "/stats/incremental/legs"}})
}

// waitRows waits until the export cursor of table shows at least n rows.
func (e *env) waitRows(table string, n uint64, timeout time.Duration) {
	e.t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		var rows uint64
		_ = e.wh.Conn().QueryRow(context.Background(), "SELECT max(rows) FROM sync_cursors WHERE table_name = ?", table).Scan(&rows)
		if rows >= n {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	e.t.Fatalf("%s did not reach %d rows in %v:\n%s", table, n, timeout, e.worker.Tail(3000))
}

// startSync starts a sync without waiting and returns its workflow id.
func (e *env) startSync(args ...string) string {
	e.t.Helper()
	out, err := e.starter(append([]string{"sync"}, args...)...)
	if err != nil {
		e.t.Fatalf("starter: %v\n%s", err, out)
	}
	return syncID(e.t, out)
}

// waitSync waits for a workflow's result through the SDK client.
func (e *env) waitSync(id string, timeout time.Duration) workflows.SyncResult {
	e.t.Helper()
	c := e.client()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var res workflows.SyncResult
	if err := c.GetWorkflow(ctx, id, "").Get(ctx, &res); err != nil {
		e.t.Fatalf("sync %s: %v\nworker log:\n%s", id, err, e.worker.Tail(4000))
	}
	return res
}

// insertRows is the workers' CLICKHOUSE_INSERT_ROWS in the crash tests:
// ten pages of legs per INSERT, so a kill lands in the middle of one.
const insertRows = 10000

// kill -9 of the worker in the middle of a large export, then a new
// worker: the sync completes with exact counts, and the export resumes at
// its last committed INSERT: at most that INSERT's pages (insertRows rows,
// plus the page that crossed it and the one in flight) are fetched twice.
func TestWorkerKilledMidExportResumes(t *testing.T) {
	cfg := smallAccount()
	cfg.Calls = 20000 // 20 pages of calls, 60 of legs
	e := newEnv(t, cfg, fmt.Sprintf("CLICKHOUSE_INSERT_ROWS=%d", insertRows))
	slowExports(e, 150*time.Millisecond)
	id := e.startSync("--tables", "call_legs")
	e.waitRows("call_legs", 20000, 60*time.Second)
	time.Sleep(700 * time.Millisecond) // a few pages into the next INSERT
	e.worker.Kill()
	before := len(e.sim.ExportStarts("/stats/incremental/legs"))
	e.startWorker()
	e.waitSync(id, 3*time.Minute)
	starts := e.sim.ExportStarts("/stats/incremental/legs")
	e.checkCounts("call_legs")
	twice, bound := e.sim.FetchedTwice("/stats/incremental/legs"), insertRows/talksim.ExportPageSize+2
	t.Logf("legs pages: %d before the kill, %d in all, %d fetched twice (bound %d)", before, len(starts), twice, bound)
	if twice > bound {
		t.Errorf("%d leg pages fetched twice, want at most one INSERT's (%d): the export did not resume at its last commit", twice, bound)
	}
}

// SIGTERM in the middle of a large export: the worker commits the INSERT in
// flight, stores the cursor and exits within WORKER_STOP_TIMEOUT + 5 s; a
// new worker finishes the sync with exact counts, fetching again at most
// the page whose request was in flight.
func TestWorkerSIGTERMMidExportResumes(t *testing.T) {
	cfg := smallAccount()
	cfg.Calls = 20000
	const stopTimeout = 10 * time.Second
	e := newEnv(t, cfg, fmt.Sprintf("CLICKHOUSE_INSERT_ROWS=%d", insertRows), "WORKER_STOP_TIMEOUT="+stopTimeout.String())
	slowExports(e, 150*time.Millisecond)
	id := e.startSync("--tables", "call_legs")
	e.waitRows("call_legs", 20000, 60*time.Second)
	time.Sleep(700 * time.Millisecond)
	t0 := time.Now()
	if err := e.worker.Cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	for done, _ := e.worker.Exited(); !done; done, _ = e.worker.Exited() {
		if time.Since(t0) > stopTimeout+5*time.Second {
			t.Fatalf("the worker still runs %v after SIGTERM (WORKER_STOP_TIMEOUT %v):\n%s", time.Since(t0), stopTimeout, e.worker.Tail(3000))
		}
		time.Sleep(50 * time.Millisecond)
	}
	exited := time.Since(t0)
	before := len(e.sim.ExportStarts("/stats/incremental/legs"))
	e.startWorker()
	e.waitSync(id, 3*time.Minute)
	starts := e.sim.ExportStarts("/stats/incremental/legs")
	e.checkCounts("call_legs")
	twice := e.sim.FetchedTwice("/stats/incremental/legs")
	t.Logf("exited %v after SIGTERM; legs pages: %d before, %d in all, %d fetched twice", exited.Round(time.Millisecond), before, len(starts), twice)
	if twice > 1 {
		t.Errorf("%d leg pages fetched twice after a SIGTERM, want at most 1 (the request in flight)", twice)
	}
}

// ClickHouse unreachable for a while: activities retry and nothing is lost.
func TestClickHouseOutageLosesNothing(t *testing.T) {
	cfg := smallAccount()
	cfg.Calls = 8000
	proxy := newProxy(t)
	e := newEnvWith(t, cfg, func(e *env) { proxy.target = e.ch.Addr }, "CLICKHOUSE_ADDR="+proxy.addr)
	slowExports(e, 100*time.Millisecond)
	id := e.startSync()
	e.waitRows("call_legs", 3000, 60*time.Second)
	proxy.down(8 * time.Second)
	e.waitSync(id, 3*time.Minute)
	e.checkCounts()
}

// The Temporal server restarted mid-sync (file database): the sync carries on.
func TestTemporalRestartMidSync(t *testing.T) {
	cfg := smallAccount()
	cfg.Calls = 10000
	e := newEnv(t, cfg)
	slowExports(e, 100*time.Millisecond)
	id := e.startSync()
	e.waitRows("call_legs", 3000, 60*time.Second)
	port := e.temp.Frontend
	e.temp.Stop()
	time.Sleep(2 * time.Second)
	var err error
	e.temp, err = stack.StartDevserverAt(e.bins["./tools/devserver"], e.dir, e.dir+"/temporal.db", port)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.temp.Stop)
	e.waitSync(id, 3*time.Minute)
	e.checkCounts()
}

// proxy forwards TCP to target and can refuse service for a while.
type proxy struct {
	t      *testing.T
	addr   string
	target string
	mu     sync.Mutex
	downTo time.Time
	conns  map[net.Conn]bool
}

func newProxy(t *testing.T) *proxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{t: t, addr: ln.Addr().String(), conns: map[net.Conn]bool{}}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go p.serve(c)
		}
	}()
	return p
}

func (p *proxy) serve(c net.Conn) {
	p.mu.Lock()
	down := time.Now().Before(p.downTo)
	if !down {
		p.conns[c] = true
	}
	p.mu.Unlock()
	if down {
		c.Close()
		return
	}
	up, err := net.Dial("tcp", p.target)
	if err != nil {
		c.Close()
		return
	}
	p.mu.Lock()
	p.conns[up] = true
	p.mu.Unlock()
	go func() { io.Copy(up, c); up.Close() }()
	io.Copy(c, up)
	c.Close()
}

// down closes every connection and refuses new ones for d.
func (p *proxy) down(d time.Duration) {
	p.mu.Lock()
	p.downTo = time.Now().Add(d)
	for c := range p.conns {
		c.Close()
		delete(p.conns, c)
	}
	p.mu.Unlock()
}

type quiet struct{}

func (quiet) Debug(string, ...any) {}
func (quiet) Info(string, ...any)  {}
func (quiet) Warn(string, ...any)  {}
func (quiet) Error(string, ...any) {}
