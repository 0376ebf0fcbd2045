package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	"talkwarehouse/config"
	"talkwarehouse/tables"
	"talkwarehouse/workflows"
)

// A managed schedule: which tables it syncs and which setting gives its spec.
type scheduleDef struct {
	name  string // incremental, snapshot, stats
	kinds []tables.Kind
	spec  func(config.Schedules) string
}

var scheduleDefs = []scheduleDef{
	// calls and call_legs read what changed.
	{"incremental", []tables.Kind{tables.Export}, func(s config.Schedules) string { return s.Incremental }},
	// the configuration tables, re-read whole (and deletions detected).
	{"snapshot", []tables.Kind{tables.Snapshot}, func(s config.Schedules) string { return s.Snapshot }},
	// the four statistics (and voice_settings, a row per change), often
	// enough for a time series of queue depth and agent states (their
	// resolution is this interval).
	{"stats", []tables.Kind{tables.Stats}, func(s config.Schedules) string { return s.Stats }},
}

func scheduleID(name string) string { return "talkwarehouse-" + name }

func (d scheduleDef) tables() []string {
	var out []string
	for _, t := range tables.All() {
		for _, k := range d.kinds {
			if t.Kind == k {
				out = append(out, t.Name)
			}
		}
	}
	return out
}

// specOf turns a setting into a schedule spec: a duration is an interval,
// anything else a cron expression.
func specOf(s string) client.ScheduleSpec {
	if d, err := time.ParseDuration(s); err == nil {
		return client.ScheduleSpec{Intervals: []client.ScheduleIntervalSpec{{Every: d}}}
	}
	return client.ScheduleSpec{CronExpressions: []string{s}}
}

const scheduleUsage = `usage: starter schedule <apply|list|pause|unpause|trigger|delete> [incremental|snapshot|stats|all]

  apply     create or update the three schedules from SCHEDULE_INCREMENTAL, SCHEDULE_SNAPSHOT,
            SCHEDULE_STATS and SCHEDULE_CATCHUP_WINDOW (running it again changes nothing)
  list      the schedules, their specs, state, next and recent runs
  pause, unpause, trigger, delete
            act on one schedule, or all three (all, the default)
`

func scheduleCmd(args []string, out io.Writer) error {
	if len(args) == 0 {
		return usageError{errors.New("schedule: missing subcommand\n\n" + scheduleUsage)}
	}
	sub, rest := args[0], args[1:]
	fs := flag.NewFlagSet("schedule "+sub, flag.ContinueOnError)
	if err := fs.Parse(rest); err != nil {
		return usageError{err}
	}
	targets, err := pickSchedules(fs.Args())
	if err != nil {
		return usageError{err}
	}
	tcfg, err := config.LoadTemporal()
	if err != nil {
		return usageError{err}
	}
	c, err := dial(tcfg)
	if err != nil {
		return err
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	sc := c.ScheduleClient()

	switch sub {
	case "apply":
		scfg, err := config.LoadSchedules()
		if err != nil {
			return usageError{err}
		}
		startDate, err := config.LoadStartDate()
		if err != nil {
			return usageError{err}
		}
		for _, d := range targets {
			verb, err := applySchedule(ctx, sc, d, tcfg, scfg, startDate)
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "%s schedule %s: every %s, tables %s\n", verb, scheduleID(d.name), d.spec(scfg), strings.Join(d.tables(), ","))
		}
		return nil
	case "list":
		return listSchedules(ctx, sc, out)
	case "pause", "unpause", "trigger", "delete":
		for _, d := range targets {
			h := sc.GetHandle(ctx, scheduleID(d.name))
			var err error
			switch sub {
			case "pause":
				err = h.Pause(ctx, client.SchedulePauseOptions{Note: "paused with starter"})
			case "unpause":
				err = h.Unpause(ctx, client.ScheduleUnpauseOptions{Note: "unpaused with starter"})
			case "trigger":
				err = h.Trigger(ctx, client.ScheduleTriggerOptions{Overlap: enumspb.SCHEDULE_OVERLAP_POLICY_SKIP})
			case "delete":
				err = h.Delete(ctx)
			}
			var nf *serviceerror.NotFound
			if errors.As(err, &nf) {
				return fmt.Errorf("schedule %s does not exist (run: starter schedule apply)", scheduleID(d.name))
			}
			if err != nil {
				return fmt.Errorf("%s %s: %w", sub, scheduleID(d.name), err)
			}
			fmt.Fprintf(out, "%s schedule %s\n", pastTense[sub], scheduleID(d.name))
		}
		return nil
	}
	return usageError{fmt.Errorf("schedule: unknown subcommand %q\n\n%s", sub, scheduleUsage)}
}

var pastTense = map[string]string{"pause": "paused", "unpause": "unpaused", "trigger": "triggered", "delete": "deleted"}

func pickSchedules(args []string) ([]scheduleDef, error) {
	if len(args) == 0 || (len(args) == 1 && args[0] == "all") {
		return scheduleDefs, nil
	}
	var out []scheduleDef
	for _, a := range args {
		found := false
		for _, d := range scheduleDefs {
			if d.name == a {
				out, found = append(out, d), true
			}
		}
		if !found {
			return nil, fmt.Errorf("unknown schedule %q: use incremental, snapshot, stats or all", a)
		}
	}
	return out, nil
}

