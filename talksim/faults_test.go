package talksim

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestFaultKinds drives every kind through a real HTTP server, as the
// client will meet them.
func TestFaultKinds(t *testing.T) {
	s := New(DefaultConfig())
	s.SetFaults(Faults{SlowDelay: 300 * time.Millisecond})
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	client := &http.Client{Timeout: 100 * time.Millisecond}
	const path = "/stats/incremental/calls"
	url := srv.URL + APIPrefix + path + ".json?start_time=0"

	type outcome struct {
		code       int
		retryAfter string
		ctype      string
		body       []byte
		err        error
	}
	// Go's Transport silently retries an idempotent request once when a
	// *reused* connection dies before answering, so a reset is only visible
	// on a fresh connection (or with two queued resets).
	fresh := &http.Client{Timeout: client.Timeout, Transport: &http.Transport{DisableKeepAlives: true}}
	fetchWith := func(client *http.Client) outcome {
		resp, err := client.Get(url)
		if err != nil {
			return outcome{err: err}
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return outcome{resp.StatusCode, resp.Header.Get("Retry-After"), resp.Header.Get("Content-Type"), b, err}
	}
	fetch := func() outcome { return fetchWith(client) }
	validJSON := func(b []byte) bool { return json.Valid(b) }

	checks := map[FaultKind]func(o outcome) bool{
		Fault429RetryAfter:   func(o outcome) bool { return o.code == 429 && o.retryAfter == "1" },
		Fault429NoRetryAfter: func(o outcome) bool { return o.code == 429 && o.retryAfter == "" },
		Fault500:             func(o outcome) bool { return o.code == 500 },
		Fault503:             func(o outcome) bool { return o.code == 503 },
		FaultTruncatedJSON: func(o outcome) bool {
			return o.err == nil && o.code == 200 && len(o.body) > 100 && !validJSON(o.body) && strings.HasPrefix(string(o.body), `{"calls":[`)
		},
		FaultHTMLError: func(o outcome) bool { return o.code == 502 && strings.HasPrefix(o.ctype, "text/html") },
		FaultHTML200: func(o outcome) bool {
			return o.code == 200 && strings.HasPrefix(o.ctype, "text/html") && !validJSON(o.body)
		},
		FaultReset: func(o outcome) bool { return o.err != nil },
		FaultSlow: func(o outcome) bool {
			var ne interface{ Timeout() bool }
			return o.err != nil && errors.As(o.err, &ne) && ne.Timeout()
		},
	}
	for _, k := range AllFaultKinds() {
		s.FailNext(path, 1, k)
		var o outcome
		if k == FaultReset {
			o = fetchWith(fresh)
		} else {
			o = fetch()
		}
		if !checks[k](o) {
			t.Fatalf("%s: code %d retry %q type %q err %v body %.80s", k, o.code, o.retryAfter, o.ctype, o.err, o.body)
		}
		// The next request is healthy again.
		if o := fetch(); o.err != nil || o.code != 200 || !validJSON(o.body) {
			t.Fatalf("after %s: %d %v", k, o.code, o.err)
		}
	}
	// On a kept-alive connection, two resets in a row reach the caller.
	s.FailNext(path, 2, FaultReset)
	if o := fetch(); o.err == nil {
		t.Fatal("two resets on a reused connection went unnoticed")
	}
	s.ResetRequests()
	s.FailNext(path, 0, FaultReset)
	if got := s.FaultsServed(); got != len(AllFaultKinds())+2 {
		t.Fatalf("FaultsServed %d", got)
	}
	s.FailNext(path, 1, Fault500)
	fetch()
	if got := s.Requests()[path]; got != 1 {
		t.Fatalf("Requests %d: faulted requests must count", got)
	}
}

func TestFaultsEveryCycles(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Faults = Faults{Every: 5, Kinds: []FaultKind{Fault500, Fault429RetryAfter, Fault503}}
	s := New(cfg)
	var codes []int
	for range 20 {
		codes = append(codes, get(t, s, "/addresses").Code)
	}
	want := []int{200, 200, 200, 200, 500, 200, 200, 200, 200, 429, 200, 200, 200, 200, 503, 200, 200, 200, 200, 500}
	for i := range want {
		if codes[i] != want[i] {
			t.Fatalf("codes %v, want %v", codes, want)
		}
	}
	if s.FaultsServed() != 4 || s.FaultsServedByKind()[Fault500] != 2 {
		t.Fatalf("served %d %v", s.FaultsServed(), s.FaultsServedByKind())
	}
	// Runtime change; Paths limits periodic faults to some endpoints.
	s.SetFaults(Faults{Every: 1, Kinds: []FaultKind{Fault503}, Paths: []string{"/ivr"}})
	if get(t, s, "/addresses").Code != 200 || get(t, s, "/ivr.json").Code != 503 {
		t.Fatal("Paths filter")
	}
	s.ClearFaults()
	if get(t, s, "/ivr").Code != 200 {
		t.Fatal("ClearFaults")
	}
}

func TestFailStatus(t *testing.T) {
	s := New(DefaultConfig())
	s.FailStatus("*", 401)
	for _, p := range []string{"/addresses", exportPath("calls", 0)} {
		rec := get(t, s, p)
		if rec.Code != 401 || decode(t, rec)["error"] != "Couldn't authenticate you" {
			t.Fatalf("%s: %d", p, rec.Code)
		}
	}
	s.FailStatus("*", 0)
	s.FailStatus("", 404)
	if rec := get(t, s, "/ivr"); rec.Code != 404 || decode(t, rec)["error"] != "InvalidEndpoint" {
		t.Fatal("404 everywhere")
	}
	s.FailStatus("", 0)
	s.FailStatus("/ivr.json", 403)
	if get(t, s, "/ivr").Code != 403 || get(t, s, "/greetings").Code != 200 {
		t.Fatal("403 on /ivr only")
	}
	s.FailStatus("/ivr", 0)
	if get(t, s, "/ivr").Code != 200 {
		t.Fatal("clear")
	}
	// FailNext queues per path and "*" matches any path.
	s.FailNext("*", 2, Fault500)
	if get(t, s, "/greetings").Code != 500 || get(t, s, "/ivr").Code != 500 || get(t, s, "/ivr").Code != 200 {
		t.Fatal("FailNext *")
	}
}

func TestParseFaultKind(t *testing.T) {
	for _, k := range AllFaultKinds() {
		if got, err := ParseFaultKind(string(k)); err != nil || got != k {
			t.Fatalf("%s: %v", k, err)
		}
	}
	if _, err := ParseFaultKind("boom"); err == nil {
		t.Fatal("accepted unknown kind")
	}
}

// FailStatusAfter lets n requests through, then answers the status until
// cleared; requests another fault answers do not count.
func TestFailStatusAfter(t *testing.T) {
	s := New(DefaultConfig())
	s.FailStatusAfter("/stats/incremental/legs", 2, 401)
	s.FailNext("/stats/incremental/legs", 1, Fault500)
	legs := exportPath("legs", 0)
	got := []int{}
	for range 5 {
		got = append(got, get(t, s, legs).Code)
	}
	if want := []int{500, 200, 200, 401, 401}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("legs answered %v, want %v", got, want)
	}
	if get(t, s, exportPath("calls", 0)).Code != 200 {
		t.Fatal("calls failed too")
	}
	s.FailStatusAfter("/stats/incremental/legs", 0, 0)
	if get(t, s, legs).Code != 200 {
		t.Fatal("clear")
	}
}
