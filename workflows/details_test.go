package workflows

import (
	"strings"
	"testing"
	"time"

	"talkwarehouse/activities"
	"talkwarehouse/tables"
)

func TestCurrentDetailsTable(t *testing.T) {
	from := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	after := from.Add(90 * time.Minute)
	progress := map[string]*TableProgress{
		"calls":     {Table: "calls", State: StateRunning, ExportFrom: &from},
		"call_legs": {Table: "call_legs", State: StateWaiting},
		"addresses": {Table: "addresses", State: StateDone, Result: &activities.TableResult{Rows: 120, Pages: 2, Deleted: 3, Duration: 1500 * time.Millisecond}},
		"ivrs":      {Table: "ivrs", State: StateSkipped, Result: &activities.TableResult{Skipped: true, Reason: "HTTP 403: IVR needs Talk Professional"}},
		"greetings": {Table: "greetings", State: StateFailed, Error: "clickhouse: inserting into greetings:\n connection | refused"},
		"account_overview": {Table: "account_overview", State: StateDone, ExportFrom: nil,
			Result: &activities.TableResult{Rows: 1, Pages: 1, Problems: 2, FirstProblem: `account_overview: record: field "total_calls": not an integer: "x"`}},
	}
	progress["calls"].Result = nil
	got := renderDetails(progress)
	for _, want := range []string{
		"**6 tables**: 2 done, 1 skipped, 1 failed, 1 running, 1 waiting (live counts of running tables: Pending Activities)",
		"| table | state | rows | pages | cursor | note |",
		"| calls | running |  |  | from 2026-11-30T08:00:00Z |  |",
		"| call_legs | waiting |  |  |  | waiting for its lease (one export of a table at a time) |",
		"| addresses | done | 120 | 2 |  | 3 marked deleted; took 1.5s |",
		"| ivrs | skipped |  |  |  | HTTP 403: IVR needs Talk Professional |",
		"| greetings | failed |  |  |  | clickhouse: inserting into greetings: connection \\| refused |",
		`| account_overview | done | 1 | 1 |  | 2 values of unexpected type kept only in _raw (first: account_overview: record: field "total_calls": not an integer: "x") |`,
	} {
		if !strings.Contains(got, want+"\n") && !strings.HasPrefix(got, want) {
			t.Errorf("current details lack %q:\n%s", want, got)
		}
	}
	// Rows in display order: exports, configuration, statistics.
	order := []string{"| calls ", "| call_legs ", "| addresses ", "| greetings ", "| ivrs ", "| account_overview "}
	last := -1
	for _, o := range order {
		i := strings.Index(got, o)
		if i < last {
			t.Errorf("%q out of order:\n%s", o, got)
		}
		last = i
	}

	progress["calls"].State, progress["calls"].Result = StateDone, &activities.TableResult{Rows: 4000, Pages: 5, CursorAfter: &after}
	if got := renderDetails(progress); !strings.Contains(got, "| calls | done | 4000 | 5 | now 2026-11-30T09:30:00Z |") {
		t.Errorf("a finished export shows its new cursor:\n%s", got)
	}
}

func TestActivitySummaries(t *testing.T) {
	from := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		table string
		full  bool
		from  *time.Time
		want  string
	}{
		{"calls", false, &from, "calls: export from 2026-11-30T08:00:00Z"},
		{"call_legs", true, &from, "call_legs: full refresh, export from 2026-11-30T08:00:00Z"},
		{"calls", false, nil, "calls: export from its stored cursor"},
		{"calls", true, nil, "calls: full refresh, export from ZENDESK_START_DATE"},
		{"ivrs", false, nil, "ivrs: snapshot (also ivr_menus, ivr_routes)"},
		{"addresses", true, nil, "addresses: snapshot"},
		{"agents_activity", false, nil, "agents_activity: statistics snapshot"},
	} {
		if got := activitySummary(tables.MustGet(c.table), c.full, c.from); got != c.want {
			t.Errorf("%s: %q, want %q", c.table, got, c.want)
		}
	}
}

// One result, worded for each place a note is shown: the current details
// leave the state and cursor to their columns; the starter's summary
// names them.
func TestResultNoteForEachPlace(t *testing.T) {
	after := time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC)
	w := &activities.Window{From: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), To: after}
	r := activities.TableResult{Table: "calls", Error: "HTTP 401", CursorAfter: &after, Window: w, WindowReached: &after,
		Throttled: 2, Retries: 1, Problems: 1, FirstProblem: "x", Deleted: 3, Duration: 1500 * time.Millisecond,
		Warnings: []string{"future-dated"}, Notes: []string{"nothing new yet"}}
	for _, c := range []struct {
		f    NoteFor
		want string
	}{
		{NoteDetails, "3 marked deleted; 1 values of unexpected type kept only in _raw (first: x); 2 throttled, 1 retried; took 1.5s"},
		{NoteSummary, "FAILED: HTTP 401; cursor 2024-02-01T00:00:00Z; window 2024-01-01T00:00:00Z..2024-02-01T00:00:00Z read up to 2024-02-01T00:00:00Z; " +
			"2 throttled, 1 retried; 1 values of unexpected type kept only in _raw (first: x); WARNING: future-dated; nothing new yet"},
	} {
		if got := ResultNote(r, c.f); got != c.want {
			t.Errorf("ResultNote(%d):\n got %q\nwant %q", c.f, got, c.want)
		}
	}
	s := activities.TableResult{Skipped: true, Reason: "HTTP 403", Cancelled: true}
	if got := ResultNote(s, NoteDetails); got != "HTTP 403" {
		t.Errorf("skipped, details: %q", got)
	}
	if got := ResultNote(s, NoteSummary); got != "SKIPPED: HTTP 403; CANCELLED" {
		t.Errorf("skipped, summary: %q", got)
	}
}
