// Command bench measures the sync of the incremental exports (calls and
// call_legs) against the in-process simulator and a real ClickHouse:
//
//	go run ./tools/bench [--volumes 10000,100000,1000000] [--legs 3] [--repeat 1]
//	               [--insert-rows 0] [--latency 0] [--keep] [--json FILE]
//	               [--realistic] [--views]
//	go run ./tools/bench --real-limits [--real-calls 6000] [--real-rpm 10]
//
// Per volume it starts a fresh simulator without rate limits; then, per
// repetition, it measures
//
//   - the bare fetch (bare.go): a plain net/http client reading the same
//     pages and decoding their envelopes, the baseline of the ratio;
//   - the sync: the real activities.SyncTable for calls and call_legs at
//     once, in a child process (this binary re-executed with --child-sync,
//     configured from the environment like the worker) so that its peak RSS
//     is the worker's, into a fresh database (CLICKHOUSE_ADDR, default
//     127.0.0.1:9000). The zendesk client's transport is timed (timing.go);
//
// and checks the exact counts under FINAL against the simulator. The
// databases are dropped at the end, unless --keep: a DROP of a large
// database makes the server's next inserts markedly slower for minutes
// (measured: 100k sync 12.1 s right after one, 6.7-7.8 s without), which
// a worker never sees.
// --real-limits runs one sync under the real export budget (simulator and
// client at 10 requests per rolling minute) and compares the elapsed time
// with the minimum the budget allows.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"talkwarehouse/config"
	"talkwarehouse/internal/connect"
	"talkwarehouse/warehouse"
)

// runResult is one bare fetch and one sync of the same volume, back to back.
type runResult struct {
	Calls, Legs int
	Load        string // 1-minute load average before the run
	Bare        bareResult
	Sync        *syncReport
	SimCPU      time.Duration // this process (the simulator) over the sync
	CHCPU       time.Duration // the local ClickHouse server, whole process
	// CHEvents are deltas of system.events over the sync (server-wide).
	CHEvents              map[string]uint64
	FinalCalls, FinalLegs uint64
	CountsOK              bool
	Views                 []viewTiming `json:",omitempty"` // --views
}

var chEventNames = []string{"InsertQuery", "InsertedRows", "MergedRows", "MergesTimeMilliseconds"}

var (
	volumes    = flag.String("volumes", "10000,100000,1000000", "comma-separated numbers of calls")
	legs       = flag.Int("legs", 3, "legs per call")
	repeat     = flag.Int("repeat", 1, "bare fetch + sync runs per volume (the machine may be shared)")
	insertRows = flag.Int("insert-rows", 0, "Activities.InsertRows: export rows per INSERT (0: the product's default)")
	keep       = flag.Bool("keep", false, "keep the benchmark databases")
	jsonOut    = flag.String("json", "", "also write every measurement as JSON to this file")
	realLimits = flag.Bool("real-limits", false, "run only the sync under the real export budget")
	realCalls  = flag.Int("real-calls", 6000, "calls for --real-limits (6000 calls × 3 legs is 26 pages)")
	realRPM    = flag.Int("real-rpm", 10, "export budget for --real-limits, simulator and client")
	child      = flag.Bool("child-sync", false, "internal: run only the sync, configured from the environment")
)

