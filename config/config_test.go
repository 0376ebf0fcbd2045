package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func setenv(t *testing.T, kv map[string]string) {
	base := map[string]string{
		"ZENDESK_SUBDOMAIN": "acme", "ZENDESK_EMAIL": "a@acme.com", "ZENDESK_API_TOKEN": "secret-tok",
		"ZENDESK_OAUTH_TOKEN": "", "ZENDESK_START_DATE": "2024-01-01T00:00:00Z", "ZENDESK_BASE_URL": "",
		"CLICKHOUSE_ADDR": "127.0.0.1:9000", "ZENDESK_EXPORT_RPM": "10", "TEMPORAL_ADDRESS": "127.0.0.1:7233",
		"ZENDESK_EXPORT_LAG": "", "WORKER_STOP_TIMEOUT": "",
		"CLICKHOUSE_INSERT_ROWS": "", "CLICKHOUSE_INSERT_INTERVAL": "",
	}
	for k, v := range kv {
		base[k] = v
	}
	for k, v := range base {
		t.Setenv(k, v)
	}
}

func TestWorkerSettings(t *testing.T) {
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	setenv(t, nil)
	w, err := LoadWorker(now)
	if err != nil {
		t.Fatal(err)
	}
	if w.Zendesk.APIBase() != "https://acme.zendesk.com/api/v2/channels/voice" || w.Zendesk.ExportRPM != 10 || w.Zendesk.RPM != 200 ||
		w.ClickHouse.Database != "zendesk_talk" || w.Temporal.TaskQueue != "talkwarehouse" || !w.ServeExports ||
		w.Zendesk.ExportLag != 5*time.Minute || w.StopTimeout != 30*time.Second {
		t.Fatalf("defaults %+v", w)
	}
	if w.Analytics.Timezone != "UTC" {
		t.Fatalf("ANALYTICS_TIMEZONE default %q", w.Analytics.Timezone)
	}
	setenv(t, map[string]string{"ANALYTICS_TIMEZONE": "America/New_York"})
	if w, err := LoadWorker(now); err != nil || w.Analytics.Timezone != "America/New_York" {
		t.Fatalf("ANALYTICS_TIMEZONE=America/New_York: %v %q", err, w.Analytics.Timezone)
	}
	if s := w.Zendesk.String() + w.ClickHouse.String(); strings.Contains(s, "secret-tok") {
		t.Fatalf("String leaks the token: %s", s)
	}
	for _, c := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"ZENDESK_START_DATE": "2024-01-01"}, "ZENDESK_START_DATE"},
		{map[string]string{"ZENDESK_START_DATE": "2030-01-01T00:00:00Z"}, "in the future"},
		{map[string]string{"ZENDESK_START_DATE": ""}, "ZENDESK_START_DATE is not set"},
		{map[string]string{"ZENDESK_API_TOKEN": ""}, "no credential"},
		{map[string]string{"ZENDESK_OAUTH_TOKEN": "x"}, "not both"},
		{map[string]string{"ZENDESK_EMAIL": ""}, "ZENDESK_EMAIL is not set"},
		{map[string]string{"ZENDESK_SUBDOMAIN": ""}, "ZENDESK_SUBDOMAIN is not set"},
		{map[string]string{"ZENDESK_SUBDOMAIN": "acme.zendesk.com"}, "bare subdomain"},
		{map[string]string{"ZENDESK_BASE_URL": "localhost:8089"}, "ZENDESK_BASE_URL"},
		{map[string]string{"ZENDESK_EXPORT_RPM": "ten"}, "ZENDESK_EXPORT_RPM"},
		{map[string]string{"ZENDESK_EXPORT_LAG": "five minutes"}, "ZENDESK_EXPORT_LAG: cannot parse, want a duration"},
		{map[string]string{"ZENDESK_EXPORT_LAG": "30s"}, "ZENDESK_EXPORT_LAG must be at least 1m"},
		{map[string]string{"WORKER_STOP_TIMEOUT": "-1s"}, "WORKER_STOP_TIMEOUT must be 0"},
		{map[string]string{"WORKER_STOP_TIMEOUT": "soon"}, "WORKER_STOP_TIMEOUT: cannot parse, want a duration"},
		{map[string]string{"CLICKHOUSE_ADDR": "nohost"}, "CLICKHOUSE_ADDR"},
		{map[string]string{"TEMPORAL_ADDRESS": "x"}, "TEMPORAL_ADDRESS"},
		{map[string]string{"ANALYTICS_TIMEZONE": "Mars/Olympus_Mons"}, "ANALYTICS_TIMEZONE is not a known IANA time zone"},
		{map[string]string{"ANALYTICS_TIMEZONE": "UTC'; DROP"}, "ANALYTICS_TIMEZONE must be an IANA time zone name"},
		{map[string]string{"ANALYTICS_TIMEZONE": "Local"}, "ANALYTICS_TIMEZONE"},
	} {
		setenv(t, c.env)
		_, err := LoadWorker(now)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: err %v, want it to mention %q", c.env, err, c.want)
		}
		if err != nil && strings.Contains(err.Error(), "secret-tok") {
			t.Errorf("error leaks the token: %v", err)
		}
	}
}

