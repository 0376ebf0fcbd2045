package e2e

import (
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"talkwarehouse/talksim"
)

// The worker serves Prometheus metrics: the SDK's, and rows, pages,
// requests, 429s and retries per table.
func TestMetricsEndpoint(t *testing.T) {
	e := newEnv(t, smallAccount())
	e.sim.FailNext("/stats/incremental/calls", 1, talksim.Fault429RetryAfter)
	e.sim.FailNext("/addresses", 1, talksim.Fault503)
	e.mustSync()
	m := regexp.MustCompile(`metrics=(http://\S+/metrics)`).FindStringSubmatch(e.worker.Tail(1 << 20))
	if m == nil {
		t.Fatalf("worker log names no metrics URL:\n%s", e.worker.Tail(2000))
	}
	// The counters reach /metrics within the reporter's interval (1 s).
	var body string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		resp, err := http.Get(m[1])
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		body = string(b)
		if strings.HasSuffix(metricLine(body, "talkwarehouse_throttled_total", "calls"), " 1") {
			break
		}
	}
	want := e.sim.Expected()
	for _, c := range []struct{ metric, table, value string }{
		{"talkwarehouse_rows_total", "call_legs", ""}, // boundary duplicates make it >= the count
		{"talkwarehouse_rows_total", "greetings", fmt.Sprint(want["greetings"])},
		{"talkwarehouse_rows_total", "ivr_routes", fmt.Sprint(want["ivr_routes"])},
		{"talkwarehouse_pages_total", "greetings", "2"},
		{"talkwarehouse_throttled_total", "calls", "1"},
		{"talkwarehouse_retries_total", "addresses", "1"},
		{"talkwarehouse_requests_total", "addresses", "2"},
	} {
		line := metricLine(body, c.metric, c.table)
		if line == "" || (c.value != "" && !strings.HasSuffix(line, " "+c.value)) {
			t.Errorf("%s{table=%q}: got %q, want value %q", c.metric, c.table, line, c.value)
		}
	}
	if !strings.Contains(body, "temporal_activity_execution_latency") && !strings.Contains(body, "temporal_request") {
		t.Errorf("no SDK metrics in /metrics")
	}
}

func metricLine(body, metric, table string) string {
	for _, l := range strings.Split(body, "\n") {
		if strings.HasPrefix(l, metric+"{") && strings.Contains(l, `table="`+table+`"`) {
			return l
		}
	}
	return ""
}
