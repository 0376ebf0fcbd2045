package main

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
	{"Calls per hour (calls_hourly)", `
SELECT hour, sum(calls) AS all_calls, sumIf(calls, direction = 'inbound') AS inbound,
       sumIf(calls, direction = 'outbound') AS outbound
FROM calls_hourly GROUP BY hour ORDER BY hour`},
	{"What became of inbound calls (call_outcomes_daily)", `
SELECT day, inbound_calls, completion_rate, abandonment_rate, voicemail_rate, callback_rate
FROM call_outcomes_daily ORDER BY day`},
	{"Average wait, talk, hold and wrap-up in seconds (call_times_daily)", `
SELECT day, direction, calls, answered_calls, avg_wait_time, avg_talk_time, avg_hold_time, avg_wrap_up_time
FROM call_times_daily ORDER BY day, direction`},
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