// applySchedule creates the schedule, or updates it in place (keeping its
// paused state), so that applying twice leaves the same three schedules.
func applySchedule(ctx context.Context, sc client.ScheduleClient, d scheduleDef, tcfg config.Temporal, scfg config.Schedules, startDate time.Time) (string, error) {
	spec := specOf(d.spec(scfg))
	action := scheduleAction(d, tcfg.TaskQueue, startDate)
	policy := &client.SchedulePolicies{Overlap: enumspb.SCHEDULE_OVERLAP_POLICY_SKIP, CatchupWindow: scfg.CatchupWindow}
	h := sc.GetHandle(ctx, scheduleID(d.name))
	_, err := h.Describe(ctx)
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		_, err := sc.Create(ctx, client.ScheduleOptions{
			ID: scheduleID(d.name), Spec: spec, Action: action,
			Overlap: policy.Overlap, CatchupWindow: policy.CatchupWindow,
			Note: "managed by starter schedule apply",
		})
		if err != nil {
			return "", fmt.Errorf("creating schedule %s: %w", scheduleID(d.name), err)
		}
		return "created", nil
	}
	if err != nil {
		return "", fmt.Errorf("reading schedule %s: %w", scheduleID(d.name), err)
	}
	err = h.Update(ctx, client.ScheduleUpdateOptions{DoUpdate: func(in client.ScheduleUpdateInput) (*client.ScheduleUpdate, error) {
		s := in.Description.Schedule
		s.Spec, s.Action, s.Policy = &spec, action, policy
		return &client.ScheduleUpdate{Schedule: &s}, nil
	}})
	if err != nil {
		return "", fmt.Errorf("updating schedule %s: %w", scheduleID(d.name), err)
	}
	return "updated", nil
}

// scheduleAction is what a schedule starts: a sync of its tables, with the
// summary and details every sync of it shows in the web UI.
func scheduleAction(d scheduleDef, queue string, startDate time.Time) *client.ScheduleWorkflowAction {
	in, err := workflows.ResolveInput(workflows.SyncInput{Tables: d.tables()})
	if err != nil {
		panic(err) // d.tables() comes from the catalogue
	}
	return &client.ScheduleWorkflowAction{
		ID:            "talk-sync-" + d.name, // the server appends the scheduled time
		Workflow:      workflows.SyncName,
		Args:          []any{in},
		TaskQueue:     queue,
		StaticSummary: workflows.Summary(in, startDate),
		StaticDetails: workflows.Details(in, startDate, "schedule "+scheduleID(d.name)),
	}
}

func listSchedules(ctx context.Context, sc client.ScheduleClient, out io.Writer) error {
	w := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "SCHEDULE\tSPEC\tSTATE\tOVERLAP\tCATCH-UP WINDOW\tNEXT RUN\tLAST RUN\tTABLES")
	for _, d := range scheduleDefs {
		desc, err := sc.GetHandle(ctx, scheduleID(d.name)).Describe(ctx)
		var nf *serviceerror.NotFound
		if errors.As(err, &nf) {
			fmt.Fprintf(w, "%s\t(not created: run starter schedule apply)\t\t\t\t\t\t\n", scheduleID(d.name))
			continue
		}
		if err != nil {
			return err
		}
		state := "active"
		if desc.Schedule.State != nil && desc.Schedule.State.Paused {
			state = "paused"
		}
		next, last := "", ""
		if len(desc.Info.NextActionTimes) > 0 {
			next = desc.Info.NextActionTimes[0].UTC().Format(time.RFC3339)
		}
		if n := len(desc.Info.RecentActions); n > 0 {
			a := desc.Info.RecentActions[n-1]
			last = a.ActualTime.UTC().Format(time.RFC3339)
			if a.StartWorkflowResult != nil {
				last += " " + a.StartWorkflowResult.WorkflowID
			}
		}
		var tablesArg []string
		if wa, ok := desc.Schedule.Action.(*client.ScheduleWorkflowAction); ok && len(wa.Args) > 0 {
			var in workflows.SyncInput
			if p, ok := wa.Args[0].(*commonpb.Payload); ok && converter.GetDefaultDataConverter().FromPayload(p, &in) == nil {
				tablesArg = in.Tables
			}
		}
		overlap, catchup := describePolicy(desc.Schedule.Policy)
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", scheduleID(d.name), describeSpec(desc.Schedule.Spec), state,
			overlap, catchup, next, last, strings.Join(tablesArg, ","))
	}
	return w.Flush()
}

// describePolicy words a schedule's overlap policy ("skip": a run due
// while the last still runs is dropped) and catch-up window (how late a
// missed run, say during an outage, may still start).
func describePolicy(p *client.SchedulePolicies) (overlap, catchup string) {
	if p == nil {
		return "", ""
	}
	overlap = strings.ToLower(strings.TrimPrefix(enumspb.ScheduleOverlapPolicy_name[int32(p.Overlap)], "SCHEDULE_OVERLAP_POLICY_"))
	if p.Overlap == enumspb.SCHEDULE_OVERLAP_POLICY_UNSPECIFIED {
		overlap = "skip (default)"
	}
	catchup = p.CatchupWindow.String()
	if p.CatchupWindow == 0 {
		catchup = "1y (default)"
	}
	return overlap, catchup
}

func describeSpec(s *client.ScheduleSpec) string {
	if s == nil {
		return ""
	}
	var parts []string
	for _, iv := range s.Intervals {
		parts = append(parts, "every "+iv.Every.String())
	}
	for _, c := range s.CronExpressions {
		parts = append(parts, "cron "+c)
	}
	for _, c := range s.Calendars {
		parts = append(parts, fmt.Sprintf("calendar %v", c))
	}
	return strings.Join(parts, "; ")
}
