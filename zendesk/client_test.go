package zendesk

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func testClient(t *testing.T, h http.HandlerFunc) (*Client, *httptest.Server) {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	c, err := New(Options{BaseURL: srv.URL + "/api/v2/channels/voice", Email: "a@b.c", APIToken: "s3cret-token",
		Backoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return c, srv
}

func TestRejectedTokenFailsAtOnceNamingTheSettings(t *testing.T) {
	var n atomic.Int32
	c, _ := testClient(t, func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.WriteHeader(401)
		w.Write([]byte(`{"error":"Couldn't authenticate you"}`))
	})
	_, err := c.Fetch(context.Background(), c.URL("/addresses", nil), "addresses", false, nil)
	if KindOf(err) != Auth || n.Load() != 1 {
		t.Fatalf("err %v after %d requests; want one request and an auth error", err, n.Load())
	}
	for _, want := range []string{"Options.Email", "Options.APIToken", "Options.OAuthToken", "/api/v2/channels/voice/addresses", "401"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %s", err, want)
		}
	}
	if strings.Contains(err.Error(), "s3cret") {
		t.Fatal("error leaks the token")
	}
}

func TestSendsBasicAuthOrBearer(t *testing.T) {
	var got atomic.Value
	h := func(w http.ResponseWriter, r *http.Request) {
		got.Store(r.Header.Get("Authorization"))
		w.Write([]byte(`{"addresses":[]}`))
	}
	c, srv := testClient(t, h)
	if _, err := c.Fetch(context.Background(), c.URL("/addresses", nil), "addresses", false, nil); err != nil {
		t.Fatal(err)
	}
	if got.Load() != "Basic YUBiLmMvdG9rZW46czNjcmV0LXRva2Vu" { // a@b.c/token:s3cret-token
		t.Fatalf("basic header %v", got.Load())
	}
	o, _ := New(Options{BaseURL: srv.URL, OAuthToken: "oauth-tok"})
	if _, err := o.Fetch(context.Background(), o.URL("/addresses", nil), "addresses", false, nil); err != nil {
		t.Fatal(err)
	}
	if got.Load() != "Bearer oauth-tok" {
		t.Fatalf("bearer header %v", got.Load())
	}
}

func TestTransientFaultsRetryThenSucceed(t *testing.T) {
	bodies := []func(w http.ResponseWriter){
		func(w http.ResponseWriter) { w.WriteHeader(503) },
		func(w http.ResponseWriter) { w.Write([]byte(`{"addresses":[{"id":1},`)) }, // truncated
		func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "text/html")
			w.Write([]byte("<html><body>Bad gateway</body></html>"))
		},
		func(w http.ResponseWriter) { w.WriteHeader(500) },
		func(w http.ResponseWriter) { w.Write([]byte(`{"addresses":[{"id":1}],"next_page":null}`)) },
	}
	var n atomic.Int32
	c, _ := testClient(t, func(w http.ResponseWriter, r *http.Request) { bodies[n.Add(1)-1](w) })
	var tally Tally
	p, err := c.Fetch(context.Background(), c.URL("/addresses", nil), "addresses", false, &tally)
	if err != nil || len(p.Records) != 1 {
		t.Fatalf("err %v records %d", err, len(p.Records))
	}
	if tally.Requests.Load() != 5 || tally.Retries.Load() != 4 {
		t.Fatalf("requests %d retries %d", tally.Requests.Load(), tally.Retries.Load())
	}
}

func TestTransientFaultsGiveUpWithPathAndStatus(t *testing.T) {
	c, _ := testClient(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(502) })
	_, err := c.Fetch(context.Background(), c.URL("/greetings", nil), "greetings", false, nil)
	if KindOf(err) != Transient || !strings.Contains(err.Error(), "/greetings") || !strings.Contains(err.Error(), "502") || !strings.Contains(err.Error(), "5 attempts") {
		t.Fatalf("err %v", err)
	}
}

func TestRetryAfterIsWaitedExactly(t *testing.T) {
	var first time.Time
	var gap time.Duration
	var n atomic.Int32
	c, _ := testClient(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			first = time.Now()
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(429)
			return
		}
		gap = time.Since(first)
		w.Write([]byte(`{"addresses":[]}`))
	})
	var tally Tally
	if _, err := c.Fetch(context.Background(), c.URL("/addresses", nil), "addresses", false, &tally); err != nil {
		t.Fatal(err)
	}
	if gap < time.Second || gap > 1300*time.Millisecond || tally.Throttled.Load() != 1 {
		t.Fatalf("waited %v after Retry-After: 1 (throttled %d)", gap, tally.Throttled.Load())
	}
}