func main() {
	flag.DurationVar(&simLatency, "latency", 0, "added to every export response of the simulator (a real API answers in hundreds of ms)")
	flag.Parse()
	if *child {
		os.Exit(childMain(*insertRows))
	}
	ch, err := config.LoadClickHouse()
	ctx := context.Background()
	if err == nil {
		err = run(ctx, ch)
		if !*keep {
			dropDatabases(ctx, ch)
		}
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "bench: %v\n", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, ch config.ClickHouse) error {
	if *realLimits {
		res, err := runRealLimits(ctx, ch, *realCalls, *legs, *realRPM)
		writeJSON(*jsonOut, res)
		return err
	}
	var all []runResult
	defer func() { printTables(all); printViews(all) }()
	for _, v := range strings.Split(*volumes, ",") {
		calls, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || calls <= 0 {
			return fmt.Errorf("--volumes: %q is not a positive number", v)
		}
		err = runVolume(ctx, ch, calls, *legs, max(*repeat, 1), *insertRows, &all)
		writeJSON(*jsonOut, all)
		if err != nil {
			return err
		}
	}
	return nil
}

// databases are those this process created.
var databases []string

func dropDatabases(ctx context.Context, ch config.ClickHouse) {
	if len(databases) == 0 {
		return
	}
	ch.Database = "default"
	wh, err := connect.Warehouse(ctx, ch, config.Analytics{}, quietLog)
	if err != nil {
		logf("dropping the benchmark databases: %v", err)
		return
	}
	defer wh.Close()
	for _, db := range databases {
		if err := wh.Conn().Exec(ctx, "DROP DATABASE IF EXISTS "+db); err != nil {
			logf("dropping %s: %v", db, err)
		}
	}
}

func runVolume(ctx context.Context, ch config.ClickHouse, calls, legs, repeat, insertRows int, all *[]runResult) error {
	sim, err := startSim(calls, legs, 0, 0)
	if err != nil {
		return err
	}
	defer sim.Close()
	logf("%d calls × %d legs: simulator on %s", calls, legs, sim.URL)
	for i := 0; i < repeat; i++ {
		r := runResult{Calls: calls, Legs: calls * legs, Load: loadAvg()}
		if r.Bare, err = bareFetch(ctx, sim.URL); err != nil {
			return err
		}
		logf("bare fetch %.2fs, %d pages (load %s)", r.Bare.Wall.Seconds(), r.Bare.pages(), r.Load)
		db := ch
		db.Database = fmt.Sprintf("bench_%d_%d_%d", calls, time.Now().Unix(), i)
		err := syncInChild(ctx, sim, db, insertRows, 0, 0, &r)
		*all = append(*all, r)
		if err != nil {
			return err
		}
		logf("sync %.2fs, peak RSS %.1f MB (by tenth of the run: %s), FINAL calls %d legs %d, ClickHouse %v",
			r.Sync.Wall.Seconds(), kbMB(r.Sync.VmHWMKB), rssTenths(r.Sync.RSSMB), r.FinalCalls, r.FinalLegs, r.CHEvents)
		if *viewsFlag {
			views, err := timeViews(ctx, db)
			(*all)[len(*all)-1].Views = views
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// syncInChild runs the sync in a child process against sim, into the new
// database ch.Database, then checks the counts under FINAL.
func syncInChild(ctx context.Context, sim *simServer, ch config.ClickHouse, insertRows, exportRPM, rpm int, r *runResult) error {
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, exe, "--child-sync", fmt.Sprintf("--insert-rows=%d", insertRows))
	cmd.Env = append(os.Environ(),
		"ZENDESK_BASE_URL="+sim.URL, "ZENDESK_SUBDOMAIN=", "ZENDESK_EMAIL="+benchEmail,
		"ZENDESK_API_TOKEN="+benchToken, "ZENDESK_OAUTH_TOKEN=", "ZENDESK_START_DATE="+simStart.Format(time.RFC3339),
		fmt.Sprintf("ZENDESK_EXPORT_RPM=%d", exportRPM), fmt.Sprintf("ZENDESK_RPM=%d", rpm),
		"CLICKHOUSE_ADDR="+ch.Addr, "CLICKHOUSE_DATABASE="+ch.Database,
		"CLICKHOUSE_USER="+ch.User, "CLICKHOUSE_PASSWORD="+ch.Password,
	)
	var stdout bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, os.Stderr

	databases = append(databases, ch.Database)
	wh, err := connect.Warehouse(ctx, ch, config.Analytics{}, quietLog)
	if err != nil {
		return err
	}
	defer wh.Close()
	ev0, chPID := chEvents(ctx, wh), clickhousePID(ch.Addr)
	sim0, ch0 := selfCPU(), procCPU(chPID)
	runErr := cmd.Run()
	r.SimCPU, r.CHCPU = selfCPU()-sim0, procCPU(chPID)-ch0
	if ev1 := chEvents(ctx, wh); ev0 != nil && ev1 != nil {
		r.CHEvents = map[string]uint64{}
		for _, k := range chEventNames {
			r.CHEvents[k] = ev1[k] - ev0[k]
		}
	}
	var rep syncReport
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		return fmt.Errorf("sync child: %v (no report: %v)", runErr, err)
	}
	r.Sync = &rep
	if runErr != nil {
		return fmt.Errorf("sync child: %v: %s", runErr, rep.ErrorMsg)
	}
	for _, q := range []struct {
		table string
		dst   *uint64
	}{{"calls", &r.FinalCalls}, {"call_legs", &r.FinalLegs}} {
		if err := wh.Conn().QueryRow(ctx, "SELECT count() FROM "+ch.Database+"."+q.table+" FINAL").Scan(q.dst); err != nil {
			return err
		}
	}
	exp := sim.Sim.Expected()
	r.CountsOK = r.FinalCalls == uint64(exp["calls"]) && r.FinalLegs == uint64(exp["call_legs"])
	if !r.CountsOK {
		return fmt.Errorf("counts under FINAL: calls %d legs %d, the simulator has %d and %d", r.FinalCalls, r.FinalLegs, exp["calls"], exp["call_legs"])
	}
	return nil
}

func chEvents(ctx context.Context, wh *warehouse.Warehouse) map[string]uint64 {
	rows, err := wh.Conn().Query(ctx, "SELECT event, value FROM system.events")
	if err != nil {
		return nil
	}
	defer rows.Close()
	out := map[string]uint64{}
	for rows.Next() {
		var name string
		var v uint64
		if rows.Scan(&name, &v) == nil {
			out[name] = v
		}
	}
	return out
}

// clickhousePID finds the local clickhouse-server serving addr's port (the
// one started with --tcp_port=PORT, or for 9000 one without), to read its
// CPU time; 0 if none is visible.
func clickhousePID(addr string) int {
	_, port, _ := strings.Cut(addr, ":")
	dirs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	fallback := 0
	for _, d := range dirs {
		b, err := os.ReadFile(d)
		if err != nil || !bytes.Contains(b, []byte("clickhouse")) || !bytes.Contains(b, []byte("server")) {
			continue
		}
		pid, _ := strconv.Atoi(filepath.Base(filepath.Dir(d)))
		hasPort := false
		for _, a := range strings.Split(string(b), "\x00") {
			if v, ok := strings.CutPrefix(a, "--tcp_port="); ok {
				if v == port {
					return pid
				}
				hasPort = true
			}
		}
		if !hasPort && port == "9000" && fallback == 0 {
			fallback = pid
		}
	}
	return fallback
}

// procCPU is utime+stime of pid from /proc/pid/stat (ticks of 10 ms).
func procCPU(pid int) time.Duration {
	if pid == 0 {
		return 0
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(b)
	if i := strings.LastIndexByte(s, ')'); i >= 0 {
		s = s[i+1:]
	}
	f := strings.Fields(s)
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(u+st) * 10 * time.Millisecond
}

// loadAvg is the 1-minute load average (the machine may be shared).
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	return strings.Fields(string(b))[0]
}

// rssTenths summarises an RSS profile: the highest sample of each tenth.
func rssTenths(p []float64) string {
	var parts []string
	for d := 0; d < 10; d++ {
		lo, hi := d*len(p)/10, (d+1)*len(p)/10
		m := 0.0
		for _, v := range p[lo:hi] {
			m = max(m, v)
		}
		if hi > lo {
			parts = append(parts, fmt.Sprintf("%.0f", m))
		}
	}
	return strings.Join(parts, " ")
}

func kbMB(kb int64) float64 { return float64(kb) / 1024 }

func ms(d time.Duration, n int) string {
	if n == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f", float64(d)/float64(time.Millisecond)/float64(n))
}

func printTables(all []runResult) {
	w := tabwriter.NewWriter(os.Stdout, 2, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Println("\nSync of calls + call_legs from scratch (targets: sync/bare ≤ 1.2; peak RSS ≤ 150 MB, flat)")
	fmt.Fprintln(w, "calls\tlegs\tpages\tload\tbare s\tsync s\tsync/bare\trows/s\tpeak RSS MB\tFINAL calls\tFINAL legs\tcounts\t")
	for _, r := range all {
		if r.Sync == nil {
			continue
		}
		s := r.Sync
		ok := "exact"
		if !r.CountsOK {
			ok = "WRONG"
		}
		fmt.Fprintf(w, "%d\t%d\t%d\t%s\t%.2f\t%.2f\t%.2f\t%.0f\t%.1f\t%d\t%d\t%s\t\n",
			r.Calls, r.Legs, s.pages(), r.Load, r.Bare.Wall.Seconds(), s.Wall.Seconds(), s.Wall.Seconds()/r.Bare.Wall.Seconds(),
			float64(s.rows())/s.Wall.Seconds(), kbMB(s.VmHWMKB), r.FinalCalls, r.FinalLegs, ok)
	}
	w.Flush()

	fmt.Println("\nPer page (ms): bare fetch/decode = the bare client's HTTP+read / envelope decode; sync fetch = request → body read;")
	fmt.Println("gap = body read → next request (decode + waiting for the writer); wall = the activity's time / its pages.")
	fmt.Fprintln(w, "calls\ttable\tpages\tbare fetch\tbare decode\tsync fetch\tgap\twall\t")
	for _, r := range all {
		if r.Sync == nil {
			continue
		}
		for _, t := range r.Sync.Results {
			e, b := r.Sync.Exports[t.Table], r.Bare.Exports[t.Table]
			if e == nil || b == nil {
				continue
			}
			fmt.Fprintf(w, "%d\t%s\t%d\t%s\t%s\t%s\t%s\t%s\t\n", r.Calls, t.Table, t.Pages, ms(b.Fetch, b.Pages), ms(b.Decode, b.Pages),
				ms(e.Fetch, e.Requests), ms(e.Gap, e.Requests-1), ms(t.FinishedAt.Sub(t.StartedAt), t.Pages))
		}
	}
	w.Flush()

	fmt.Println("\nCPU seconds: bare = client + simulator over the bare fetch; over the sync: child (the sync), sim, ClickHouse (whole")
	fmt.Println("server). ClickHouse inserts and merged rows: server-wide system.events deltas over the sync.")
	fmt.Fprintln(w, "calls\tinsert rows\tbare CPU\tchild CPU\tsim CPU\tCH CPU\tGC runs\talloc MB\tCH inserts\tCH merged rows\tRSS MB by tenth\t")
	for _, r := range all {
		if r.Sync == nil {
			continue
		}
		s := r.Sync
		ins := "default"
		if s.InsertRows > 0 {
			ins = strconv.Itoa(s.InsertRows)
		}
		fmt.Fprintf(w, "%d\t%s\t%.1f\t%.1f\t%.1f\t%.1f\t%d\t%.0f\t%d\t%d\t%s\t\n", r.Calls, ins, r.Bare.CPU.Seconds(), s.CPU.Seconds(),
			r.SimCPU.Seconds(), r.CHCPU.Seconds(), s.NumGC, s.AllocMB, r.CHEvents["InsertQuery"], r.CHEvents["MergedRows"], rssTenths(s.RSSMB))
	}
	w.Flush()
}

func writeJSON(path string, v any) {
	if path == "" {
		return
	}
	b, _ := json.MarshalIndent(v, "", "  ")
	_ = os.WriteFile(path, b, 0o644)
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s  "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
}