// Exactly one credential scheme; the messages name variables, never values.
func TestCredentialSchemes(t *testing.T) {
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	none := map[string]string{"ZENDESK_API_TOKEN": "", "ZENDESK_EMAIL": "", "ZENDESK_OAUTH_CLIENT_ID": "", "ZENDESK_OAUTH_CLIENT_SECRET": "",
		"ZENDESK_OAUTH_REFRESH_TOKEN": "", "ZENDESK_OAUTH_STATE_FILE": "", "ZENDESK_OAUTH_SCOPE": ""}
	with := func(kv ...string) map[string]string {
		m := map[string]string{}
		for k, v := range none {
			m[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	setenv(t, with("ZENDESK_OAUTH_CLIENT_ID", "cid-1", "ZENDESK_OAUTH_CLIENT_SECRET", "secret-cs"))
	w, err := LoadWorker(now)
	if err != nil || w.Zendesk.Scheme() != ClientCredentials || w.Zendesk.OAuth.Scope != "read" ||
		w.Zendesk.TokenURL() != "https://acme.zendesk.com/oauth/tokens" {
		t.Fatalf("client credentials: %v %v %q %s", err, w.Zendesk.Scheme(), w.Zendesk.OAuth.Scope, w.Zendesk.TokenURL())
	}
	if strings.Contains(w.Zendesk.String(), "secret-cs") {
		t.Fatal("String leaks the client secret")
	}
	setenv(t, with("ZENDESK_OAUTH_CLIENT_ID", "cid-1", "ZENDESK_OAUTH_CLIENT_SECRET", "secret-cs", "ZENDESK_OAUTH_REFRESH_TOKEN", "secret-rt",
		"ZENDESK_OAUTH_STATE_FILE", "/var/lib/tw/state.json", "ZENDESK_BASE_URL", "http://127.0.0.1:8089/"))
	if w, err = LoadWorker(now); err != nil || w.Zendesk.Scheme() != RefreshToken || w.Zendesk.TokenURL() != "http://127.0.0.1:8089/oauth/tokens" {
		t.Fatalf("refresh token: %v %v %s", err, w.Zendesk.Scheme(), w.Zendesk.TokenURL())
	}
	// After `starter authorize`: the client id and secret with a state
	// file holding a chain, no ZENDESK_OAUTH_REFRESH_TOKEN. Before the file
	// exists, the same settings are client credentials.
	state := filepath.Join(t.TempDir(), "state.json")
	setenv(t, with("ZENDESK_OAUTH_CLIENT_ID", "cid-1", "ZENDESK_OAUTH_CLIENT_SECRET", "secret-cs", "ZENDESK_OAUTH_STATE_FILE", state))
	if w, err = LoadWorker(now); err != nil || w.Zendesk.Scheme() != ClientCredentials {
		t.Fatalf("state file not written yet: %v %v", err, w.Zendesk.Scheme())
	}
	if err := os.WriteFile(state, []byte(`{"refresh_token":"x"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if w, err = LoadWorker(now); err != nil || w.Zendesk.Scheme() != RefreshToken || !strings.Contains(w.Zendesk.String(), state) {
		t.Fatalf("authorized state file: %v %v %s", err, w.Zendesk.Scheme(), w.Zendesk.String())
	}
	for _, c := range []struct {
		env  map[string]string
		want []string
	}{
		{with(), []string{"no credential", "ZENDESK_OAUTH_CLIENT_ID", "ZENDESK_API_TOKEN"}},
		{with("ZENDESK_OAUTH_CLIENT_ID", "cid-1"), []string{"ZENDESK_OAUTH_CLIENT_SECRET is not set"}},
		{with("ZENDESK_OAUTH_CLIENT_SECRET", "secret-cs"), []string{"ZENDESK_OAUTH_CLIENT_ID is not set"}},
		{with("ZENDESK_OAUTH_CLIENT_ID", "cid-1", "ZENDESK_OAUTH_CLIENT_SECRET", "secret-cs", "ZENDESK_API_TOKEN", "secret-tok", "ZENDESK_EMAIL", "a@acme.com"),
			[]string{"exactly one", "ZENDESK_OAUTH_CLIENT_ID", "ZENDESK_API_TOKEN"}},
		{with("ZENDESK_OAUTH_CLIENT_ID", "cid-1", "ZENDESK_OAUTH_CLIENT_SECRET", "secret-cs", "ZENDESK_OAUTH_TOKEN", "secret-ot"),
			[]string{"exactly one", "ZENDESK_OAUTH_TOKEN"}},
		{with("ZENDESK_OAUTH_CLIENT_ID", "cid-1", "ZENDESK_OAUTH_CLIENT_SECRET", "secret-cs", "ZENDESK_OAUTH_REFRESH_TOKEN", "secret-rt"),
			[]string{"ZENDESK_OAUTH_STATE_FILE is not set"}},
		{with("ZENDESK_OAUTH_REFRESH_TOKEN", "secret-rt", "ZENDESK_OAUTH_STATE_FILE", "/tmp/s.json"),
			[]string{"ZENDESK_OAUTH_CLIENT_ID is not set", "ZENDESK_OAUTH_CLIENT_SECRET is not set"}},
	} {
		setenv(t, c.env)
		_, err := LoadWorker(now)
		for _, want := range c.want {
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("%v: err %v, want it to mention %q", c.env, err, want)
			}
		}
		if err != nil && strings.Contains(err.Error(), "secret-") {
			t.Errorf("error leaks a value: %v", err)
		}
	}
}

// LoadMetricsAddr reads WORKER_METRICS_ADDR as LoadWorker does, default
// included, whatever the other settings are.
func TestLoadMetricsAddr(t *testing.T) {
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, v := range []string{"", "0.0.0.0:9191", "127.0.0.1:0"} {
		setenv(t, map[string]string{"WORKER_METRICS_ADDR": v})
		w, err := LoadWorker(now)
		if err != nil {
			t.Fatal(err)
		}
		got, err := LoadMetricsAddr()
		if err != nil || got != w.MetricsAddr {
			t.Errorf("WORKER_METRICS_ADDR=%q: LoadMetricsAddr %q %v, LoadWorker %q", v, got, err, w.MetricsAddr)
		}
	}
	setenv(t, map[string]string{"WORKER_METRICS_ADDR": "1.2.3.4:5", "ZENDESK_START_DATE": "garbage"})
	if got, err := LoadMetricsAddr(); err != nil || got != "1.2.3.4:5" {
		t.Errorf("with a broken ZENDESK_START_DATE: %q %v", got, err)
	}
}

func TestLoadingSettings(t *testing.T) {
	for _, c := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"CLICKHOUSE_INSERT_ROWS": "0"}, "CLICKHOUSE_INSERT_ROWS must be 1 or more"},
		{map[string]string{"CLICKHOUSE_INSERT_INTERVAL": "0s"}, "CLICKHOUSE_INSERT_INTERVAL must be above 0"},
		{map[string]string{"CLICKHOUSE_INSERT_INTERVAL": "10m"}, "at most 4m0s"},
	} {
		setenv(t, c.env)
		_, err := LoadWorker(time.Now())
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: error %v, want it to say %q", c.env, err, c.want)
		}
		for k := range c.env {
			t.Setenv(k, "")
		}
	}
}

// ZENDESK_OAUTH_REDIRECT_URL must be a loopback http URL with a port; the
// errors name the setting.
func TestRedirectURL(t *testing.T) {
	for in, ok := range map[string]bool{
		"http://127.0.0.1:8976/callback": true, "http://[::1]:9000/cb": true, "http://localhost:8976": true,
		"https://127.0.0.1:8976/callback": false, "http://127.0.0.1/callback": false, "http://example.com:8976/cb": false,
		"http://10.0.0.1:8976/cb": false, "http://127.0.0.1:8976/cb?x=1": false, "::": false,
	} {
		u, err := OAuth{RedirectURL: in}.Redirect()
		if ok != (err == nil) || (err != nil && !strings.Contains(err.Error(), "ZENDESK_OAUTH_REDIRECT_URL")) {
			t.Errorf("%q: %v %v", in, u, err)
		}
	}
}
