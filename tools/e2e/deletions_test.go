package e2e

import (
	"fmt"
	"strings"
	"testing"

	"talkwarehouse/talksim"
)

// Entities removed upstream get _deleted = 1 after the next complete
// snapshot; a removed IVR takes its menus and routes with it; a snapshot cut
// short (here a 403) deletes nothing, and the sync still succeeds.
func TestDeletionsAndSkippedTables(t *testing.T) {
	cfg := talksim.DefaultConfig()
	cfg.Calls = 500
	cfg.Email, cfg.APIToken = email, apiToken
	e := newEnv(t, cfg)
	e.mustSync()
	e.checkCounts()

	recs := func(table string) []map[string]any {
		r, err := e.sim.Records(table)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	addr := recs("addresses")[1]["id"]
	phone := recs("phone_numbers")[0]["id"]
	var strGreeting any
	for _, g := range recs("greetings") {
		if _, ok := g["id"].(string); ok {
			strGreeting = g["id"]
			break
		}
	}
	ivrs := recs("ivrs")
	ivr := ivrs[0]["id"]
	lines := recs("lines")
	digitalLine := lines[len(lines)-1]["id"] // phone numbers come first
	if lines[len(lines)-1]["line_type"] != "digital" {
		t.Fatalf("the last line is not digital: %v", lines[len(lines)-1])
	}
	menusBefore, routesBefore := e.sim.Expected()["ivr_menus"], e.sim.Expected()["ivr_routes"]
	for _, d := range []struct {
		table string
		id    any
	}{{"addresses", addr}, {"phone_numbers", phone}, {"greetings", strGreeting}, {"ivrs", ivr}, {"lines", digitalLine}} {
		if err := e.sim.Delete(d.table, d.id); err != nil {
			t.Fatalf("delete %s %v: %v", d.table, d.id, err)
		}
	}
	if e.sim.Expected()["ivr_routes"] >= routesBefore || e.sim.Expected()["ivr_menus"] >= menusBefore {
		t.Fatal("simulator kept the removed IVR's menus or routes")
	}
	out := e.mustSync()
	e.checkCounts()
	for q, want := range map[string]uint64{
		fmt.Sprintf("SELECT count() FROM addresses FINAL WHERE _deleted = 1 AND id = %v", num(addr)):      1,
		fmt.Sprintf("SELECT count() FROM phone_numbers FINAL WHERE _deleted = 1 AND id = %v", num(phone)): 1,
		fmt.Sprintf("SELECT count() FROM greetings FINAL WHERE _deleted = 1 AND id = '%v'", strGreeting):  1,
		fmt.Sprintf("SELECT count() FROM ivrs FINAL WHERE _deleted = 1 AND id = %v", num(ivr)):            1,
		fmt.Sprintf("SELECT count() FROM ivr_menus FINAL WHERE _deleted = 1 AND ivr_id = %v", num(ivr)):   uint64(menusBefore - e.sim.Expected()["ivr_menus"]),
		fmt.Sprintf("SELECT count() FROM ivr_routes FINAL WHERE _deleted = 1 AND ivr_id = %v", num(ivr)):  uint64(routesBefore - e.sim.Expected()["ivr_routes"]),
		"SELECT count() FROM addresses FINAL WHERE _deleted = 1 AND name IS NOT NULL":                     1, // the tombstone keeps the values
		// The removed number's line, and a removed digital line.
		fmt.Sprintf("SELECT count() FROM lines FINAL WHERE _deleted = 1 AND id IN (%v, %v)", num(phone), num(digitalLine)): 2,
		"SELECT count() FROM lines_live WHERE line_type = 'digital'":                                                       uint64(e.sim.Config().DigitalLines - 1),
		"SELECT sum(deleted) FROM sync_runs FINAL WHERE table_name IN ('addresses','phone_numbers','greetings','ivrs')":    4,
	} {
		if got := e.count(q); got != want {
			t.Errorf("%s = %d, want %d\n%s", q, got, want, out)
		}
	}

	// A plan without IVR (403): the three IVR tables are skipped with the
	// reason, the rest syncs, the sync succeeds, and nothing is deleted
	// although another IVR is gone upstream.
	e.sim.FailStatus("/ivr", 403)
	if err := e.sim.Delete("ivrs", ivrs[1]["id"]); err != nil {
		t.Fatal(err)
	}
	out = e.mustSync()
	for _, name := range []string{"ivrs", "ivr_menus", "ivr_routes"} {
		line := lineOf(out, name+" ")
		if !strings.Contains(line, "SKIPPED") || !strings.Contains(line, "403") {
			t.Errorf("summary line of %s does not say it was skipped with the 403: %q", name, line)
		}
	}
	if n := e.count(fmt.Sprintf("SELECT count() FROM ivrs FINAL WHERE _deleted = 0 AND id = %v", num(ivrs[1]["id"]))); n != 1 {
		t.Errorf("a skipped snapshot deleted an IVR")
	}
	if n := e.count("SELECT count() FROM sync_runs FINAL WHERE status = 'skipped' AND reason LIKE '%403%'"); n != 3 {
		t.Errorf("sync_runs has %d skipped IVR tables with the reason, want 3", n)
	}
}

// num renders a JSON number id as an integer literal.
func num(v any) string { return fmt.Sprintf("%d", int64(v.(float64))) }

func lineOf(out, prefix string) string {
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, prefix) {
			return l
		}
	}
	return ""
}
