package main

import (
	"bytes"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"talkwarehouse/talksim"
	"talkwarehouse/zendesk"
)

// syncBuffer is an output read while the command still writes it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

const (
	authClientID = "cid-authorize"
	authSecret   = "cs-SECRET-authorize-81e0"
)

// authEnv points the Zendesk settings at a simulator with an OAuth client
// whose refresh tokens live for refreshLife, registered for a free
// loopback redirect URL; it returns the simulator and the state file.
func authEnv(t *testing.T, refreshLife time.Duration) (*talksim.Sim, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	redirect := "http://" + ln.Addr().String() + "/callback"
	ln.Close()
	cfg := talksim.DefaultConfig()
	cfg.Calls = 20
	cfg.OAuthClientID, cfg.OAuthClientSecret = authClientID, authSecret
	cfg.OAuthRedirectURIs = []string{redirect}
	cfg.TokenLifetime = time.Hour
	cfg.RefreshTokenLifetime = refreshLife
	sim := talksim.New(cfg)
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(srv.Close)
	for _, k := range []string{"ZENDESK_SUBDOMAIN", "ZENDESK_EMAIL", "ZENDESK_API_TOKEN", "ZENDESK_OAUTH_TOKEN", "ZENDESK_OAUTH_REFRESH_TOKEN"} {
		t.Setenv(k, "")
	}
	state := filepath.Join(t.TempDir(), "zendesk-oauth.json")
	t.Setenv("ZENDESK_BASE_URL", srv.URL)
	t.Setenv("ZENDESK_START_DATE", "2024-01-01T00:00:00Z")
	t.Setenv("ZENDESK_OAUTH_CLIENT_ID", authClientID)
	t.Setenv("ZENDESK_OAUTH_CLIENT_SECRET", authSecret)
	t.Setenv("ZENDESK_OAUTH_STATE_FILE", state)
	t.Setenv("ZENDESK_OAUTH_REDIRECT_URL", redirect)
	return sim, state
}

// runAuthorize runs `starter authorize`, playing the browser: it opens the
// URL on the line of its own and follows the redirect.
func runAuthorize(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out syncBuffer
	done := make(chan error, 1)
	go func() { done <- authorizeCmd(args, &out) }()
	urlLine := regexp.MustCompile(`(?m)^(http://\S+/oauth/authorizations/new\?\S+)$`)
	deadline := time.Now().Add(10 * time.Second)
	for {
		if m := urlLine.FindStringSubmatch(out.String()); m != nil {
			resp, err := http.Get(m[1])
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			break
		}
		select {
		case err := <-done:
			return out.String(), err
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("no authorization URL printed:\n%s", out.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	err := <-done
	return out.String(), err
}

// `starter authorize`, then `starter check` with the client id, secret and
// state file alone: the check renews from the file's chain, shows the
// refresh token's expiry and warns with fewer than 7 days left; nothing
// printed holds a token.
func TestAuthorizeThenCheck(t *testing.T) {
	sim, state := authEnv(t, 3*24*time.Hour)
	out, err := runAuthorize(t, "-timeout", "10s")
	if err != nil {
		t.Fatalf("authorize: %v\n%s", err, out)
	}
	if !strings.Contains(out, "authorized: the refresh token is stored in "+state) {
		t.Errorf("output:\n%s", out)
	}
	var check bytes.Buffer
	if err := checkCmd(nil, &check); err != nil {
		t.Fatalf("check: %v\n%s", err, check.String())
	}
	for _, want := range []string{"OAuth refresh token", "refresh token: expires at", "WARNING: the Zendesk refresh token expires", "fewer than 7 days", "`starter authorize`"} {
		if !strings.Contains(check.String(), want) {
			t.Errorf("check does not say %q:\n%s", want, check.String())
		}
	}
	if s := sim.OAuthStats(); s.CodeGrants != 1 || s.Rotations != 1 || s.InvalidGrant != 0 {
		t.Errorf("%+v", s)
	}
	for _, s := range append(sim.IssuedSecrets(), authSecret) {
		if strings.Contains(out, s) || strings.Contains(check.String(), s) {
			t.Errorf("output leaks %.12s…", s)
		}
	}
}

// With the stored refresh token expired, `starter check` fails at once,
// saying to authorize again with `starter authorize`, and asks Zendesk
// nothing.
func TestCheckWithExpiredRefreshToken(t *testing.T) {
	sim, state := authEnv(t, time.Hour)
	st, err := zendesk.LockStateFile(state, zendesk.Names{})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.StartChain("rt-expired-SECRET", time.Now().Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	st.Close()
	var out bytes.Buffer
	err = checkCmd(nil, &out)
	if err == nil || !strings.Contains(err.Error(), "expired") || !strings.Contains(err.Error(), "`starter authorize`") || strings.Contains(err.Error(), "rt-expired-SECRET") {
		t.Fatalf("check: %v\n%s", err, out.String())
	}
	if n := sim.OAuthStats().TokenRequests; n != 0 {
		t.Errorf("%d token requests", n)
	}
}

// Settings that cannot work are refused before anything listens, naming
// the setting; a taken state file names itself.
func TestAuthorizeRefusesBadSettings(t *testing.T) {
	_, state := authEnv(t, time.Hour)
	for _, c := range []struct{ key, value, want string }{
		{"ZENDESK_OAUTH_REFRESH_TOKEN", "rt-SECRET-old", "unset ZENDESK_OAUTH_REFRESH_TOKEN"},
		{"ZENDESK_OAUTH_STATE_FILE", "", "ZENDESK_OAUTH_STATE_FILE"},
		{"ZENDESK_OAUTH_CLIENT_SECRET", "", "ZENDESK_OAUTH_CLIENT_SECRET"},
		{"ZENDESK_OAUTH_REDIRECT_URL", "http://example.com:8976/callback", "ZENDESK_OAUTH_REDIRECT_URL"},
	} {
		t.Run(c.key, func(t *testing.T) {
			t.Setenv(c.key, c.value)
			err := authorizeCmd(nil, &bytes.Buffer{})
			var u usageError
			if !errors.As(err, &u) || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "rt-SECRET-old") {
				t.Fatalf("%s=%q: %v", c.key, c.value, err)
			}
		})
	}
	held, err := zendesk.LockStateFile(state, zendesk.Names{})
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	if err := authorizeCmd(nil, &bytes.Buffer{}); !errors.Is(err, zendesk.ErrStateLocked) || !strings.Contains(err.Error(), state) {
		t.Fatalf("state file held by a worker: %v", err)
	}
	if _, err := os.Stat(state); err == nil {
		t.Error("a state file was written")
	}
}
