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
	{"Rows per table (current entities under FINAL)", `
SELECT 'calls' AS table, count() AS rows FROM calls FINAL
UNION ALL SELECT 'call_legs', count() FROM call_legs FINAL
UNION ALL SELECT 'greetings', count() FROM greetings FINAL
UNION ALL SELECT 'ivr_routes', count() FROM ivr_routes FINAL
UNION ALL SELECT 'agents_activity', count() FROM agents_activity FINAL`},
	{"Calls per hour of the busiest hours, by direction", `
SELECT toStartOfHour(created_at) AS hour, direction, count() AS calls
FROM calls FINAL
WHERE created_at IS NOT NULL
GROUP BY hour, direction
ORDER BY calls DESC, hour, direction
LIMIT 6`},
	{"Outcome of inbound calls", `
SELECT ifNull(completion_status, '(null)') AS status, count() AS calls,
       round(100 * count() / (SELECT count() FROM calls FINAL WHERE direction = 'inbound'), 1) AS pct
FROM calls FINAL
WHERE direction = 'inbound'
GROUP BY status
ORDER BY calls DESC`},
	{"Average wait, talk, hold and wrap-up (seconds) by direction", `
SELECT direction, count() AS calls, round(avg(wait_time), 1) AS avg_wait, round(avg(talk_time), 1) AS avg_talk,
       round(avg(hold_time), 1) AS avg_hold, round(avg(wrap_up_time), 1) AS avg_wrap_up
FROM calls FINAL
GROUP BY direction
ORDER BY direction`},
	{"Agents in the latest agents_activity snapshot", `
SELECT name, agent_state, calls_accepted, calls_missed, total_talk_time
FROM agents_activity FINAL
WHERE _synced_at = (SELECT max(_synced_at) FROM agents_activity)
ORDER BY calls_accepted DESC, name
LIMIT 5`},
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
