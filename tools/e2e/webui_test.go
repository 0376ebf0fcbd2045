package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"talkwarehouse/internal/stack"
	"talkwarehouse/talksim"
)

// chromiumPath is Debian's chromium (apt-get install chromium).
const chromiumPath = "/usr/bin/chromium"

// TestWebUIShowsSyncProgress opens the devserver's Temporal web UI in a
// headless chromium while a sync runs, and checks that its progress is
// visible there (tools/uitest/check-progress.mjs says what it looks at): the
// sync's summary, its current details (a row per table), the exports'
// activity summaries and heartbeat details under Pending Activities, and
// the workflow's progress query; then a finished sync's page: summary,
// every table done, durations as text. Screenshots: workflow-running.png,
// pending-activities.png, progress-query.png, workflow-completed.png.
//
// It needs chromium, node and `npm ci` in tools/uitest/; without them it skips,
// or fails when UITEST_REQUIRED is set (CI sets it after installing them).
// Its screenshots go to $TMPDIR/talkwarehouse-uitest (the last run's), or to
// the folder UITEST_SCREENSHOTS names.
func TestWebUIShowsSyncProgress(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test skipped in -short mode")
	}
	node, uitest := browserTools(t)

	// Each export needs more requests than the simulator's export budget
	// allows in a minute (calls 5, call_legs 13, budget 4), so within a
	// second both have stored a page and then wait about a minute for the
	// budget (the worker learns the 4 from the simulator's headers): the
	// sync is running while the browser looks.
	cfg := talksim.DefaultConfig()
	cfg.Email, cfg.APIToken = email, apiToken
	cfg.Calls, cfg.ExportRPM = 4000, 4
	e := newEnvUI(t, cfg)

	t.Setenv("TEMPORAL_UI_ADDRESS", e.temp.UI) // for the link the starter prints
	out, err := e.starter("sync")
	if err != nil {
		t.Fatalf("starter sync: %v\n%s", err, out)
	}
	m := regexp.MustCompile(`started sync (\S+) \(run (\S+)\) on task queue \S+: (.+)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("starter printed no workflow id and summary:\n%s", out)
	}
	id, summary := m[1], m[3]
	if want := "Incremental sync of calls, call_legs, 8 configuration tables and 5 statistics tables"; summary != want {
		t.Errorf("summary %q, want %q", summary, want)
	}
	if link := e.temp.UI + "/namespaces/default/workflows/" + id + "/" + m[2] + "/"; !strings.Contains(out, link) {
		t.Errorf("starter's web UI link is not %s...:\n%s", link, out)
	}
	e.waitExported("calls", "call_legs")
	// A sync of two configuration tables finishes while the exports wait.
	out, err = e.starter("sync", "--wait", "--tables", "greetings,addresses")
	if err != nil {
		t.Fatalf("starter sync --tables greetings,addresses: %v\n%s", err, out)
	}
	done := regexp.MustCompile(`started sync (\S+) \(run \S+\) on task queue \S+: (.+)`).FindStringSubmatch(out)
	if done == nil || done[2] != "Snapshot of addresses and greetings" {
		t.Fatalf("second sync: %q", out)
	}

	shots := os.Getenv("UITEST_SCREENSHOTS")
	if shots == "" {
		shots = filepath.Join(os.TempDir(), "talkwarehouse-uitest") // the last run's
		os.RemoveAll(shots)
	}
	if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	// UITEST_TIMEOUT_MS (the script's wait for each step, 15 s by default)
	// may be raised on a loaded machine; the whole check gets as many waits.
	limit := 90 * time.Second
	if ms, err := strconv.Atoi(os.Getenv("UITEST_TIMEOUT_MS")); err == nil && time.Duration(ms)*time.Millisecond*6 > limit {
		limit = time.Duration(ms) * time.Millisecond * 6
	}
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "check-progress.mjs", e.temp.UI, id, shots)
	cmd.Dir = uitest
	cmd.Env = append(os.Environ(), "CHROMIUM="+chromiumPath, "SYNC_SUMMARY="+summary, "DONE_WORKFLOW_ID="+done[1], "DONE_SUMMARY="+done[2])
	// On timeout, SIGTERM lets playwright close chromium before node exits.
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 10 * time.Second
	res, err := cmd.CombinedOutput()
	t.Log("tools/uitest/check-progress.mjs:\n" + string(res))
	if err != nil {
		t.Fatalf("the web UI does not show the sync's progress (%v); worker log:\n%s", err, e.worker.Tail(3000))
	}
}

// browserTools returns node and the uitest folder, or skips the test (fails
// it under UITEST_REQUIRED) when chromium, node or uitest's packages are
// missing.
func browserTools(t *testing.T) (node, uitest string) {
	t.Helper()
	root, err := stack.Root()
	if err != nil {
		t.Fatal(err)
	}
	uitest = filepath.Join(root, "tools", "uitest")
	missing := func(why string) {
		t.Helper()
		if os.Getenv("UITEST_REQUIRED") != "" {
			t.Fatal("UITEST_REQUIRED is set but " + why)
		}
		t.Skip("web UI test skipped: " + why)
	}
	if _, err := os.Stat(chromiumPath); err != nil {
		missing(chromiumPath + " is missing (Debian: apt-get install chromium)")
	}
	if node, err = exec.LookPath("node"); err != nil {
		missing("node is not on PATH")
	}
	if _, err := os.Stat(filepath.Join(uitest, "node_modules", "playwright-core")); err != nil {
		missing("uitest/node_modules is missing (run: npm ci --prefix tools/uitest)")
	}
	return node, uitest
}

// newEnvUI is newEnv with the devserver's web UI: newEnv's devserver has
// none, so before the worker starts this replaces it with one that has, on
// the same database file (a devserver starts in well under a second).
func newEnvUI(t *testing.T, simCfg talksim.Config) *env {
	t.Helper()
	return newEnvWith(t, simCfg, func(e *env) {
		e.temp.Stop()
		d, err := stack.StartDevserver(e.bins["./tools/devserver"], e.dir, filepath.Join(e.dir, "temporal.db"), false)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(d.Stop)
		e.temp = d
	})
}

// waitExported waits until each export has stored a page in ClickHouse.
func (e *env) waitExported(tables ...string) {
	e.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for _, tb := range tables {
		for e.count("SELECT count() FROM "+tb) == 0 {
			if time.Now().After(deadline) {
				e.t.Fatalf("%s still empty after 20 s; worker log:\n%s", tb, e.worker.Tail(3000))
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
}
