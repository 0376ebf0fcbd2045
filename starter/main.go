// Command starter starts and inspects syncs on Temporal.
//
//	starter sync [--tables t1,t2,...] [--full-refresh] [--wait]
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"talkwarehouse/activities"
	"talkwarehouse/config"
	"talkwarehouse/tables"
	"talkwarehouse/workflows"
)

const usage = `usage: starter <command> [flags]

commands:
  sync [--tables t1,t2,...] [--full-refresh] [--wait]
        start one sync of the named tables (all 14 by default)
  status
        the latest sync of every table, from the sync_runs table in ClickHouse
  schedule apply|list|pause|unpause|trigger|delete [incremental|snapshot|stats|all]
        the Temporal schedules: incremental (calls, call_legs; SCHEDULE_INCREMENTAL, default
        every 15m), snapshot (configuration tables; SCHEDULE_SNAPSHOT, default 24h) and stats
        (the four statistics tables; SCHEDULE_STATS, default 5m)

settings (environment): TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_TASK_QUEUE, TEMPORAL_UI_ADDRESS;
status reads CLICKHOUSE_ADDR, CLICKHOUSE_DATABASE, CLICKHOUSE_USER, CLICKHOUSE_PASSWORD
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "sync":
		err = syncCmd(os.Args[2:], os.Stdout)
	case "status":
		err = statusCmd(os.Args[2:], os.Stdout)
	case "schedule":
		err = scheduleCmd(os.Args[2:], os.Stdout)
	case "-h", "--help", "help":
		fmt.Print(usage)
		return
	default:
		fmt.Fprintf(os.Stderr, "starter: unknown command %q\n\n%s", os.Args[1], usage)
		os.Exit(2)
	}
	if err != nil {
		var u usageError
		if errors.As(err, &u) {
			fmt.Fprintf(os.Stderr, "starter: %v\n", err)
			os.Exit(2)
		}
		fmt.Fprintf(os.Stderr, "starter: %v\n", err)
		os.Exit(1)
	}
}

type usageError struct{ error }

func syncCmd(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("sync", flag.ContinueOnError)
	names := fs.String("tables", "", "comma-separated tables to sync (default: all 14)")
	full := fs.Bool("full-refresh", false, "re-export calls and call_legs from ZENDESK_START_DATE")
	wait := fs.Bool("wait", false, "wait for the sync to finish and print a summary")
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Errorf("unexpected argument %q", fs.Arg(0))}
	}
	in := workflows.SyncInput{FullRefresh: *full}
	if *names != "" {
		in.Tables = strings.Split(*names, ",")
	}
	// Refuse unknown tables before anything starts.
	ts, err := tables.Resolve(in.Tables)
	if err != nil {
		return usageError{err}
	}
	if len(in.Tables) > 0 {
		in.Tables = in.Tables[:0]
		for _, t := range ts {
			in.Tables = append(in.Tables, t.Name)
		}
	}

	cfg, err := config.LoadTemporal()
	if err != nil {
		return usageError{err}
	}
	c, err := dial(cfg)
	if err != nil {
		return err
	}
	defer c.Close()

	ctx := context.Background()
	id := "talk-sync-" + time.Now().UTC().Format("20060102T150405Z") + "-" + randomSuffix()
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: cfg.TaskQueue}, workflows.SyncName, in)
	if err != nil {
		return fmt.Errorf("starting sync: %w", err)
	}
	fmt.Fprintf(out, "started sync %s (run %s) on task queue %s\n", run.GetID(), run.GetRunID(), cfg.TaskQueue)
	fmt.Fprintf(out, "web UI: %s/namespaces/%s/workflows/%s/%s/history\n",
		strings.TrimRight(cfg.UIAddress, "/"), cfg.Namespace, run.GetID(), run.GetRunID())
	if !*wait {
		return nil
	}
	var res workflows.SyncResult
	err = run.Get(ctx, &res)
	if err != nil {
		var app *temporal.ApplicationError
		if errors.As(err, &app) {
			if app.HasDetails() {
				_ = app.Details(&res)
				printSummary(out, res)
			}
			return fmt.Errorf("sync %s failed: %s", run.GetID(), app.Message())
		}
		return fmt.Errorf("sync %s failed: %w", run.GetID(), err)
	}
	printSummary(out, res)
	return nil
}

func printSummary(out io.Writer, res workflows.SyncResult) {
	w := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "TABLE\tKIND\tROWS\tPAGES\tREQUESTS\tDURATION\tNOTE")
	for _, t := range res.Tables {
		fmt.Fprintf(w, "%s\t%s\t%d\t%d\t%d\t%s\t%s\n", t.Table, t.Kind, t.Rows, t.Pages, t.Requests,
			t.Duration.Round(time.Millisecond), note(t))
	}
	w.Flush()
}

func note(t activities.TableResult) string {
	var parts []string
	if t.Skipped {
		parts = append(parts, "SKIPPED: "+t.Reason)
	}
	if t.CursorAfter != nil {
		parts = append(parts, "cursor "+t.CursorAfter.UTC().Format(time.RFC3339))
	}
	if t.Throttled > 0 || t.Retries > 0 {
		parts = append(parts, fmt.Sprintf("%d throttled, %d retried", t.Throttled, t.Retries))
	}
	if t.Problems > 0 {
		parts = append(parts, fmt.Sprintf("%d values of unexpected type kept only in _raw", t.Problems))
	}
	return strings.Join(parts, "; ")
}

func randomSuffix() string {
	b := make([]byte, 3)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// dial connects to Temporal, quietly.
func dial(cfg config.Temporal) (client.Client, error) {
	c, err := client.Dial(client.Options{HostPort: cfg.Address, Namespace: cfg.Namespace, Logger: quietLogger{}})
	if err != nil {
		return nil, fmt.Errorf("cannot reach Temporal at %s (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE): %w", cfg.Address, err)
	}
	return c, nil
}

// quietLogger keeps the SDK's chatter out of the command's output.
type quietLogger struct{}

func (quietLogger) Debug(string, ...any) {}
func (quietLogger) Info(string, ...any)  {}
func (quietLogger) Warn(string, ...any)  {}
func (quietLogger) Error(string, ...any) {}
