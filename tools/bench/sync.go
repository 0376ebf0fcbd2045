package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	tlog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/testsuite"

	"talkwarehouse/activities"
	"talkwarehouse/config"
	"talkwarehouse/internal/connect"
	"talkwarehouse/zendesk"
)

// syncReport is what one sync run measured; the child prints it as JSON.
type syncReport struct {
	Wall       time.Duration // start of both exports → both done
	Results    []activities.TableResult
	Exports    map[string]*exportTiming
	VmHWMKB    int64         // peak RSS of the process running the sync
	CPU        time.Duration // over the run, not the start-up
	NumGC      uint32
	AllocMB    float64
	ErrorMsg   string     `json:",omitempty"`
	Timeline   []reqPoint `json:",omitempty"` // every request, when there are at most 200
	RSSMB      []float64  // VmRSS every rssEvery, to tell a plateau from a growth
	InsertRows int
}

const rssEvery = 250 * time.Millisecond

func (r *syncReport) sum(f func(activities.TableResult) int64) (n int64) {
	for _, t := range r.Results {
		n += f(t)
	}
	return n
}

func (r *syncReport) rows() int64 {
	return r.sum(func(t activities.TableResult) int64 { return int64(t.Rows) })
}
func (r *syncReport) pages() int64 {
	return r.sum(func(t activities.TableResult) int64 { return int64(t.Pages) })
}

// runSync opens and migrates the warehouse as the worker does at start
// (before the clock starts), then runs the real activities.SyncTable for
// calls and call_legs at once, from the start date, each under the SDK's
// TestActivityEnvironment. insertRows sets Activities.InsertRows (0: default).
func runSync(ctx context.Context, cfg config.Worker, insertRows int, log *slog.Logger) (*syncReport, error) {
	wh, err := connect.Warehouse(ctx, cfg.ClickHouse, cfg.Analytics, log)
	if err != nil {
		return nil, err
	}
	defer wh.Close()
	if err := wh.Migrate(ctx); err != nil {
		return nil, err
	}
	tt := newTimingTransport()
	zd, err := zendesk.New(zendesk.Options{
		BaseURL: cfg.Zendesk.APIBase(), Email: cfg.Zendesk.Email,
		APIToken: cfg.Zendesk.APIToken, OAuthToken: cfg.Zendesk.OAuthToken,
		ExportRPM: cfg.Zendesk.ExportRPM, RPM: cfg.Zendesk.RPM, Logger: log,
		ExportLag: cfg.Zendesk.ExportLag,
		// The worker's default client (60 s timeout, default transport), timed.
		HTTP: &http.Client{Timeout: 60 * time.Second, Transport: tt},
	})
	if err != nil {
		return nil, err
	}
	a := &activities.Activities{Zendesk: zd, Warehouse: wh, StartDate: cfg.Zendesk.StartDate, Log: log, InsertRows: insertRows}

	rep := &syncReport{InsertRows: insertRows}
	var ms0 runtime.MemStats
	runtime.ReadMemStats(&ms0)
	cpu0 := selfCPU()
	stop, sampled := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(sampled)
		tick := time.NewTicker(rssEvery)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				rep.RSSMB = append(rep.RSSMB, float64(procStatus("VmRSS"))/1024)
			}
		}
	}()
	var mu sync.Mutex
	var firstErr error
	var wg sync.WaitGroup
	t0 := time.Now()
	for _, ex := range exports {
		wg.Add(1)
		go func(table string) {
			defer wg.Done()
			res, err := syncTable(a, table, log)
			mu.Lock()
			defer mu.Unlock()
			if err != nil && firstErr == nil {
				firstErr = fmt.Errorf("%s: %w", table, err)
			}
			rep.Results = append(rep.Results, res.Tables...)
		}(ex.Table)
	}
	wg.Wait()
	rep.Wall = time.Since(t0)
	close(stop)
	<-sampled

	rep.Exports = tt.summarize()
	if tl := tt.timeline(); len(tl) <= 200 {
		rep.Timeline = tl
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	rep.NumGC = ms.NumGC - ms0.NumGC
	rep.AllocMB = float64(ms.TotalAlloc-ms0.TotalAlloc) / (1 << 20)
	rep.VmHWMKB = procStatus("VmHWM")
	rep.CPU = selfCPU() - cpu0
	if firstErr != nil {
		rep.ErrorMsg = firstErr.Error()
	}
	return rep, firstErr
}

// syncTable runs the real activity in its own test environment (the SDK's
// ExecuteActivity blocks, so each export gets one).
func syncTable(a *activities.Activities, table string, log *slog.Logger) (activities.SyncTableResult, error) {
	var suite testsuite.WorkflowTestSuite
	suite.SetLogger(tlog.NewStructuredLogger(log))
	env := suite.NewTestActivityEnvironment()
	env.RegisterActivity(a)
	var res activities.SyncTableResult
	val, err := env.ExecuteActivity(a.SyncTable, activities.SyncTableInput{Table: table})
	if err != nil {
		return res, err
	}
	return res, val.Get(&res)
}

// childMain is the hidden --child-sync mode: settings come from the
// environment exactly as the worker's (config.LoadWorker); the report goes
// to stdout as JSON, logs to stderr.
func childMain(insertRows int) int {
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	cfg, err := config.LoadWorker(time.Now())
	if err != nil {
		fmt.Fprintf(os.Stderr, "bench child: configuration: %v\n", err)
		return 1
	}
	// BENCH_CPUPROFILE=file writes the sync's CPU profile (go tool pprof).
	if path := os.Getenv("BENCH_CPUPROFILE"); path != "" {
		f, err := os.Create(path)
		if err != nil {
			fmt.Fprintf(os.Stderr, "bench child: %v\n", err)
			return 1
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintf(os.Stderr, "bench child: %v\n", err)
			return 1
		}
		defer pprof.StopCPUProfile()
	}
	rep, err := runSync(context.Background(), cfg, insertRows, log)
	if rep == nil {
		fmt.Fprintf(os.Stderr, "bench child: %v\n", err)
		return 1
	}
	if json.NewEncoder(os.Stdout).Encode(rep) != nil || err != nil {
		return 1
	}
	return 0
}

// procStatus reads a "Vm…: N kB" line of /proc/self/status.
func procStatus(key string) int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && k == key {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n
		}
	}
	return 0
}

func selfCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
