// Package e2e runs the whole pipeline on one machine: the embedded Temporal
// devserver and the worker as processes (built from this module), the
// Zendesk Talk simulator in the test process, and a real ClickHouse
// (CLICKHOUSE_ADDR, or a testcontainers container, or skipped).
package e2e

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"talkwarehouse/config"
	"talkwarehouse/internal/chtest"
	"talkwarehouse/internal/connect"
	"talkwarehouse/internal/stack"
	"talkwarehouse/tables"
	"talkwarehouse/talksim"
	"talkwarehouse/warehouse"
)

const (
	email    = "analyst@example.com"
	apiToken = "e2e-SECRET-api-token-7d1f"
	start    = "2024-01-01T00:00:00Z"
)

// env is one end-to-end stack.
type env struct {
	t      *testing.T
	dir    string
	bins   map[string]string
	sim    *talksim.Sim
	simURL string
	ch     config.ClickHouse
	wh     *warehouse.Warehouse
	temp   *stack.Devserver
	worker *stack.Process
	queue  string
	extra  []string // worker settings that override the defaults
	// exports records every export request the simulator answered.
	exports exportLog
}

// newEnv starts a stack; workerEnv entries (KEY=value) override the
// worker's default settings.
func newEnv(t *testing.T, simCfg talksim.Config, workerEnv ...string) *env {
	t.Helper()
	return newEnvWith(t, simCfg, nil, workerEnv...)
}

// newEnvWith is newEnv with a hook run just before the worker starts.
func newEnvWith(t *testing.T, simCfg talksim.Config, beforeWorker func(*env), workerEnv ...string) *env {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end test skipped in -short mode")
	}
	return newEnvOn(t, simCfg, chtest.Config(t), beforeWorker, workerEnv...)
}

// newEnvOn is newEnvWith on a given ClickHouse (a cluster's, say).
func newEnvOn(t *testing.T, simCfg talksim.Config, ch config.ClickHouse, beforeWorker func(*env), workerEnv ...string) *env {
	t.Helper()
	return newEnvAt(t, simCfg, ch, nil, beforeWorker, workerEnv...)
}

// newEnvAt is newEnvOn on a given running Temporal (nil: a devserver of
// its own on a SQLite file).
func newEnvAt(t *testing.T, simCfg talksim.Config, ch config.ClickHouse, temp *stack.Devserver, beforeWorker func(*env), workerEnv ...string) *env {
	t.Helper()
	e := &env{t: t, dir: t.TempDir(), ch: ch, queue: "e2e", extra: workerEnv, temp: temp}
	ctx := context.Background()
	binDir := filepath.Join(os.TempDir(), "talkwarehouse-e2e-bin")
	pkgs := []string{"./worker", "./starter"}
	if temp == nil {
		pkgs = append(pkgs, "./tools/devserver")
	}
	bins, err := stack.Build(ctx, binDir, pkgs...)
	if err != nil {
		t.Fatal(err)
	}
	e.bins = bins
	e.sim = talksim.New(simCfg)
	srv := httptest.NewServer(e.exports.record(e.sim.Handler()))
	t.Cleanup(srv.Close)
	e.simURL = srv.URL

	if e.temp == nil {
		e.temp, err = stack.StartDevserver(bins["./tools/devserver"], e.dir, filepath.Join(e.dir, "temporal.db"), true)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(e.temp.Stop)
	}
	e.wh, err = connect.Warehouse(ctx, e.ch, config.Analytics{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = e.wh.Conn().Exec(context.Background(), "DROP DATABASE IF EXISTS "+e.ch.Database)
		e.wh.Close()
	})
	if beforeWorker != nil {
		beforeWorker(e)
	}
	e.startWorker()
	return e
}

func (e *env) environ() []string {
	return append([]string{
		"ZENDESK_BASE_URL=" + e.simURL, "ZENDESK_SUBDOMAIN=", "ZENDESK_EMAIL=" + email,
		"ZENDESK_API_TOKEN=" + apiToken, "ZENDESK_OAUTH_TOKEN=", "ZENDESK_START_DATE=" + start,
		"ZENDESK_EXPORT_RPM=0", "ZENDESK_RPM=0", "WORKER_METRICS_ADDR=127.0.0.1:0",
		"CLICKHOUSE_ADDR=" + e.ch.Addr, "CLICKHOUSE_DATABASE=" + e.ch.Database,
		"CLICKHOUSE_USER=" + e.ch.User, "CLICKHOUSE_PASSWORD=" + e.ch.Password,
		"TEMPORAL_ADDRESS=" + e.temp.Frontend, "TEMPORAL_NAMESPACE=default", "TEMPORAL_TASK_QUEUE=" + e.queue,
		// The tests' accounts are small: a few pages per INSERT (not the
		// default 100,000 rows, a whole export here), so that a test can
		// act between commits as on a real account.
		"CLICKHOUSE_INSERT_ROWS=3000",
	}, e.extra...)
}

