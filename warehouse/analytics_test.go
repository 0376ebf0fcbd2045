package warehouse_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"talkwarehouse/config"
	"talkwarehouse/internal/chtest"
	"talkwarehouse/internal/connect"
	"talkwarehouse/tables"
	"talkwarehouse/talksim"
	"talkwarehouse/warehouse"
)

// The call-centre views of schema/008_analytics_views.sql, checked against
// figures computed in Go from the simulator's records, with days and hours
// taken in ANALYTICS_TIMEZONE: UTC, and New York across both DST changes of
// 2024 (2024-03-10 has 23 hours, 2024-11-03 has 25).

// openIn opens a fresh migrated database (dropped at the end) with
// ANALYTICS_TIMEZONE = tz ("" is UTC).
func openIn(t *testing.T, tz string) *warehouse.Warehouse {
	t.Helper()
	cfg := chtest.Config(t)
	ctx := context.Background()
	w, err := connect.Warehouse(ctx, cfg, config.Analytics{Timezone: tz}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = w.Conn().Exec(context.Background(), "DROP DATABASE IF EXISTS "+cfg.Database)
		w.Close()
	})
	if err := w.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return w
}

type analyticsFixture struct {
	w      *warehouse.Warehouse
	loc    *time.Location
	calls  []map[string]any // live calls
	legs   []map[string]any // live legs
	lines  map[int64]map[string]any
	phones map[int64]map[string]any
	snaps  []map[string]any // distinct agents_activity rows, with "_synced_at"
}

func loadAnalytics(t *testing.T, tz string, start time.Time, days, calls int, flat bool) *analyticsFixture {
	w := openIn(t, tz)
	loc, err := time.LoadLocation(tz)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, tb := range tables.All() {
		if err := w.Conn().Exec(ctx, "SYSTEM STOP MERGES "+w.Database()+"."+tb.Name); err != nil {
			t.Fatal(err)
		}
	}
	cfg := talksim.RealisticConfig()
	cfg.Calls = calls
	cfg.Start = start
	cfg.Realistic.Days = days
	if flat {
		var even [24]float64
		for i := range even {
			even[i] = 1
		}
		cfg.Realistic.HourWeights = &even
	}
	clock := &simClock{t: start.Add(time.Duration(days) * 24 * time.Hour)}
	cfg.Now = clock.Now
	sim := talksim.New(cfg)
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(srv.Close)
	l := &simLoader{t: t, w: w, base: srv.URL}
	f := &analyticsFixture{w: w, loc: loc, lines: map[int64]map[string]any{}, phones: map[int64]map[string]any{}}

	for i := 0; i < 2; i++ { // two full syncs of the configuration
		st := warehouse.NewStamp(clock.Now().Add(time.Duration(i) * time.Minute))
		l.list("lines", st)
		l.list("phone_numbers", st)
	}
	st := warehouse.NewStamp(clock.Now())
	l.export("calls", 0, st)
	l.export("call_legs", 0, st)
	m := l.get(tables.MustGet("call_legs").Path + ".json?start_time=0") // a retried page
	var first []json.RawMessage
	_ = json.Unmarshal(m["legs"], &first)
	l.write(tables.MustGet("call_legs"), first, warehouse.NewStamp(clock.Now().Add(time.Minute)))

	// Removed upstream: a call, a leg of another call, a line.
	ids := sim.CallIDs()
	later := warehouse.NewStamp(clock.Now().Add(time.Hour))
	removedCall := ids[11]
	tombstone(t, w, "calls", sim.CallJSON(removedCall), later)
	removedLeg := sim.LegIDs(ids[12])[1]
	tombstone(t, w, "call_legs", sim.LegJSON(removedLeg), later)
	lines, _ := sim.Records("lines")
	raw, _ := json.Marshal(lines[0])
	tombstone(t, w, "lines", raw, later)
	for _, ln := range lines[1:] {
		f.lines[int64(ln["id"].(float64))] = ln
	}
	phones, _ := sim.Records("phone_numbers")
	for _, p := range phones {
		f.phones[int64(p["id"].(float64))] = p
	}
	for _, id := range ids {
		if id != removedCall {
			f.calls = append(f.calls, sim.Call(id))
		}
		for _, leg := range sim.LegIDs(id) {
			if leg != removedLeg {
				f.legs = append(f.legs, sim.Leg(leg))
			}
		}
	}

	// agents_activity every 20 minutes over a working morning of the
	// second day (local to the profile), one snapshot written twice.
	day2 := start.AddDate(0, 0, 1)
	for i := 0; i < 12; i++ {
		at := time.Date(day2.Year(), day2.Month(), day2.Day(), 8, 10+20*i, 0, 0, start.Location())
		clock.Set(at)
		recs := l.stats("agents_activity", warehouse.NewStamp(at))
		if i == 3 {
			l.stats("agents_activity", warehouse.NewStamp(at))
		}
		for _, r := range recs {
			var a map[string]any
			if err := json.Unmarshal(r, &a); err != nil {
				t.Fatal(err)
			}
			a["_synced_at"] = at.UTC().Truncate(time.Second)
			f.snaps = append(f.snaps, a)
		}
	}
	return f
}

