package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"text/tabwriter"
	"time"

	"talkwarehouse/config"
	"talkwarehouse/internal/connect"
	"talkwarehouse/warehouse"
)

// --views: after each sync, every analytics view of the synced database
// (not the *_live views, which are whole tables with their _raw JSON) is
// read in full (SELECT * and every row scanned by the client, as an
// analyst's tool would), twice: the first read pays for cold caches.
// --realistic serves the simulator's realistic profile (four weeks of a
// New York call centre) instead of the flat sequence, so the views see
// days, hours, agents and lines as a real account has them.
var (
	viewsFlag     = flag.Bool("views", false, "after each sync, time a full read of every analytics view (in ANALYTICS_TIMEZONE)")
	realisticFlag = flag.Bool("realistic", false, "simulate four weeks of a call centre (talksim.Realistic) instead of the flat sequence")
)

type viewTiming struct {
	View       string
	Rows       int
	Cold, Warm time.Duration
}

// timeViews reads every view of ch.Database.
func timeViews(ctx context.Context, ch config.ClickHouse) ([]viewTiming, error) {
	wh, err := connect.Warehouse(ctx, ch, config.Analytics{}, quietLog)
	if err != nil {
		return nil, err
	}
	defer wh.Close()
	rows, err := wh.Conn().Query(ctx, "SELECT name FROM system.tables WHERE database = ? AND engine = 'View' AND name NOT LIKE '%\\_live' ORDER BY name", ch.Database)
	if err != nil {
		return nil, err
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return nil, err
		}
		names = append(names, n)
	}
	rows.Close()
	var out []viewTiming
	for _, v := range names {
		vt, err := timeQuery(ctx, wh, v, "SELECT * FROM "+v)
		if err != nil {
			return out, err
		}
		out = append(out, vt)
	}
	// One call by id, through the live view and as docs/analytics.md
	// advises (on 18.16 a view does not let the predicate through).
	var id int64
	if err := wh.Conn().QueryRow(ctx, "SELECT max(id) FROM calls").Scan(&id); err != nil {
		return out, err
	}
	for _, q := range []string{
		fmt.Sprintf("SELECT * FROM calls_live WHERE id = %d", id),
		fmt.Sprintf("SELECT * FROM calls FINAL WHERE id = %d AND _deleted = 0", id),
	} {
		vt, err := timeQuery(ctx, wh, q, q)
		if err != nil {
			return out, err
		}
		out = append(out, vt)
	}
	return out, nil
}

// timeQuery reads every row of query twice (cold, then warm).
func timeQuery(ctx context.Context, wh *warehouse.Warehouse, label, query string) (viewTiming, error) {
	vt := viewTiming{View: label}
	for i := 0; i < 2; i++ {
		t0 := time.Now()
		r, err := wh.Conn().Query(ctx, query)
		if err != nil {
			return vt, fmt.Errorf("%s: %w", label, err)
		}
		n := 0
		for r.Next() {
			n++
		}
		err = r.Err()
		r.Close()
		if err != nil {
			return vt, fmt.Errorf("%s: %w", label, err)
		}
		if i == 0 {
			vt.Cold, vt.Rows = time.Since(t0), n
		} else {
			vt.Warm = time.Since(t0)
		}
	}
	return vt, nil
}

func printViews(all []runResult) {
	for _, r := range all {
		if len(r.Views) == 0 {
			continue
		}
		fmt.Printf("\nviews after the sync of %d calls (%d legs): full read, seconds\n", r.Calls, r.Legs)
		tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "view\trows\tcold s\twarm s\t")
		for _, v := range r.Views {
			fmt.Fprintf(tw, "%s\t%d\t%.2f\t%.2f\t\n", v.View, v.Rows, v.Cold.Seconds(), v.Warm.Seconds())
		}
		tw.Flush()
	}
}
