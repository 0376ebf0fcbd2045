package main

import (
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"talkwarehouse/workflows"
)

// Each schedule's syncs carry a summary and details saying what they do,
// and their input names the tables.
func TestScheduleActionsSaySyncWhatTheyDo(t *testing.T) {
	jan1 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	want := map[string]string{
		"incremental": "Incremental sync of calls and call_legs",
		"snapshot":    "Snapshot of 8 configuration tables",
		"stats":       "Snapshot of 5 statistics tables",
	}
	for _, d := range scheduleDefs {
		a := scheduleAction(d, "q", jan1)
		if w, ok := want[d.name]; ok && a.StaticSummary != w {
			t.Errorf("%s: summary %q, want %q", d.name, a.StaticSummary, w)
		}
		if a.StaticSummary != workflows.Summary(workflows.SyncInput{Tables: d.tables()}, jan1) {
			t.Errorf("%s: summary %q does not match its tables %v", d.name, a.StaticSummary, d.tables())
		}
		if !strings.Contains(a.StaticDetails, "**Started by**: schedule "+scheduleID(d.name)) {
			t.Errorf("%s: details %q", d.name, a.StaticDetails)
		}
		in := a.Args[0].(workflows.SyncInput)
		if len(in.Tables) != len(d.tables()) || a.TaskQueue != "q" || a.Workflow != workflows.SyncName {
			t.Errorf("%s: action %+v", d.name, a)
		}
	}
}

func TestScheduleListWordsPolicies(t *testing.T) {
	o, c := describePolicy(&client.SchedulePolicies{Overlap: enumspb.SCHEDULE_OVERLAP_POLICY_SKIP, CatchupWindow: time.Hour})
	if o != "skip" || c != "1h0m0s" {
		t.Errorf("overlap %q, catch-up %q", o, c)
	}
	o, _ = describePolicy(&client.SchedulePolicies{Overlap: enumspb.SCHEDULE_OVERLAP_POLICY_BUFFER_ONE})
	if o != "buffer_one" {
		t.Errorf("overlap %q", o)
	}
	if pastTense["trigger"] != "triggered" || pastTense["pause"] != "paused" || pastTense["delete"] != "deleted" || pastTense["unpause"] != "unpaused" {
		t.Errorf("past tenses %v", pastTense)
	}
}
