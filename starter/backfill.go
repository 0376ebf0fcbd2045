package main

import (
	"fmt"
	"time"

	"talkwarehouse/activities"
	"talkwarehouse/tables"
	"talkwarehouse/workflows"
)

// backfillWindow turns `starter sync`'s --from and --to (RFC 3339, whole
// seconds) into a backfill window, or nil when neither is given. --to
// alone starts at startDate (ZENDESK_START_DATE; zero: the worker's own
// setting decides). --from alone ends where an incremental export would
// hold its cursor now: now minus lag (ZENDESK_EXPORT_LAG), to the second.
// A window that ends before it starts, or later than now minus lag, is
// refused with an error naming the flag.
func backfillWindow(from, to string, startDate time.Time, lag time.Duration, now time.Time) (*activities.Window, error) {
	if from == "" && to == "" {
		return nil, nil
	}
	parse := func(flag, v string) (time.Time, error) {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return time.Time{}, fmt.Errorf("--%s %q is not an RFC 3339 time, e.g. 2024-01-01T00:00:00Z", flag, v)
		}
		if t.Truncate(time.Second) != t {
			return time.Time{}, fmt.Errorf("--%s %s has a fraction of a second: exports count whole seconds", flag, v)
		}
		return t.UTC(), nil
	}
	var w activities.Window
	var err error
	if from != "" {
		if w.From, err = parse("from", from); err != nil {
			return nil, err
		}
	} else if !startDate.IsZero() {
		w.From = startDate.UTC()
	}
	if to != "" {
		if w.To, err = parse("to", to); err != nil {
			return nil, err
		}
	} else {
		w.To = now.Add(-lag).UTC().Truncate(time.Second)
	}
	if err := w.Check(now, lag); err != nil {
		return nil, err
	}
	return &w, nil
}

// backfillInput makes in (not yet resolved) a backfill of w: without
// --tables it is of calls and call_legs; with tables other than these
// exports, or with --full-refresh or --no-wait-for-running, it is refused.
func backfillInput(in workflows.SyncInput, w *activities.Window) (workflows.SyncInput, error) {
	if len(in.Tables) == 0 {
		for _, name := range tables.Names() {
			if tables.MustGet(name).Kind == tables.Export {
				in.Tables = append(in.Tables, name)
			}
		}
	}
	for _, name := range in.Tables {
		if t, ok := tables.Get(name); ok && t.Kind != tables.Export {
			return in, fmt.Errorf("--from/--to backfill only the exports calls and call_legs; %s is not one (give --tables calls,call_legs)", name)
		}
	}
	switch {
	case in.FullRefresh:
		return in, fmt.Errorf("--from/--to and --full-refresh exclude each other: a backfill re-reads only its window")
	case in.IfRunning == workflows.IfRunningFail:
		return in, fmt.Errorf("--no-wait-for-running does not apply to a backfill: it takes no table lease, so it never waits for a running sync")
	}
	in.Window = w
	return in, nil
}
