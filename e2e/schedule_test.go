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
	if !strings.Contains(inc, "every 30m0s") || !strings.Contains(inc, "active") || !strings.Contains(inc, "call_legs,calls") || strings.Contains(inc, "agents_activity") {
		t.Errorf("incremental schedule: %q", inc)
	}
	if !strings.Contains(stats, "every 5m0s") || !strings.Contains(stats, "account_overview,agents_activity,agents_overview,current_queue_activity") || strings.Contains(stats, "calls") {
		t.Errorf("stats schedule: %q", stats)
	}
	if !strings.Contains(snap, "every 24h0m0s") || !strings.Contains(snap, "addresses,greeting_categories,greetings,ivr_menus,ivr_routes,ivrs,lines,phone_numbers") {
		t.Errorf("snapshot schedule: %q", snap)
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

	for _, name := range []string{"incremental", "snapshot", "stats"} {
		run(nil, "trigger", name)
		id := e.scheduledRun(c, "talkwarehouse-"+name)
		e.waitSync(id, 2*time.Minute)
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
