package talksim

import (
	"bytes"
	"net/url"
	"reflect"
	"strconv"
	"sync"
	"testing"
	"time"
)

func TestExportInclusiveBoundaryAndNextPage(t *testing.T) {
	s := New(DefaultConfig())
	start := t2024.Unix() + 100 // calls 400..403 share this second
	for _, kind := range []string{"calls", "legs"} {
		p := getExport(t, s, exportPath(kind, start))
		recs := p.records()
		if p.Count != len(recs) || p.Count == 0 {
			t.Fatalf("%s: count %d, records %d", kind, p.Count, len(recs))
		}
		if got := ts(t, recs[0]["updated_at"]); got != start {
			t.Fatalf("%s: first updated_at %d, want inclusive %d", kind, got, start)
		}
		prevU, prevID := int64(0), int64(0)
		for _, r := range recs {
			u, id := ts(t, r["updated_at"]), id64(r["id"])
			if u < start {
				t.Fatalf("%s: record %d updated %d before start %d", kind, id, u, start)
			}
			if u < prevU || (u == prevU && id <= prevID) {
				t.Fatalf("%s: not ordered by (updated_at, id) at %d", kind, id)
			}
			prevU, prevID = u, id
		}
		if p.EndTime != prevU {
			t.Fatalf("%s: end_time %d, last updated_at %d", kind, p.EndTime, prevU)
		}
		if p.NextPage == nil {
			t.Fatalf("%s: next_page null", kind)
		}
		u, err := url.Parse(*p.NextPage)
		if err != nil || !u.IsAbs() || u.Host != "sim.test" || u.Query().Get("start_time") != strconv.FormatInt(p.EndTime, 10) {
			t.Fatalf("%s: next_page %q does not point at end_time %d", kind, *p.NextPage, p.EndTime)
		}
	}

	// Past the end: empty page, end_time = start_time, next_page still set.
	late := t2024.Unix() + 1_000_000
	p := getExport(t, s, exportPath("calls", late))
	if p.Count != 0 || len(p.Calls) != 0 || p.EndTime != late || p.NextPage == nil {
		t.Fatalf("empty page: %+v", p)
	}
	if p.Calls == nil {
		t.Fatal(`empty page must still carry "calls": []`)
	}

	// Start before the first record: everything from the first call.
	p = getExport(t, s, exportPath("calls", 0))
	if p.Count != ExportPageSize || id64(p.Calls[0]["id"]) != callID(0) {
		t.Fatalf("from 0: count %d first %v", p.Count, p.Calls[0]["id"])
	}
}

func TestExportLastPageRepeatsFinalSecond(t *testing.T) {
	s := New(DefaultConfig())
	_, end, _ := syncAll(t, s, "calls", 0)
	// The caught-up cursor keeps returning the records of its final second.
	for range 3 {
		p := getExport(t, s, exportPath("calls", end))
		if p.Count == 0 || p.Count >= ExportPageSize || p.EndTime != end {
			t.Fatalf("final page: count %d end %d (want >0 records at %d)", p.Count, p.EndTime, end)
		}
		if q, _ := url.Parse(*p.NextPage); q.Query().Get("start_time") != strconv.FormatInt(end, 10) {
			t.Fatalf("next_page moved: %s", *p.NextPage)
		}
	}
}

func TestExportPagingCollectsExactlyExpected(t *testing.T) {
	s := New(DefaultConfig())
	exp := s.Expected()
	calls, _, reqs := syncAll(t, s, "calls", 0)
	if len(calls) != exp["calls"] {
		t.Fatalf("calls: got %d distinct, want %d", len(calls), exp["calls"])
	}
	if reqs < 2 {
		t.Fatalf("calls export took %d requests, want several pages", reqs)
	}
	legs, _, _ := syncAll(t, s, "legs", 0)
	if len(legs) != exp["call_legs"] {
		t.Fatalf("legs: got %d distinct, want %d", len(legs), exp["call_legs"])
	}
	// Every leg points at an existing call, and is what LegJSON says.
	for id, l := range legs {
		if _, ok := calls[id64(l["call_id"])]; !ok {
			t.Fatalf("leg %d: unknown call %v", id, l["call_id"])
		}
	}
	first, last := s.CallIDRange()
	if int(last-first+1) != exp["calls"] {
		t.Fatalf("CallIDRange %d..%d", first, last)
	}
	some := s.LegIDs(first + 7)
	if !reflect.DeepEqual(legs[some[1]], s.Leg(some[1])) {
		t.Fatalf("Leg() differs from the export:\n%v\n%v", legs[some[1]], s.Leg(some[1]))
	}
	if !reflect.DeepEqual(calls[first+7], s.Call(first+7)) {
		t.Fatal("Call() differs from the export")
	}
}

