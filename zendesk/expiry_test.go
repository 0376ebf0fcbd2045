package zendesk

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"talkwarehouse/talksim"
)

// The state file keeps the refresh token's expiry across a restart, for a
// chain from the environment and for one `starter authorize` started; a
// rotation without refresh_token_expires_in makes it unknown again.
func TestStateFileKeepsExpiry(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	st, err := OpenStateFile(path, seedRefresh, Names{})
	if err != nil {
		t.Fatal(err)
	}
	if !st.ExpiresAt().IsZero() {
		t.Fatal("a token from the environment has a known expiry")
	}
	exp := time.Date(2027, 1, 2, 3, 4, 5, 0, time.UTC)
	if err := st.Save("rt-rotated-1", exp); err != nil {
		t.Fatal(err)
	}
	st.Close()
	b, _ := os.ReadFile(path)
	var raw map[string]any
	if err := json.Unmarshal(b, &raw); err != nil || raw["refresh_token_expires_at"] != "2027-01-02T03:04:05Z" {
		t.Fatalf("file %s: %v", b, err)
	}
	// No ZENDESK_OAUTH_REFRESH_TOKEN: the file's chain.
	st, err = OpenStateFile(path, "", Names{})
	if err != nil {
		t.Fatal(err)
	}
	if st.RefreshToken() != "rt-rotated-1" || !st.ExpiresAt().Equal(exp) || st.FromEnvironment() {
		t.Fatalf("reopened: %v %v", st.ExpiresAt(), st.FromEnvironment())
	}
	if err := st.Save("rt-rotated-2", time.Time{}); err != nil || !st.ExpiresAt().IsZero() {
		t.Fatalf("rotation without an expiry: %v %v", err, st.ExpiresAt())
	}
	// A new chain, as `starter authorize` writes it, replaces everything.
	if err := st.StartChain("rt-authorized", exp.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	st.Close()
	st, err = OpenStateFile(path, "", Names{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if st.RefreshToken() != "rt-authorized" || !st.ExpiresAt().Equal(exp.Add(time.Hour)) || st.FromEnvironment() {
		t.Fatalf("authorized chain: %v %v", st.ExpiresAt(), st.FromEnvironment())
	}
	if b, _ := os.ReadFile(path); bytes.Contains(b, []byte("rt-rotated")) || !bytes.Contains(b, []byte(`"authorized_at"`)) {
		t.Fatalf("authorized chain file: %s", b)
	}
	// The old environment token (a different seed) would start a new chain:
	// the reason `starter authorize` refuses to run with it set.
	if _, err := OpenStateFile(filepath.Join(t.TempDir(), "none.json"), "", Names{}); err == nil || !strings.Contains(err.Error(), "starter authorize") {
		t.Fatalf("missing file without a token: %v", err)
	}
}

// logBuffer collects a client's log.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func expirySim(t *testing.T, refreshLife time.Duration) (*talksim.Sim, *httptest.Server) {
	t.Helper()
	cfg := talksim.DefaultConfig()
	cfg.Calls = 50
	cfg.OAuthClientID, cfg.OAuthClientSecret, cfg.OAuthRefreshToken = clientID, clientSecret, seedRefresh
	cfg.TokenLifetime = time.Hour
	cfg.RefreshTokenLifetime = refreshLife
	sim := talksim.New(cfg)
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(srv.Close)
	return sim, srv
}

// A rotation stores the new refresh token's expiry; with fewer than 7 days
// left the client warns (naming `starter authorize`), with more it does
// not. OAuthExpiry reports both tokens' expiries.
func TestRefreshExpiryStoredAndWarned(t *testing.T) {
	for _, c := range []struct {
		life time.Duration
		warn bool
	}{{3 * 24 * time.Hour, true}, {30 * 24 * time.Hour, false}} {
		sim, srv := expirySim(t, c.life)
		st, err := OpenStateFile(filepath.Join(t.TempDir(), "state.json"), seedRefresh, Names{})
		if err != nil {
			t.Fatal(err)
		}
		var logs logBuffer
		cl, err := New(Options{BaseURL: srv.URL + "/api/v2/channels/voice", Logger: slog.New(slog.NewTextHandler(&logs, nil)),
			OAuth: &OAuth{TokenURL: srv.URL + "/oauth/tokens", ClientID: clientID, ClientSecret: clientSecret, Scope: "read", State: st}})
		if err != nil {
			t.Fatal(err)
		}
		t0 := time.Now()
		if err := fetchAddresses(cl); err != nil {
			t.Fatal(err)
		}
		refresh, access := cl.OAuthExpiry()
		if d := refresh.Sub(t0.Add(c.life)); d < -2*time.Second || d > 2*time.Second {
			t.Errorf("life %v: refresh expiry %v, want about %v", c.life, refresh, t0.Add(c.life))
		}
		if d := access.Sub(t0.Add(time.Hour)); d < -2*time.Second || d > 2*time.Second {
			t.Errorf("access expiry %v, want about an hour from now", access)
		}
		warned := strings.Contains(logs.String(), "fewer than 7 days") && strings.Contains(logs.String(), "starter authorize")
		if warned != c.warn {
			t.Errorf("life %v: warned %v, want %v:\n%s", c.life, warned, c.warn, logs.String())
		}
		for _, s := range append(sim.IssuedSecrets(), seedRefresh, clientSecret) {
			if strings.Contains(logs.String(), s) {
				t.Error("log leaks a secret")
			}
		}
		st.Close()
	}
}

// An expired refresh token fails at once, without a request to Zendesk
// and never retried, saying to authorize again with `starter authorize`.
func TestExpiredRefreshTokenFailsFast(t *testing.T) {
	sim, srv := expirySim(t, time.Hour)
	path := filepath.Join(t.TempDir(), "state.json")
	st, err := LockStateFile(path, Names{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.StartChain(seedRefresh, time.Now().Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	c := oauthClient(t, srv, clientSecret, st, nil)
	t0 := time.Now()
	for range 5 {
		err = fetchAddresses(c)
		if KindOf(err) != Auth || !strings.Contains(err.Error(), "expired") || !strings.Contains(err.Error(), "authorize again") ||
			!strings.Contains(err.Error(), "`starter authorize`") || !strings.Contains(err.Error(), path) || strings.Contains(err.Error(), seedRefresh) {
			t.Fatalf("err %v, want an auth error naming the file and `starter authorize`", err)
		}
	}
	if took := time.Since(t0); took > time.Second {
		t.Errorf("five refusals took %v", took)
	}
	if n := sim.OAuthStats().TokenRequests; n != 0 {
		t.Errorf("%d token requests with an expired refresh token, want none", n)
	}
	if !strings.Contains(err.Error(), "not sent") {
		t.Errorf("err %v does not say the request was not sent", err)
	}
	t.Log(err)
}

// The simulator refuses a refresh token past RefreshTokenLifetime (the
// client, not knowing the expiry, asks and is told invalid_grant).
func TestSimRefreshTokenExpires(t *testing.T) {
	sim, srv := expirySim(t, time.Second)
	time.Sleep(1100 * time.Millisecond)
	st, err := OpenStateFile(filepath.Join(t.TempDir(), "state.json"), seedRefresh, Names{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	err = fetchAddresses(oauthClient(t, srv, clientSecret, st, nil))
	if KindOf(err) != Auth || !strings.Contains(err.Error(), "invalid_grant") || !strings.Contains(err.Error(), "starter authorize") {
		t.Fatalf("err %v", err)
	}
	if s := sim.OAuthStats(); s.InvalidGrant != 1 {
		t.Fatalf("%+v", s)
	}
}
