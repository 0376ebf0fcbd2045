package talksim

import (
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

var allPaths = []string{"/stats/account_overview", "/stats/agents_overview", "/stats/current_queue_activity", "/stats/agents_activity", "/addresses", "/greeting_categories", "/greetings", "/phone_numbers", "/ivr", "/stats/incremental/calls?start_time=0", "/stats/incremental/legs?start_time=0"}

func TestEveryEndpointWithAndWithoutJSONSuffix(t *testing.T) {
	s := New(DefaultConfig())
	for _, p := range allPaths {
		path, q, _ := strings.Cut(p, "?")
		for _, variant := range []string{path, path + ".json"} {
			if q != "" {
				variant += "?" + q
			}
			rec := get(t, s, variant)
			if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
				t.Fatalf("%s: %d %s", variant, rec.Code, rec.Header().Get("Content-Type"))
			}
			decode(t, rec)
		}
	}
	for _, env := range []string{"account_overview", "agents_overview", "current_queue_activity"} {
		m := decode(t, get(t, s, "/stats/"+env))[env].(map[string]any)
		if ct := m["current_timestamp"].(float64); int64(ct) < time.Now().Unix()-5 {
			t.Fatalf("%s: current_timestamp %v", env, ct)
		}
	}
	rec := get(t, s, "/nope.json")
	if rec.Code != 404 || decode(t, rec)["error"] != "InvalidEndpoint" {
		t.Fatalf("unknown path: %d %s", rec.Code, rec.Body.String())
	}
	if got := s.Requests()["/greetings"]; got != 2 {
		t.Fatalf("Requests()[/greetings] = %d", got)
	}
	s.ResetRequests()
	if len(s.Requests()) != 0 {
		t.Fatal("ResetRequests")
	}
}

func basic(user, pass string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
}

func TestAuth(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Email, cfg.APIToken, cfg.OAuthToken = "ops@example.com", "tok123", "oauth456"
	s := New(cfg)
	cases := []struct {
		auth string
		code int
		err  string
	}{
		{basic("ops@example.com/token", "tok123"), 200, ""},
		{"Bearer oauth456", 200, ""},
		{basic("ops@example.com/token", "wrong"), 401, "Couldn't authenticate you"},
		{basic("ops@example.com", "tok123"), 401, "Couldn't authenticate you"},
		{"", 401, "Couldn't authenticate you"},
		{"Bearer nope", 401, "invalid_token"},
	}
	for _, c := range cases {
		rec := get(t, s, "/addresses", "Authorization", c.auth)
		if rec.Code != c.code {
			t.Fatalf("%q: %d", c.auth, rec.Code)
		}
		if c.err != "" && decode(t, rec)["error"] != c.err {
			t.Fatalf("%q: body %s", c.auth, rec.Body.String())
		}
	}
	if m := decode(t, get(t, s, "/addresses", "Authorization", "Bearer x")); m["error_description"] == nil {
		t.Fatal("OAuth 401 lacks error_description")
	}
}

func TestForbidden(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Forbidden = []string{"/ivr", "stats/agents_activity.json"}
	s := New(cfg)
	for _, p := range []string{"/ivr", "/ivr.json", "/stats/agents_activity"} {
		rec := get(t, s, p)
		if rec.Code != 403 || decode(t, rec)["error"] != "Forbidden" || !strings.Contains(rec.Body.String(), "account owner") {
			t.Fatalf("%s: %d %s", p, rec.Code, rec.Body.String())
		}
	}
	if rec := get(t, s, "/greetings"); rec.Code != 200 {
		t.Fatalf("other tables must still work: %d", rec.Code)
	}
}

func TestDeprecatedExports(t *testing.T) {
	for _, st := range []int{403, 410} {
		cfg := DefaultConfig()
		cfg.DeprecatedExports = st
		s := New(cfg)
		for _, p := range []string{"/stats/incremental/calls?start_time=0", "/stats/incremental/legs.json?start_time=0"} {
			rec := get(t, s, p)
			if rec.Code != st || decode(t, rec)["error"] != "DeprecatedEndpoint" || !strings.Contains(rec.Body.String(), "no longer available for third-party apps") {
				t.Fatalf("%d: %s: %d %s", st, p, rec.Code, rec.Body.String())
			}
		}
		if rec := get(t, s, "/greetings"); rec.Code != 200 {
			t.Fatalf("other tables must still work: %d", rec.Code)
		}
	}
}

func TestExportRateLimit(t *testing.T) {
	clk := newClock(t2024.Add(24 * time.Hour))
	cfg := DefaultConfig()
	cfg.Now = clk.Now
	cfg.ExportRPM = 3
	s := New(cfg)
	for i, kind := range []string{"calls", "legs", "calls"} {
		if rec := get(t, s, exportPath(kind, 0)); rec.Code != 200 {
			t.Fatalf("request %d: %d", i, rec.Code)
		}
		clk.Add(10 * time.Second)
	}
	// The window frees when the first request (30 s ago) is 60 s old.
	rec := get(t, s, exportPath("legs", 0))
	if rec.Code != 429 || rec.Header().Get("Retry-After") != "30" {
		t.Fatalf("4th export: %d Retry-After %q", rec.Code, rec.Header().Get("Retry-After"))
	}
	if get(t, s, "/greetings").Code != 200 {
		t.Fatal("the export budget must not limit other endpoints")
	}
	clk.Add(29*time.Second + 500*time.Millisecond)
	if rec := get(t, s, exportPath("calls", 0)); rec.Code != 429 || rec.Header().Get("Retry-After") != "1" {
		t.Fatalf("half a second early: %d %q", rec.Code, rec.Header().Get("Retry-After"))
	}
	clk.Add(500 * time.Millisecond)
	if rec := get(t, s, exportPath("calls", 0)); rec.Code != 200 {
		t.Fatalf("after Retry-After: %d", rec.Code)
	}
}

