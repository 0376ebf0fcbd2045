package main

import (
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"talkwarehouse/activities"
	"talkwarehouse/workflows"
)

func TestBackfillWindowFromFlags(t *testing.T) {
	now := time.Date(2026, 12, 4, 12, 0, 30, 500, time.UTC)
	start := time.Date(2023, 6, 1, 0, 0, 0, 0, time.UTC)
	jan, feb := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC)
	lag := 5 * time.Minute
	for _, c := range []struct {
		from, to  string
		startDate time.Time
		want      *activities.Window
		err       string
	}{
		{"", "", start, nil, ""},
		{"2024-01-01T00:00:00Z", "2024-02-01T00:00:00Z", start, &activities.Window{From: jan, To: feb}, ""},
		{"2024-01-01T01:00:00+01:00", "2024-02-01T00:00:00Z", start, &activities.Window{From: jan, To: feb}, ""},
		// --to alone starts at ZENDESK_START_DATE, or the worker's when unknown here.
		{"", "2024-02-01T00:00:00Z", start, &activities.Window{From: start, To: feb}, ""},
		{"", "2024-02-01T00:00:00Z", time.Time{}, &activities.Window{To: feb}, ""},
		// --from alone ends where an incremental export holds its cursor.
		{"2024-01-01T00:00:00Z", "", start, &activities.Window{From: jan, To: time.Date(2026, 12, 4, 11, 55, 30, 0, time.UTC)}, ""},
		{"2024-02-01T00:00:00Z", "2024-01-01T00:00:00Z", start, nil, "--to 2024-01-01T00:00:00Z is not after --from 2024-02-01T00:00:00Z"},
		{"2024-01-01T00:00:00Z", "2024-01-01T00:00:00Z", start, nil, "is not after --from"},
		{"2024-01-01T00:00:00Z", "2026-12-04T11:58:00Z", start, nil, "later than now minus ZENDESK_EXPORT_LAG (5m0s, 2026-12-04T11:55:30Z)"},
		{"2026-12-04T11:58:00Z", "", start, nil, "is not after --from 2026-12-04T11:58:00Z"},
		{"2024-01-01", "", start, nil, `--from "2024-01-01" is not an RFC 3339 time`},
		{"", "yesterday", start, nil, `--to "yesterday" is not an RFC 3339 time`},
		{"2024-01-01T00:00:00.5Z", "2024-02-01T00:00:00Z", start, nil, "--from 2024-01-01T00:00:00.5Z has a fraction of a second"},
	} {
		got, err := backfillWindow(c.from, c.to, c.startDate, lag, now)
		switch {
		case c.err != "":
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("--from %q --to %q: err %v, want %q", c.from, c.to, err, c.err)
			}
		case err != nil:
			t.Errorf("--from %q --to %q: %v", c.from, c.to, err)
		case (got == nil) != (c.want == nil) || got != nil && (!got.From.Equal(c.want.From) || !got.To.Equal(c.want.To)):
			t.Errorf("--from %q --to %q: window %v, want %v", c.from, c.to, got, c.want)
		}
	}
}

func TestBackfillInput(t *testing.T) {
	w := &activities.Window{From: time.Unix(0, 0), To: time.Unix(3600, 0)}
	in, err := backfillInput(workflows.SyncInput{IfRunning: workflows.IfRunningWait}, w)
	if err != nil || strings.Join(in.Tables, ",") != "call_legs,calls" || in.Window != w {
		t.Fatalf("no --tables: %+v, %v; want the two exports", in, err)
	}
	for _, c := range []struct {
		in   workflows.SyncInput
		want string
	}{
		{workflows.SyncInput{Tables: []string{"calls", "greetings"}}, "greetings is not one (give --tables calls,call_legs)"},
		{workflows.SyncInput{Tables: []string{"calls"}, FullRefresh: true}, "--full-refresh exclude each other"},
		{workflows.SyncInput{Tables: []string{"calls"}, IfRunning: workflows.IfRunningFail}, "--no-wait-for-running does not apply"},
	} {
		if _, err := backfillInput(c.in, w); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: err %v, want %q", c.in, err, c.want)
		}
	}
}

// The flags are checked before the starter dials Temporal: bad ones are
// usage errors (exit 2) naming the flag.
func TestSyncBackfillFlagsRefusedBeforeStarting(t *testing.T) {
	t.Setenv("ZENDESK_START_DATE", "2024-01-01T00:00:00Z")
	t.Setenv("ZENDESK_EXPORT_LAG", "")
	t.Setenv("TEMPORAL_ADDRESS", "127.0.0.1:1") // never reached
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--tables", "calls,call_legs", "--from", "2024-02-01T00:00:00Z", "--to", "2024-01-01T00:00:00Z"}, "is not after --from"},
		{[]string{"--tables", "calls", "--to", "2999-01-01T00:00:00Z"}, "later than now minus ZENDESK_EXPORT_LAG"},
		{[]string{"--tables", "agents_activity", "--to", "2024-02-01T00:00:00Z"}, "agents_activity is not one"},
		{[]string{"--tables", "calls", "--from", "2024-01-01T00:00:00Z", "--full-refresh"}, "--full-refresh exclude each other"},
		{[]string{"--tables", "tickets", "--from", "2024-01-01T00:00:00Z"}, "unknown table(s) tickets"},
	} {
		err := syncCmd(c.args, io.Discard)
		var u usageError
		if err == nil || !errors.As(err, &u) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: err %v, want a usage error with %q", c.args, err, c.want)
		}
	}
	t.Setenv("ZENDESK_EXPORT_LAG", "30s")
	if err := syncCmd([]string{"--from", "2024-01-01T00:00:00Z"}, io.Discard); err == nil || !strings.Contains(err.Error(), "ZENDESK_EXPORT_LAG must be at least 1m") {
		t.Errorf("a lag under a minute: %v", err)
	}
}
