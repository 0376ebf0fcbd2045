package warehouse_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"talkwarehouse/tables"
	"talkwarehouse/talksim"
	"talkwarehouse/warehouse"
)

// The views of schema/002_views.sql, checked against figures computed in Go
// from the simulator's own records. The data is loaded the way a sync loads
// it (pages fetched over HTTP and written with WritePage), with repeats, an
// updated call, tombstones and several statistics snapshots.

// simClock is the simulator's clock, moved by the test.
type simClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *simClock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *simClock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

// simLoader fetches pages from a talksim HTTP server and writes them.
type simLoader struct {
	t    *testing.T
	w    *warehouse.Warehouse
	base string
}

func (l *simLoader) get(url string) map[string]json.RawMessage {
	l.t.Helper()
	if !strings.HasPrefix(url, "http") {
		url = l.base + talksim.APIPrefix + url
	}
	resp, err := http.Get(url)
	if err != nil {
		l.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		l.t.Fatalf("GET %s: %d %s", url, resp.StatusCode, body)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(body, &m); err != nil {
		l.t.Fatalf("GET %s: %v", url, err)
	}
	return m
}

func (l *simLoader) write(tb *tables.Table, recs []json.RawMessage, st warehouse.Stamp) {
	l.t.Helper()
	if _, err := l.w.WritePage(context.Background(), tb, recs, st); err != nil {
		l.t.Fatal(err)
	}
}

// list loads a whole configuration listing, following next_page.
func (l *simLoader) list(table string, st warehouse.Stamp) {
	l.t.Helper()
	tb := tables.MustGet(table)
	url := tb.Path + ".json"
	for url != "" {
		m := l.get(url)
		var recs []json.RawMessage
		if err := json.Unmarshal(m[tb.Envelope], &recs); err != nil {
			l.t.Fatalf("%s: %v", table, err)
		}
		l.write(tb, recs, st)
		url = ""
		_ = json.Unmarshal(m["next_page"], &url)
	}
}

// export loads an incremental export from start until a short page and
// returns the last end_time. The API's start_time is inclusive, so the
// final second's records are written twice, as in a real sync.
func (l *simLoader) export(table string, start int64, st warehouse.Stamp) (end int64) {
	l.t.Helper()
	tb := tables.MustGet(table)
	for {
		m := l.get(fmt.Sprintf("%s.json?start_time=%d", tb.Path, start))
		var recs []json.RawMessage
		var count int
		if err := json.Unmarshal(m[tb.Envelope], &recs); err != nil {
			l.t.Fatal(err)
		}
		_ = json.Unmarshal(m["count"], &count)
		_ = json.Unmarshal(m["end_time"], &end)
		l.write(tb, recs, st)
		if count < talksim.ExportPageSize {
			return end
		}
		start = end
	}
}

// stats fetches one statistics snapshot and writes it at st, returning the
// records written.
func (l *simLoader) stats(table string, st warehouse.Stamp) []json.RawMessage {
	l.t.Helper()
	tb := tables.MustGet(table)
	var all []json.RawMessage
	url := tb.Path + ".json"
	for url != "" {
		m := l.get(url)
		if tb.Single {
			all = append(all, m[tb.Envelope])
			break
		}
		var recs []json.RawMessage
		if err := json.Unmarshal(m[tb.Envelope], &recs); err != nil {
			l.t.Fatal(err)
		}
		all = append(all, recs...)
		url = ""
		_ = json.Unmarshal(m["next_page"], &url)
	}
	l.write(tb, all, st)
	return all
}

// tombstone writes rec as removed upstream: _deleted = 1 with a newer
// _version, through a batch with a column list (as a sync would).
func tombstone(t *testing.T, w *warehouse.Warehouse, table string, rec []byte, st warehouse.Stamp) {
	t.Helper()
	tb := tables.MustGet(table)
	row, _, err := tb.Values(tables.Record{Raw: rec}, nil)
	if err != nil {
		t.Fatal(err)
	}
	row = append(row, string(rec), st.SyncedAt, st.Version, uint8(1))
	b, err := w.Conn().PrepareBatch(context.Background(), fmt.Sprintf("INSERT INTO %s (%s)", tb.Name, tb.QuotedColumns()))
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Append(row...); err != nil {
		t.Fatal(err)
	}
	if err := b.Send(); err != nil {
		t.Fatal(err)
	}
}

// nullable renders a possibly-null value for map keys and messages.
func nullable(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case *string:
		if x == nil {
			return "NULL"
		}
		return *x
	case *int64:
		if x == nil {
			return "NULL"
		}
		return fmt.Sprint(*x)
	case *float64:
		if x == nil {
			return "NULL"
		}
		return fmt.Sprint(*x)
	}
	return fmt.Sprint(v)
}

