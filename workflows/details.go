package workflows

import (
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"talkwarehouse/activities"
	"talkwarehouse/tables"
)

// The workflow's current details (workflow.SetCurrentDetails): a markdown
// table, one row per table, that the web UI shows on the workflow's page
// and `temporal workflow describe` prints. The workflow renders it again
// whenever a table changes state (waiting, running, done, skipped,
// failed), never per page: pages happen inside activities, whose live
// counts are their heartbeat details (Pending Activities).
//
// Current details are not history: the SDK keeps them in the workflow's
// memory and answers the server's __temporal_workflow_metadata query with
// them, so updating them adds no command and no event (a closed workflow's
// details are rebuilt by replaying its history). Likewise an activity's
// Summary is metadata on its ScheduleActivityTask command, which replay
// does not compare (it matches activity id and type). Neither needs a
// workflow.GetVersion.

// Table states, as the progress query and the current details name them.
const (
	StateWaiting = "waiting" // not scheduled yet: an export waiting for its lease
	StateRunning = "running" // its activity is scheduled or running
	StateDone    = "done"
	StateSkipped = "skipped"
	StateFailed  = "failed"
	// StateCancelled: the sync was cancelled while the table ran.
	StateCancelled = "cancelled"
)

// renderDetails is the current details of a sync: a one-line tally and a
// table of every table in display order.
func renderDetails(progress map[string]*TableProgress) string {
	names := make([]string, 0, len(progress))
	count := map[string]int{}
	for name, p := range progress {
		names = append(names, name)
		count[p.State]++
	}
	sortTables(names)
	var b strings.Builder
	var tally []string
	for _, s := range []string{StateDone, StateSkipped, StateFailed, StateCancelled, StateRunning, StateWaiting} {
		if count[s] > 0 {
			tally = append(tally, fmt.Sprintf("%d %s", count[s], s))
		}
	}
	fmt.Fprintf(&b, "**%d tables**: %s", len(names), strings.Join(tally, ", "))
	if count[StateRunning] > 0 {
		b.WriteString(" (live counts of running tables: Pending Activities)")
	}
	b.WriteString("\n\n| table | state | rows | pages | cursor | note |\n|---|---|--:|--:|---|---|\n")
	for _, name := range names {
		p := progress[name]
		var rows, pages, cursor, note string
		if p.ExportFrom != nil {
			cursor = "from " + rfc3339(*p.ExportFrom)
		}
		if r := p.Result; r != nil {
			if !r.Skipped {
				rows, pages = fmt.Sprint(r.Rows), fmt.Sprint(r.Pages)
			}
			if r.CursorAfter != nil {
				cursor = "now " + rfc3339(*r.CursorAfter)
			}
			if r.WindowReached != nil {
				cursor = "window read up to " + rfc3339(*r.WindowReached)
			}
			note = ResultNote(*r, NoteDetails)
		}
		switch p.State {
		case StateFailed:
			note = p.Error
		case StateWaiting:
			if p.WaitingFor != "" {
				note = "waiting for sync " + p.WaitingFor + " to finish exporting it"
			} else if tables.MustGet(name).Source().Kind == tables.Export {
				note = "waiting for its lease (one export of a table at a time)"
			}
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", name, p.State, rows, pages, cursor, cell(note))
	}
	return b.String()
}

// NoteFor says where a table's note (ResultNote) is shown, and so what it
// leaves to the columns beside it.
type NoteFor int

const (
	// NoteDetails: the note column of the current details (renderDetails),
	// beside state, rows, pages and cursor columns.
	NoteDetails NoteFor = iota
	// NoteSummary: the NOTE column of `starter sync --wait`'s summary,
	// beside rows, pages, requests and duration: it says how a table ended
	// (SKIPPED, FAILED, CANCELLED), its cursor, warnings and notes.
	NoteSummary
)

// ResultNote is the one place a finished table's note is worded: what else
// it did, for where the note is shown (f), its parts joined with "; ".
// NoteDetails: why it was skipped, deletions, values of an unexpected type,
// throttling, and how long it took ("3 marked deleted; took 1.5s").
// NoteSummary: "SKIPPED: reason", "FAILED: error", "CANCELLED", its cursor,
// a backfill's window reached, throttling, values of an unexpected type,
// "WARNING: " and each warning, then its notes.
func ResultNote(r activities.TableResult, f NoteFor) string {
	throttled, problems := "", ""
	if r.Throttled > 0 || r.Retries > 0 {
		throttled = fmt.Sprintf("%d throttled, %d retried", r.Throttled, r.Retries)
	}
	if r.Problems > 0 {
		problems = fmt.Sprintf("%d values of unexpected type kept only in _raw (first: %s)", r.Problems, r.FirstProblem)
	}
	var parts []string
	add := func(p string) {
		if p != "" {
			parts = append(parts, p)
		}
	}
	if f == NoteDetails {
		if r.Skipped {
			parts = append(parts, r.Reason)
		}
		if r.Deleted > 0 {
			add(fmt.Sprintf("%d marked deleted", r.Deleted))
		}
		add(problems)
		add(throttled)
		if r.Duration > 0 {
			add("took " + roundDuration(r.Duration))
		}
		return strings.Join(parts, "; ")
	}
	if r.Skipped {
		add("SKIPPED: " + r.Reason)
	}
	if r.Error != "" {
		add("FAILED: " + r.Error)
	}
	if r.Cancelled {
		add("CANCELLED")
	}
	if r.CursorAfter != nil {
		add("cursor " + rfc3339(*r.CursorAfter))
	}
	if r.Window != nil && r.WindowReached != nil {
		add(fmt.Sprintf("window %s read up to %s", r.Window, rfc3339(*r.WindowReached)))
	}
	add(throttled)
	add(problems)
	for _, w := range r.Warnings {
		add("WARNING: " + w)
	}
	parts = append(parts, r.Notes...)
	return strings.Join(parts, "; ")
}

// roundDuration keeps two or three significant figures: 42ms, 3.25s, 1m12s.
func roundDuration(d time.Duration) string {
	switch {
	case d >= 10*time.Second:
		return d.Round(time.Second).String()
	case d >= time.Second:
		return d.Round(10 * time.Millisecond).String()
	}
	return d.Round(time.Millisecond).String()
}

func rfc3339(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// cell makes text safe in a markdown table cell: one line, no column
// break, and not endless (an error message can be long).
func cell(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	s = strings.ReplaceAll(s, "|", "\\|")
	if r := []rune(s); len(r) > 200 {
		s = string(r[:200]) + "…"
	}
	return s
}

// activitySummary is the one-line summary of a table's SyncTable activity
// in the web UI: "calls: export from 2026-11-30T08:00:00Z", "ivrs:
// snapshot (also ivr_menus, ivr_routes)". from is where an export begins,
// nil when unknown.
func activitySummary(s *tables.Table, fullRefresh bool, from *time.Time) string {
	var also []string
	for _, t := range s.Family()[1:] {
		also = append(also, t.Name)
	}
	switch {
	case s.Kind == tables.Stats:
		return s.Name + ": statistics snapshot"
	case s.Kind == tables.Snapshot && len(also) > 0:
		return fmt.Sprintf("%s: snapshot (also %s)", s.Name, strings.Join(also, ", "))
	case s.Kind == tables.Snapshot:
		return s.Name + ": snapshot"
	}
	what := "export"
	if fullRefresh {
		what = "full refresh, export"
	}
	switch {
	case from != nil:
		return fmt.Sprintf("%s: %s from %s", s.Name, what, rfc3339(*from))
	case fullRefresh:
		return fmt.Sprintf("%s: %s from ZENDESK_START_DATE", s.Name, what)
	}
	return fmt.Sprintf("%s: %s from its stored cursor", s.Name, what)
}

// withSummary sets the summary of the activities started with ctx.
func withSummary(ctx workflow.Context, summary string) workflow.Context {
	opts := workflow.GetActivityOptions(ctx)
	opts.Summary = summary
	return workflow.WithActivityOptions(ctx, opts)
}

// exportFrom asks where an export will begin (activities.ExportStart, a
// local activity: one marker event). It is only for people to read, so a
// failure (ClickHouse unreachable: the export itself will say so) leaves
// it unknown rather than failing the table.
func exportFrom(ctx workflow.Context, in activities.SyncTableInput) *time.Time {
	var a *activities.Activities
	lctx := workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{
		ScheduleToCloseTimeout: 30 * time.Second,
		RetryPolicy:            &temporal.RetryPolicy{InitialInterval: time.Second, MaximumAttempts: 3},
		Summary:                in.Table + ": read where its export resumes",
	})
	var from time.Time
	if err := workflow.ExecuteLocalActivity(lctx, a.ExportStart, in).Get(ctx, &from); err != nil {
		workflow.GetLogger(ctx).Warn("export start unknown", "table", in.Table, "error", err)
		return nil
	}
	return &from
}
