package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
)

// Applying twice leaves the same three schedules, with their specs from the
// settings; triggering each completes a sync; pause, unpause and delete do
// what they say.
func TestSchedules(t *testing.T) {
	e := newEnv(t, smallAccount())
	run := func(extra []string, args ...string) string {
		t.Helper()
		out, err := e.starterEnv(extra, append([]string{"schedule"}, args...)...)
		if err != nil {
			t.Fatalf("starter schedule %v: %v\n%s", args, err, out)
		}
		return out
	}
	if out := run(nil, "apply"); strings.Count(out, "created schedule") != 3 {
		t.Fatalf("first apply:\n%s", out)
	}
	if out := run([]string{"SCHEDULE_INCREMENTAL=30m"}, "apply"); strings.Count(out, "updated schedule") != 3 {
		t.Fatalf("second apply:\n%s", out)
	}
	list := run(nil, "list")
	inc, snap, stats := lineOf(list, "talkwarehouse-incremental"), lineOf(list, "talkwarehouse-snapshot"), lineOf(list, "talkwarehouse-stats")
	if !strings.Contains(inc, "every 30m0s") || !strings.Contains(inc, "active") || !strings.Contains(inc, "calls,call_legs") || strings.Contains(inc, "agents_activity") {
		t.Errorf("incremental schedule: %q", inc)
	}
	if !strings.Contains(stats, "every 5m0s") || !strings.Contains(stats, "account_overview,agents_activity,agents_overview,current_queue_activity") || strings.Contains(stats, "calls") {
		t.Errorf("stats schedule: %q", stats)
	}
	if !strings.Contains(snap, "every 24h0m0s") || !strings.Contains(snap, "addresses,greetings,greeting_categories,ivrs,ivr_menus,ivr_routes,lines,phone_numbers") {
		t.Errorf("snapshot schedule: %q", snap)
	}
	// Overlap policy and catch-up window (SCHEDULE_CATCHUP_WINDOW, 1h).
	for _, l := range []string{inc, snap, stats} {
		if !strings.Contains(l, " skip ") || !strings.Contains(l, " 1h0m0s ") {
			t.Errorf("schedule line without its overlap policy and catch-up window: %q", l)
		}
	}
	c := e.client()
	ctx := context.Background()
	n := 0
	it, err := c.ScheduleClient().List(ctx, client.ScheduleListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for it.HasNext() {
		if _, err := it.Next(); err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 3 {
		t.Fatalf("%d schedules after applying twice, want 3", n)
	}

	summaries := map[string]string{
		"incremental": "Incremental sync of calls and call_legs",
		"snapshot":    "Snapshot of 8 configuration tables",
		"stats":       "Snapshot of 5 statistics tables",
	}
	for _, name := range []string{"incremental", "snapshot", "stats"} {
		if out := run(nil, "trigger", name); strings.TrimSpace(out) != "triggered schedule talkwarehouse-"+name {
			t.Errorf("trigger says %q", out)
		}
		id := e.scheduledRun(c, "talkwarehouse-"+name)
		e.waitSync(id, 2*time.Minute)
		// The scheduled sync carries the schedule's summary and details.
		d, err := c.DescribeWorkflow(ctx, id, "")
		if err != nil {
			t.Fatal(err)
		}
		summary, _ := d.GetStaticSummary()
		details, _ := d.GetStaticDetails()
		if summary != summaries[name] || !strings.Contains(details, "**Started by**: schedule talkwarehouse-"+name) {
			t.Errorf("%s: scheduled sync's summary %q, details %q", name, summary, details)
		}
	}
	e.checkCounts()
	if n := e.count("SELECT count() FROM account_overview FINAL"); n != 1 {
		t.Errorf("account_overview has %d snapshots after the stats schedule ran", n)
	}

	run(nil, "pause", "snapshot")
	if l := lineOf(run(nil, "list"), "talkwarehouse-snapshot"); !strings.Contains(l, "paused") {
		t.Errorf("after pause: %q", l)
	}
	run(nil, "unpause", "snapshot")
	if l := lineOf(run(nil, "list"), "talkwarehouse-snapshot"); !strings.Contains(l, "active") {
		t.Errorf("after unpause: %q", l)
	}
	run(nil, "delete")
	if l := run(nil, "list"); strings.Count(l, "not created") != 3 {
		t.Errorf("after delete:\n%s", l)
	}
	if _, err := e.starter("schedule", "trigger", "hourly"); exitCode(err) != 2 {
		t.Errorf("unknown schedule name: exit %d", exitCode(err))
	}
}

// scheduledRun waits for the schedule's first action and returns its
// workflow id.
func (e *env) scheduledRun(c client.Client, id string) string {
	e.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		d, err := c.ScheduleClient().GetHandle(context.Background(), id).Describe(context.Background())
		if err == nil && len(d.Info.RecentActions) > 0 && d.Info.RecentActions[0].StartWorkflowResult != nil {
			return d.Info.RecentActions[0].StartWorkflowResult.WorkflowID
		}
		time.Sleep(200 * time.Millisecond)
	}
	e.t.Fatalf("schedule %s started nothing", id)
	return ""
}