// cell is one expected value: a string compared exactly, or approx.
type approx struct {
	v   float64
	ok  bool // false: NULL expected
	tol float64
}

func rate(n, d float64) approx {
	if d == 0 {
		return approx{}
	}
	return approx{v: n / d, ok: true, tol: 0.00011}
}

func mean1(sum, n float64) approx {
	if n == 0 {
		return approx{}
	}
	return approx{v: sum / n, ok: true, tol: 0.051}
}

// check runs sql (every column rendered as a string, NULL as "NULL"), takes
// the first keys columns as the row key and compares the rest with want.
func (f *analyticsFixture) check(t *testing.T, view, sql string, keys int, want map[string][]any) {
	t.Helper()
	rows, err := f.w.Conn().Query(context.Background(), sql)
	if err != nil {
		t.Fatalf("%s: %v", view, err)
	}
	defer rows.Close()
	got := map[string][]string{}
	for rows.Next() {
		cols := rows.Columns()
		vals := make([]string, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		k := strings.Join(vals[:keys], "|")
		if _, dup := got[k]; dup {
			t.Errorf("%s: row %s twice", view, k)
		}
		got[k] = vals[keys:]
	}
	if len(got) != len(want) {
		t.Errorf("%s: %d rows, want %d", view, len(got), len(want))
	}
	bad := 0
	for k, w := range want {
		g, ok := got[k]
		if !ok {
			t.Errorf("%s: no row %s", view, k)
			bad++
		}
		for i := 0; ok && i < len(w); i++ {
			if !cellEqual(g[i], w[i]) {
				t.Errorf("%s[%s] column %d = %s, want %v", view, k, i+keys+1, g[i], w[i])
				bad++
			}
		}
		if bad > 10 {
			t.Fatalf("%s: too many differences", view)
		}
	}
}

func cellEqual(got string, want any) bool {
	switch w := want.(type) {
	case approx:
		if !w.ok {
			return got == "NULL"
		}
		g, err := strconv.ParseFloat(got, 64)
		return err == nil && math.Abs(g-w.v) <= w.tol
	default:
		return got == fmt.Sprint(w)
	}
}

// s renders a nullable column for the row-as-strings queries.
func s(col string) string { return "ifNull(toString(" + col + "), 'NULL')" }

func fstr(m map[string]any, k string) (string, bool)  { v, ok := m[k].(string); return v, ok }
func fnum(m map[string]any, k string) (float64, bool) { v, ok := m[k].(float64); return v, ok }
func fbool(m map[string]any, k string) bool           { v, _ := m[k].(bool); return v }
func nstr(m map[string]any, k string) string {
	if v, ok := fstr(m, k); ok {
		return v
	}
	return "NULL"
}

func (f *analyticsFixture) at(m map[string]any) (time.Time, bool) {
	v, ok := fstr(m, "created_at")
	if !ok {
		return time.Time{}, false
	}
	ts, err := time.Parse(time.RFC3339, v)
	return ts, err == nil
}

func (f *analyticsFixture) day(ts time.Time) string { return ts.In(f.loc).Format(time.DateOnly) }

// hour is the start of ts's hour in the zone as a Unix time; the zones
// tested have whole-hour offsets, so that is ts truncated to the hour.
func (f *analyticsFixture) hour(ts time.Time) string {
	return strconv.FormatInt(ts.Truncate(time.Hour).Unix(), 10)
}

func TestAnalyticsViewsUTC(t *testing.T) {
	ny, _ := time.LoadLocation("America/New_York")
	f := loadAnalytics(t, "UTC", time.Date(2024, 1, 8, 0, 0, 0, 0, ny), 4, 3000, false)
	f.checkAll(t)
}

func TestAnalyticsViewsDST(t *testing.T) {
	ny, _ := time.LoadLocation("America/New_York")
	for _, c := range []struct {
		start time.Time
		day   string
		hours int
	}{
		{time.Date(2024, 3, 9, 0, 0, 0, 0, ny), "2024-03-10", 23},
		{time.Date(2024, 11, 2, 0, 0, 0, 0, ny), "2024-11-03", 25},
	} {
		t.Run(c.day, func(t *testing.T) {
			f := loadAnalytics(t, "America/New_York", c.start, 3, 2500, true)
			f.checkAll(t)
			n := count(t, f.w, "SELECT count(DISTINCT hour) FROM calls_hourly WHERE toDate(hour, 'America/New_York') = '"+c.day+"'")
			if n != uint64(c.hours) {
				t.Errorf("calls_hourly has %d hours on %s, want %d", n, c.day, c.hours)
			}
			d := count(t, f.w, "SELECT count() FROM service_level_daily WHERE day = '"+c.day+"'")
			if d != 1 {
				t.Errorf("service_level_daily has %d rows for %s", d, c.day)
			}
		})
	}
}

func (f *analyticsFixture) checkAll(t *testing.T) {
	t.Run("service_level", f.checkServiceLevel)
	t.Run("abandonment_daily", f.checkAbandonment)
	t.Run("agent_daily", f.checkAgentDaily)
	t.Run("agent_states", f.checkAgentStates)
	t.Run("ivr_paths_daily", f.checkIVR)
	t.Run("calls_by_line_daily", f.checkLines)
	t.Run("calls_daily", f.checkCallsDaily)
}

func (f *analyticsFixture) inbound() []map[string]any {
	var out []map[string]any
	for _, c := range f.calls {
		if _, ok := f.at(c); ok && nstr(c, "direction") == "inbound" {
			out = append(out, c)
		}
	}
	return out
}

func (f *analyticsFixture) checkServiceLevel(t *testing.T) {
	type acc struct {
		offered, answered, abandoned, short float64
		within                              [5]float64
		ttaSum, ttaN                        float64
		longest                             float64
		hasWait                             bool
	}
	limits := [5]float64{10, 20, 30, 60, 120}
	for _, v := range []struct {
		view, col string
		key       func(time.Time) string
	}{
		{"service_level_hourly", "toString(toUnixTimestamp(hour))", f.hour},
		{"service_level_daily", "toString(day)", f.day},
	} {
		accs := map[string]*acc{}
		for _, c := range f.inbound() {
			ts, _ := f.at(c)
			k := v.key(ts)
			a := accs[k]
			if a == nil {
				a = &acc{}
				accs[k] = a
			}
			st := nstr(c, "completion_status")
			a.offered++
			answered := st == "completed" || st == "abandoned_on_hold"
			tta, ttaOK := fnum(c, "time_to_answer")
			if answered {
				a.answered++
				if ttaOK {
					a.ttaSum += tta
					a.ttaN++
					for i, lim := range limits {
						if tta <= lim {
							a.within[i]++
						}
					}
				}
			}
			if strings.HasPrefix(st, "abandoned") {
				a.abandoned++
			}
			ivr, _ := fnum(c, "ivr_time_spent")
			wait, waitOK := fnum(c, "wait_time")
			if (st == "abandoned_in_ivr" || st == "abandoned_in_queue") && ivr+wait <= 5 {
				a.short++
			}
			if waitOK && (!a.hasWait || wait > a.longest) {
				a.longest, a.hasWait = wait, true
			}
		}
		want := map[string][]any{}
		shorts := 0.0
		for k, a := range accs {
			longest := "NULL"
			if a.hasWait {
				longest = fmt.Sprint(a.longest)
			}
			want[k] = []any{a.offered, a.answered, a.within[0], a.within[1], a.within[2], a.within[3], a.within[4],
				a.abandoned, a.short, rate(a.within[1], a.offered-a.short), rate(a.within[2], a.offered-a.short),
				mean1(a.ttaSum, a.ttaN), longest}
			shorts += a.short
		}
		if shorts == 0 {
			t.Errorf("%s: no short abandon in the data", v.view)
		}
		f.check(t, v.view, "SELECT "+v.col+", toString(offered), toString(answered), toString(answered_within_10s), toString(answered_within_20s), "+
			"toString(answered_within_30s), toString(answered_within_60s), toString(answered_within_120s), toString(abandoned), toString(short_abandoned), "+
			s("service_level_20s")+", "+s("service_level_30s")+", "+s("average_speed_of_answer")+", "+s("longest_wait_time")+" FROM "+v.view, 1, want)
	}
}

func (f *analyticsFixture) checkAbandonment(t *testing.T) {
	stages := []string{"abandoned_in_ivr", "abandoned_in_queue", "abandoned_in_voicemail", "abandoned_on_hold"}
	type acc struct {
		n      float64
		stage  [4]float64
		cb     float64
		source map[string]float64
	}
	accs := map[string]*acc{}
	for _, c := range f.inbound() {
		ts, _ := f.at(c)
		k := f.day(ts)
		a := accs[k]
		if a == nil {
			a = &acc{source: map[string]float64{}}
			accs[k] = a
		}
		a.n++
		st := nstr(c, "completion_status")
		for i, s := range stages {
			if st == s {
				a.stage[i]++
			}
		}
		if fbool(c, "callback") {
			a.cb++
			src := nstr(c, "callback_source")
			switch src {
			case "queue", "web_widget", "api":
			default:
				src = "other"
			}
			a.source[src]++
		}
	}
	want := map[string][]any{}
	for k, a := range accs {
		total := a.stage[0] + a.stage[1] + a.stage[2] + a.stage[3]
		want[k] = []any{a.n, a.stage[0], a.stage[1], a.stage[2], a.stage[3], total,
			rate(a.stage[0], a.n), rate(a.stage[1], a.n), rate(a.stage[2], a.n), rate(a.stage[3], a.n), rate(total, a.n),
			a.cb, a.source["queue"], a.source["web_widget"], a.source["api"], a.source["other"]}
	}
	f.check(t, "abandonment_daily", "SELECT toString(day), toString(inbound_calls), toString(abandoned_in_ivr), toString(abandoned_in_queue), "+
		"toString(abandoned_in_voicemail), toString(abandoned_on_hold), toString(abandoned), "+
		s("abandoned_in_ivr_rate")+", "+s("abandoned_in_queue_rate")+", "+s("abandoned_in_voicemail_rate")+", "+s("abandoned_on_hold_rate")+", "+s("abandonment_rate")+", "+
		"toString(callbacks_requested), toString(callbacks_from_queue), toString(callbacks_from_web_widget), toString(callbacks_from_api), toString(callbacks_other_source) FROM abandonment_daily", 1, want)
}

func (f *analyticsFixture) checkAgentDaily(t *testing.T) {
	// The name in the newest snapshot holding the agent.
	names := map[string]string{}
	newest := map[string]time.Time{}
	for _, a := range f.snaps {
		id := fmt.Sprintf("%.0f", a["agent_id"].(float64))
		at := a["_synced_at"].(time.Time)
		if !at.Before(newest[id]) {
			newest[id], names[id] = at, nstr(a, "name")
		}
	}
	type acc struct {
		offered, accepted, missed, declined, tStarted, tAccepted, consults float64
		talk, hold, wrap                                                   float64
	}
	accs := map[string]*acc{}
	for _, l := range f.legs {
		ts, ok := f.at(l)
		agent, aok := fnum(l, "agent_id")
		if !ok || nstr(l, "type") != "agent" || !aok || agent <= 0 {
			continue
		}
		k := f.day(ts) + "|" + fmt.Sprintf("%.0f", agent)
		a := accs[k]
		if a == nil {
			a = &acc{}
			accs[k] = a
		}
		st := nstr(l, "completion_status")
		a.offered++
		accepted := st == "completed" || st == "agent_transferred_away"
		if accepted {
			a.accepted++
			tt, _ := fnum(l, "talk_time")
			ht, _ := fnum(l, "hold_time")
			wt, _ := fnum(l, "wrap_up_time")
			a.talk += tt
			a.hold += ht
			a.wrap += wt
			if l["transferred_from"] != nil {
				a.tAccepted++
			}
		}
		switch st {
		case "agent_missed":
			a.missed++
		case "agent_declined":
			a.declined++
		}
		if l["transferred_to"] != nil {
			a.tStarted++
		}
		if l["consultation_time"] != nil {
			a.consults++
		}
	}
	want := map[string][]any{}
	var consults, transfers float64
	for k, a := range accs {
		agent := k[strings.Index(k, "|")+1:]
		want[k] = []any{names[agent], a.offered, a.accepted, a.missed, a.declined, a.tStarted, a.tAccepted, a.consults,
			a.talk, a.hold, a.wrap, mean1(a.talk+a.hold+a.wrap, a.accepted), rate(a.accepted, a.offered)}
		consults += a.consults
		transfers += a.tStarted
	}
	if consults == 0 || transfers == 0 {
		t.Errorf("the data has %v consultations and %v transfers: too thin to test", consults, transfers)
	}
	f.check(t, "agent_daily", "SELECT toString(day), toString(agent_id), name, toString(legs_offered), toString(legs_accepted), toString(legs_missed), "+
		"toString(legs_declined), toString(transfers_started), toString(transfers_accepted), toString(consultations), toString(talk_time), "+
		"toString(hold_time), toString(wrap_up_time), "+s("average_handle_time")+", "+s("accept_rate")+" FROM agent_daily", 2, want)
}

func (f *analyticsFixture) checkAgentStates(t *testing.T) {
	timeline := map[string][]any{}
	type acc struct{ n, online, away, onCall, wrap float64 }
	accs := map[string]*acc{}
	names := map[string]string{}
	states := map[string]bool{}
	for _, a := range f.snaps {
		at := a["_synced_at"].(time.Time)
		id := fmt.Sprintf("%.0f", a["agent_id"].(float64))
		k := strconv.FormatInt(at.Unix(), 10) + "|" + id
		timeline[k] = []any{f.day(at), nstr(a, "name"), nstr(a, "agent_state"), nstr(a, "call_status"), nstr(a, "via")}
		hk := f.hour(at) + "|" + id
		x := accs[hk]
		if x == nil {
			x = &acc{}
			accs[hk] = x
		}
		x.n++
		switch nstr(a, "agent_state") {
		case "online":
			x.online++
		case "away":
			x.away++
		}
		switch nstr(a, "call_status") {
		case "on_call":
			x.onCall++
		case "wrap_up":
			x.wrap++
		}
		names[hk] = nstr(a, "name") // snapshots come in time order
		states[nstr(a, "agent_state")+"/"+nstr(a, "call_status")] = true
	}
	if len(states) < 3 {
		t.Errorf("agents' states barely change: %v", states)
	}
	f.check(t, "agent_state_timeline", "SELECT toString(toUnixTimestamp(snapshot_at)), toString(agent_id), toString(day), "+s("name")+", "+
		s("agent_state")+", "+s("call_status")+", "+s("via")+" FROM agent_state_timeline", 2, timeline)
	want := map[string][]any{}
	for k, x := range accs {
		want[k] = []any{names[k], x.n, rate(x.online, x.n), rate(x.away, x.n), rate(x.onCall, x.n), rate(x.wrap, x.n)}
	}
	f.check(t, "agent_occupancy_hourly", "SELECT toString(toUnixTimestamp(hour)), toString(agent_id), name, toString(snapshots), "+
		"toString(online_share), toString(away_share), toString(on_call_share), toString(wrap_up_share) FROM agent_occupancy_hourly", 2, want)
}

func (f *analyticsFixture) checkIVR(t *testing.T) {
	type acc struct{ n, hopsSum, hopsN, timeSum, timeN, abandoned float64 }
	accs := map[string]*acc{}
	for _, c := range f.inbound() {
		hops, hopsOK := fnum(c, "ivr_hops")
		secs, secsOK := fnum(c, "ivr_time_spent")
		if c["ivr_action"] == nil && !hopsOK && !secsOK {
			continue
		}
		ts, _ := f.at(c)
		k := f.day(ts) + "|" + nstr(c, "ivr_action") + "|" + nstr(c, "ivr_destination_group_name")
		a := accs[k]
		if a == nil {
			a = &acc{}
			accs[k] = a
		}
		a.n++
		if hopsOK {
			a.hopsSum += hops
			a.hopsN++
		}
		if secsOK {
			a.timeSum += secs
			a.timeN++
		}
		if nstr(c, "completion_status") == "abandoned_in_ivr" {
			a.abandoned++
		}
	}
	want := map[string][]any{}
	for k, a := range accs {
		want[k] = []any{a.n, mean1(a.hopsSum, a.hopsN), a.timeSum, mean1(a.timeSum, a.timeN), a.abandoned, rate(a.abandoned, a.n)}
	}
	f.check(t, "ivr_paths_daily", "SELECT toString(day), "+s("ivr_action")+", "+s("ivr_destination_group_name")+", toString(calls), "+
		s("avg_ivr_hops")+", toString(total_ivr_time_spent), "+s("avg_ivr_time_spent")+", toString(abandoned_in_ivr), toString(ivr_abandonment_rate) FROM ivr_paths_daily", 3, want)
}

func (f *analyticsFixture) checkLines(t *testing.T) {
	nameOf := func(m map[string]any) string {
		for _, k := range []string{"nickname", "name", "display_number"} {
			if v, ok := fstr(m, k); ok {
				return v
			}
		}
		return ""
	}
	type acc struct {
		id       int64
		callName string
		n        int
	}
	accs := map[string]*acc{}
	digital := 0
	for _, c := range f.calls {
		ts, ok := f.at(c)
		if !ok {
			continue
		}
		lineID, lok := fnum(c, "line_id")
		if !lok {
			lineID, _ = fnum(c, "phone_number_id")
		}
		id := int64(lineID)
		callName, ok := fstr(c, "line")
		if !ok {
			callName, _ = fstr(c, "phone_number")
		}
		if nstr(c, "line_type") == "digital" && f.lines[id] != nil {
			digital++
		}
		k := strings.Join([]string{f.day(ts), strconv.FormatInt(id, 10), nstr(c, "line_type"), nstr(c, "direction"), nstr(c, "completion_status")}, "|")
		a := accs[k]
		if a == nil {
			a = &acc{id: id}
			accs[k] = a
		}
		a.n++
		a.callName = max(a.callName, callName)
	}
	if digital == 0 {
		t.Error("no call on a digital line known to lines")
	}
	want := map[string][]any{}
	for k, a := range accs {
		name := ""
		if ln, ok := f.lines[a.id]; ok {
			name = nameOf(ln)
		}
		if p, ok := f.phones[a.id]; ok && name == "" {
			name = nameOf(p)
		}
		if name == "" {
			name = a.callName
		}
		want[k] = []any{name, a.n}
	}
	f.check(t, "calls_by_line_daily", "SELECT toString(day), toString(line_id), "+s("line_type")+", "+s("direction")+", "+s("completion_status")+
		", line_name, toString(calls) FROM calls_by_line_daily", 5, want)
}

func (f *analyticsFixture) checkCallsDaily(t *testing.T) {
	want := map[string][]any{}
	for _, c := range f.calls {
		ts, ok := f.at(c)
		if !ok {
			continue
		}
		k := f.day(ts) + "|" + nstr(c, "direction") + "|" + nstr(c, "completion_status")
		if w, ok := want[k]; ok {
			w[0] = w[0].(int) + 1
		} else {
			want[k] = []any{1}
		}
	}
	f.check(t, "calls_daily", "SELECT toString(day), "+s("direction")+", "+s("completion_status")+", toString(calls) FROM calls_daily", 3, want)
}

// Changing ANALYTICS_TIMEZONE re-creates the views at the next Migrate,
// once, with a record in schema_migrations; an unknown zone is refused
// without being quoted.
func TestAnalyticsTimezoneChange(t *testing.T) {
	ctx := context.Background()
	cfg := chtest.Config(t)
	migrate := func(tz string) (*warehouse.Warehouse, error) {
		w, err := connect.Warehouse(ctx, cfg, config.Analytics{Timezone: tz}, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { w.Close() })
		return w, w.Migrate(ctx)
	}
	w, err := migrate("UTC")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = w.Conn().Exec(context.Background(), "DROP DATABASE IF EXISTS "+cfg.Database) })
	// The newest record of the views' migration (merges may already have
	// dropped the older ones: schema_migrations keeps one row per version).
	record := func() (name string, at time.Time) {
		if err := w.Conn().QueryRow(ctx, "SELECT argMax(name, applied_at), max(applied_at) FROM schema_migrations WHERE version = 8").Scan(&name, &at); err != nil {
			t.Fatal(err)
		}
		return name, at
	}
	viewZone := func() string {
		var q string
		if err := w.Conn().QueryRow(ctx, "SELECT create_table_query FROM system.tables WHERE database = ? AND name = 'inbound_call_facts'", cfg.Database).Scan(&q); err != nil {
			t.Fatal(err)
		}
		return q
	}
	name1, at1 := record()
	if name1 != "008_analytics_views ANALYTICS_TIMEZONE=UTC" {
		t.Fatalf("recorded %q", name1)
	}
	if _, err := migrate("UTC"); err != nil {
		t.Fatal(err)
	}
	if name, at := record(); name != name1 || !at.Equal(at1) {
		t.Fatalf("same zone again was applied again: %q at %v", name, at)
	}
	if _, err := migrate("Europe/Paris"); err != nil {
		t.Fatal(err)
	}
	name2, at2 := record()
	if name2 != "008_analytics_views ANALYTICS_TIMEZONE=Europe/Paris" || !at2.After(at1) {
		t.Fatalf("after the change: %q at %v (before %v)", name2, at2, at1)
	}
	if _, err := migrate("Europe/Paris"); err != nil { // a second worker start
		t.Fatal(err)
	}
	if name, at := record(); name != name2 || !at.Equal(at2) {
		t.Fatalf("the change was applied twice: %q at %v", name, at)
	}
	if q := viewZone(); !strings.Contains(q, "Europe/Paris") || strings.Contains(q, "UTC") {
		t.Fatalf("inbound_call_facts after the change: %s", q)
	}
	// Back to UTC ("" is UTC): applied and recorded again.
	if _, err := migrate(""); err != nil || !strings.Contains(viewZone(), "'UTC'") {
		t.Fatalf("back to UTC: %v", err)
	}
	if name, at := record(); name != name1 || !at.After(at2) {
		t.Fatalf("back to UTC: %q at %v", name, at)
	}
	_, err = migrate("Mars/Olympus_Mons")
	if err == nil || !strings.Contains(err.Error(), "analytics time zone is not a known IANA time zone") || strings.Contains(err.Error(), "Olympus") {
		t.Fatalf("unknown zone: %v", err)
	}
}
