package config

import (
	"strings"
	"testing"
	"time"
)

func setenv(t *testing.T, kv map[string]string) {
	base := map[string]string{
		"ZENDESK_SUBDOMAIN": "acme", "ZENDESK_EMAIL": "a@acme.com", "ZENDESK_API_TOKEN": "secret-tok",
		"ZENDESK_OAUTH_TOKEN": "", "ZENDESK_START_DATE": "2024-01-01T00:00:00Z", "ZENDESK_BASE_URL": "",
		"CLICKHOUSE_ADDR": "127.0.0.1:9000", "ZENDESK_EXPORT_RPM": "10", "TEMPORAL_ADDRESS": "127.0.0.1:7233",
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
		w.ClickHouse.Database != "zendesk_talk" || w.Temporal.TaskQueue != "talkwarehouse" || !w.Temporal.ServeExports {
		t.Fatalf("defaults %+v", w)
	}
	if w.ClickHouse.AnalyticsTimezone != "UTC" {
		t.Fatalf("ANALYTICS_TIMEZONE default %q", w.ClickHouse.AnalyticsTimezone)
	}
	setenv(t, map[string]string{"ANALYTICS_TIMEZONE": "America/New_York"})
	if w, err := LoadWorker(now); err != nil || w.ClickHouse.AnalyticsTimezone != "America/New_York" {
		t.Fatalf("ANALYTICS_TIMEZONE=America/New_York: %v %q", err, w.ClickHouse.AnalyticsTimezone)
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
