// Command worker serves the sync workflows and activities on a Temporal
// task queue. It reads its settings from the environment, creates the
// ClickHouse database if missing and applies the schema migrations before
// it takes any work.
//
// `worker healthcheck` exits 0 if the worker at WORKER_METRICS_ADDR is
// ready (/readyz), 1 otherwise: a healthcheck for images without curl.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"go.temporal.io/sdk/client"
	tlog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"talkwarehouse/activities"
	"talkwarehouse/config"
	"talkwarehouse/exportsrole"
	"talkwarehouse/internal/connect"
	"talkwarehouse/internal/temporalconn"
	"talkwarehouse/metrics"
	"talkwarehouse/workflows"
	"talkwarehouse/zendesk"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "healthcheck" {
		addr, err := config.LoadMetricsAddr()
		if err != nil {
			fmt.Fprintf(os.Stderr, "worker healthcheck: %v\n", err)
			os.Exit(1)
		}
		os.Exit(healthcheck(addr, os.Stderr))
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	if err := run(log); err != nil {
		fmt.Fprintf(os.Stderr, "worker: %v\n", err)
		os.Exit(1)
	}
}

func run(log *slog.Logger) error {
	cfg, err := config.LoadWorker(time.Now())
	if err != nil {
		return fmt.Errorf("configuration:\n%w", err)
	}
	// SIGTERM or SIGINT ends the start-up waits, then the worker (serve).
	ctx, stopSignals := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stopSignals()

	opts := client.Options{Logger: tlog.NewStructuredLogger(log.With("component", "temporal"))}
	metricsURL := "off"
	// /readyz: 503 with the reason until the worker polls: first while
	// ClickHouse or the namespace are not there yet.
	health := metrics.NewHealth()
	var ms *metrics.Server
	if cfg.MetricsAddr != "" {
		ms, err = metrics.Start(cfg.MetricsAddr, health, log)
		if err != nil {
			return err
		}
		defer ms.Close()
		opts.MetricsHandler = ms.Handler
		metricsURL = "http://" + ms.Addr + "/metrics"
		log.Info("serving /metrics, /healthz and /readyz", "addr", ms.Addr)
	}

	if cfg.ClickHouse.TLS.SkipVerify {
		log.Warn("CLICKHOUSE_TLS_SKIP_VERIFY is on: the ClickHouse server's certificate is not checked; use it only in tests")
	}
	wh, err := openWarehouse(ctx, cfg, health, log)
	if err != nil {
		return err
	}
	defer wh.Close()

	// With a refresh token this locks its state file for the life of the
	// process: a second worker on the same file stops here.
	zd, release, err := connect.Zendesk(cfg.Zendesk, log)
	if err != nil {
		return err
	}
	defer release()
	if ms != nil {
		// The OAuth tokens' remaining lifetimes (absent without OAuth).
		if err := ms.WatchTokens(zd.OAuthExpiry); err != nil {
			return err
		}
	}
	tc, err := temporalconn.Dial(cfg.Temporal, opts)
	if err != nil {
		return err
	}
	defer tc.Close()
	if err := waitForNamespace(ctx, tc, cfg, health, log); err != nil {
		return err
	}

	// One Activities value, so both task queues share one Zendesk client
	// and its rate budgets.
	acts := &activities.Activities{Zendesk: zd, Warehouse: wh, StartDate: cfg.Zendesk.StartDate, Log: log,
		InsertRows: cfg.Loading.InsertRows, InsertEvery: cfg.Loading.InsertInterval}
	log.Info("worker ready", "task_queue", cfg.Temporal.TaskQueue, "serves_exports", cfg.ServeExports, "metrics", metricsURL,
		"temporal", cfg.Temporal.Describe(),
		"zendesk", cfg.Zendesk.String(), "clickhouse", cfg.ClickHouse.String())
	return serve(ctx, cfg, tc, acts, zd, health, log)
}

// serve runs the main task queue's worker (and, with WORKER_SERVE_EXPORTS,
// the competition for the exports role) until ctx ends (a signal) or a
// fatal worker error, then stops both at once.
func serve(ctx context.Context, cfg config.Worker, tc client.Client, acts *activities.Activities, zd *zendesk.Client, health *metrics.Health, log *slog.Logger) error {
	// Heartbeats reach Temporal at most every HeartbeatThrottle (the SDK's
	// default is 0.8 × the heartbeat timeout), so a cancel reaches a running
	// activity within seconds.
	// On a stop, running activities get WORKER_STOP_TIMEOUT to finish.
	wopts := worker.Options{MaxHeartbeatThrottleInterval: workflows.HeartbeatThrottle, WorkerStopTimeout: cfg.StopTimeout}
	// A fatal error (e.g. the namespace is gone) stops the worker; /readyz
	// says so until the process exits. Only the main task queue's worker:
	// the exports role's workers come and go (package exportsrole).
	fatal := make(chan error, 1)
	mainOpts := wopts
	mainOpts.OnFatalError = func(err error) {
		health.NotReady("worker stopped on a fatal error: " + err.Error())
		select {
		case fatal <- err:
		default:
		}
	}
	w := worker.New(tc, cfg.Temporal.TaskQueue, mainOpts)
	w.RegisterWorkflowWithOptions(workflows.Sync, workflow.RegisterOptions{Name: workflows.SyncName})
	w.RegisterWorkflowWithOptions(workflows.TableLease, workflow.RegisterOptions{Name: workflows.LeaseName})
	w.RegisterActivity(acts)
	w.RegisterActivity(&activities.Leases{Temporal: tc})
	w.RegisterWorkflowWithOptions(exportsrole.Workflow, workflow.RegisterOptions{Name: exportsrole.WorkflowName})
	// leaveRole ends the role's loop and stops its workers (their running
	// exports get WORKER_STOP_TIMEOUT to commit, as the main worker's do).
	leaveRole := func() {}
	if cfg.ServeExports {
		// Every worker competes for the exports role; the one holding it
		// serves the exports' task queue.
		rctx, stopRole := context.WithCancel(context.Background())
		role := exportsrole.New(tc, zd, log, exportsrole.Options{
			Queue: cfg.Temporal.TaskQueue, ExportsQueue: workflows.ExportTaskQueue(cfg.Temporal.TaskQueue),
			Register: func(r worker.Registry) { r.RegisterActivity(acts) }, Worker: wopts,
		})
		wait, err := role.Start(rctx)
		if err != nil {
			stopRole()
			return err
		}
		leaveRole = func() { stopRole(); wait() }
	}
	// Run's loop, with readiness: Start returns once the pollers run.
	if err := w.Start(); err != nil {
		return err
	}
	health.Ready()
	var stopErr error
	select {
	case <-ctx.Done():
		health.NotReady("stopping")
		log.Info("worker stopping", "signal", context.Cause(ctx), "stop_timeout", cfg.StopTimeout)
	case err := <-fatal:
		stopErr = fmt.Errorf("worker stopped: %w", err)
	}
	// Both stop at once, so that the whole stop takes at most one
	// WORKER_STOP_TIMEOUT.
	var wg sync.WaitGroup
	wg.Go(w.Stop)
	wg.Go(leaveRole)
	wg.Wait()
	return stopErr
}
