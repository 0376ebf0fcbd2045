package talksim

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"sync"
	"testing"
	"time"
)

// fakeClock lets tests move time for rate limits and updates.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock(t time.Time) *fakeClock { return &fakeClock{t: t} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

var t2024 = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// get issues one request straight to the handler. path is an API path
// (with query) or an absolute URL as found in next_page.
func get(t testing.TB, s *Sim, path string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	target := path
	if u, err := url.Parse(path); err == nil && u.IsAbs() {
		target = u.RequestURI()
	} else {
		target = APIPrefix + path
	}
	req := httptest.NewRequest(http.MethodGet, "http://sim.test"+target, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	return rec
}

func decode(t testing.TB, rec *httptest.ResponseRecorder) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
		t.Fatalf("invalid JSON (%d): %v\n%.300s", rec.Code, err, rec.Body.String())
	}
	return m
}

type exportPage struct {
	Calls    []map[string]any `json:"calls"`
	Legs     []map[string]any `json:"legs"`
	Count    int              `json:"count"`
	EndTime  int64            `json:"end_time"`
	NextPage *string          `json:"next_page"`
}

func (p exportPage) records() []map[string]any {
	if p.Calls != nil {
		return p.Calls
	}
	return p.Legs
}

func getExport(t testing.TB, s *Sim, path string) exportPage {
	t.Helper()
	rec := get(t, s, path)
	if rec.Code != 200 {
		t.Fatalf("GET %s: %d %s", path, rec.Code, rec.Body.String())
	}
	var p exportPage
	if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return p
}

func exportPath(kind string, start int64) string {
	return "/stats/incremental/" + kind + ".json?start_time=" + strconv.FormatInt(start, 10)
}

func ts(t testing.TB, v any) int64 {
	t.Helper()
	s, _ := v.(string)
	tm, err := time.Parse("2006-01-02T15:04:05Z", s)
	if err != nil {
		t.Fatalf("bad timestamp %v: %v", v, err)
	}
	return tm.Unix()
}

func id64(v any) int64 {
	f, _ := v.(float64)
	return int64(f)
}

// syncAll pages an export the way a correct client does: follow next_page
// while count == 1000, collapse duplicates by id.
func syncAll(t testing.TB, s *Sim, kind string, start int64) (ids map[int64]map[string]any, end int64, requests int) {
	t.Helper()
	ids = map[int64]map[string]any{}
	next := exportPath(kind, start)
	for {
		p := getExport(t, s, next)
		requests++
		for _, r := range p.records() {
			ids[id64(r["id"])] = r
		}
		if p.NextPage == nil {
			t.Fatal("next_page is null")
		}
		end = p.EndTime
		if p.Count < ExportPageSize {
			return ids, end, requests
		}
		if requests > 100000 {
			t.Fatal("paging does not end")
		}
		next = *p.NextPage
	}
}