// num reads a JSON number field of a decoded record; ok is false for null
// or absent.
func num(rec map[string]any, k string) (float64, bool) {
	f, ok := rec[k].(float64)
	return f, ok
}

func near(got *float64, want float64, ok bool, tol float64) bool {
	if !ok {
		return got == nil
	}
	return got != nil && math.Abs(*got-want) <= tol+1e-9
}

type viewsFixture struct {
	w     *warehouse.Warehouse
	sim   *talksim.Sim
	calls []map[string]any // live calls, as the simulator has them now
	// removed ids per table (tombstoned)
	removedCall    int64
	removedAddress int64
	removedGreet   string
	queue          []map[string]any // distinct current_queue_activity snapshots, with _synced_at
	agents         []map[string]any // the newest agents_activity snapshot
	agentsAt       time.Time
}

func loadViewsFixture(t *testing.T) *viewsFixture {
	w := open(t)
	ctx := context.Background()
	// Background merges would collapse the repeats before the views see
	// them; stopped, every duplicate stays in the parts and only FINAL
	// removes it.
	for _, tb := range tables.All() {
		if err := w.Conn().Exec(ctx, "SYSTEM STOP MERGES "+w.Database()+"."+tb.Name); err != nil {
			t.Fatal(err)
		}
	}
	clock := &simClock{t: time.Date(2024, 1, 1, 9, 0, 0, 0, time.UTC)}
	cfg := talksim.DefaultConfig()
	cfg.Now = clock.Now
	sim := talksim.New(cfg)
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(srv.Close)
	l := &simLoader{t: t, w: w, base: srv.URL}
	f := &viewsFixture{w: w, sim: sim}

	// Configuration: two full syncs, so every row is there twice.
	for i, at := range []time.Time{clock.Now(), clock.Now().Add(time.Hour)} {
		st := warehouse.NewStamp(at.Add(time.Duration(i) * time.Second))
		for _, table := range []string{"addresses", "greeting_categories", "greetings", "phone_numbers", "ivrs", "lines"} {
			l.list(table, st)
		}
	}
	// Exports: everything, then the first page of calls again (a retry).
	st := warehouse.NewStamp(clock.Now())
	end := l.export("calls", 0, st)
	l.export("call_legs", 0, st)
	m := l.get(tables.MustGet("calls").Path + ".json?start_time=0")
	var first []json.RawMessage
	_ = json.Unmarshal(m["calls"], &first)
	l.write(tables.MustGet("calls"), first, warehouse.NewStamp(clock.Now().Add(time.Minute)))

	// Some calls change upstream; the next incremental sync brings them.
	ids := sim.CallIDs()
	clock.Set(time.Date(2024, 1, 1, 10, 0, 0, 0, time.UTC))
	sim.UpdateCalls(ids[3], ids[100], ids[1500])
	l.export("calls", end, warehouse.NewStamp(clock.Now()))

	// Tombstones: a call, an address and a greeting removed upstream.
	later := warehouse.NewStamp(clock.Now().Add(2 * time.Hour))
	f.removedCall = ids[7]
	tombstone(t, w, "calls", sim.CallJSON(f.removedCall), later)
	addrs, _ := sim.Records("addresses")
	raw, _ := json.Marshal(addrs[1])
	f.removedAddress = int64(addrs[1]["id"].(float64))
	tombstone(t, w, "addresses", raw, later)
	greets, _ := sim.Records("greetings")
	for _, g := range greets {
		if s, ok := g["id"].(string); ok {
			f.removedGreet = s
			raw, _ = json.Marshal(g)
			tombstone(t, w, "greetings", raw, later)
			break
		}
	}
	if f.removedGreet == "" {
		t.Fatal("no greeting with a string id in the simulator")
	}

	for _, id := range ids {
		if id != f.removedCall {
			f.calls = append(f.calls, sim.Call(id))
		}
	}

	// Statistics: queue snapshots over two hours (one written twice) and
	// two agents_activity snapshots (the newest written twice).
	for i, hm := range [][2]int{{9, 5}, {9, 35}, {9, 50}, {10, 10}, {10, 55}} {
		at := time.Date(2024, 1, 1, hm[0], hm[1], 0, 0, time.UTC)
		clock.Set(at)
		recs := l.stats("current_queue_activity", warehouse.NewStamp(at))
		if i == 2 {
			l.stats("current_queue_activity", warehouse.NewStamp(at))
		}
		var q map[string]any
		if err := json.Unmarshal(recs[0], &q); err != nil {
			t.Fatal(err)
		}
		q["_synced_at"] = at
		f.queue = append(f.queue, q)
	}
	for i, at := range []time.Time{time.Date(2024, 1, 1, 9, 30, 0, 0, time.UTC), time.Date(2024, 1, 1, 11, 15, 0, 0, time.UTC)} {
		clock.Set(at)
		recs := l.stats("agents_activity", warehouse.NewStamp(at))
		if i == 1 {
			l.stats("agents_activity", warehouse.NewStamp(at))
			f.agentsAt = at
			f.agents = nil
			for _, r := range recs {
				var a map[string]any
				if err := json.Unmarshal(r, &a); err != nil {
					t.Fatal(err)
				}
				f.agents = append(f.agents, a)
			}
		}
	}
	// The raw tables really hold duplicates: otherwise this test proves nothing.
	if n := count(t, w, "SELECT count() FROM calls"); n <= uint64(len(ids)) {
		t.Fatalf("calls holds %d rows for %d calls: no duplicates were loaded", n, len(ids))
	}
	if n := count(t, w, "SELECT count() FROM agents_activity"); n != uint64(3*cfg.Agents) {
		t.Fatalf("agents_activity holds %d rows, want %d", n, 3*cfg.Agents)
	}
	return f
}