func TestLegsShareSecondsAndSomeLag(t *testing.T) {
	s := New(DefaultConfig())
	legs, _, _ := syncAll(t, s, "legs", 0)
	perSecond := map[int64]int{}
	lagging := 0
	for _, l := range legs {
		u := ts(t, l["updated_at"])
		perSecond[u]++
		c := s.Call(id64(l["call_id"]))
		if cu := ts(t, c["updated_at"]); u == cu+1 {
			lagging++
		} else if u != cu {
			t.Fatalf("leg %v updated %d, call %d", l["id"], u, cu)
		}
		if ts(t, l["created_at"]) > u {
			t.Fatalf("leg %v created after updated", l["id"])
		}
	}
	most := 0
	for _, n := range perSecond {
		most = max(most, n)
	}
	if most < 10 || most >= ExportPageSize {
		t.Fatalf("max legs per second %d: want many, but < 1000", most)
	}
	if lagging == 0 {
		t.Fatal("no leg updated a second after its call")
	}
}

func TestFullPageInOneSecond(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Calls = 2500
	cfg.CallsPerSecond = 1200
	s := New(cfg)
	start := t2024.Unix()
	p := getExport(t, s, exportPath("calls", start))
	if p.Count != ExportPageSize || p.EndTime != start {
		t.Fatalf("count %d end %d: want a full page ending where it started (%d)", p.Count, p.EndTime, start)
	}
	// Following next_page cannot advance: the same page again.
	q := getExport(t, s, *p.NextPage)
	if q.EndTime != start || id64(q.Calls[0]["id"]) != id64(p.Calls[0]["id"]) {
		t.Fatal("next_page of a stuck page should repeat it")
	}
}

func TestStartTimeValidation(t *testing.T) {
	s := New(DefaultConfig())
	for _, q := range []string{"", "?start_time=", "?start_time=abc", "?start_time=-5", "?start_time=1.5"} {
		rec := get(t, s, "/stats/incremental/calls"+q)
		if rec.Code != 400 {
			t.Fatalf("%q: status %d", q, rec.Code)
		}
		if m := decode(t, rec); m["error"] == nil {
			t.Fatalf("%q: no error key", q)
		}
	}
}

func TestUpdateCallsMovesCall(t *testing.T) {
	clk := newClock(t2024.Add(30 * 24 * time.Hour))
	cfg := DefaultConfig()
	cfg.Now = clk.Now
	s := New(cfg)
	first, _ := s.CallIDRange()
	id := first + 42
	before := s.Call(id)
	legsBefore := [][]byte{}
	for _, l := range s.LegIDs(id) {
		legsBefore = append(legsBefore, s.LegJSON(l))
	}
	oldU := ts(t, before["updated_at"])

	if n := s.UpdateCalls(id, 999); n != 1 {
		t.Fatalf("UpdateCalls updated %d", n)
	}
	after := s.Call(id)
	if ts(t, after["updated_at"]) != clk.Now().Unix() {
		t.Fatalf("updated_at %v, want now", after["updated_at"])
	}
	if after["created_at"] != before["created_at"] {
		t.Fatal("created_at changed")
	}
	if reflect.DeepEqual(withoutKey(before, "updated_at"), withoutKey(after, "updated_at")) {
		t.Fatal("update did not change any value")
	}
	for i, l := range s.LegIDs(id) {
		if !bytes.Equal(legsBefore[i], s.LegJSON(l)) {
			t.Fatal("legs changed with the call")
		}
	}
	// Old position: gone.
	p := getExport(t, s, exportPath("calls", oldU))
	for _, c := range p.Calls {
		if id64(c["id"]) == id {
			t.Fatal("updated call still at its old position")
		}
	}
	// Full sync: exactly once, new version, same total.
	all, _, _ := syncAll(t, s, "calls", 0)
	if len(all) != s.Expected()["calls"] {
		t.Fatalf("got %d calls", len(all))
	}
	if !reflect.DeepEqual(all[id], after) {
		t.Fatal("export does not carry the new version")
	}
	// An incremental sync from the old cursor end picks up the change.
	p = getExport(t, s, exportPath("calls", clk.Now().Unix()))
	if p.Count != 1 || id64(p.Calls[0]["id"]) != id {
		t.Fatalf("incremental page: %d records", p.Count)
	}
	// A second update moves it again.
	clk.Add(time.Minute)
	s.UpdateCalls(id)
	third := s.Call(id)
	if ts(t, third["updated_at"]) != clk.Now().Unix() || reflect.DeepEqual(withoutKey(third, "updated_at"), withoutKey(after, "updated_at")) {
		t.Fatal("second update did not take")
	}
	p = getExport(t, s, exportPath("calls", clk.Now().Add(-time.Minute).Unix()))
	if p.Count != 1 || p.EndTime != clk.Now().Unix() {
		t.Fatalf("after second update: count %d end %d", p.Count, p.EndTime)
	}
}

