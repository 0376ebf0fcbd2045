package talksim

import (
	"bytes"
	"testing"
	"time"
)

func TestRealisticExportsEverythingOnce(t *testing.T) {
	cfg := RealisticConfig()
	cfg.Calls = 6000
	s := New(cfg)
	exp := s.Expected()
	calls, _, _ := syncAll(t, s, "calls", 0)
	if len(calls) != exp["calls"] {
		t.Fatalf("calls: %d distinct, want %d", len(calls), exp["calls"])
	}
	legs, _, _ := syncAll(t, s, "legs", 0)
	if len(legs) != exp["call_legs"] {
		t.Fatalf("legs: %d distinct, want %d", len(legs), exp["call_legs"])
	}
	first, _ := s.CallIDRange()
	if got, want := calls[first+4321], s.Call(first+4321); got["updated_at"] != want["updated_at"] || got["created_at"] != want["created_at"] {
		t.Fatalf("Call() differs from the export: %v vs %v", got["created_at"], want["created_at"])
	}
	// Determinism: a second simulator serves the same bytes.
	a := get(t, New(cfg), exportPath("legs", 0)).Body.Bytes()
	b := get(t, New(cfg), exportPath("legs", 0)).Body.Bytes()
	if !bytes.Equal(a, b) {
		t.Fatal("the same seed gave different legs pages")
	}
}

// The shape a call-centre manager expects: busy weekdays, quiet weekends,
// a lunch dip, some after-hours calls that mostly end in voicemail, and
// every kind of outcome present.
func TestRealisticShape(t *testing.T) {
	cfg := RealisticConfig()
	s := New(cfg)
	ny, _ := time.LoadLocation("America/New_York")
	calls, _, _ := syncAll(t, s, "calls", 0)
	perWeekday := map[time.Weekday]int{}
	perHour := map[int]int{}
	status := map[string]int{}
	var inbound, outside, outsideFlagWrong, ivr, callbacks, shortAbandons, answered, within20 int
	days := map[string]bool{}
	for _, c := range calls {
		at := time.Unix(ts(t, c["created_at"]), 0).In(ny)
		days[at.Format(time.DateOnly)] = true
		perWeekday[at.Weekday()]++
		if at.Weekday() != time.Saturday && at.Weekday() != time.Sunday {
			perHour[at.Hour()]++
		}
		if c["direction"] != "inbound" {
			continue
		}
		inbound++
		st, _ := c["completion_status"].(string)
		status[st]++
		open := at.Weekday() != time.Saturday && at.Weekday() != time.Sunday && at.Hour() >= 8 && at.Hour() < 18 ||
			at.Weekday() == time.Saturday && at.Hour() >= 9 && at.Hour() < 14
		if !open {
			outside++
		}
		if ob, ok := c["outside_business_hours"].(bool); ok && ob == open {
			outsideFlagWrong++
		}
		if c["ivr_action"] != nil || c["ivr_hops"] != nil {
			ivr++
		}
		if cb, _ := c["callback"].(bool); cb {
			callbacks++
		}
		w, _ := c["wait_time"].(float64)
		if st == "abandoned_in_queue" && w <= 5 {
			shortAbandons++
		}
		if tta, ok := c["time_to_answer"].(float64); ok && (st == "completed" || st == "abandoned_on_hold") && open {
			answered++
			if tta <= 20 {
				within20++
			}
		}
	}
	if len(days) < 28 {
		t.Errorf("calls cover %d days, want 4 weeks", len(days))
	}
	if wk, we := perWeekday[time.Tuesday], perWeekday[time.Sunday]; wk < 3*we {
		t.Errorf("Tuesdays %d calls, Sundays %d: weekends should be quiet", wk, we)
	}
	if perHour[12] >= perHour[10] || perHour[3] >= perHour[12]/5 {
		t.Errorf("weekday hours 3:%d 10:%d 12:%d: want a night trickle and a lunch dip below the morning peak", perHour[3], perHour[10], perHour[12])
	}
	if share := float64(outside) / float64(inbound); share < 0.03 || share > 0.25 {
		t.Errorf("after-hours share %.3f, want 3-25 %%", share)
	}
	if outsideFlagWrong > 0 {
		t.Errorf("%d calls have outside_business_hours contradicting their local time", outsideFlagWrong)
	}
	if share := float64(ivr) / float64(inbound); share < 0.2 {
		t.Errorf("IVR share %.3f", share)
	}
	for _, st := range realisticStatuses {
		if status[st] == 0 {
			t.Errorf("no inbound call %s", st)
		}
	}
	if callbacks == 0 || shortAbandons == 0 {
		t.Errorf("callbacks %d, short abandons %d", callbacks, shortAbandons)
	}
	if sl := float64(within20) / float64(answered); sl < 0.6 || sl > 0.95 {
		t.Errorf("business-hours share answered within 20 s %.3f: implausible", sl)
	}
	legs, _, _ := syncAll(t, s, "legs", 0)
	legStatus := map[string]int{}
	consults := 0
	var agentLegs, accepted float64
	for _, l := range legs {
		st, _ := l["completion_status"].(string)
		legStatus[st]++
		if l["type"] == "agent" {
			agentLegs++
			if st == "completed" || st == "agent_transferred_away" {
				accepted++
			}
		}
		if l["consultation_time"] != nil {
			consults++
		}
	}
	for _, st := range []string{"completed", "agent_missed", "agent_declined", "agent_transferred_away"} {
		if legStatus[st] == 0 {
			t.Errorf("no leg %s", st)
		}
	}
	if consults == 0 {
		t.Error("no consultation legs")
	}
	if r := accepted / agentLegs; r < 0.8 || r > 0.98 {
		t.Errorf("agents accepted %.3f of their legs: implausible", r)
	}
	// Agents work their shifts in New York: offline at 03:00, mostly
	// somewhere else at 11:00 on a weekday.
	offline := func(at time.Time) int {
		n := 0
		for a := 0; a < cfg.Agents; a++ {
			if s.agentActivity(a, at).state == "offline" {
				n++
			}
		}
		return n
	}
	if n := offline(time.Date(2024, 1, 9, 3, 0, 0, 0, ny)); n != cfg.Agents {
		t.Errorf("%d of %d agents offline at 03:00 local", n, cfg.Agents)
	}
	if n := offline(time.Date(2024, 1, 9, 11, 0, 0, 0, ny)); n > cfg.Agents/3 {
		t.Errorf("%d of %d agents offline at 11:00 local", n, cfg.Agents)
	}
}
