package activities

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// Results read without arithmetic: a duration as text, times in RFC 3339;
// a result recorded before (duration in nanoseconds) still decodes.
func TestTableResultJSONIsReadable(t *testing.T) {
	at := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	r := TableResult{Table: "calls", Kind: "export", Rows: 7, Duration: 20660078123 * time.Nanosecond,
		StartedAt: at.Add(123456789), FinishedAt: at.Add(20 * time.Second), CursorAfter: &at}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"duration":"20.66s"`, `"started_at":"2026-11-30T08:00:00.123Z"`, `"finished_at":"2026-11-30T08:00:20Z"`, `"cursor_after":"2026-11-30T08:00:00Z"`, `"rows":7`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("%s lacks %s", b, want)
		}
	}
	if strings.Count(string(b), `"duration"`) != 1 {
		t.Errorf("duration twice: %s", b)
	}
	var back TableResult
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.Duration != 20660*time.Millisecond || back.Rows != 7 || !back.StartedAt.Equal(at.Add(123*time.Millisecond)) || back.CursorAfter == nil {
		t.Errorf("round trip: %+v", back)
	}
	var old TableResult
	if err := json.Unmarshal([]byte(`{"table":"calls","rows":3,"duration":20660078}`), &old); err != nil {
		t.Fatal(err)
	}
	if old.Duration != 20660078*time.Nanosecond || old.Rows != 3 || old.Table != "calls" {
		t.Errorf("old result: %+v", old)
	}
	var res SyncTableResult
	if err := json.Unmarshal([]byte(`{"tables":[{"table":"ivrs","duration":"1m2s"}]}`), &res); err != nil || res.Tables[0].Duration != 62*time.Second {
		t.Errorf("nested: %+v %v", res, err)
	}
}
