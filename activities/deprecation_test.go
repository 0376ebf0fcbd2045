package activities_test

import (
	"errors"
	"strings"
	"testing"

	"go.temporal.io/sdk/temporal"

	"talkwarehouse/activities"
	"talkwarehouse/talksim"
	"talkwarehouse/zendesk"
)

// An export refused as deprecated for third-party apps (talksim's
// DeprecatedExports) fails the table at once with a non-retryable error
// naming the article: one request, not Temporal's retries, and not the
// plan-gated 403's silent skip. The other tables of the sync still sync.
func TestDeprecatedExportFailsAtOnce(t *testing.T) {
	for _, status := range []int{403, 410} {
		cfg := talksim.DefaultConfig()
		cfg.Calls, cfg.LegsPerCall = 20, -1
		cfg.DeprecatedExports = status
		f := newFixture(t, cfg, zendesk.Options{})

		_, err := f.env().ExecuteActivity(f.a.SyncTable, activities.SyncTableInput{Table: "calls"})
		var appErr *temporal.ApplicationError
		if !errors.As(err, &appErr) || !appErr.NonRetryable() || appErr.Type() != "deprecated" {
			t.Fatalf("HTTP %d: SyncTable calls: %v; want a non-retryable error of type deprecated", status, err)
		}
		for _, want := range []string{"11249701485338", "local client", "no longer available for third-party apps"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("HTTP %d: error %q does not say %q", status, err, want)
			}
		}

		before := len(f.exportStarts())
		_, err = f.runSync(t, "calls", "greetings")
		if err == nil || !strings.Contains(err.Error(), "11249701485338") {
			t.Fatalf("HTTP %d: sync: %v; want it failed naming the article", status, err)
		}
		if n := len(f.exportStarts()) - before; n != 1 {
			t.Errorf("HTTP %d: %d export requests in the sync, want 1 (no retries)", status, n)
		}
		if n := f.count(t, "SELECT count() FROM sync_runs FINAL WHERE table_name = 'calls' AND status = 'failed' AND position(reason, '11249701485338') > 0"); n != 1 {
			t.Errorf("HTTP %d: %d failed sync_runs rows for calls naming the article, want 1", status, n)
		}
		if n := f.count(t, "SELECT count() FROM sync_runs FINAL WHERE table_name = 'greetings' AND status = 'success'"); n != 1 {
			t.Errorf("HTTP %d: greetings: %d successful sync_runs rows, want 1", status, n)
		}
		if n := f.count(t, "SELECT count() FROM greetings FINAL"); n != uint64(f.sim.Expected()["greetings"]) || n == 0 {
			t.Errorf("HTTP %d: %d greetings, want %d", status, n, f.sim.Expected()["greetings"])
		}
	}
}

// A 410 that does not say why is not taken for the deprecation, but it
// still fails the table at once: retrying cannot bring an endpoint back.
func TestPlainGoneExportFailsAtOnce(t *testing.T) {
	cfg := talksim.DefaultConfig()
	cfg.Calls, cfg.LegsPerCall = 20, -1
	f := newFixture(t, cfg, zendesk.Options{})
	f.sim.FailStatus("/stats/incremental/calls", 410)
	_, err := f.env().ExecuteActivity(f.a.SyncTable, activities.SyncTableInput{Table: "calls"})
	var appErr *temporal.ApplicationError
	if !errors.As(err, &appErr) || !appErr.NonRetryable() || appErr.Type() != "rejected" || !strings.Contains(err.Error(), "HTTP 410") {
		t.Fatalf("SyncTable calls: %v; want a non-retryable rejected error saying HTTP 410", err)
	}
	if n := len(f.exportStarts()); n != 1 {
		t.Errorf("%d export requests, want 1", n)
	}
}
