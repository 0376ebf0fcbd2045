package warehouse_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"talkwarehouse/schema"
	"talkwarehouse/tables"
	"talkwarehouse/warehouse"
)

func open(t *testing.T) *warehouse.Warehouse {
	t.Helper()
	return openIn(t, "")
}

func count(t *testing.T, w *warehouse.Warehouse, q string) uint64 {
	t.Helper()
	var n uint64
	if err := w.Conn().QueryRow(context.Background(), q).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// The migrated database must match every table definition, column by
// column: a field added to a definition without a migration fails here.
func TestMigrationsMatchDefinitions(t *testing.T) {
	w := open(t)
	ctx := context.Background()
	if err := w.Migrate(ctx); err != nil { // a second run applies nothing
		t.Fatal(err)
	}
	ms, err := schema.Migrations()
	if err != nil {
		t.Fatal(err)
	}
	if n := count(t, w, "SELECT count() FROM schema_migrations FINAL"); n != uint64(len(ms)) {
		t.Fatalf("schema_migrations has %d rows, want %d", n, len(ms))
	}
	for _, tb := range tables.All() {
		rows, err := w.Conn().Query(ctx, "SELECT name, type FROM system.columns WHERE database = ? AND table = ?", w.Database(), tb.Name)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for rows.Next() {
			var name, typ string
			if err := rows.Scan(&name, &typ); err != nil {
				t.Fatal(err)
			}
			got = append(got, name+" "+typ)
		}
		rows.Close()
		var want []string
		for _, c := range tb.Columns {
			want = append(want, c.Name+" "+c.Type.SQL())
		}
		want = append(want, "_raw String", "_synced_at DateTime")
		if tb.Entity() {
			want = append(want, "_version UInt64", "_deleted UInt8")
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("table %s differs from its definition; add a migration.\n got: %v\nwant: %v", tb.Name, got, want)
		}
	}
}

func raws(t *testing.T, js ...string) []json.RawMessage {
	out := make([]json.RawMessage, len(js))
	for i, j := range js {
		if !json.Valid([]byte(j)) {
			t.Fatalf("bad test JSON %s", j)
		}
		out[i] = json.RawMessage(j)
	}
	return out
}

func TestWritePageDerivesMenusAndRoutesAndCollapsesRepeats(t *testing.T) {
	w := open(t)
	ctx := context.Background()
	page := raws(t, `{"id":1,"name":"Main","phone_number_ids":[10,11],"phone_number_names":["A","B"],
	  "menus":[{"id":100,"name":"Top","default":true,"greeting_id":"voicemail_en",
	     "routes":[{"id":1000,"action":"group","keypress":"1","options":{"group_ids":[5]},"overflow_options":[{"action":"voicemail"}]},
	               {"id":1001,"action":"voicemail","keypress":"2","options":null,"overflow_options":[]}]},
	    {"id":101,"name":"Sub","default":false,"greeting_id":42,"routes":[]}]}`,
		`{"id":2,"name":"Empty","menus":[]}`)
	ivrs := tables.MustGet("ivrs")
	for i := 0; i < 2; i++ { // the same page twice: a retried page
		res, err := w.WritePage(ctx, ivrs, page, warehouse.NewStamp(time.Now()))
		if err != nil {
			t.Fatal(err)
		}
		if res.Rows["ivrs"] != 2 || res.Rows["ivr_menus"] != 2 || res.Rows["ivr_routes"] != 2 {
			t.Fatalf("rows %v", res.Rows)
		}
	}
	for q, want := range map[string]uint64{
		"SELECT count() FROM ivrs FINAL":                                              2,
		"SELECT count() FROM ivr_menus FINAL":                                         2,
		"SELECT count() FROM ivr_routes FINAL":                                        2,
		"SELECT count() FROM ivr_menus FINAL WHERE ivr_id = 1":                        2,
		"SELECT count() FROM ivr_routes FINAL WHERE ivr_id = 1 AND ivr_menu_id = 100": 2,
		"SELECT count() FROM ivr_menus FINAL WHERE greeting_id = 'voicemail_en'":      1,
		"SELECT count() FROM ivrs FINAL WHERE has(phone_number_ids, '11')":            1,
		"SELECT count() FROM ivr_routes FINAL WHERE options = '{\"group_ids\":[5]}'":  1,
		"SELECT count() FROM ivr_routes FINAL WHERE options IS NULL":                  1,
	} {
		if got := count(t, w, q); got != want {
			t.Errorf("%s = %d, want %d", q, got, want)
		}
	}
}

func TestCallValuesAreTyped(t *testing.T) {
	w := open(t)
	ctx := context.Background()
	page := raws(t,
		`{"id":7,"created_at":"2024-01-01T10:00:00Z","updated_at":"2024-01-01T10:05:00Z","call_charge":"0.003",
		  "completion_status":"failed","quality_issues":["one_way_audio","echo"],"callback":true,"duration":120,
		  "agent_id":null,"line":"x","brand_new_field":{"a":1}}`,
		`{"id":8,"updated_at":"2024-01-01T10:06:00Z","call_charge":null,"quality_issues":null,"duration":"oops"}`)
	res, err := w.WritePage(ctx, tables.MustGet("calls"), page, warehouse.NewStamp(time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Problems) != 1 || !strings.Contains(res.Problems[0].Error(), `"duration"`) {
		t.Fatalf("problems %v, want one naming duration", res.Problems)
	}
	var (
		charge  float64
		status  string
		issues  []string
		cb      *uint8
		dur     *int64
		agent   *int64
		created time.Time
		raw     string
	)
	row := w.Conn().QueryRow(ctx, `SELECT toFloat64(call_charge), completion_status, quality_issues, callback, duration, agent_id, created_at, _raw FROM calls FINAL WHERE id = 7`)
	if err := row.Scan(&charge, &status, &issues, &cb, &dur, &agent, &created, &raw); err != nil {
		t.Fatal(err)
	}
	if charge != 0.003 || status != "failed" || strings.Join(issues, ",") != "one_way_audio,echo" ||
		cb == nil || *cb != 1 || dur == nil || *dur != 120 || agent != nil ||
		!created.Equal(time.Date(2024, 1, 1, 10, 0, 0, 0, time.UTC)) || !strings.Contains(raw, "brand_new_field") {
		t.Fatalf("row 7: charge=%v status=%s issues=%v cb=%v dur=%v agent=%v created=%v raw=%s", charge, status, issues, cb, dur, agent, created, raw)
	}
	if n := count(t, w, "SELECT count() FROM calls FINAL WHERE id = 8 AND call_charge IS NULL AND duration IS NULL AND empty(quality_issues) AND _raw LIKE '%oops%'"); n != 1 {
		t.Fatalf("row 8 not stored with NULLs and raw value")
	}
}

func TestGreetingStringIDs(t *testing.T) {
	w := open(t)
	page := raws(t, `{"id":"voicemail_en","name":"VM","ivr_ids":[1,"2"]}`, `{"id":360001,"name":"Hold"}`)
	if _, err := w.WritePage(context.Background(), tables.MustGet("greetings"), page, warehouse.NewStamp(time.Now())); err != nil {
		t.Fatal(err)
	}
	if n := count(t, w, "SELECT count() FROM greetings FINAL WHERE id IN ('voicemail_en', '360001')"); n != 2 {
		t.Fatalf("got %d greetings", n)
	}
}

func TestStatsKeepHistoryAndCollapseRepeatsOfOneSnapshot(t *testing.T) {
	w := open(t)
	ctx := context.Background()
	aa := tables.MustGet("agents_activity")
	page := raws(t, `{"agent_id":1,"name":"Ann","agent_state":"online"}`, `{"agent_id":2,"name":"Bob","agent_state":"away"}`)
	t0 := time.Date(2024, 5, 1, 9, 0, 0, 0, time.UTC)
	for _, at := range []time.Time{t0, t0, t0.Add(time.Minute)} {
		if _, err := w.WritePage(ctx, aa, page, warehouse.NewStamp(at)); err != nil {
			t.Fatal(err)
		}
	}
	if n := count(t, w, "SELECT count() FROM agents_activity FINAL"); n != 4 {
		t.Fatalf("agents_activity has %d rows under FINAL, want 2 agents x 2 snapshots", n)
	}
}

func TestCursorNewestWins(t *testing.T) {
	w := open(t)
	ctx := context.Background()
	if _, ok, err := w.LoadCursor(ctx, "calls"); err != nil || ok {
		t.Fatalf("fresh cursor: ok=%v err=%v", ok, err)
	}
	c1 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for i, c := range []time.Time{c1, c1.Add(time.Hour)} {
		if err := w.SaveCursor(ctx, warehouse.Cursor{Table: "calls", Cursor: c, SyncID: "run", Rows: uint64(i)}); err != nil {
			t.Fatal(err)
		}
	}
	got, ok, err := w.LoadCursor(ctx, "calls")
	if err != nil || !ok || !got.Cursor.Equal(c1.Add(time.Hour)) || got.SyncID != "run" || got.Rows != 1 {
		t.Fatalf("cursor %+v ok=%v err=%v", got, ok, err)
	}
}

// Applying the migrations again (two workers starting together, or a lost
// schema_migrations row) is harmless, ADD COLUMN included: 18.16 knows no
// ADD COLUMN IF NOT EXISTS, so the runner checks system.columns.
func TestMigrationsApplyTwice(t *testing.T) {
	w := open(t)
	ctx := context.Background()
	if err := w.Conn().Exec(ctx, "DROP TABLE schema_migrations"); err != nil {
		t.Fatal(err)
	}
	if err := w.Migrate(ctx); err != nil {
		t.Fatalf("second application: %v", err)
	}
	var n uint64
	if err := w.Conn().QueryRow(ctx, "SELECT count() FROM system.columns WHERE database = ? AND table = 'sync_runs' AND name IN ('warnings', 'notes')",
		w.Database()).Scan(&n); err != nil || n != 2 {
		t.Fatalf("sync_runs has %d of warnings, notes (%v)", n, err)
	}
}
