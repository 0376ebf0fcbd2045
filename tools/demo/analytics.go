package demo

import (
	"context"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"

	"talkwarehouse/warehouse"
)

// The demo's questions, in SQL that runs on ClickHouse 18.16 and current.
var questions = []struct{ title, sql string }{
	{"Live rows per table (the _live views: FINAL, tombstones excluded)", `
SELECT 'calls' AS table, count() AS rows FROM calls_live
UNION ALL SELECT 'call_legs', count() FROM call_legs_live
UNION ALL SELECT 'greetings', count() FROM greetings_live
UNION ALL SELECT 'ivr_routes', count() FROM ivr_routes_live
UNION ALL SELECT 'phone_numbers', count() FROM phone_numbers_live`},
	{"Service level by day, New York days (service_level_daily; SL = answered within 20 s / (offered - short abandons))", `
SELECT day, toDayOfWeek(day) AS dow, offered, answered, answered_within_20s, abandoned, short_abandoned,
       service_level_20s, service_level_30s, average_speed_of_answer, longest_wait_time
FROM service_level_daily ORDER BY day`},
	{"Where callers gave up, by day (abandonment_daily)", `
SELECT day, inbound_calls, abandoned_in_ivr, abandoned_in_queue, abandoned_in_voicemail, abandoned_on_hold,
       abandonment_rate, callbacks_requested, callbacks_from_queue, callbacks_from_web_widget
FROM abandonment_daily ORDER BY day`},
	{"Agent day: the busiest day's agents (agent_daily; leg times, never added to call times)", `
SELECT day, name, legs_offered, legs_accepted, legs_missed, legs_declined, transfers_started, consultations,
       average_handle_time, accept_rate
FROM agent_daily
WHERE day = (SELECT day FROM service_level_daily ORDER BY offered DESC LIMIT 1)
ORDER BY legs_accepted DESC, name LIMIT 8`},
	{"IVR paths over the four weeks (ivr_paths_daily)", `
SELECT ivr_action, ivr_destination_group_name, sum(calls) AS ivr_calls, sum(abandoned_in_ivr) AS abandoned_there,
       round(sum(total_ivr_time_spent) / ivr_calls, 1) AS avg_ivr_seconds
FROM ivr_paths_daily GROUP BY ivr_action, ivr_destination_group_name ORDER BY ivr_calls DESC LIMIT 8`},
	{"Calls per line (calls_by_line_daily, names from lines and phone_numbers)", `
SELECT line_name, line_type, sum(calls) AS all_calls, sumIf(calls, direction = 'inbound') AS inbound
FROM calls_by_line_daily GROUP BY line_name, line_type ORDER BY all_calls DESC`},
	{"Busiest agents in the latest snapshot (agents_latest)", `
SELECT name, agent_state, calls_accepted, calls_offered, accept_rate, online_time
FROM agents_latest ORDER BY calls_accepted DESC, name LIMIT 5`},
	{"Queue right now (queue_activity_history)", `
SELECT snapshot_at, calls_waiting, callbacks_waiting, agents_online, longest_wait_time
FROM queue_activity_history ORDER BY snapshot_at DESC LIMIT 3`},
	{"What the sync did (sync_runs)", `
SELECT table_name, mode, status, rows, pages, requests
FROM sync_runs FINAL ORDER BY table_name`},
}

func printAnalytics(w *warehouse.Warehouse) error {
	ctx := context.Background()
	for _, q := range questions {
		fmt.Printf("\n-- %s\n", q.title)
		rows, err := w.Conn().Query(ctx, q.sql)
		if err != nil {
			return fmt.Errorf("%s: %w", q.title, err)
		}
		cols := rows.Columns()
		tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, strings.Join(cols, "\t"))
		types := rows.ColumnTypes()
		for rows.Next() {
			vals := make([]any, len(cols))
			for i, ct := range types {
				vals[i] = newOf(ct.ScanType())
			}
			if err := rows.Scan(vals...); err != nil {
				rows.Close()
				return err
			}
			cells := make([]string, len(vals))
			for i, v := range vals {
				cells[i] = render(v)
			}
			fmt.Fprintln(tw, strings.Join(cells, "\t"))
		}
		rows.Close()
		tw.Flush()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	fmt.Println()
	return nil
}
