package metrics

import (
	"io"
	"log/slog"
	"regexp"
	"strconv"
	"testing"
	"time"
)

// The token gauges give the seconds left at the scrape, and leave out an
// unknown expiry.
func TestTokenGauges(t *testing.T) {
	s, err := Start("127.0.0.1:0", NewHealth(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var refresh, access time.Time
	if err := s.WatchTokens(func() (time.Time, time.Time) { return refresh, access }); err != nil {
		t.Fatal(err)
	}
	value := func(body, name string) (float64, bool) {
		m := regexp.MustCompile(`(?m)^` + name + ` (\S+)$`).FindStringSubmatch(body)
		if m == nil {
			return 0, false
		}
		v, err := strconv.ParseFloat(m[1], 64)
		if err != nil {
			t.Fatalf("%s: %v", m[0], err)
		}
		return v, true
	}
	_, body := get(t, "http://"+s.Addr+"/metrics")
	if _, ok := value(body, RefreshTokenExpiresIn); ok {
		t.Fatalf("unknown refresh expiry exposed:\n%s", body)
	}
	refresh, access = time.Now().Add(6*24*time.Hour), time.Now().Add(30*time.Minute)
	_, body = get(t, "http://"+s.Addr+"/metrics")
	r, ok1 := value(body, RefreshTokenExpiresIn)
	a, ok2 := value(body, AccessTokenExpiresIn)
	if !ok1 || !ok2 || r > 6*86400 || r < 6*86400-5 || a > 1800 || a < 1795 {
		t.Fatalf("refresh %v %v, access %v %v:\n%s", r, ok1, a, ok2, body)
	}
	refresh = time.Now().Add(-time.Hour)
	_, body = get(t, "http://"+s.Addr+"/metrics")
	if r, ok := value(body, RefreshTokenExpiresIn); !ok || r > -3599 {
		t.Fatalf("expired refresh token: %v %v", r, ok)
	}
}
