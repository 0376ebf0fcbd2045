package main

import (
	"bytes"
	"net/http/httptest"
	"regexp"
	"strings"
	"talkwarehouse/tables"
	"testing"

	"talkwarehouse/talksim"
	"talkwarehouse/zendesk"
)

// checkAgainst runs `starter check` against a simulator with cfg, a static
// OAuth token accepted.
func checkAgainst(t *testing.T, cfg talksim.Config) (string, error) {
	t.Helper()
	cfg.OAuthToken = "check-tok"
	srv := httptest.NewServer(talksim.New(cfg).Handler())
	t.Cleanup(srv.Close)
	for _, k := range []string{"ZENDESK_SUBDOMAIN", "ZENDESK_EMAIL", "ZENDESK_API_TOKEN", "ZENDESK_OAUTH_CLIENT_ID",
		"ZENDESK_OAUTH_CLIENT_SECRET", "ZENDESK_OAUTH_REFRESH_TOKEN", "ZENDESK_OAUTH_STATE_FILE"} {
		t.Setenv(k, "")
	}
	t.Setenv("ZENDESK_BASE_URL", srv.URL)
	t.Setenv("ZENDESK_OAUTH_TOKEN", "check-tok")
	t.Setenv("ZENDESK_START_DATE", "2024-01-01T00:00:00Z")
	var out bytes.Buffer
	err := checkCmd(nil, &out)
	return out.String(), err
}

// A deprecation refusal of the exports is reported per table as failed,
// with the message naming the article and the local OAuth client, and the
// check fails; the other tables are reachable.
func TestCheckReportsDeprecatedExportsAsFailed(t *testing.T) {
	cfg := talksim.DefaultConfig()
	cfg.DeprecatedExports = 410
	out, err := checkAgainst(t, cfg)
	if err == nil || !strings.Contains(err.Error(), "deprecated for third-party apps") {
		t.Fatalf("check: %v; want it failed on the deprecated exports\n%s", err, out)
	}
	for _, table := range []string{"calls", "call_legs"} {
		line := regexp.MustCompile(`(?m)^` + table + `\s.*$`).FindString(out)
		for _, want := range []string{"failed", "HTTP 410", "11249701485338", "local client"} {
			if !strings.Contains(line, want) {
				t.Errorf("%s line %q does not say %q", table, line, want)
			}
		}
	}
	if n, want := strings.Count(out, "reachable"), len(tables.Sources(tables.All()))-2; n != want {
		t.Errorf("%d tables reachable, want the %d others:\n%s", n, want, out)
	}
	if strings.Contains(out, "check-tok") || strings.Contains(err.Error(), "check-tok") {
		t.Error("the report leaks the token")
	}
}

func TestCheckPassesWithExportsServed(t *testing.T) {
	out, err := checkAgainst(t, talksim.DefaultConfig())
	if err != nil || !strings.Contains(out, "ok: all") {
		t.Fatalf("check: %v\n%s", err, out)
	}
}

// The check shows the limits the answers reported beside the settings.
func TestCheckShowsLearnedLimits(t *testing.T) {
	t.Setenv("ZENDESK_RPM", "400")
	t.Setenv("ZENDESK_EXPORT_RPM", "10")
	cfg := talksim.DefaultConfig()
	cfg.AccountRPM, cfg.ExportRPM = 200, 30
	out, err := checkAgainst(t, cfg)
	if err != nil {
		t.Fatalf("check: %v\n%s", err, out)
	}
	for _, want := range []string{
		"rate limit, account-wide: Zendesk reports 200 a minute, below ZENDESK_RPM=400; syncs spend 200 a minute (the account's)",
		"rate limit, exports: Zendesk reports 30 a minute; ZENDESK_EXPORT_RPM=10 is the ceiling; syncs spend 10 a minute",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	// Without the headers (an unlimited simulator sends none) the settings stand.
	out, err = checkAgainst(t, talksim.DefaultConfig())
	if err != nil || !strings.Contains(out, "rate limit, account-wide: not reported in Zendesk's answers; ZENDESK_RPM=400; syncs spend 400 a minute") {
		t.Fatalf("check: %v\n%s", err, out)
	}
}

func TestBudgetLine(t *testing.T) {
	for _, tc := range []struct {
		b    zendesk.Budget
		want string
	}{
		{zendesk.Budget{Setting: "ZENDESK_RPM", Configured: 0, Learned: 200, Effective: 200},
			"rate limit, account-wide: Zendesk reports 200 a minute; ZENDESK_RPM=0 (no limit); syncs spend 200 a minute (the account's)"},
		{zendesk.Budget{Setting: "ZENDESK_RPM", Configured: 0},
			"rate limit, account-wide: not reported in Zendesk's answers; ZENDESK_RPM=0 (no limit); syncs are not limited"},
		{zendesk.Budget{Setting: "ZENDESK_RPM", Configured: 200, Learned: 200, Effective: 200},
			"rate limit, account-wide: Zendesk reports 200 a minute; ZENDESK_RPM=200 is the ceiling; syncs spend 200 a minute"},
	} {
		if got := budgetLine("account-wide", tc.b); got != tc.want {
			t.Errorf("%+v:\n got %s\nwant %s", tc.b, got, tc.want)
		}
	}
}
