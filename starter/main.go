// Command starter starts and inspects syncs on Temporal.
//
//	starter sync [--tables t1,t2,...] [--full-refresh] [--wait] [--no-wait-for-running] [--from T] [--to T]
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

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"talkwarehouse/config"
	"talkwarehouse/internal/temporalconn"
	"talkwarehouse/tables"
	"talkwarehouse/workflows"
)

const usage = `usage: starter <command> [flags]

commands:
  sync [--tables t1,t2,...] [--full-refresh] [--wait] [--no-wait-for-running] [--from T] [--to T]
        start one sync of the named tables (all by default; "starter sync -h" lists them); an export another sync is running
        is waited for, then synced (--no-wait-for-running: the sync fails at once, naming that sync);
        --from/--to (RFC 3339): a backfill of calls and call_legs updated in [from, to) that leaves the stored cursors alone
  status
        the latest sync of every table, from the sync_runs table in ClickHouse
  check
        with the worker's ZENDESK_* settings: obtain a token, make one cheap request per source table,
        print reachable / forbidden (with the reason) / error per table; exit 0 when the credentials work
  authorize [-timeout 5m] [-listen host:port]
        OAuth clients with refresh tokens: print the authorization URL, wait for Zendesk's redirect to
        ZENDESK_OAUTH_REDIRECT_URL, store the refresh token in ZENDESK_OAUTH_STATE_FILE (docs/zendesk-auth.md)
  schedule apply|list|pause|unpause|trigger|delete [incremental|snapshot|stats|all]
        the Temporal schedules: incremental (calls, call_legs; SCHEDULE_INCREMENTAL, default
        every 15m), snapshot (configuration tables; SCHEDULE_SNAPSHOT, default 24h) and stats
        (the statistics tables and voice_settings; SCHEDULE_STATS, default 5m)

settings (environment): TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_TASK_QUEUE, TEMPORAL_UI_ADDRESS,
TEMPORAL_TLS, TEMPORAL_TLS_SERVER_CA_CERT_PATH, TEMPORAL_TLS_CLIENT_CERT_PATH, TEMPORAL_TLS_CLIENT_KEY_PATH
(or their older names TEMPORAL_TLS_CA_FILE, TEMPORAL_TLS_CERT_FILE, TEMPORAL_TLS_KEY_FILE), TEMPORAL_TLS_SERVER_NAME,
TEMPORAL_API_KEY (or TEMPORAL_API_KEY_FILE), TEMPORAL_PROFILE and TEMPORAL_CONFIG_FILE (the SDK's TOML profile); status reads CLICKHOUSE_ADDR, CLICKHOUSE_DATABASE,
CLICKHOUSE_USER, CLICKHOUSE_PASSWORD (or CLICKHOUSE_PASSWORD_FILE), CLICKHOUSE_SECURE, CLICKHOUSE_CA_FILE,
CLICKHOUSE_TLS_SERVER_NAME, CLICKHOUSE_TLS_SKIP_VERIFY;
check reads the worker's ZENDESK_* settings (with a refresh token it takes ZENDESK_OAUTH_STATE_FILE's lock,
so it cannot run while the worker holds it)
sync and schedule apply name ZENDESK_START_DATE, when set, in the summaries they give syncs;
sync --from/--to read ZENDESK_EXPORT_LAG (default 5m) to refuse a window that has not settled
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
	case "check":
		err = checkCmd(os.Args[2:], os.Stdout)
	case "schedule":
		err = scheduleCmd(os.Args[2:], os.Stdout)
	case "authorize":
		err = authorizeCmd(os.Args[2:], os.Stdout)
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
	names := fs.String("tables", "", "comma-separated tables to sync, default all: "+strings.Join(tables.Names(), ","))
	full := fs.Bool("full-refresh", false, "re-export calls and call_legs from ZENDESK_START_DATE")
	wait := fs.Bool("wait", false, "wait for the sync to finish and print a summary")
	noWait := fs.Bool("no-wait-for-running", false, "fail at once, naming the running sync, instead of waiting for a sync that is exporting the same tables")
	from := fs.String("from", "", "backfill calls and call_legs from this RFC 3339 time (inclusive; default ZENDESK_START_DATE); the stored cursors are not moved")
	to := fs.String("to", "", "backfill up to this RFC 3339 time (exclusive; default now minus ZENDESK_EXPORT_LAG, the latest allowed)")
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Errorf("unexpected argument %q", fs.Arg(0))}
	}
	in := workflows.SyncInput{FullRefresh: *full, IfRunning: workflows.IfRunningWait}
	if *noWait {
		in.IfRunning = workflows.IfRunningFail
	}
	if *names != "" {
		in.Tables = strings.Split(*names, ",")
	}
	startDate, err := config.LoadStartDate()
	if err != nil {
		return usageError{err}
	}
	if *from != "" || *to != "" {
		lag, err := config.LoadExportLag()
		if err != nil {
			return usageError{err}
		}
		w, err := backfillWindow(*from, *to, startDate, lag, time.Now())
		if err != nil {
			return usageError{err}
		}
		if in, err = backfillInput(in, w); err != nil {
			return usageError{err}
		}
	}
	// Refuse unknown tables before anything starts; the input names every
	// table the sync writes, so the web UI shows them.
	in, err = workflows.ResolveInput(in)
	if err != nil {
		return usageError{err}
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
	if in.Window != nil {
		// One window, one writer: Temporal refuses this id while it runs.
		id = workflows.BackfillID(in.Tables, *in.Window)
	}
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: id, TaskQueue: cfg.TaskQueue,
		StaticSummary: workflows.Summary(in, startDate),
		StaticDetails: workflows.Details(in, startDate, "starter sync"),
		// Never attach to a running workflow of the same id (a backfill
		// of the same window): say so instead.
		WorkflowExecutionErrorWhenAlreadyStarted: true,
	}, workflows.SyncName, in)
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &started) {
		return fmt.Errorf("a backfill of %s in this window is already running as workflow %s: wait for it (or cancel it) before starting it again", strings.Join(in.Tables, ", "), id)
	}
	if err != nil {
		return fmt.Errorf("starting sync: %w", err)
	}
	fmt.Fprintf(out, "started sync %s (run %s) on task queue %s: %s\n", run.GetID(), run.GetRunID(), cfg.TaskQueue, workflows.Summary(in, startDate))
	fmt.Fprintf(out, "web UI: %s/namespaces/%s/workflows/%s/%s/history\n",
		strings.TrimRight(cfg.UIAddress, "/"), cfg.Namespace, run.GetID(), run.GetRunID())
	if !*wait {
		return nil
	}
	var res workflows.SyncResult
	wctx, stopWatching := context.WithCancel(ctx)
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		reportWaits(wctx, c, run, out)
	}()
	err = run.Get(ctx, &res)
	stopWatching()
	<-watched
	if err != nil {
		var app *temporal.ApplicationError
		if errors.As(err, &app) {
			if app.HasDetails() {
				_ = app.Details(&res)
				printSummary(out, res)
			}
			return fmt.Errorf("sync %s failed: %s", run.GetID(), app.Message())
		}
		var canceled *temporal.CanceledError
		if errors.As(err, &canceled) {
			if canceled.HasDetails() {
				_ = canceled.Details(&res)
				printSummary(out, res)
			}
			return fmt.Errorf("sync %s was cancelled", run.GetID())
		}
		return fmt.Errorf("sync %s failed: %w", run.GetID(), err)
	}
	printSummary(out, res)
	return nil
}

func printSummary(out io.Writer, res workflows.SyncResult) {
	if res.Window != nil {
		fmt.Fprintf(out, "backfill window %s (from inclusive, to exclusive); stored cursors untouched\n", res.Window)
	}
	w := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "TABLE\tKIND\tROWS\tPAGES\tREQUESTS\tDURATION\tNOTE")
	for _, t := range res.Tables {
		fmt.Fprintf(w, "%s\t%s\t%d\t%d\t%d\t%s\t%s\n", t.Table, t.Kind, t.Rows, t.Pages, t.Requests,
			t.Duration.Round(time.Millisecond), workflows.ResultNote(t, workflows.NoteSummary))
	}
	w.Flush()
}

// reportWaits prints, once per table and holder, which running sync this
// one waits for (the workflow's progress query says), until ctx ends.
func reportWaits(ctx context.Context, c client.Client, run client.WorkflowRun, out io.Writer) {
	said := map[string]bool{}
	tick := time.NewTicker(2 * time.Second)
	defer tick.Stop()
	for {
		qctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		v, err := c.QueryWorkflow(qctx, run.GetID(), run.GetRunID(), workflows.ProgressQuery)
		cancel()
		var progress []workflows.TableProgress
		if err == nil && v.Get(&progress) == nil {
			for _, p := range progress {
				if p.State == workflows.StateWaiting && p.WaitingFor != "" && !said[p.Table+" "+p.WaitingFor] {
					said[p.Table+" "+p.WaitingFor] = true
					fmt.Fprintf(out, "%s: waiting for sync %s, which is exporting it, to finish\n", p.Table, p.WaitingFor)
				}
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

func randomSuffix() string {
	b := make([]byte, 3)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// dial connects to Temporal, quietly.
func dial(cfg config.Temporal) (client.Client, error) {
	return temporalconn.Dial(cfg, client.Options{Logger: quietLogger{}})
}

// quietLogger keeps the SDK's chatter out of the command's output.
type quietLogger struct{}

func (quietLogger) Debug(string, ...any) {}
func (quietLogger) Info(string, ...any)  {}
func (quietLogger) Warn(string, ...any)  {}
func (quietLogger) Error(string, ...any) {}