func TestAccountRateLimit(t *testing.T) {
	clk := newClock(t2024)
	cfg := DefaultConfig()
	cfg.Now = clk.Now
	cfg.AccountRPM = 2
	s := New(cfg)
	r1 := get(t, s, "/addresses")
	if r1.Header().Get("X-Rate-Limit") != "2" || r1.Header().Get("X-Rate-Limit-Remaining") != "1" {
		t.Fatalf("rate headers %v", r1.Header())
	}
	get(t, s, "/ivr")
	rec := get(t, s, "/greetings")
	if rec.Code != 429 || rec.Header().Get("Retry-After") != "60" {
		t.Fatalf("3rd request: %d %q", rec.Code, rec.Header().Get("Retry-After"))
	}
	clk.Add(time.Minute)
	if get(t, s, "/greetings").Code != 200 {
		t.Fatal("window did not roll")
	}
}

// Every answer reports the budgets in Zendesk's spellings, over the
// configured window; refusals are counted.
func TestRateHeadersAndWindow(t *testing.T) {
	clk := newClock(t2024.Add(24 * time.Hour))
	cfg := DefaultConfig()
	cfg.Now = clk.Now
	cfg.AccountRPM, cfg.ExportRPM, cfg.RateWindow = 3, 2, 10*time.Second
	s := New(cfg)
	want := func(rec *httptest.ResponseRecorder, kv ...string) {
		t.Helper()
		for i := 0; i+1 < len(kv); i += 2 {
			if got := rec.Header().Get(kv[i]); got != kv[i+1] {
				t.Fatalf("%s: %q, want %q (headers %v)", kv[i], got, kv[i+1], rec.Header())
			}
		}
	}
	r := get(t, s, exportPath("calls", 0))
	want(r, "X-Rate-Limit", "3", "X-Rate-Limit-Remaining", "2", "ratelimit-limit", "3", "ratelimit-remaining", "2", "ratelimit-reset", "10",
		"zendesk-ratelimit-incremental-exports", "total=2; remaining=1; resets=10")
	clk.Add(4 * time.Second)
	r = get(t, s, "/greetings")
	want(r, "X-Rate-Limit-Remaining", "1", "ratelimit-reset", "6", "zendesk-ratelimit-incremental-exports", "")
	get(t, s, exportPath("legs", 0))
	r = get(t, s, exportPath("legs", 0))
	if r.Code != 429 || r.Header().Get("Retry-After") != "6" || s.RateLimited() != 1 {
		t.Fatalf("4th request: %d Retry-After %q, %d refused", r.Code, r.Header().Get("Retry-After"), s.RateLimited())
	}
	want(r, "X-Rate-Limit-Remaining", "0", "zendesk-ratelimit-incremental-exports", "total=2; remaining=0; resets=6")
	clk.Add(6 * time.Second) // the first request leaves the 10 s window
	if r = get(t, s, exportPath("calls", 0)); r.Code != 200 {
		t.Fatalf("after the window rolled: %d", r.Code)
	}
	s.ResetRequests()
	if s.RateLimited() != 0 {
		t.Fatal("ResetRequests keeps the 429 count")
	}
}

func TestControlEndpoints(t *testing.T) {
	s := New(DefaultConfig())
	do := func(method, path string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, httptest.NewRequest(method, "http://sim.test/__talksim/"+path, nil))
		return rec
	}
	if m := decode(t, do("GET", "expected")); m["calls"].(float64) != 2000 {
		t.Fatalf("expected: %v", m)
	}
	if do("GET", "add_calls?n=3").Code != http.StatusMethodNotAllowed {
		t.Fatal("GET must not mutate")
	}
	do("POST", "add_calls?n=3")
	first, _ := s.CallIDRange()
	if m := decode(t, do("POST", "update_calls?ids="+strconv.FormatInt(first, 10))); m["updated"].(float64) != 1 {
		t.Fatalf("update: %v", m)
	}
	if do("POST", "delete?table=greetings&id=voicemail_en").Code != 200 || do("POST", "delete?table=ivrs&id="+strconv.FormatInt(ivrID(0), 10)).Code != 200 {
		t.Fatal("delete")
	}
	if e := s.Expected(); e["calls"] != 2003 || e["greetings"] != 129 || e["ivrs"] != 2 {
		t.Fatalf("after control calls: %v", e)
	}
	if len(s.Requests()) != 0 {
		t.Fatal("control endpoints must not count as API requests")
	}
}