func TestViews(t *testing.T) {
	f := loadViewsFixture(t)
	t.Run("live", f.checkLive)
	t.Run("calls_daily_hourly", f.checkCallsPerPeriod)
	t.Run("call_outcomes_daily", f.checkOutcomes)
	t.Run("call_times_daily", f.checkTimes)
	t.Run("agents_latest", f.checkAgentsLatest)
	t.Run("queue_activity", f.checkQueue)
}

func (f *viewsFixture) ids(t *testing.T, q string) map[string]bool {
	t.Helper()
	rows, err := f.w.Conn().Query(context.Background(), q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		if out[id] {
			t.Errorf("%s: id %s twice", q, id)
		}
		out[id] = true
	}
	return out
}

func idString(v any) string {
	switch x := v.(type) {
	case float64:
		return fmt.Sprintf("%.0f", x)
	case string:
		return x
	}
	return fmt.Sprint(v)
}

// Each _live view has exactly its table's columns and one row per live id.
func (f *viewsFixture) checkLive(t *testing.T) {
	ctx := context.Background()
	exp := f.sim.Expected()
	removed := map[string]string{
		"calls":     fmt.Sprint(f.removedCall),
		"addresses": fmt.Sprint(f.removedAddress),
		"greetings": f.removedGreet,
	}
	for _, tb := range tables.All() {
		if !tb.Entity() {
			continue
		}
		view := tb.Name + "_live"
		cols := func(name string) string {
			// system.columns lists them in table order (18.16 has no position column).
			rows, err := f.w.Conn().Query(ctx, "SELECT name, type FROM system.columns WHERE database = ? AND table = ?", f.w.Database(), name)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var out []string
			for rows.Next() {
				var n, ty string
				if err := rows.Scan(&n, &ty); err != nil {
					t.Fatal(err)
				}
				out = append(out, n+" "+ty)
			}
			return strings.Join(out, ", ")
		}
		if got, want := cols(view), cols(tb.Name); got != want || got == "" {
			t.Errorf("%s columns differ from %s: recreate the view in the migration that changed the table.\n got: %s\nwant: %s", view, tb.Name, got, want)
		}
		got := f.ids(t, "SELECT toString(id) FROM "+view)
		want := map[string]bool{}
		switch tb.Name {
		case "calls":
			for _, id := range f.sim.CallIDs() {
				want[fmt.Sprint(id)] = true
			}
		case "call_legs":
			for _, id := range f.sim.CallIDs() {
				for _, leg := range f.sim.LegIDs(id) {
					want[fmt.Sprint(leg)] = true
				}
			}
		default:
			recs, err := f.sim.Records(tb.Name)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range recs {
				want[idString(r["id"])] = true
			}
		}
		if len(want) != exp[tb.Name] {
			t.Errorf("%s: simulator lists %d ids, Expected() says %d", tb.Name, len(want), exp[tb.Name])
		}
		if id, ok := removed[tb.Name]; ok {
			if !want[id] {
				t.Fatalf("%s: tombstoned id %s unknown", tb.Name, id)
			}
			delete(want, id)
			if got[id] {
				t.Errorf("%s shows %s, which was removed upstream", view, id)
			}
		}
		if len(got) != len(want) {
			t.Errorf("%s has %d rows, want %d", view, len(got), len(want))
		}
		for id := range want {
			if !got[id] {
				t.Errorf("%s lacks id %s", view, id)
				break
			}
		}
	}
	// Every call shows its current version (three were updated upstream).
	rows, err := f.w.Conn().Query(ctx, "SELECT id, completion_status FROM calls_live")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	status := map[int64]string{}
	for rows.Next() {
		var id int64
		var st *string
		if err := rows.Scan(&id, &st); err != nil {
			t.Fatal(err)
		}
		status[id] = nullable(st)
	}
	for _, c := range f.calls {
		id := int64(c["id"].(float64))
		if want := strField(c, "completion_status"); status[id] != want {
			t.Errorf("call %d: calls_live status %s, simulator %s", id, status[id], want)
		}
	}
}

