package e2e

import (
	"os/exec"
	"strings"
	"testing"
	"time"

	"talkwarehouse/tables"
	"talkwarehouse/talksim"
)

func smallAccount() talksim.Config {
	cfg := talksim.DefaultConfig()
	cfg.Calls = 1500
	cfg.Email, cfg.APIToken = email, apiToken
	return cfg
}

// A rejected token fails the sync within seconds, never retried, with a
// message naming the settings to check, and without the token.
func TestRejectedCredentialsFailFast(t *testing.T) {
	e := newEnv(t, smallAccount(), "ZENDESK_API_TOKEN=wrong-token-123")
	t0 := time.Now()
	out, err := e.starter("sync", "--wait")
	took := time.Since(t0)
	if err == nil {
		t.Fatalf("sync with a wrong token succeeded:\n%s", out)
	}
	for _, want := range []string{"ZENDESK_EMAIL", "ZENDESK_API_TOKEN", "ZENDESK_OAUTH_TOKEN", "401"} {
		if !strings.Contains(out, want) {
			t.Errorf("output does not name %s:\n%s", want, out)
		}
	}
	if took > 20*time.Second {
		t.Errorf("failing took %v, want seconds", took)
	}
	total := 0
	for _, n := range e.sim.Requests() {
		total += n
	}
	if sources := len(tables.Sources(tables.All())); total > sources { // one request per source table, none retried
		t.Errorf("%d requests for a rejected token, want at most %d: %v", total, sources, e.sim.Requests())
	}
	if strings.Contains(out+e.worker.Tail(1<<20), "wrong-token-123") {
		t.Error("the token appears in the output or the worker log")
	}
}

// 404 on every path is a wrong subdomain, and the message says so.
func TestNotFoundEverywhereNamesTheSubdomain(t *testing.T) {
	e := newEnv(t, smallAccount())
	e.sim.FailStatus("*", 404)
	out, err := e.starter("sync", "--wait", "--tables", "addresses,calls")
	if err == nil || !strings.Contains(out, "ZENDESK_SUBDOMAIN") {
		t.Fatalf("err %v, output does not name ZENDESK_SUBDOMAIN:\n%s", err, out)
	}
}

// One request in five fails, each time differently; every table still
// loads exactly.
func TestSyncUnderAFaultMix(t *testing.T) {
	cfg := smallAccount()
	cfg.Calls = 4321
	e := newEnv(t, cfg)
	e.sim.SetFaults(talksim.Faults{Every: 5, Kinds: []talksim.FaultKind{
		talksim.Fault429RetryAfter, talksim.Fault429NoRetryAfter, talksim.Fault500, talksim.Fault503,
		talksim.FaultTruncatedJSON, talksim.FaultHTMLError,
	}})
	out := e.mustSync()
	e.checkCounts()
	byKind := e.sim.FaultsServedByKind()
	if len(byKind) != 6 {
		t.Errorf("faults served %v, want all six kinds", byKind)
	}
	if !strings.Contains(out, "throttled") {
		t.Errorf("summary does not report throttling:\n%s", out)
	}
}

// Bad input is refused up front, by name.
func TestBadInputIsRefusedByName(t *testing.T) {
	e := newEnv(t, smallAccount())
	out, err := e.starter("sync", "--tables", "calls,tickets")
	if code := exitCode(err); code != 2 || !strings.Contains(out, "tickets") || !strings.Contains(out, "call_legs") {
		t.Errorf("unknown table: exit %d, output %q", code, out)
	}
	for _, c := range []struct{ env, want string }{
		{"ZENDESK_START_DATE=2024-13-45", "ZENDESK_START_DATE"},
		{"ZENDESK_START_DATE=2999-01-01T00:00:00Z", "in the future"},
		{"ZENDESK_API_TOKEN=", "no credential"},
		// A ClickHouse that refuses the credentials stops the worker; one
		// that does not answer is waited for (TestWorkerWaitsForClickHouseAtStart).
		{"CLICKHOUSE_PASSWORD=wrong", "CLICKHOUSE_PASSWORD"},
	} {
		cmd := exec.Command(e.bins["./worker"])
		cmd.Env = append(e.environ(), c.env)
		t0 := time.Now()
		b, err := cmd.CombinedOutput()
		if exitCode(err) == 0 || !strings.Contains(string(b), c.want) {
			t.Errorf("worker with %s: exit %d, output does not name %q:\n%s", c.env, exitCode(err), c.want, b)
		}
		if time.Since(t0) > 15*time.Second {
			t.Errorf("worker with %s took %v to refuse", c.env, time.Since(t0))
		}
	}
}

func exitCode(err error) int {
	if err == nil {
		return 0
	}
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	return -1
}
