package activities_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"

	"talkwarehouse/activities"
	"talkwarehouse/config"
	"talkwarehouse/internal/chtest"
	"talkwarehouse/internal/connect"
	"talkwarehouse/talksim"
	"talkwarehouse/warehouse"
	"talkwarehouse/zendesk"
)

// testRunID is the run id the SDK's test environment gives activities.
const testRunID = "default-test-run-id"

type fixture struct {
	sim *talksim.Sim
	wh  *warehouse.Warehouse
	a   *activities.Activities
	// starts records the start_time of every export request.
	mu     sync.Mutex
	starts []int64
	// forbidPage2 makes page 2 of offset lists answer 403.
	forbidPage2 bool
}

func newFixture(t *testing.T, cfg talksim.Config, opt zendesk.Options) *fixture {
	t.Helper()
	f := &fixture{sim: talksim.New(cfg)}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if st := r.URL.Query().Get("start_time"); st != "" {
			n, _ := strconv.ParseInt(st, 10, 64)
			f.mu.Lock()
			f.starts = append(f.starts, n)
			f.mu.Unlock()
		}
		f.mu.Lock()
		forbid := f.forbidPage2 && r.URL.Query().Get("page") == "2"
		f.mu.Unlock()
		if forbid {
			w.WriteHeader(http.StatusForbidden)
			w.Write([]byte(`{"error":"Forbidden","description":"cut short"}`))
			return
		}
		f.sim.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	opt.BaseURL = srv.URL + talksim.APIPrefix
	opt.APIToken, opt.Email = "tok", "a@b.c"
	zd, err := zendesk.New(opt)
	if err != nil {
		t.Fatal(err)
	}
	cfgCH := chtest.Config(t)
	f.wh, err = connect.Warehouse(context.Background(), cfgCH, config.Analytics{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = f.wh.Conn().Exec(context.Background(), "DROP DATABASE IF EXISTS "+cfgCH.Database)
		f.wh.Close()
	})
	if err := f.wh.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.a = &activities.Activities{Zendesk: zd, Warehouse: f.wh, StartDate: cfg.Start, HeartbeatEvery: 100 * time.Millisecond}
	return f
}

func (f *fixture) env() *testsuite.TestActivityEnvironment {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestActivityEnvironment()
	env.RegisterActivity(f.a)
	return env
}

func (f *fixture) sync(t *testing.T, env *testsuite.TestActivityEnvironment, table string) activities.SyncTableResult {
	t.Helper()
	v, err := env.ExecuteActivity(f.a.SyncTable, activities.SyncTableInput{Table: table})
	if err != nil {
		t.Fatalf("SyncTable %s: %v", table, err)
	}
	var res activities.SyncTableResult
	if err := v.Get(&res); err != nil {
		t.Fatal(err)
	}
	return res
}

