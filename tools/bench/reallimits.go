package main

import (
	"context"
	"fmt"
	"time"

	"talkwarehouse/activities"
	"talkwarehouse/config"
)

type realLimitsResult struct {
	Calls, Legs, Pages, RPM int
	Minimum                 time.Duration // the least time the budget allows for Pages requests
	Run                     runResult
	Over                    float64 // elapsed / minimum - 1
	Status429               int     // 429s the transport saw
	Throttled               int64   // 429s the client counted
}

// budgetMinimum is the least time n requests take under a rolling window of
// rpm requests per minute: rpm at once, then each as the request rpm places
// earlier leaves the window, so request k (0-based) starts no earlier than
// 60 s × floor(k / rpm).
func budgetMinimum(n, rpm int) time.Duration {
	if n <= 0 || rpm <= 0 {
		return 0
	}
	return time.Duration((n-1)/rpm) * time.Minute
}

func runRealLimits(ctx context.Context, ch config.ClickHouse, calls, legs, rpm int) (realLimitsResult, error) {
	res := realLimitsResult{Calls: calls, Legs: calls * legs, RPM: rpm}
	// Count the pages on an unlimited simulator first.
	free, err := startSim(calls, legs, 0, 0)
	if err != nil {
		return res, err
	}
	bare, err := bareFetch(ctx, free.URL)
	free.Close()
	if err != nil {
		return res, err
	}
	res.Pages = bare.pages()
	res.Minimum = budgetMinimum(res.Pages, rpm)

	sim, err := startSim(calls, legs, rpm, 200)
	if err != nil {
		return res, err
	}
	defer sim.Close()
	db := ch
	db.Database = fmt.Sprintf("bench_real_limits_%d", time.Now().Unix())
	logf("real limits: %d calls × %d legs = %d pages at %d export requests/min: minimum %v", calls, legs, res.Pages, rpm, res.Minimum)
	res.Run = runResult{Calls: calls, Legs: res.Legs, Load: loadAvg()}
	err = syncInChild(ctx, sim, db, 0, rpm, 200, &res.Run)
	s := res.Run.Sync
	if s == nil {
		return res, err
	}
	for _, e := range s.Exports {
		res.Status429 += e.Status429
	}
	res.Throttled = s.sum(func(t activities.TableResult) int64 { return t.Throttled })
	res.Over = s.Wall.Seconds()/res.Minimum.Seconds() - 1
	if err != nil {
		return res, err
	}
	fmt.Printf("\nUnder the real limits (%d export requests per rolling minute, simulator and client; load %s)\n", rpm, res.Run.Load)
	fmt.Printf("calls %d, legs %d, pages %d, requests %d\n", calls, res.Legs, res.Pages,
		s.sum(func(t activities.TableResult) int64 { return t.Requests }))
	fmt.Printf("elapsed %.1fs, budget minimum %.0fs: %+.1f%% (target ≤ +5%%)\n", s.Wall.Seconds(), res.Minimum.Seconds(), 100*res.Over)
	fmt.Printf("429s: %d seen by the transport, %d counted by the client (target: no repeated 429s)\n", res.Status429, res.Throttled)
	fmt.Print("request starts (s since the first; * = 429):")
	for i, p := range s.Timeline {
		if i%10 == 0 {
			fmt.Print("\n ")
		}
		mark := ""
		if p.Status == 429 {
			mark = "*"
		}
		fmt.Printf(" %6.1f%s", p.StartSec, mark)
	}
	fmt.Printf("\npeak RSS %.1f MB; FINAL calls %d, legs %d (exact)\n", kbMB(s.VmHWMKB), res.Run.FinalCalls, res.Run.FinalLegs)
	return res, nil
}