func withoutKey(m map[string]any, k string) map[string]any {
	c := map[string]any{}
	for kk, v := range m {
		if kk != k {
			c[kk] = v
		}
	}
	return c
}

func TestAddCalls(t *testing.T) {
	clk := newClock(t2024.Add(48 * time.Hour))
	cfg := DefaultConfig()
	cfg.Now = clk.Now
	s := New(cfg)
	before := s.Expected()
	ids := s.AddCalls(5)
	exp := s.Expected()
	if exp["calls"] != before["calls"]+5 || exp["call_legs"] != before["call_legs"]+15 {
		t.Fatalf("Expected after AddCalls: %v", exp)
	}
	_, last := s.CallIDRange()
	if ids[4] != last {
		t.Fatalf("new ids %v, last %d", ids, last)
	}
	now := clk.Now().Unix()
	p := getExport(t, s, exportPath("calls", now))
	if p.Count != 5 || id64(p.Calls[0]["id"]) != ids[0] {
		t.Fatalf("new calls page: %d", p.Count)
	}
	legs, _, _ := syncAll(t, s, "legs", now)
	if len(legs) != 15 {
		t.Fatalf("new legs: %d", len(legs))
	}
	all, _, _ := syncAll(t, s, "calls", 0)
	if len(all) != exp["calls"] {
		t.Fatalf("full sync %d, want %d", len(all), exp["calls"])
	}
	allLegs, _, _ := syncAll(t, s, "legs", 0)
	if len(allLegs) != exp["call_legs"] {
		t.Fatalf("full legs sync %d, want %d", len(allLegs), exp["call_legs"])
	}
}

func TestExportLag(t *testing.T) {
	clk := newClock(t2024.Add(100 * time.Second))
	cfg := DefaultConfig()
	cfg.Now = clk.Now
	cfg.ExportLag = time.Minute
	s := New(cfg)
	_, end, _ := syncAll(t, s, "calls", 0)
	if end != t2024.Unix()+40 {
		t.Fatalf("lagged export ends at %d", end-t2024.Unix())
	}
}

func TestCallValuesPlausible(t *testing.T) {
	s := New(DefaultConfig())
	calls, _, _ := syncAll(t, s, "calls", 0)
	statuses := map[string]int{}
	nulls := 0
	num := func(c map[string]any, k string) (int64, bool) {
		v, ok := c[k].(float64)
		return int64(v), ok
	}
	undocumented := []string{"customer_id", "line", "line_id", "line_type", "call_channel"}
	for id, c := range calls {
		for _, k := range undocumented {
			if _, ok := c[k]; !ok {
				t.Fatalf("call %d lacks %s", id, k)
			}
		}
		for _, v := range c {
			if v == nil {
				nulls++
			}
		}
		st, _ := c["completion_status"].(string)
		statuses[st]++
		if ts(t, c["created_at"]) > ts(t, c["updated_at"]) {
			t.Fatalf("call %d created after updated", id)
		}
		talk, okT := num(c, "talk_time")
		hold, okH := num(c, "hold_time")
		wait, okW := num(c, "wait_time")
		dur, okD := num(c, "duration")
		if okT && okH && okW && okD && dur < talk+hold+wait {
			t.Fatalf("call %d: duration %d < talk %d + hold %d + wait %d", id, dur, talk, hold, wait)
		}
		if (st == "abandoned_in_queue" || st == "abandoned_in_ivr" || st == "voicemail" || st == "missed") && okT && talk != 0 {
			t.Fatalf("call %d %s with talk_time %d", id, st, talk)
		}
		if ch, ok := c["call_charge"].(string); ok {
			if _, err := strconv.ParseFloat(ch, 64); err != nil {
				t.Fatalf("call_charge %q", ch)
			}
		}
		if q, ok := c["quality_issues"]; ok && q != nil {
			if _, ok := q.([]any); !ok {
				t.Fatalf("quality_issues %T", q)
			}
		}
	}
	for _, st := range []string{"completed", "abandoned_in_queue", "voicemail", "failed", "missed"} {
		if statuses[st] == 0 {
			t.Fatalf("no %s call in %v", st, statuses)
		}
	}
	if statuses[""] == 0 || nulls < len(calls) {
		t.Fatalf("too few nulls (%d, status null %d)", nulls, statuses[""])
	}
}