func created(t *testing.T, c map[string]any) time.Time {
	s, _ := c["created_at"].(string)
	ts, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatalf("call %v: created_at %q", c["id"], s)
	}
	return ts.UTC()
}

func strField(c map[string]any, k string) string {
	if s, ok := c[k].(string); ok {
		return s
	}
	return "NULL"
}

func (f *viewsFixture) checkCallsPerPeriod(t *testing.T) {
	ctx := context.Background()
	for _, v := range []struct {
		view, col string
		trunc     func(time.Time) time.Time
	}{
		{"calls_daily", "day", func(x time.Time) time.Time { return x.Truncate(24 * time.Hour) }},
		{"calls_hourly", "hour", func(x time.Time) time.Time { return x.Truncate(time.Hour) }},
	} {
		want := map[string]uint64{}
		for _, c := range f.calls {
			k := fmt.Sprintf("%s|%s|%s", v.trunc(created(t, c)).Format(time.DateTime), strField(c, "direction"), strField(c, "completion_status"))
			want[k]++
		}
		rows, err := f.w.Conn().Query(ctx, fmt.Sprintf("SELECT %s, direction, completion_status, calls FROM %s", v.col, v.view))
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]uint64{}
		for rows.Next() {
			var (
				at        time.Time
				dir, stat *string
				n         uint64
			)
			if err := rows.Scan(&at, &dir, &stat, &n); err != nil {
				t.Fatal(err)
			}
			got[fmt.Sprintf("%s|%s|%s", at.UTC().Format(time.DateTime), nullable(dir), nullable(stat))] = n
		}
		rows.Close()
		if len(got) != len(want) {
			t.Errorf("%s: %d groups, want %d", v.view, len(got), len(want))
		}
		for k, n := range want {
			if got[k] != n {
				t.Errorf("%s[%s] = %d, want %d", v.view, k, got[k], n)
			}
		}
		if len(want) < 10 {
			t.Errorf("%s: only %d groups: the data is too uniform to test much", v.view, len(want))
		}
	}
}

type outcomes struct {
	inbound, completed, abandoned, voicemail, callback, missed uint64
}

