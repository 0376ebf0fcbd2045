package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"talkwarehouse/config"
	"talkwarehouse/internal/connect"
	"talkwarehouse/tables"
	"talkwarehouse/zendesk"
)

// checkCmd runs with the worker's Zendesk settings: it obtains a token with
// the configured scheme, then makes one cheap request per source table
// (the first record of a list, the statistics, exports from 10 minutes
// ago) and prints per table whether it is reachable, forbidden (with
// Zendesk's reason) or failing. It succeeds when the credentials work,
// even if some tables are plan-gated. Transient faults are retried as in
// a sync, so a flaky network costs more than one request per table.
func checkCmd(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Errorf("unexpected argument %q", fs.Arg(0))}
	}
	cfg, err := config.LoadZendesk(time.Now())
	if err != nil {
		return usageError{fmt.Errorf("configuration:\n%w", err)}
	}
	// The client's warnings (the API token's retirement, retries) go to
	// stderr; the report to out.
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	zd, release, err := connect.Zendesk(cfg, log)
	if err != nil {
		return err
	}
	defer release()

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	fmt.Fprintf(out, "zendesk: %s\n", cfg.String())
	if err := zd.Authenticate(ctx); err != nil {
		fmt.Fprintf(out, "credentials: FAILED\n")
		return fmt.Errorf("no access token: %w", err)
	}
	if cfg.Scheme() == config.ClientCredentials || cfg.Scheme() == config.RefreshToken {
		fmt.Fprintf(out, "credentials: access token obtained (%s)\n", zd.Scheme())
	}
	if refresh, _ := zd.OAuthExpiry(); !refresh.IsZero() {
		fmt.Fprintf(out, "refresh token: expires at %s, in %s\n", refresh.UTC().Format(time.RFC3339), zendesk.Days(time.Until(refresh)))
		if msg := zendesk.ExpiryProblem(refresh, time.Now()); msg != "" {
			fmt.Fprintf(out, "WARNING: %s\n", msg)
		}
	}

	w := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "TABLE\tSTATUS\tDETAIL")
	var authErr, deprecated, otherErr error
	reachable, forbidden := 0, 0
	for _, t := range tables.Sources(tables.All()) {
		name := t.Name
		if fam := t.Family(); len(fam) > 1 {
			var kids []string
			for _, f := range fam[1:] {
				kids = append(kids, f.Name)
			}
			name += " (+" + strings.Join(kids, ", ") + ")"
		}
		p, err := probe(ctx, zd, t)
		switch kind := zendesk.KindOf(err); {
		case err == nil:
			reachable++
			fmt.Fprintf(w, "%s\treachable\tfirst page holds %d\n", name, len(p.Records))
		case kind == zendesk.Forbidden:
			forbidden++
			fmt.Fprintf(w, "%s\tforbidden\t%s\n", name, err)
		case kind == zendesk.Deprecated:
			// Not a plan-gated table: syncs fail it at once with this
			// message (the other tables sync).
			deprecated = err
			fmt.Fprintf(w, "%s\tfailed\t%s\n", name, err)
		case kind == zendesk.Auth:
			authErr = err
			fmt.Fprintf(w, "%s\trejected\t%s\n", name, err)
		default:
			otherErr = err
			fmt.Fprintf(w, "%s\terror\t%s\n", name, err)
		}
	}
	w.Flush()
	// The limits this check's answers reported; the worker learns them
	// the same way from its own first answers.
	account, export := zd.Budgets()
	fmt.Fprintln(out, budgetLine("account-wide", account))
	fmt.Fprintln(out, budgetLine("exports", export))
	switch {
	case authErr != nil:
		return fmt.Errorf("the credentials were rejected: %w", authErr)
	case deprecated != nil:
		return fmt.Errorf("zendesk refused the incremental exports as deprecated for third-party apps; syncs fail those tables and sync the others: %w", deprecated)
	case otherErr != nil:
		return fmt.Errorf("some tables could not be reached: %w", otherErr)
	}
	if forbidden > 0 {
		fmt.Fprintf(out, "ok: %d tables reachable, %d forbidden (syncs skip them, with the reason above)\n", reachable, forbidden)
	} else {
		fmt.Fprintf(out, "ok: all %d tables reachable\n", reachable)
	}
	return nil
}

// budgetLine reports one rate budget: the limit Zendesk's headers gave,
// the setting (a ceiling) and what a sync spends, in requests per minute.
func budgetLine(name string, b zendesk.Budget) string {
	setting := fmt.Sprintf("%s=%d", b.Setting, b.Configured)
	if b.Configured == 0 {
		setting += " (no limit)"
	}
	spend := "syncs are not limited"
	if b.Effective > 0 {
		spend = fmt.Sprintf("syncs spend %d a minute", b.Effective)
	}
	switch {
	case b.Learned == 0:
		return fmt.Sprintf("rate limit, %s: not reported in Zendesk's answers; %s; %s", name, setting, spend)
	case b.Configured == 0:
		return fmt.Sprintf("rate limit, %s: Zendesk reports %d a minute; %s; %s (the account's)", name, b.Learned, setting, spend)
	case b.Learned < b.Configured:
		return fmt.Sprintf("rate limit, %s: Zendesk reports %d a minute, below %s; %s (the account's)", name, b.Learned, setting, spend)
	default:
		return fmt.Sprintf("rate limit, %s: Zendesk reports %d a minute; %s is the ceiling; %s", name, b.Learned, setting, spend)
	}
}

// probe makes the one request that tells whether t is readable.
func probe(ctx context.Context, zd *zendesk.Client, t *tables.Table) (zendesk.Page, error) {
	var q url.Values
	switch {
	case t.Kind == tables.Export:
		q = url.Values{"start_time": {strconv.FormatInt(time.Now().Add(-10*time.Minute).Unix(), 10)}}
	case !t.Single:
		q = url.Values{"per_page": {"1"}}
	}
	p, err := zd.Fetch(ctx, zd.URL(t.Path, q), t.Envelope, t.Kind == tables.Export, nil)
	if err != nil && errors.Is(err, context.DeadlineExceeded) {
		return p, fmt.Errorf("%s: no answer within the check's 5 minutes", t.Path)
	}
	return p, err
}