func TestDeterminism(t *testing.T) {
	paths := []string{exportPath("calls", 0), exportPath("legs", t2024.Unix()+50), "/greetings?page=2", "/phone_numbers", "/ivr", "/addresses", "/greeting_categories", "/stats/agents_activity", "/stats/account_overview", "/stats/agents_overview", "/stats/current_queue_activity"}
	clk := newClock(time.Date(2024, 3, 5, 14, 30, 0, 0, time.UTC))
	mk := func(seed int64) *Sim {
		cfg := DefaultConfig()
		cfg.Seed = seed
		cfg.Now = clk.Now
		return New(cfg)
	}
	a, b, c := mk(7), mk(7), mk(8)
	for _, p := range paths {
		ra, rb, rc := get(t, a, p), get(t, b, p), get(t, c, p)
		if ra.Code != 200 || !bytes.Equal(ra.Body.Bytes(), rb.Body.Bytes()) {
			t.Fatalf("%s: same seed, different bytes", p)
		}
		if p != "/greeting_categories" && bytes.Equal(ra.Body.Bytes(), rc.Body.Bytes()) {
			t.Fatalf("%s: different seeds, same bytes", p)
		}
	}
}

func TestHugeAccountIsLazy(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Calls = 1_000_000
	t0 := time.Now()
	s := New(cfg)
	if d := time.Since(t0); d > time.Second {
		t.Fatalf("New took %v", d)
	}
	lastSec := t2024.Unix() + int64(cfg.Calls-1)/4
	p := getExport(t, s, exportPath("calls", lastSec))
	_, last := s.CallIDRange()
	if p.Count != 4 || id64(p.Calls[3]["id"]) != last {
		t.Fatalf("tail page: %d records", p.Count)
	}
	p = getExport(t, s, exportPath("legs", t2024.Unix()+123456))
	if p.Count != ExportPageSize {
		t.Fatalf("middle legs page: %d", p.Count)
	}
	if e := s.Expected(); e["calls"] != 1_000_000 || e["call_legs"] != 3_000_000 {
		t.Fatalf("Expected %v", e)
	}
}

func TestConcurrentMutationAndServing(t *testing.T) {
	s := New(DefaultConfig())
	var wg sync.WaitGroup
	first, _ := s.CallIDRange()
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 20 {
				switch g {
				case 0:
					s.UpdateCalls(first + int64(i*13))
				case 1:
					s.AddCalls(2)
				default:
					get(t, s, exportPath([]string{"calls", "legs"}[g%2], int64(i)*40+t2024.Unix()))
					get(t, s, "/greetings")
				}
			}
		}()
	}
	wg.Wait()
	calls, _, _ := syncAll(t, s, "calls", 0)
	if len(calls) != s.Expected()["calls"] {
		t.Fatalf("after concurrent changes: %d vs %d", len(calls), s.Expected()["calls"])
	}
}

func BenchmarkExportPage(b *testing.B) {
	cfg := DefaultConfig()
	cfg.Calls = 1_000_000
	s := New(cfg)
	for _, kind := range []string{"calls", "legs"} {
		b.Run(kind, func(b *testing.B) {
			path := exportPath(kind, t2024.Unix()+100_000)
			b.ReportAllocs()
			var n int
			for b.Loop() {
				rec := get(b, s, path)
				n = rec.Body.Len()
			}
			b.SetBytes(int64(n))
		})
	}
}
