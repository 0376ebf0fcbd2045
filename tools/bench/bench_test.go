package main

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"talkwarehouse/config"
)

// go test -run '^$' -bench . ./tools/bench/ (needs CLICKHOUSE_ADDR).
//
// BenchmarkSync10k runs the real SyncTable (calls and call_legs at once,
// under the TestActivityEnvironment, in this process) against a fresh
// simulator of 10,000 calls × 3 legs, into a fresh database per iteration,
// and reports rows/s and the time per page. BenchmarkBareFetch10k is the
// baseline: the same pages with a plain client.

func benchClickHouse(b *testing.B) config.ClickHouse {
	b.Helper()
	if os.Getenv("CLICKHOUSE_ADDR") == "" {
		b.Skip("CLICKHOUSE_ADDR is not set")
	}
	ch, err := config.LoadClickHouse()
	if err != nil {
		b.Fatal(err)
	}
	return ch
}

func BenchmarkSync10k(b *testing.B) {
	ch := benchClickHouse(b)
	sim, err := startSim(10000, 3, 0, 0)
	if err != nil {
		b.Fatal(err)
	}
	defer sim.Close()
	cfg := config.Worker{
		Zendesk: config.Zendesk{BaseURL: sim.URL, Email: benchEmail, APIToken: benchToken, StartDate: simStart},
	}
	ctx := context.Background()
	b.Cleanup(func() { dropDatabases(ctx, ch) }) // at the end: a DROP slows the next inserts
	var rows, pages int
	var wall time.Duration
	for i := 0; i < b.N; i++ {
		cfg.ClickHouse = ch
		cfg.ClickHouse.Database = fmt.Sprintf("bench_gotest_%d_%d", time.Now().UnixNano(), i)
		databases = append(databases, cfg.ClickHouse.Database)
		rep, err := runSync(ctx, cfg, 0, quietLog)
		if err != nil {
			b.Fatal(err)
		}
		rows, pages, wall = rows+int(rep.rows()), pages+int(rep.pages()), wall+rep.Wall
	}
	b.ReportMetric(float64(rows)/wall.Seconds(), "rows/s")
	b.ReportMetric(float64(wall.Milliseconds())/float64(pages), "ms/page")
}

func BenchmarkBareFetch10k(b *testing.B) {
	sim, err := startSim(10000, 3, 0, 0)
	if err != nil {
		b.Fatal(err)
	}
	defer sim.Close()
	var rows int
	var wall time.Duration
	for i := 0; i < b.N; i++ {
		r, err := bareFetch(context.Background(), sim.URL)
		if err != nil {
			b.Fatal(err)
		}
		rows, wall = rows+r.records(), wall+r.Wall
	}
	b.ReportMetric(float64(rows)/wall.Seconds(), "rows/s")
}