func (f *fixture) count(t *testing.T, q string) uint64 {
	t.Helper()
	var n uint64
	if err := f.wh.Conn().QueryRow(context.Background(), q).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// An activity waiting for the rate budget keeps heartbeating, so it never
// looks like a dead worker.
func TestHeartbeatsWhileWaitingForTheBudget(t *testing.T) {
	cfg := talksim.DefaultConfig()
	cfg.Calls = 2500 // three pages
	f := newFixture(t, cfg, zendesk.Options{ExportRPM: 1, Window: 1500 * time.Millisecond})
	counter := &heartbeatCounter{}
	var s testsuite.WorkflowTestSuite
	env := s.NewTestActivityEnvironment()
	env.SetWorkerOptions(worker.Options{Interceptors: []interceptor.WorkerInterceptor{counter}})
	env.RegisterActivity(f.a)
	t0 := time.Now()
	f.sync(t, env, "calls")
	took := time.Since(t0)
	if took < 3*time.Second {
		t.Fatalf("three pages at one per 1.5 s took %v: the budget was not applied", took)
	}
	if beats, want := int(counter.n.Load()), int(took/(100*time.Millisecond)/2); beats < want {
		t.Fatalf("%d heartbeats in %v of mostly waiting, want at least %d", beats, took, want)
	}
}

// A configuration snapshot cut short deletes nothing; the next complete
// one marks the removed entity.
func TestSnapshotCutShortDeletesNothing(t *testing.T) {
	f := newFixture(t, talksim.DefaultConfig(), zendesk.Options{})
	env := f.env()
	f.sync(t, env, "greetings")
	total := uint64(f.sim.Expected()["greetings"])
	recs, _ := f.sim.Records("greetings")
	if err := f.sim.Delete("greetings", recs[0]["id"]); err != nil {
		t.Fatal(err)
	}
	f.forbidPage2 = true
	res := f.sync(t, f.env(), "greetings")
	if !res.Tables[0].Skipped {
		t.Fatalf("cut-short snapshot not reported as skipped: %+v", res.Tables[0])
	}
	if n := f.count(t, "SELECT count() FROM greetings FINAL WHERE _deleted = 0"); n != total {
		t.Fatalf("%d live greetings after a cut-short snapshot, want %d (nothing deleted)", n, total)
	}
	f.forbidPage2 = false
	res = f.sync(t, f.env(), "greetings")
	if res.Tables[0].Deleted != 1 || f.count(t, "SELECT count() FROM greetings FINAL WHERE _deleted = 0") != total-1 {
		t.Fatalf("complete snapshot: deleted %d", res.Tables[0].Deleted)
	}
}

// A retried export resumes from the later of its heartbeat and the cursor
// it stored in ClickHouse (heartbeats reach the server late).
func TestExportResumesFromTheLaterCheckpoint(t *testing.T) {
	cfg := talksim.DefaultConfig()
	cfg.Calls = 3000
	start := cfg.Start.Unix()
	for _, c := range []struct {
		name           string
		heartbeat, ch  int64
		wantFirstStart int64
	}{
		{"stored cursor later", start + 100, start + 400, start + 400},
		{"heartbeat later", start + 500, start + 200, start + 500},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t, cfg, zendesk.Options{})
			if err := f.wh.SaveCursor(context.Background(), warehouse.Cursor{Table: "calls", Cursor: time.Unix(c.ch, 0), SyncID: testRunID}); err != nil {
				t.Fatal(err)
			}
			env := f.env()
			env.SetHeartbeatDetails(activities.Checkpoint{StartTime: c.heartbeat, Pages: 3})
			v, err := env.ExecuteActivity(f.a.SyncTable, activities.SyncTableInput{Table: "calls", FullRefresh: true})
			if err != nil {
				t.Fatal(err)
			}
			var res activities.SyncTableResult
			v.Get(&res)
			if len(f.starts) == 0 || f.starts[0] != c.wantFirstStart {
				t.Fatalf("first export request at start_time %v, want %d", f.starts, c.wantFirstStart)
			}
			if res.Tables[0].Pages <= 3 {
				t.Fatalf("pages %d: the heartbeat's count was not carried on", res.Tables[0].Pages)
			}
		})
	}
}

// heartbeatCounter counts every RecordHeartbeat call (the SDK batches what
// it sends to the server, so a listener would see only a few).
type heartbeatCounter struct {
	interceptor.WorkerInterceptorBase
	n atomic.Int64
}

func (h *heartbeatCounter) InterceptActivity(ctx context.Context, next interceptor.ActivityInboundInterceptor) interceptor.ActivityInboundInterceptor {
	return &heartbeatInbound{ActivityInboundInterceptorBase: interceptor.ActivityInboundInterceptorBase{Next: next}, h: h}
}

type heartbeatInbound struct {
	interceptor.ActivityInboundInterceptorBase
	h *heartbeatCounter
}

func (i *heartbeatInbound) Init(outbound interceptor.ActivityOutboundInterceptor) error {
	return i.Next.Init(&heartbeatOutbound{ActivityOutboundInterceptorBase: interceptor.ActivityOutboundInterceptorBase{Next: outbound}, h: i.h})
}

type heartbeatOutbound struct {
	interceptor.ActivityOutboundInterceptorBase
	h *heartbeatCounter
}

func (o *heartbeatOutbound) RecordHeartbeat(ctx context.Context, details ...any) {
	o.h.n.Add(1)
	o.Next.RecordHeartbeat(ctx, details...)
}
