package talksim

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

// With MinStartTimeAge, an export start_time younger than it is answered
// as Zendesk does: 400 "Too recent start_time".
func TestTooRecentStartTime(t *testing.T) {
	clk := newClock(t2024.Add(time.Hour))
	cfg := DefaultConfig()
	cfg.Now, cfg.MinStartTimeAge = clk.Now, time.Minute
	s := New(cfg)
	rec := get(t, s, exportPath("calls", clk.Now().Add(-30*time.Second).Unix()))
	if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), `"description":"Too recent start_time. Use a start_time older than 1 minute."`) {
		t.Fatalf("young start_time: %d %s", rec.Code, rec.Body)
	}
	if rec := get(t, s, exportPath("legs", clk.Now().Add(-61*time.Second).Unix())); rec.Code != http.StatusOK {
		t.Fatalf("start_time older than a minute: %d %s", rec.Code, rec.Body)
	}
}

// UpdateCallsAt (and the update_calls control with updated_at) can date a
// call in the future; the export's end_time is then that time.
func TestCallDatedInTheFuture(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Calls = 2
	s := New(cfg)
	first, last := s.CallIDRange()
	future := time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC)
	if n := s.UpdateCallsAt(future, last); n != 1 {
		t.Fatalf("updated %d", n)
	}
	p := getExport(t, s, exportPath("calls", t2024.Unix()))
	if p.Count != 2 || p.EndTime != 1924992000 || id64(p.Calls[1]["id"]) != last {
		t.Fatalf("page: count %d end_time %d", p.Count, p.EndTime)
	}
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "http://sim.test/__talksim/update_calls?ids="+strconv.FormatInt(first, 10)+"&updated_at=2031-01-02T00:00:00Z", nil))
	if rec.Code != http.StatusOK || ts(t, s.Call(first)["updated_at"]) != future.Add(24*time.Hour).Unix() {
		t.Fatalf("control update_calls with updated_at: %d, call %v", rec.Code, s.Call(first)["updated_at"])
	}
}
