package chcompat_test

import (
	"regexp"
	"strings"
	"testing"

	"talkwarehouse/schema"
	"talkwarehouse/tools/chcompat"
)

// Every migration statement, and a query on every view they create, must
// run on a current ClickHouse too. Skipped when libchdb.so is absent.
func TestMigrationsAndViewsOnCurrentClickHouse(t *testing.T) {
	e, q := openEngine(t)
	version := q("SELECT version()")
	t.Logf("chDB engine: ClickHouse %s", version)
	q("CREATE DATABASE compat")
	q("USE compat")

	migrations, err := schema.Migrations()
	if err != nil {
		t.Fatal(err)
	}
	viewRE := regexp.MustCompile(`(?i)CREATE\s+VIEW\s+IF\s+NOT\s+EXISTS\s+(\w+)`)
	var views []string
	seen := map[string]bool{}
	for _, m := range migrations {
		// The views in a zone with DST, as ANALYTICS_TIMEZONE would set.
		for i, stmt := range m.In("America/New_York").Statements {
			if columnExists(q, "currentDatabase()", stmt) {
				continue // as the migration runner does
			}
			if _, err := e.Query(stmt, ""); err != nil {
				t.Fatalf("ClickHouse %s: migration %s, statement %d:\n%s\n-> %v", version, m.Name, i+1, stmt, err)
			}
			if v := viewRE.FindStringSubmatch(stmt); v != nil && !seen[v[1]] {
				seen[v[1]] = true
				views = append(views, v[1])
			}
		}
	}
	if len(views) < 10 {
		t.Fatalf("found only %d views in the migrations", len(views))
	}

	// A few calls: call 1 fetched twice (its newer version wins), call 2
	// removed upstream (a tombstone with a newer version), call 3 outbound.
	// One INSERT per fetch, and merges stopped: current ClickHouse collapses
	// duplicates within one INSERT (optimize_on_insert), and a background
	// merge could collapse them too, hiding a view that forgot FINAL.
	for _, tb := range []string{"calls", "current_queue_activity", "agents_activity"} {
		q("SYSTEM STOP MERGES compat." + tb)
	}
	const callCols = "INSERT INTO calls (id, created_at, direction, completion_status, wait_time, talk_time, hold_time, wrap_up_time, _raw, _synced_at, _version, _deleted) VALUES "
	q(callCols + `(1, '2024-01-01 10:05:00', 'inbound', 'missed', 30, 0, 0, 0, '{}', '2024-01-01 11:00:00', 1, 0),
	  (2, '2024-01-01 10:10:00', 'inbound', 'abandoned_in_queue', 200, 0, 0, NULL, '{}', '2024-01-01 11:00:00', 1, 0)`)
	q(callCols + `(1, '2024-01-01 10:05:00', 'inbound', 'completed', 30, 100, 20, 40, '{}', '2024-01-01 12:00:00', 2, 0),
	  (4, '2024-01-01 11:30:00', 'inbound', 'voicemail', 60, 0, 0, NULL, '{}', '2024-01-01 12:00:00', 1, 0),
	  (3, '2024-01-01 11:20:00', 'outbound', 'completed', 0, 300, 0, 10, '{}', '2024-01-01 12:00:00', 1, 0)`)
	q(callCols + `(2, '2024-01-01 10:10:00', 'inbound', 'abandoned_in_queue', 200, 0, 0, NULL, '{}', '2024-01-01 12:00:00', 2, 1)`)
	for i := 0; i < 2; i++ { // the 10:00 snapshot written twice (a retried write)
		q(`INSERT INTO current_queue_activity (calls_waiting, callbacks_waiting, agents_online, average_wait_time, longest_wait_time, _raw, _synced_at) VALUES
		  (2, 0, 5, 30, 60, '{}', '2024-01-01 10:00:00')`)
	}
	q(`INSERT INTO current_queue_activity (calls_waiting, callbacks_waiting, agents_online, average_wait_time, longest_wait_time, _raw, _synced_at) VALUES
	  (4, 1, 3, 50, 90, '{}', '2024-01-01 10:30:00')`)
	q(`INSERT INTO agents_activity (agent_id, name, calls_accepted, calls_denied, calls_missed, _raw, _synced_at) VALUES (7, 'Ann', 1, 0, 0, '{}', '2024-01-01 10:00:00')`)
	for i := 0; i < 2; i++ { // the newest snapshot written twice
		q(`INSERT INTO agents_activity (agent_id, name, calls_accepted, calls_denied, calls_missed, _raw, _synced_at) VALUES (7, 'Ann', 3, 0, 1, '{}', '2024-01-01 11:00:00')`)
	}
	if n := q("SELECT count() FROM calls"); n != "6" {
		t.Fatalf("calls holds %s rows, want all 6 versions (duplicates collapsed before the views could see them)", n)
	}

	for _, v := range views {
		q("SELECT * FROM " + v + " FORMAT Null")
	}
	for sql, want := range map[string]string{
		"SELECT groupArray(id) FROM (SELECT id FROM calls_live ORDER BY id)":                                                                              "[1,3,4]",
		"SELECT day, direction, completion_status, calls FROM calls_daily ORDER BY direction, completion_status":                                          "2024-01-01\tinbound\tcompleted\t1\n2024-01-01\tinbound\tvoicemail\t1\n2024-01-01\toutbound\tcompleted\t1",
		"SELECT toUnixTimestamp(hour), calls FROM calls_hourly WHERE direction = 'inbound' ORDER BY hour":                                                 "1704103200\t1\n1704106800\t1",
		"SELECT offered, answered, abandoned, longest_wait_time FROM service_level_daily":                                                                 "2\t1\t0\t60",
		"SELECT toUnixTimestamp(hour), agent_id, name, snapshots FROM agent_occupancy_hourly ORDER BY hour":                                               "1704103200\t7\tAnn\t1\n1704106800\t7\tAnn\t1",
		"SELECT inbound_calls, completed, abandoned, voicemail, callback_requested, abandonment_rate, voicemail_rate FROM call_outcomes_daily":            "2\t1\t0\t1\t0\t0\t0.5",
		"SELECT direction, calls, answered_calls, avg_wait_time, avg_talk_time, avg_hold_time, avg_wrap_up_time FROM call_times_daily ORDER BY direction": "inbound\t2\t1\t45\t100\t20\t40\noutbound\t1\t1\t0\t300\t0\t10",
		"SELECT toString(snapshot_at), name, calls_offered, accept_rate FROM agents_latest":                                                               "2024-01-01 11:00:00\tAnn\t4\t0.75",
		"SELECT count(), max(calls_waiting) FROM queue_activity_history":                                                                                  "2\t4",
		"SELECT snapshots, max_calls_waiting, avg_calls_waiting, min_agents_online, max_longest_wait_time FROM queue_activity_hourly":                     "2\t4\t3\t3\t90",
	} {
		if got := q(sql); got != want {
			t.Errorf("ClickHouse %s: %s\n got: %q\nwant: %q", version, sql, got, want)
		}
	}
}

// columnExists mirrors the migration runner (warehouse.columnAdded): an
// ADD COLUMN whose table already has the column is skipped, since 18.16
// has no ADD COLUMN IF NOT EXISTS. db is an SQL expression.
func columnExists(q func(string) string, db, stmt string) bool {
	table, column, ok := schema.AddedColumn(stmt)
	if !ok {
		return false
	}
	if _, t, ok := strings.Cut(table, "."); ok {
		table = t
	}
	return q("SELECT count() FROM system.columns WHERE database = "+db+" AND table = '"+table+"' AND name = '"+column+"'") != "0"
}

// openEngine opens chDB in a temporary folder (skipping the test when
// libchdb.so is absent) and returns it with q, which runs one statement
// and returns its trimmed output, failing the test on an error.
func openEngine(t *testing.T) (*chcompat.Engine, func(string) string) {
	t.Helper()
	lib, err := chcompat.LibPath()
	if err != nil {
		t.Skip("no chDB library: ", err)
	}
	e, err := chcompat.Open(lib, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Close)
	return e, func(sql string) string {
		t.Helper()
		out, err := e.Query(sql, "")
		if err != nil {
			t.Fatalf("%s\n-> %v", sql, err)
		}
		return strings.TrimSpace(out)
	}
}