func (f *viewsFixture) checkOutcomes(t *testing.T) {
	want := map[string]*outcomes{}
	for _, c := range f.calls {
		if strField(c, "direction") != "inbound" {
			continue
		}
		day := created(t, c).Format(time.DateOnly)
		o := want[day]
		if o == nil {
			o = &outcomes{}
			want[day] = o
		}
		o.inbound++
		switch s := strField(c, "completion_status"); {
		case s == "completed":
			o.completed++
		case strings.HasPrefix(s, "abandoned"):
			o.abandoned++
		case s == "voicemail":
			o.voicemail++
		case s == "callback_requested":
			o.callback++
		case s == "missed" || s == "declined":
			o.missed++
		}
	}
	rows, err := f.w.Conn().Query(context.Background(), `SELECT day, inbound_calls, completed, abandoned, voicemail, callback_requested, missed,
	  completion_rate, abandonment_rate, voicemail_rate, callback_rate FROM call_outcomes_daily`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	seen := 0
	for rows.Next() {
		var (
			day                     time.Time
			g                       outcomes
			comp, aband, vm, cbRate float64
		)
		if err := rows.Scan(&day, &g.inbound, &g.completed, &g.abandoned, &g.voicemail, &g.callback, &g.missed, &comp, &aband, &vm, &cbRate); err != nil {
			t.Fatal(err)
		}
		k := day.Format(time.DateOnly)
		w := want[k]
		if w == nil {
			t.Errorf("call_outcomes_daily has day %s, which has no inbound calls", k)
			continue
		}
		seen++
		if g != *w {
			t.Errorf("call_outcomes_daily %s: %+v, want %+v", k, g, *w)
		}
		n := float64(w.inbound)
		for _, r := range []struct {
			name      string
			got, want float64
		}{
			{"completion_rate", comp, float64(w.completed) / n},
			{"abandonment_rate", aband, float64(w.abandoned) / n},
			{"voicemail_rate", vm, float64(w.voicemail) / n},
			{"callback_rate", cbRate, float64(w.callback) / n},
		} {
			if math.Abs(r.got-r.want) > 0.00005+1e-9 {
				t.Errorf("call_outcomes_daily %s %s = %v, want %.6f", k, r.name, r.got, r.want)
			}
		}
		if w.abandoned == 0 || w.voicemail == 0 || w.callback == 0 {
			t.Errorf("day %s: some outcome never happens (%+v): the data is too thin", k, *w)
		}
	}
	if seen != len(want) {
		t.Errorf("call_outcomes_daily has %d days, want %d", seen, len(want))
	}
}

type meanAcc struct {
	sum float64
	n   int
}

func (m *meanAcc) add(v float64, ok bool) {
	if ok {
		m.sum += v
		m.n++
	}
}

func (m meanAcc) mean() (float64, bool) {
	if m.n == 0 {
		return 0, false
	}
	return m.sum / float64(m.n), true
}

type timesAcc struct {
	calls, answered        uint64
	wait, talk, hold, wrap meanAcc
}

func (f *viewsFixture) checkTimes(t *testing.T) {
	want := map[string]*timesAcc{}
	for _, c := range f.calls {
		k := created(t, c).Format(time.DateOnly) + "|" + strField(c, "direction")
		a := want[k]
		if a == nil {
			a = &timesAcc{}
			want[k] = a
		}
		a.calls++
		a.wait.add(num(c, "wait_time"))
		if talk, ok := num(c, "talk_time"); ok && talk > 0 {
			a.answered++
			a.talk.add(talk, true)
			a.hold.add(num(c, "hold_time"))
			a.wrap.add(num(c, "wrap_up_time"))
		}
	}
	rows, err := f.w.Conn().Query(context.Background(), `SELECT day, direction, calls, answered_calls,
	  avg_wait_time, avg_talk_time, avg_hold_time, avg_wrap_up_time FROM call_times_daily`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	seen := 0
	for rows.Next() {
		var (
			day                    time.Time
			dir                    *string
			calls, answered        uint64
			wait, talk, hold, wrap *float64
		)
		if err := rows.Scan(&day, &dir, &calls, &answered, &wait, &talk, &hold, &wrap); err != nil {
			t.Fatal(err)
		}
		k := day.Format(time.DateOnly) + "|" + nullable(dir)
		w := want[k]
		if w == nil {
			t.Errorf("call_times_daily has unexpected group %s", k)
			continue
		}
		seen++
		if calls != w.calls || answered != w.answered {
			t.Errorf("call_times_daily %s: calls %d answered %d, want %d and %d", k, calls, answered, w.calls, w.answered)
		}
		for _, m := range []struct {
			name string
			got  *float64
			acc  meanAcc
		}{{"avg_wait_time", wait, w.wait}, {"avg_talk_time", talk, w.talk}, {"avg_hold_time", hold, w.hold}, {"avg_wrap_up_time", wrap, w.wrap}} {
			mean, ok := m.acc.mean()
			if !near(m.got, mean, ok, 0.05) {
				t.Errorf("call_times_daily %s %s = %s, want %.3f (defined: %v)", k, m.name, nullable(m.got), mean, ok)
			}
		}
	}
	if seen != len(want) {
		t.Errorf("call_times_daily has %d groups, want %d", seen, len(want))
	}
}

func (f *viewsFixture) checkAgentsLatest(t *testing.T) {
	rows, err := f.w.Conn().Query(context.Background(), `SELECT snapshot_at, agent_id, name, agent_state, online_time,
	  calls_accepted, calls_denied, calls_missed, calls_offered, accept_rate, average_talk_time, total_talk_time FROM agents_latest`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	byID := map[int64]map[string]any{}
	for _, a := range f.agents {
		byID[int64(a["agent_id"].(float64))] = a
	}
	seen := map[int64]bool{}
	offeredSomewhere := false
	for rows.Next() {
		var (
			at                                      time.Time
			id, offered                             int64
			name, state                             *string
			online, acc, den, mis, avgTalk, totTalk *int64
			rate                                    *float64
		)
		if err := rows.Scan(&at, &id, &name, &state, &online, &acc, &den, &mis, &offered, &rate, &avgTalk, &totTalk); err != nil {
			t.Fatal(err)
		}
		if seen[id] {
			t.Errorf("agents_latest shows agent %d twice", id)
		}
		seen[id] = true
		if !at.Equal(f.agentsAt) {
			t.Errorf("agent %d: snapshot_at %v, want the newest snapshot %v", id, at, f.agentsAt)
		}
		a := byID[id]
		if a == nil {
			t.Errorf("agents_latest has unknown agent %d", id)
			continue
		}
		wantInt := func(k string, got *int64) {
			v, ok := num(a, k)
			if (got == nil) != !ok || (ok && float64(*got) != v) {
				t.Errorf("agent %d %s = %s, want %v", id, k, nullable(got), a[k])
			}
		}
		wantInt("online_time", online)
		wantInt("calls_accepted", acc)
		wantInt("calls_denied", den)
		wantInt("calls_missed", mis)
		wantInt("average_talk_time", avgTalk)
		wantInt("total_talk_time", totTalk)
		if nullable(name) != strField(a, "name") || nullable(state) != strField(a, "agent_state") {
			t.Errorf("agent %d: name %s state %s, want %v %v", id, nullable(name), nullable(state), a["name"], a["agent_state"])
		}
		x, _ := num(a, "calls_accepted")
		d, _ := num(a, "calls_denied")
		m, _ := num(a, "calls_missed")
		if float64(offered) != x+d+m {
			t.Errorf("agent %d calls_offered %d, want %v", id, offered, x+d+m)
		}
		_, accOK := num(a, "calls_accepted")
		if !near(rate, x/(x+d+m), accOK && x+d+m > 0, 0.00005) {
			t.Errorf("agent %d accept_rate %s, want %v/%v", id, nullable(rate), x, x+d+m)
		}
		offeredSomewhere = offeredSomewhere || x+d+m > 0
	}
	if len(seen) != len(f.agents) {
		t.Errorf("agents_latest has %d agents, want %d", len(seen), len(f.agents))
	}
	if !offeredSomewhere {
		t.Error("no agent was offered a call in the newest snapshot: pick a later time")
	}
}

func (f *viewsFixture) checkQueue(t *testing.T) {
	ctx := context.Background()
	rows, err := f.w.Conn().Query(ctx, `SELECT snapshot_at, calls_waiting, callbacks_waiting, agents_online, average_wait_time, longest_wait_time
	  FROM queue_activity_history ORDER BY snapshot_at`)
	if err != nil {
		t.Fatal(err)
	}
	var i int
	for rows.Next() {
		var (
			at                                     time.Time
			waiting, cbs, online, avgWait, longest *int64
		)
		if err := rows.Scan(&at, &waiting, &cbs, &online, &avgWait, &longest); err != nil {
			t.Fatal(err)
		}
		if i >= len(f.queue) {
			i++
			continue
		}
		q := f.queue[i]
		i++
		if !at.Equal(q["_synced_at"].(time.Time)) {
			t.Errorf("queue snapshot %d at %v, want %v", i, at, q["_synced_at"])
		}
		got := fmt.Sprintln(nullable(waiting), nullable(cbs), nullable(online), nullable(avgWait), nullable(longest))
		want := fmt.Sprintln(q["calls_waiting"], q["callbacks_waiting"], q["agents_online"], q["average_wait_time"], q["longest_wait_time"])
		if got != want {
			t.Errorf("queue snapshot at %v: %s, want %s", at, got, want)
		}
	}
	rows.Close()
	if i != len(f.queue) {
		t.Fatalf("queue_activity_history has %d rows, want %d (one per snapshot)", i, len(f.queue))
	}

	type hourAcc struct {
		n                          uint64
		maxWait, minOn, maxOn, lng float64
		wait, on                   meanAcc
	}
	want := map[time.Time]*hourAcc{}
	var hours []time.Time
	for _, q := range f.queue {
		h := q["_synced_at"].(time.Time).Truncate(time.Hour)
		a := want[h]
		if a == nil {
			a = &hourAcc{maxWait: -1, minOn: math.Inf(1), maxOn: -1, lng: -1}
			want[h] = a
			hours = append(hours, h)
		}
		a.n++
		w, _ := num(q, "calls_waiting")
		on, _ := num(q, "agents_online")
		l, _ := num(q, "longest_wait_time")
		a.maxWait, a.minOn, a.maxOn, a.lng = math.Max(a.maxWait, w), math.Min(a.minOn, on), math.Max(a.maxOn, on), math.Max(a.lng, l)
		a.wait.add(w, true)
		a.on.add(on, true)
	}
	sort.Slice(hours, func(i, j int) bool { return hours[i].Before(hours[j]) })
	rows, err = f.w.Conn().Query(ctx, `SELECT hour, snapshots, max_calls_waiting, avg_calls_waiting, min_agents_online,
	  avg_agents_online, max_agents_online, max_longest_wait_time FROM queue_activity_hourly ORDER BY hour`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var (
			h                         time.Time
			snaps                     uint64
			maxWait, minOn, maxOn, lg *int64
			avgWait, avgOn            *float64
		)
		if err := rows.Scan(&h, &snaps, &maxWait, &avgWait, &minOn, &avgOn, &maxOn, &lg); err != nil {
			t.Fatal(err)
		}
		n++
		a := want[h.UTC()]
		if a == nil {
			t.Errorf("queue_activity_hourly has unexpected hour %v", h)
			continue
		}
		mw, _ := a.wait.mean()
		mo, _ := a.on.mean()
		if snaps != a.n || nullable(maxWait) != fmt.Sprint(a.maxWait) || nullable(minOn) != fmt.Sprint(a.minOn) ||
			nullable(maxOn) != fmt.Sprint(a.maxOn) || nullable(lg) != fmt.Sprint(a.lng) ||
			!near(avgWait, mw, true, 0.005) || !near(avgOn, mo, true, 0.005) {
			t.Errorf("queue_activity_hourly %v: snapshots %d max_wait %s avg_wait %s agents %s/%s/%s longest %s; want %d %v %.2f %v/%.2f/%v %v",
				h, snaps, nullable(maxWait), nullable(avgWait), nullable(minOn), nullable(avgOn), nullable(maxOn), nullable(lg),
				a.n, a.maxWait, mw, a.minOn, mo, a.maxOn, a.lng)
		}
	}
	if n != len(hours) {
		t.Errorf("queue_activity_hourly has %d hours, want %d", n, len(hours))
	}
}
