// Command worker serves the sync workflows and activities on a Temporal
// task queue. It reads its settings from the environment, creates the
// ClickHouse database if missing and applies the schema migrations before
// it takes any work.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	"go.temporal.io/sdk/client"
	tlog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"talkwarehouse/activities"
	"talkwarehouse/config"
	"talkwarehouse/metrics"
	"talkwarehouse/warehouse"
	"talkwarehouse/workflows"
	"talkwarehouse/zendesk"
)

func main() {
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
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	wh, err := warehouse.Open(ctx, cfg.ClickHouse, log)
	if err != nil {
		return err
	}
	defer wh.Close()
	if err := wh.Migrate(ctx); err != nil {
		return err
	}

	zd, err := zendesk.New(zendesk.Options{
		BaseURL: cfg.Zendesk.APIBase(), Email: cfg.Zendesk.Email,
		APIToken: cfg.Zendesk.APIToken, OAuthToken: cfg.Zendesk.OAuthToken,
		ExportRPM: cfg.Zendesk.ExportRPM, RPM: cfg.Zendesk.RPM, Logger: log,
	})
	if err != nil {
		return err
	}

	opts := client.Options{
		HostPort: cfg.Temporal.Address, Namespace: cfg.Temporal.Namespace,
		Logger: tlog.NewStructuredLogger(log.With("component", "temporal")),
	}
	metricsURL := "off"
	if cfg.MetricsAddr != "" {
		ms, err := metrics.Start(cfg.MetricsAddr, log)
		if err != nil {
			return err
		}
		defer ms.Close()
		opts.MetricsHandler = ms.Handler
		metricsURL = "http://" + ms.Addr + "/metrics"
	}
	tc, err := client.Dial(opts)
	if err != nil {
		return fmt.Errorf("cannot reach Temporal at %s (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE): %w", cfg.Temporal.Address, err)
	}
	defer tc.Close()

	// One Activities value, so both task queues share one Zendesk client
	// and its rate budgets.
	acts := &activities.Activities{Zendesk: zd, Warehouse: wh, StartDate: cfg.Zendesk.StartDate, Log: log}
	w := worker.New(tc, cfg.Temporal.TaskQueue, worker.Options{})
	w.RegisterWorkflowWithOptions(workflows.Sync, workflow.RegisterOptions{Name: workflows.SyncName})
	w.RegisterWorkflowWithOptions(workflows.TableLease, workflow.RegisterOptions{Name: workflows.LeaseName})
	w.RegisterActivity(acts)
	w.RegisterWorkflowWithOptions(workflows.ExportsRole, workflow.RegisterOptions{Name: workflows.ExportsRoleName})
	if cfg.Temporal.ServeExports {
		// Every worker competes for the exports role; the one holding it
		// serves the exports' task queue (see workflows.ExportsRole).
		rctx, stopRole := context.WithCancel(context.Background())
		wait, err := newExportsRole(tc, cfg.Temporal.TaskQueue, acts, zd, log).start(rctx)
		if err != nil {
			stopRole()
			return err
		}
		defer wait()
		defer stopRole()
	}
	log.Info("worker ready", "task_queue", cfg.Temporal.TaskQueue, "serves_exports", cfg.Temporal.ServeExports, "metrics", metricsURL,
		"temporal", cfg.Temporal.Address, "namespace", cfg.Temporal.Namespace,
		"zendesk", cfg.Zendesk.String(), "clickhouse", cfg.ClickHouse.String())
	return w.Run(worker.InterruptCh())
}