func (e *env) startWorker() {
	e.worker, _ = e.launchWorker("worker", workerReady)
}

// workerReady is the worker's log line once it serves its task queue.
var workerReady = regexp.MustCompile(`worker ready`)

// launchWorker starts a worker process named name with env overrides
// (KEY=value, the last of a key wins), stopped when the test ends, and waits
// up to 30 s for its log to match until; it returns the process and the
// match's submatches.
func (e *env) launchWorker(name string, until *regexp.Regexp, env ...string) (*stack.Process, []string) {
	e.t.Helper()
	p, err := stack.Start(name, e.dir, e.bins["./worker"], append(e.environ(), env...))
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(p.Stop)
	deadline := time.Now().Add(30 * time.Second)
	for {
		if m := until.FindStringSubmatch(p.Tail(1 << 20)); m != nil {
			return p, m
		}
		if done, err := p.Exited(); done || time.Now().After(deadline) {
			e.t.Fatalf("%s: no %q in its log (exited=%v %v):\n%s", name, until, done, err, p.Tail(3000))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// starter runs the starter command; it gets only Temporal settings, as a
// user's shell would need.
func (e *env) starter(args ...string) (string, error) {
	return e.starterEnv(nil, args...)
}

// starterEnv runs the starter with extra settings (KEY=value).
func (e *env) starterEnv(extra []string, args ...string) (string, error) {
	cmd := exec.Command(e.bins["./starter"], args...)
	cmd.Env = append(append(os.Environ(), "TEMPORAL_ADDRESS="+e.temp.Frontend, "TEMPORAL_NAMESPACE=default", "TEMPORAL_TASK_QUEUE="+e.queue), extra...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

// client dials the stack's Temporal; closed when the test ends. (Dialed
// anew each time: the devserver may have been restarted.)
func (e *env) client() client.Client {
	e.t.Helper()
	c, err := client.Dial(client.Options{HostPort: e.temp.Frontend, Namespace: "default", Logger: quiet{}})
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(c.Close)
	return c
}

// syncID finds the workflow id in the starter's output.
func syncID(t *testing.T, out string) string {
	for _, f := range strings.Fields(out) {
		if strings.HasPrefix(f, "talk-sync-") {
			return f
		}
	}
	t.Fatalf("no workflow id in %q", out)
	return ""
}

// historyLength counts the events of a workflow's (latest run's) history:
// those of its own commands, and those of workflow tasks apart.
func (e *env) historyLength(id string) (events, workflowTasks int) {
	e.t.Helper()
	c := e.client()
	it := c.GetWorkflowHistory(context.Background(), id, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			e.t.Fatal(err)
		}
		if strings.HasPrefix(ev.GetEventType().String(), "WorkflowTask") {
			workflowTasks++
		} else {
			events++
		}
	}
	return events, workflowTasks
}

// status runs `starter status` with the warehouse settings.
func (e *env) status() string {
	e.t.Helper()
	cmd := exec.Command(e.bins["./starter"], "status")
	cmd.Env = append(os.Environ(), "CLICKHOUSE_ADDR="+e.ch.Addr, "CLICKHOUSE_DATABASE="+e.ch.Database,
		"CLICKHOUSE_USER="+e.ch.User, "CLICKHOUSE_PASSWORD="+e.ch.Password)
	out, err := cmd.CombinedOutput()
	if err != nil {
		e.t.Fatalf("starter status: %v\n%s", err, out)
	}
	return string(out)
}

func (e *env) mustSync(args ...string) string {
	e.t.Helper()
	out, err := e.starter(append([]string{"sync", "--wait"}, args...)...)
	if err != nil {
		e.t.Fatalf("starter sync failed: %v\n%s\nworker log:\n%s", err, out, e.worker.Tail(4000))
	}
	return out
}

func (e *env) count(q string, args ...any) uint64 {
	e.t.Helper()
	var n uint64
	if err := e.wh.Conn().QueryRow(context.Background(), q, args...).Scan(&n); err != nil {
		e.t.Fatalf("%s: %v", q, err)
	}
	return n
}

// checkCounts compares the live rows of entity tables under FINAL with the
// simulator: the named ones, or all.
func (e *env) checkCounts(only ...string) {
	e.t.Helper()
	want := e.sim.Expected()
	for _, tb := range tables.All() {
		exp, ok := want[tb.Name]
		if !ok || !tb.Entity() || (len(only) > 0 && !slices.Contains(only, tb.Name)) {
			continue
		}
		if got := e.count("SELECT count() FROM " + tb.Name + " FINAL WHERE _deleted = 0"); got != uint64(exp) {
			e.t.Errorf("%s: %d live rows under FINAL, simulator has %d", tb.Name, got, exp)
		}
		if dup := e.count("SELECT count() FROM (SELECT id FROM " + tb.Name + " FINAL GROUP BY id HAVING count() > 1)"); dup != 0 {
			e.t.Errorf("%s: %d ids with more than one row under FINAL", tb.Name, dup)
		}
	}
}

func TestFullThenIncrementalSync(t *testing.T) {
	cfg := talksim.DefaultConfig()
	cfg.Calls = 4321 // five export pages of calls, thirteen of legs
	cfg.Email, cfg.APIToken = email, apiToken
	e := newEnv(t, cfg)

	// 1. A full sync loads every table with exact counts.
	out := e.mustSync()
	t.Log("first sync:\n" + out)
	for _, name := range tables.Names() {
		if !strings.Contains(out, name) {
			t.Errorf("summary does not mention %s:\n%s", name, out)
		}
	}
	e.checkCounts()
	want := e.sim.Expected()
	if want["calls"] != 4321 || want["call_legs"] != 4321*3 {
		t.Fatalf("simulator expected %v", want)
	}
	for _, st := range []string{"account_overview", "agents_overview", "current_queue_activity"} {
		if n := e.count("SELECT count() FROM " + st + " FINAL"); n != 1 {
			t.Errorf("%s: %d snapshots after one sync, want 1", st, n)
		}
	}
	if n := e.count("SELECT count() FROM agents_activity FINAL"); n != uint64(want["agents_activity"]) {
		t.Errorf("agents_activity: %d rows, want one per agent (%d)", n, want["agents_activity"])
	}
	e.checkTypedCalls(sample(e.sim.CallIDs(), 25))

	// 2. An immediate second sync is incremental: a handful of export
	// requests, nothing duplicated, statistics gain a snapshot.
	e.sim.ResetRequests()
	out2 := e.mustSync()
	t.Log("second sync:\n" + out2)
	req := e.sim.Requests()
	// Temporal history grows with the number of tables, not pages: the
	// first sync (19 export pages) records as many events as the second (2)
	// but for workflow tasks, whose number depends on how the server
	// batches activity completions.
	h1, t1 := e.historyLength(syncID(t, out))
	h2, t2 := e.historyLength(syncID(t, out2))
	if h1 != h2 || t1 > 60 || t2 > 60 {
		t.Errorf("history: %d events (+%d workflow-task events) for the full sync, %d (+%d) for the incremental one; want equal and bounded", h1, t1, h2, t2)
	} else {
		t.Logf("history events per sync: %d (+%d and %d workflow-task events)", h1, t1, t2)
	}
	if n := req["/stats/incremental/calls"] + req["/stats/incremental/legs"]; n > 4 {
		t.Errorf("second sync made %d export requests, want a handful (%v)", n, req)
	}
	e.checkCounts()
	if n := e.count("SELECT count() FROM current_queue_activity FINAL"); n != 2 {
		t.Errorf("current_queue_activity: %d snapshots after two syncs, want 2", n)
	}

	// 3. Calls updated upstream show their new values after the next sync.
	ids := e.sim.CallIDs()
	changed := []int64{ids[3], ids[len(ids)/2], ids[len(ids)-1]}
	if n := e.sim.UpdateCalls(changed...); n != len(changed) {
		t.Fatalf("simulator updated %d calls", n)
	}
	out3 := e.mustSync("--tables", "calls,call_legs")
	e.checkCounts()
	e.checkTypedCalls(changed)
	e.checkStory(syncID(t, out), syncID(t, out2), syncID(t, out3))

	// 4. sync_runs has every table of every sync; starter status reads it.
	if all := uint64(len(tables.All())); e.count("SELECT count() FROM sync_runs FINAL") != all+all+2 {
		t.Errorf("sync_runs has %d rows, want %d (%d, %d, then calls and call_legs)", e.count("SELECT count() FROM sync_runs FINAL"), all+all+2, all, all)
	}
	if n := e.count("SELECT count() FROM sync_runs FINAL WHERE status = 'success' AND table_name = 'calls' AND mode = 'incremental' AND rows > 0 AND cursor_after IS NOT NULL"); n != 3 {
		t.Errorf("calls has %d successful incremental runs with a cursor in sync_runs, want 3", n)
	}
	status := e.status()
	for _, name := range tables.Names() {
		if !strings.Contains(status, name) || strings.Contains(status, name+"  never") {
			t.Errorf("status does not show %s as synced:\n%s", name, status)
		}
	}

	// 5. No secret in any log or in Temporal's database.
	e.temp.Stop()
	for _, f := range []string{e.worker.Log, e.temp.Log, filepath.Join(e.dir, "temporal.db")} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte(apiToken)) {
			t.Errorf("%s contains the API token", f)
		}
	}
}

func sample(ids []int64, n int) []int64 {
	if len(ids) <= n {
		return ids
	}
	out := make([]int64, 0, n)
	step := len(ids) / n
	for i := 0; i < len(ids) && len(out) < n; i += step {
		out = append(out, ids[i])
	}
	return out
}

// checkTypedCalls compares every typed column of the given calls with the
// simulator's current record.
func (e *env) checkTypedCalls(ids []int64) {
	e.t.Helper()
	calls := tables.MustGet("calls")
	var sel []string
	for _, c := range calls.Columns {
		switch c.Type {
		case tables.Decimal:
			sel = append(sel, "toFloat64("+c.Name+")")
		default:
			sel = append(sel, "`"+c.Name+"`")
		}
	}
	for _, id := range ids {
		want := e.sim.Call(id)
		dest := make([]any, len(calls.Columns))
		for i, c := range calls.Columns {
			dest[i] = scanTarget(c.Type)
		}
		q := "SELECT " + strings.Join(sel, ", ") + " FROM calls FINAL WHERE id = ?"
		if err := e.wh.Conn().QueryRow(context.Background(), q, id).Scan(dest...); err != nil {
			e.t.Fatalf("call %d: %v", id, err)
		}
		for i, c := range calls.Columns {
			if got, exp := normalize(dest[i]), expected(c.Type, want[c.Name]); got != exp {
				e.t.Errorf("call %d %s: warehouse %s, API %s", id, c.Name, got, exp)
			}
		}
	}
}

func scanTarget(t tables.Type) any {
	switch t {
	case tables.Int:
		return new(*int64)
	case tables.IntKey:
		return new(int64)
	case tables.Float, tables.Decimal:
		return new(*float64)
	case tables.Bool:
		return new(*uint8)
	case tables.Text, tables.Object:
		return new(*string)
	case tables.TextKey:
		return new(string)
	case tables.Time:
		return new(*time.Time)
	case tables.TextList:
		return new([]string)
	}
	panic("type")
}

// normalize renders a scanned value as text ("NULL" for nil).
func normalize(v any) string {
	switch p := v.(type) {
	case **int64:
		if *p == nil {
			return "NULL"
		}
		return fmt.Sprint(**p)
	case *int64:
		return fmt.Sprint(*p)
	case **float64:
		if *p == nil {
			return "NULL"
		}
		return fmt.Sprintf("%.6f", **p)
	case **uint8:
		if *p == nil {
			return "NULL"
		}
		return fmt.Sprint(**p == 1)
	case **string:
		if *p == nil {
			return "NULL"
		}
		return **p
	case *string:
		return *p
	case **time.Time:
		if *p == nil {
			return "NULL"
		}
		return (*p).UTC().Format(time.RFC3339)
	case *[]string:
		return strings.Join(*p, "|")
	}
	return fmt.Sprintf("?%T", v)
}

// expected renders the API's JSON value as the warehouse should hold it.
func expected(t tables.Type, v any) string {
	if v == nil {
		if t == tables.TextList {
			return ""
		}
		return "NULL"
	}
	switch t {
	case tables.Int, tables.IntKey:
		return fmt.Sprint(int64(v.(float64)))
	case tables.Decimal, tables.Float:
		var f float64
		switch x := v.(type) {
		case string:
			fmt.Sscan(x, &f)
		case float64:
			f = x
		}
		return fmt.Sprintf("%.6f", math.Round(f*1e6)/1e6)
	case tables.Bool:
		return fmt.Sprint(v.(bool))
	case tables.Time:
		return v.(string)
	case tables.TextList:
		var parts []string
		for _, x := range v.([]any) {
			parts = append(parts, fmt.Sprint(x))
		}
		return strings.Join(parts, "|")
	default:
		return fmt.Sprint(v)
	}
}
