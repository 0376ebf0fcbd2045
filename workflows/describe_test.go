package workflows_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"talkwarehouse/tables"
	"talkwarehouse/workflows"
)

func TestResolveInputNamesEveryTableTheSyncWrites(t *testing.T) {
	all, err := workflows.ResolveInput(workflows.SyncInput{})
	if err != nil {
		t.Fatal(err)
	}
	want := "calls,call_legs,addresses,greetings,greeting_categories,ivrs,ivr_menus,ivr_routes,lines,phone_numbers," +
		"account_overview,agents_activity,agents_overview,current_queue_activity,voice_settings"
	if got := strings.Join(all.Tables, ","); got != want {
		t.Errorf("empty input resolves to %s, want %s", got, want)
	}
	// A derived table brings its source and siblings: they are synced too.
	r, err := workflows.ResolveInput(workflows.SyncInput{Tables: []string{"ivr_routes", " calls", "ivr_routes"}, FullRefresh: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(r.Tables, ","); got != "calls,ivrs,ivr_menus,ivr_routes" || !r.FullRefresh {
		t.Errorf("resolved %s (full refresh %v)", got, r.FullRefresh)
	}
	if _, err := workflows.ResolveInput(workflows.SyncInput{Tables: []string{"tickets"}}); err == nil || !strings.Contains(err.Error(), "tickets") {
		t.Errorf("unknown table: %v", err)
	}
}

// Every kind of sync has a summary that says what it does in words.
func TestSummaryOfEachKindOfSync(t *testing.T) {
	jan1 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		tables []string
		full   bool
		start  time.Time
		want   string
	}{
		{nil, false, jan1, "Incremental sync of calls, call_legs, 8 configuration tables and 5 statistics tables"},
		{[]string{"calls", "call_legs", "account_overview", "agents_activity", "agents_overview", "current_queue_activity", "voice_settings"}, false, jan1,
			"Incremental sync of calls, call_legs and 5 statistics tables"},
		{[]string{"addresses", "greeting_categories", "greetings", "ivrs", "ivr_menus", "ivr_routes", "lines", "phone_numbers"}, false, jan1,
			"Snapshot of 8 configuration tables"}, // the snapshot schedule
		{[]string{"calls"}, true, jan1, "Full refresh of calls from 2024-01-01"},
		{[]string{"calls"}, true, time.Time{}, "Full refresh of calls from ZENDESK_START_DATE"},
		{[]string{"call_legs", "calls"}, true, jan1.Add(6 * time.Hour), "Full refresh of calls and call_legs from 2024-01-01T06:00:00Z"},
		{nil, true, jan1, "Full refresh of calls and call_legs from 2024-01-01, with 8 configuration tables and 5 statistics tables"},
		{[]string{"calls"}, false, jan1, "Incremental sync of calls"},
		{[]string{"ivr_routes"}, false, jan1, "Snapshot of ivrs, ivr_menus and ivr_routes"},
		{[]string{"agents_activity"}, false, jan1, "Snapshot of agents_activity"},
		{[]string{"addresses", "agents_activity"}, false, jan1, "Snapshot of addresses and agents_activity"},
		// A full refresh only concerns exports: without one it is a snapshot.
		{[]string{"addresses"}, true, jan1, "Snapshot of addresses"},
	} {
		got := workflows.Summary(workflows.SyncInput{Tables: c.tables, FullRefresh: c.full}, c.start)
		if got != c.want {
			t.Errorf("Summary(%v, full=%v) = %q, want %q", c.tables, c.full, got, c.want)
		}
		if strings.Contains(got, "\n") {
			t.Errorf("summary %q is not one line", got)
		}
	}
}

func TestDetailsGiveTheRequest(t *testing.T) {
	jan1 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	d := workflows.Details(workflows.SyncInput{Tables: []string{"ivr_menus", "calls"}, FullRefresh: true}, jan1, "starter sync")
	for _, want := range []string{
		"**Tables** (4): calls, ivrs, ivr_menus, ivr_routes",
		"**Full refresh**: yes",
		"**Exports** (calls): re-exported from 2024-01-01 (ZENDESK_START_DATE)",
		"**Configuration** (ivrs, ivr_menus, ivr_routes): read whole",
		"**Started by**: starter sync",
	} {
		if !strings.Contains(d, want) {
			t.Errorf("details lack %q:\n%s", want, d)
		}
	}
	if strings.Contains(d, "Statistics") {
		t.Errorf("details mention statistics not synced:\n%s", d)
	}
	d = workflows.Details(workflows.SyncInput{}, time.Time{}, "schedule talkwarehouse-incremental")
	for _, want := range []string{
		fmt.Sprintf("**Tables** (%d): calls, call_legs, addresses,", len(tables.All())),
		"**Full refresh**: no",
		"**Exports** (calls, call_legs): resume from each table's stored cursor (from ZENDESK_START_DATE the first time)",
		"**Statistics** (account_overview, agents_activity, agents_overview, current_queue_activity, voice_settings): one new snapshot each (voice_settings: only if changed)",
		"**Started by**: schedule talkwarehouse-incremental",
	} {
		if !strings.Contains(d, want) {
			t.Errorf("details lack %q:\n%s", want, d)
		}
	}
}