func TestForbiddenAndNotFoundAreClassified(t *testing.T) {
	c, _ := testClient(t, func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/ivr") {
			w.WriteHeader(403)
			w.Write([]byte(`{"error":"Forbidden","description":"You do not have access to this page."}`))
			return
		}
		w.WriteHeader(404)
	})
	_, err := c.Fetch(context.Background(), c.URL("/ivr", nil), "ivrs", false, nil)
	if KindOf(err) != Forbidden || !strings.Contains(err.Error(), "You do not have access") {
		t.Fatalf("403: %v", err)
	}
	_, err = c.Fetch(context.Background(), c.URL("/addresses", nil), "addresses", false, nil)
	if KindOf(err) != NotFound || !strings.Contains(err.Error(), "Options.BaseURL") {
		t.Fatalf("404: %v", err)
	}
}

func TestCredentialsNeverGoToAnotherHost(t *testing.T) {
	c, _ := testClient(t, func(w http.ResponseWriter, r *http.Request) {})
	_, err := c.Fetch(context.Background(), "https://evil.example.com/api/v2/channels/voice/addresses?page=2", "addresses", false, nil)
	if KindOf(err) != Rejected {
		t.Fatalf("err %v", err)
	}
}

// A 403 or 410 whose body speaks of deprecation or third-party apps is the
// end of exports for third-party developers: its own kind, one request, a
// message naming the article and the way out. A plain 403 stays the
// plan-gated Forbidden; a plain 410 is rejected (never retried).
func TestExportDeprecationRefusalIsItsOwnKind(t *testing.T) {
	cases := []struct {
		name   string
		status int
		body   string
		want   Kind
		says   []string
	}{
		{"403 deprecated", 403, `{"error":"Forbidden","description":"This endpoint is DEPRECATED for your app."}`, Deprecated,
			[]string{"11249701485338", "local client", "DEPRECATED for your app", "HTTP 403"}},
		{"410 third-party", 410, `{"error":"DeprecatedEndpoint","description":"This API is no longer available for third-party apps."}`, Deprecated,
			[]string{"11249701485338", "own Zendesk account", "no longer available for third-party apps", "HTTP 410"}},
		{"410 third party, not JSON", 410, `Gone: incremental exports are closed to Third Party developers`, Deprecated,
			[]string{"11249701485338", "closed to Third Party developers"}},
		{"410 plain", 410, `{"error":"Gone"}`, Rejected, []string{"HTTP 410", "no longer serves", "11249701485338"}},
		{"403 plain", 403, `{"error":"Forbidden","description":"You do not have access to this page."}`, Forbidden,
			[]string{"You do not have access", "plan"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var n atomic.Int32
			c, _ := testClient(t, func(w http.ResponseWriter, r *http.Request) {
				n.Add(1)
				w.WriteHeader(tc.status)
				w.Write([]byte(tc.body))
			})
			q := map[string][]string{"start_time": {"1700000000"}}
			_, err := c.Fetch(context.Background(), c.URL("/stats/incremental/calls", q), "calls", true, nil)
			if KindOf(err) != tc.want || n.Load() != 1 {
				t.Fatalf("kind %q after %d requests (%v); want %q after one", KindOf(err), n.Load(), err, tc.want)
			}
			for _, s := range tc.says {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not say %q", err, s)
				}
			}
			if strings.Contains(err.Error(), "s3cret") {
				t.Fatal("error leaks the token")
			}
		})
	}
}

func TestDeprecationExcerptIsShort(t *testing.T) {
	c, _ := testClient(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(410)
		w.Write([]byte(`{"error":"Deprecated","description":"` + strings.Repeat("é", 500) + `"}`))
	})
	_, err := c.Fetch(context.Background(), c.URL("/stats/incremental/legs", nil), "legs", true, nil)
	if KindOf(err) != Deprecated || strings.Count(err.Error(), "é") > 100 || !strings.Contains(err.Error(), "…") {
		t.Fatalf("%v", err)
	}
}
