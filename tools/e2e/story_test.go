package e2e

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	sdkpb "go.temporal.io/api/sdk/v1"

	"talkwarehouse/tables"
)

// checkStory checks what the web UI tells of three finished syncs (all 14
// tables with 19 export pages, all of them with 2, then calls and call_legs):
// their summaries, and their current details as the worker rebuilds them
// by replaying each closed workflow's history (the UI's
// __temporal_workflow_metadata query). The current details change with
// every table's state, yet the history grows with the number of tables,
// not pages: the first two syncs record as many events, and the third,
// with 2 of the tables, fewer.
func (e *env) checkStory(full, incremental, two string) {
	e.t.Helper()
	c := e.client()
	ctx := context.Background()
	for id, want := range map[string]string{
		full:        "Incremental sync of calls, call_legs, 8 configuration tables and 5 statistics tables",
		incremental: "Incremental sync of calls, call_legs, 8 configuration tables and 5 statistics tables",
		two:         "Incremental sync of calls and call_legs",
	} {
		d, err := c.DescribeWorkflow(ctx, id, "")
		if err != nil {
			e.t.Fatal(err)
		}
		if got, _ := d.GetStaticSummary(); got != want {
			e.t.Errorf("%s: summary %q, want %q", id, got, want)
		}
		if details, _ := d.GetStaticDetails(); !strings.Contains(details, "**Started by**: starter sync") {
			e.t.Errorf("%s: details %q", id, details)
		}
	}
	details := map[string]string{}
	for _, id := range []string{full, incremental, two} {
		v, err := c.QueryWorkflow(ctx, id, "", "__temporal_workflow_metadata")
		if err != nil {
			e.t.Fatalf("metadata query of %s: %v", id, err)
		}
		var md sdkpb.WorkflowMetadata
		if err := v.Get(&md); err != nil {
			e.t.Fatal(err)
		}
		details[id] = md.GetCurrentDetails()
	}
	want := e.sim.Expected()
	for _, name := range tables.Names() {
		// The first sync's rows: everything the simulator has (statistics
		// and entity tables alike: one full read each).
		row := regexp.MustCompile(`(?m)^\| ` + name + ` \| done \| (\d+) \| \d+ \|`).FindStringSubmatch(details[full])
		if row == nil {
			e.t.Errorf("current details of the first sync lack %s done:\n%s", name, details[full])
			continue
		}
		// Exports count a record again when it straddles two pages.
		got, _ := strconv.Atoi(row[1])
		if n, ok := want[name]; ok && (got < n || got != n && tables.MustGet(name).Kind != tables.Export) {
			e.t.Errorf("current details: %s has %d rows, the simulator %d", name, got, n)
		}
	}
	if all := len(tables.All()); !strings.HasPrefix(details[full], fmt.Sprintf("**%d tables**: %d done\n", all, all)) || !strings.HasPrefix(details[two], "**2 tables**: 2 done\n") ||
		!regexp.MustCompile(`(?m)^\| calls \| done \| \d+ \| \d+ \| now \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \|`).MatchString(details[two]) {
		e.t.Errorf("current details:\nfirst sync:\n%s\nthird sync:\n%s", details[full], details[two])
	}
	h1, _ := e.historyLength(full)
	h2, _ := e.historyLength(incremental)
	h3, _ := e.historyLength(two)
	if h1 != h2 || h3 >= h1 {
		e.t.Errorf("history events: %d (%d tables, 19 export pages), %d (%[2]d tables, 2 pages), %d (2 tables); want the first two equal and the third smaller", h1, len(tables.All()), h2, h3)
	} else {
		e.t.Logf("history events (workflow tasks apart): %d for %d tables whatever the pages, %d for 2 tables", h1, len(tables.All()), h3)
	}
}
