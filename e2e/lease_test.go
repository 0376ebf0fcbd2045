package e2e

import (
	"strings"
	"testing"
	"time"
)

// Two syncs never export one table at once: the second skips the table,
// saying why, and the first completes with exact counts.
func TestConcurrentSyncsDoNotShareAnExport(t *testing.T) {
	cfg := smallAccount()
	cfg.Calls = 6000
	e := newEnv(t, cfg)
	slowExports(e, 100*time.Millisecond)
	first := e.startSync("--tables", "calls")
	e.waitRows("calls", 1000, 60*time.Second)
	out := e.mustSync("--tables", "calls,addresses")
	line := lineOf(out, "calls ")
	if !strings.Contains(line, "SKIPPED") || !strings.Contains(line, "another sync") {
		t.Errorf("second sync's calls line: %q\n%s", line, out)
	}
	if !strings.HasPrefix(lineOf(out, "addresses "), "addresses") || strings.Contains(lineOf(out, "addresses "), "SKIPPED") {
		t.Errorf("second sync did not sync addresses:\n%s", out)
	}
	e.waitSync(first, 2*time.Minute)
	e.checkCounts("calls", "addresses")
	// Once the first is done, the table is free again.
	if out := e.mustSync("--tables", "calls"); strings.Contains(out, "SKIPPED") {
		t.Errorf("third sync skipped calls:\n%s", out)
	}
}
