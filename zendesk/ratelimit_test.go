package zendesk

import (
	"bytes"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"
)

func header(kv ...string) http.Header {
	h := http.Header{}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Set(kv[i], kv[i+1])
	}
	return h
}

// Zendesk spells the account-wide limit two ways (developer.zendesk.com,
// "Best practices for avoiding rate limiting"); malformed values are
// ignored rather than taken as a limit.
func TestAccountLimitHeaders(t *testing.T) {
	for _, tc := range []struct {
		h    http.Header
		want int // 0: no limit read
	}{
		{header("X-Rate-Limit", "400", "X-Rate-Limit-Remaining", "399"), 400},
		{header("x-rate-limit", " 200 "), 200},
		{header("ratelimit-limit", "700", "ratelimit-remaining", "699", "ratelimit-reset", "41"), 700},
		{header("ratelimit-limit", "700, 700;w=60"), 700},
		{header("ratelimit-limit", "700;w=60"), 700},
		{header("X-Rate-Limit", "lots", "ratelimit-limit", "250"), 250}, // the first readable spelling wins
		{header("X-Rate-Limit", "300", "ratelimit-limit", "250"), 300},
		{header(), 0},
		{header("X-Rate-Limit", ""), 0},
		{header("X-Rate-Limit", "abc"), 0},
		{header("X-Rate-Limit", "0"), 0}, // would read as "no limit"
		{header("X-Rate-Limit", "-5"), 0},
		{header("X-Rate-Limit", "12.5"), 0},
		{header("X-Rate-Limit", "99999999999999999999999"), 0},
		{header("ratelimit-limit", "10;w=1"), 0}, // not a per-minute limit
		{header("ratelimit-limit", "limit=10"), 0},
	} {
		n, ok := accountLimit(tc.h)
		if n != tc.want || ok != (tc.want > 0) {
			t.Errorf("%v: got %d %v, want %d", tc.h, n, ok, tc.want)
		}
	}
}

func TestExportBucketHeader(t *testing.T) {
	for _, tc := range []struct {
		v    string
		want int
	}{
		{"total=10; remaining=9; resets=6", 10},
		{"remaining=0;total=7;resets=59", 7},
		{"TOTAL = 3 , remaining=1", 3},
		{"", 0},
		{"10", 0},
		{"total=", 0},
		{"total=ten; remaining=9", 0},
		{"total=-1", 0},
		{"total=0", 0},
		{"remaining=9; resets=6", 0},
	} {
		n, ok := bucketLimit(header("zendesk-ratelimit-incremental-exports", tc.v), ExportBucket)
		if n != tc.want || ok != (tc.want > 0) {
			t.Errorf("%q: got %d %v, want %d", tc.v, n, ok, tc.want)
		}
	}
	// Another bucket's header says nothing of the exports.
	if _, ok := bucketLimit(header("zendesk-ratelimit-tickets-index", "total=100; remaining=99; resets=41"), ExportBucket); ok {
		t.Error("tickets-index bucket read as the export bucket")
	}
}

type logCount struct {
	buf bytes.Buffer
}

func (l *logCount) lines() []string {
	return strings.FieldsFunc(l.buf.String(), func(r rune) bool { return r == '\n' })
}

func learnClient(t *testing.T, rpm, exportRPM int) (*Client, *logCount) {
	t.Helper()
	lc := &logCount{}
	c, err := New(Options{BaseURL: "https://acme.zendesk.com/api/v2/channels/voice", OAuthToken: "tok", RPM: rpm, ExportRPM: exportRPM,
		Logger: slog.New(slog.NewTextHandler(&lc.buf, &slog.HandlerOptions{Level: slog.LevelInfo}))})
	if err != nil {
		t.Fatal(err)
	}
	lc.buf.Reset() // the credential notice
	return c, lc
}

func effective(c *Client) (int, int) {
	a, e := c.Budgets()
	return a.Effective, e.Effective
}

// A smaller plan lowers the budgets; a larger one never raises them above
// the settings; malformed headers change nothing; the log says so once per
// distinct limit, not once per answer.
func TestLearnedLimitsLowerButNeverRaise(t *testing.T) {
	c, lc := learnClient(t, 400, 10)
	for range 5 {
		c.learnLimits(header("X-Rate-Limit", "200", "Zendesk-Ratelimit-Incremental-Exports", "total=4; remaining=3; resets=50"))
	}
	if a, e := effective(c); a != 200 || e != 4 || c.account.Limit() != 200 || c.export.Limit() != 4 {
		t.Fatalf("after a Team plan's headers: account %d export %d, want 200 and 4", a, e)
	}
	if n := len(lc.lines()); n != 2 {
		t.Fatalf("%d log lines for 5 identical answers, want 2 (one per budget):\n%s", n, lc.buf.String())
	}
	if s := lc.buf.String(); !strings.Contains(s, "setting=Options.RPM configured=400 account_limit=200") ||
		!strings.Contains(s, "setting=Options.ExportRPM configured=10 account_limit=4") || !strings.Contains(s, "level=WARN") {
		t.Fatalf("log: %s", s)
	}

	c.learnLimits(header("X-Rate-Limit", "nope", "Zendesk-Ratelimit-Incremental-Exports", "total=zero"))
	if a, e := effective(c); a != 200 || e != 4 {
		t.Fatalf("malformed headers moved the budgets to %d, %d", a, e)
	}

	// An upgraded plan: back up to the settings, never beyond.
	c.learnLimits(header("ratelimit-limit", "700", "Zendesk-Ratelimit-Incremental-Exports", "total=20"))
	a, e := c.Budgets()
	if a.Effective != 400 || e.Effective != 10 || a.Learned != 700 || e.Learned != 20 || a.Configured != 400 || e.Configured != 10 {
		t.Fatalf("above the settings: %+v %+v", a, e)
	}
	if n := len(lc.lines()); n != 4 {
		t.Fatalf("%d log lines, want 4:\n%s", n, lc.buf.String())
	}
}

// Without a configured ceiling (0 = no self-imposed limit) the account's
// limit is the budget; before any answer there is none.
func TestLearnedLimitWithoutCeiling(t *testing.T) {
	c, _ := learnClient(t, 0, 0)
	if a, e := effective(c); a != 0 || e != 0 {
		t.Fatalf("before any answer: %d %d", a, e)
	}
	c.learnLimits(header("X-Rate-Limit", "200"))
	a, e := c.Budgets()
	if a.Effective != 200 || e.Effective != 0 || e.Learned != 0 {
		t.Fatalf("account %+v export %+v", a, e)
	}
}

// A lowered budget holds callers while more than the new limit is still
// in the window.
func TestLimiterSetLimitBelowWhatIsInTheWindow(t *testing.T) {
	now := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	l := NewLimiter(5, time.Minute)
	l.now = func() time.Time { return now }
	for range 5 {
		l.reserve()
		now = now.Add(time.Second)
	}
	l.SetLimit(2) // 5 in the window, sent at 0..4 s; now 5 s
	// Room for one more once 4 have left: the one sent at 3 s leaves at 63 s.
	if d, _ := l.reserve(); d != 58*time.Second {
		t.Fatalf("waits %v, want 58s", d)
	}
	now = now.Add(58 * time.Second)
	if d, _ := l.reserve(); d != 0 {
		t.Fatalf("at 63 s waits %v", d)
	}
}
