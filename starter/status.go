package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"talkwarehouse/config"
	"talkwarehouse/internal/connect"
	"talkwarehouse/tables"
	"talkwarehouse/warehouse"
)

// statusCmd prints, per table, the latest sync and the latest success:
// its cursor (exports), rows, and how far the table lags behind now.
func statusCmd(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("status", flag.ContinueOnError)
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	cfg, err := config.LoadClickHouse()
	if err != nil {
		return usageError{err}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	wh, err := connect.Warehouse(ctx, cfg, config.Analytics{}, nil)
	if err != nil {
		return err
	}
	defer wh.Close()
	st, err := wh.Status(ctx)
	if err != nil {
		return fmt.Errorf("%w (has a worker run against %s yet?)", err, cfg)
	}
	byName := map[string]warehouse.TableStatus{}
	for _, s := range st {
		byName[s.Table] = s
	}
	now := time.Now().UTC()
	w := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "TABLE\tLAST RUN\tSTATUS\tLAST SUCCESS\tROWS\tCURSOR\tLAG\tREASON")
	for _, name := range tables.Names() {
		s, ok := byName[name]
		if !ok {
			fmt.Fprintf(w, "%s\tnever\t\t\t\t\t\t\n", name)
			continue
		}
		success, cursor, lag := "never", "", ""
		if s.LastSuccess != nil {
			success = s.LastSuccess.Format(time.RFC3339)
			lag = now.Sub(*s.LastSuccess).Round(time.Second).String()
		}
		if s.Cursor != nil {
			cursor = s.Cursor.UTC().Format(time.RFC3339)
			lag = now.Sub(*s.Cursor).Round(time.Second).String()
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%d\t%s\t%s\t%s\n", name, s.LastRun.Format(time.RFC3339), s.LastStatus,
			success, s.Rows, cursor, lag, clip(s.Reason, 80))
	}
	return w.Flush()
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
