package workflows

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"talkwarehouse/activities"
	"talkwarehouse/tables"
)

// This file words a sync for people: the one-line summary and the details
// that the web UI and `temporal workflow describe` show for a workflow
// (StartWorkflowOptions.StaticSummary and StaticDetails, set by the starter
// and by the schedules' actions), and the table order they use.

// ResolveInput returns in with its table list resolved: every table the
// sync writes, the tables derived from a named source included (ivrs brings
// ivr_menus and ivr_routes), in display order. An empty list resolves to
// every table of the catalogue. The workflow accepts both forms; a resolved one reads in
// the web UI without knowing the catalogue.
func ResolveInput(in SyncInput) (SyncInput, error) {
	requested, err := tables.Resolve(in.Tables)
	if err != nil {
		return in, err
	}
	out := in
	out.Tables = nil
	for _, s := range tables.Sources(requested) {
		for _, t := range s.Family() {
			out.Tables = append(out.Tables, t.Name)
		}
	}
	sortTables(out.Tables)
	return out, nil
}

// resolved is ResolveInput, or in itself if it names an unknown table.
func resolved(in SyncInput) SyncInput {
	if r, err := ResolveInput(in); err == nil {
		return r
	}
	return in
}

// sortTables orders names by kind (exports, then configuration, then
// statistics), then by name with an underscore after every letter, so that
// a table comes before those named after it: calls, call_legs; ivrs,
// ivr_menus, ivr_routes.
func sortTables(names []string) {
	rank := map[tables.Kind]int{tables.Export: 0, tables.Snapshot: 1, tables.Stats: 2}
	key := func(n string) string { return strings.ReplaceAll(n, "_", "~") }
	sort.SliceStable(names, func(i, j int) bool {
		ki, kj := rank[tables.MustGet(names[i]).Kind], rank[tables.MustGet(names[j]).Kind]
		if ki != kj {
			return ki < kj
		}
		return key(names[i]) < key(names[j])
	})
}

// byKind splits a resolved table list into exports, configuration
// (snapshot) and statistics tables, each in display order.
func byKind(names []string) (exports, config, stats []string) {
	names = append([]string(nil), names...)
	sortTables(names)
	for _, n := range names {
		switch tables.MustGet(n).Kind {
		case tables.Export:
			exports = append(exports, n)
		case tables.Snapshot:
			config = append(config, n)
		case tables.Stats:
			stats = append(stats, n)
		}
	}
	return exports, config, stats
}

// group names a few tables ("ivrs, ivr_menus and ivr_routes"), or counts
// more than three ("8 configuration tables").
func group(names []string, noun string) string {
	if len(names) > 3 {
		return fmt.Sprintf("%d %s tables", len(names), noun)
	}
	return andList(names)
}

func andList(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

// startDateText is ZENDESK_START_DATE as a person writes it: the date alone
// at midnight UTC, RFC 3339 otherwise; unknown (zero) names the setting.
func startDateText(d time.Time) string {
	switch {
	case d.IsZero():
		return "ZENDESK_START_DATE"
	case d.UTC().Equal(d.UTC().Truncate(24 * time.Hour)):
		return d.UTC().Format(time.DateOnly)
	}
	return d.UTC().Format(time.RFC3339)
}

// windowText is a backfill window as "2024-01-01..2024-02-01", its start
// ZENDESK_START_DATE (startDate, if known) when it has none.
func windowText(w activities.Window, startDate time.Time) string {
	from := startDateText(startDate)
	if !w.From.IsZero() {
		from = startDateText(w.From)
	}
	return from + ".." + startDateText(w.To)
}

// Summary is a sync's one-line summary, e.g. "Incremental sync of calls,
// call_legs and 4 statistics tables", "Snapshot of 8 configuration tables",
// "Full refresh of calls from 2024-01-01". in need not be resolved.
// startDate is ZENDESK_START_DATE when the caller knows it, zero otherwise
// (the summary then names the setting).
func Summary(in SyncInput, startDate time.Time) string {
	in = resolved(in)
	exports, config, stats := byKind(in.Tables)
	var rest []string
	if len(config) > 0 {
		rest = append(rest, group(config, "configuration"))
	}
	if len(stats) > 0 {
		rest = append(rest, group(stats, "statistics"))
	}
	switch {
	case in.Window != nil:
		return fmt.Sprintf("Backfill of %s, window %s", andList(append(exports, rest...)), windowText(*in.Window, startDate))
	case len(exports) == 0:
		return "Snapshot of " + andList(rest)
	case in.FullRefresh && len(rest) == 0:
		return fmt.Sprintf("Full refresh of %s from %s", andList(exports), startDateText(startDate))
	case in.FullRefresh:
		return fmt.Sprintf("Full refresh of %s from %s, with %s", andList(exports), startDateText(startDate), andList(rest))
	}
	return "Incremental sync of " + andList(append(exports, rest...))
}

// Details are a sync's fixed details, in the web UI's markdown: the
// resolved tables by kind, the mode, where exports start, and who started
// it (startedBy, e.g. "starter sync" or "schedule talkwarehouse-snapshot").
// They hold no secret: only table names, the mode and a date.
func Details(in SyncInput, startDate time.Time, startedBy string) string {
	in = resolved(in)
	exports, config, stats := byKind(in.Tables)
	var b strings.Builder
	fmt.Fprintf(&b, "**Tables** (%d): %s  \n", len(in.Tables), strings.Join(append(append(append([]string{}, exports...), config...), stats...), ", "))
	full := "no"
	if in.FullRefresh {
		full = "yes"
	}
	fmt.Fprintf(&b, "**Full refresh**: %s  \n", full)
	switch {
	case in.Window != nil:
		fmt.Fprintf(&b, "**Backfill** (%s): records updated in %s only (from inclusive, to exclusive); the stored cursors are not read or moved, and no table lease is taken; rows already stored are replaced, not duplicated  \n",
			strings.Join(exports, ", "), windowText(*in.Window, startDate))
	case len(exports) > 0 && in.FullRefresh:
		fmt.Fprintf(&b, "**Exports** (%s): re-exported from %s (ZENDESK_START_DATE); rows already stored are replaced, not duplicated  \n",
			strings.Join(exports, ", "), startDateText(startDate))
	case len(exports) > 0:
		fmt.Fprintf(&b, "**Exports** (%s): resume from each table's stored cursor (from %s the first time); each export's activity summary names the time  \n",
			strings.Join(exports, ", "), startDateText(startDate))
	}
	if len(config) > 0 {
		fmt.Fprintf(&b, "**Configuration** (%s): read whole; entities no longer listed are marked deleted  \n", strings.Join(config, ", "))
	}
	if len(stats) > 0 {
		var changes []string // kept as a change log: a row only when changed
		for _, n := range stats {
			if tables.MustGet(n).OnlyChanges {
				changes = append(changes, n)
			}
		}
		also := ""
		if len(changes) > 0 {
			also = fmt.Sprintf(" (%s: only if changed)", strings.Join(changes, ", "))
		}
		fmt.Fprintf(&b, "**Statistics** (%s): one new snapshot each%s  \n", strings.Join(stats, ", "), also)
	}
	fmt.Fprintf(&b, "**Started by**: %s", startedBy)
	return b.String()
}
