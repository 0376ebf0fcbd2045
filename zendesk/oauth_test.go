package zendesk

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"talkwarehouse/talksim"
)

const (
	clientID     = "talkwarehouse-test"
	clientSecret = "cs-SECRET-4f1a"
	seedRefresh  = "rt-SEED-SECRET-91c2"
)

// oauthSim serves a small account with an OAuth client whose access tokens
// live for lifetime.
func oauthSim(t *testing.T, lifetime time.Duration) (*talksim.Sim, *httptest.Server) {
	t.Helper()
	cfg := talksim.DefaultConfig()
	cfg.Calls = 50
	cfg.OAuthClientID, cfg.OAuthClientSecret = clientID, clientSecret
	cfg.OAuthRefreshToken = seedRefresh
	cfg.TokenLifetime = lifetime
	sim := talksim.New(cfg)
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(srv.Close)
	return sim, srv
}

func oauthClient(t *testing.T, srv *httptest.Server, secret string, st *StateFile, hc *http.Client) *Client {
	t.Helper()
	c, err := New(Options{BaseURL: srv.URL + "/api/v2/channels/voice", HTTP: hc,
		OAuth:   &OAuth{TokenURL: srv.URL + "/oauth/tokens", ClientID: clientID, ClientSecret: secret, Scope: "read", State: st},
		Backoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func fetchAddresses(c *Client) error {
	_, err := c.Fetch(context.Background(), c.URL("/addresses", nil), "addresses", false, nil)
	return err
}

// Many concurrent requests share one token: one token request, however
// many callers, and a new one only when the token is about to expire.
func TestClientCredentialsSharedAndRenewedBeforeExpiry(t *testing.T) {
	sim, srv := oauthSim(t, 2*time.Second)
	c := oauthClient(t, srv, clientSecret, nil, nil)
	var wg sync.WaitGroup
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := fetchAddresses(c); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if st := sim.OAuthStats(); st.TokenRequests != 1 || st.Unauthorized != 0 {
		t.Fatalf("20 concurrent requests: %+v, want one token request and no 401", st)
	}
	// Keep requesting across three lifetimes: renewed ahead of expiry, so
	// never a 401, and one token request per renewal.
	t0 := time.Now()
	for time.Since(t0) < 6*time.Second {
		if err := fetchAddresses(c); err != nil {
			t.Fatal(err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	st := sim.OAuthStats()
	if st.Unauthorized != 0 || st.TokenRequests < 4 || st.TokenRequests > 5 {
		t.Fatalf("over 6 s of 2 s tokens: %+v; want 4 or 5 token requests (renewed 0.4 s early) and no 401", st)
	}
	t.Logf("token endpoint: %+v", st)
}

// A token rejected before its expires_in (revoked) is renewed once; a
// second 401 with the fresh token fails at once naming the settings.
func TestRejectedTokenRenewedOnceThenFailsNamingTheSettings(t *testing.T) {
	var tokenReqs, apiReqs atomic.Int32
	rejectAll := atomic.Bool{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/oauth/tokens" {
			n := tokenReqs.Add(1)
			if ct := r.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("token request content type %q, want JSON", ct)
			}
			var body map[string]string
			_ = json.NewDecoder(r.Body).Decode(&body)
			if body["grant_type"] != "client_credentials" || body["client_id"] != clientID || body["client_secret"] != clientSecret || body["scope"] != "read" {
				t.Errorf("token request body %v", body)
			}
			w.Write([]byte(`{"access_token":"tok-` + string(rune('0'+n)) + `","token_type":"bearer","expires_in":3600}`))
			return
		}
		apiReqs.Add(1)
		if rejectAll.Load() || r.Header.Get("Authorization") == "Bearer tok-1" {
			w.WriteHeader(401)
			w.Write([]byte(`{"error":"invalid_token","error_description":"The access token provided is expired, revoked, malformed or invalid for other reasons."}`))
			return
		}
		w.Write([]byte(`{"addresses":[]}`))
	}))
	t.Cleanup(srv.Close)
	c := oauthClient(t, srv, clientSecret, nil, nil)
	// tok-1 is revoked: one 401, one renewal, then success.
	if err := fetchAddresses(c); err != nil {
		t.Fatal(err)
	}
	if tokenReqs.Load() != 2 || apiReqs.Load() != 2 {
		t.Fatalf("%d token and %d API requests, want 2 and 2", tokenReqs.Load(), apiReqs.Load())
	}
	// Now every token is refused (the client lost its scope): one renewal,
	// then an error naming the settings.
	rejectAll.Store(true)
	err := fetchAddresses(c)
	if KindOf(err) != Auth || tokenReqs.Load() != 3 || apiReqs.Load() != 4 {
		t.Fatalf("err %v after %d token and %d API requests; want an auth error after 3 and 4", err, tokenReqs.Load(), apiReqs.Load())
	}
	for _, want := range []string{"OAuth.ClientID", "OAuth.Scope", "401", "freshly issued"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %s", err, want)
		}
	}
}

// A wrong secret fails at once, naming the settings, with one token request
// for all concurrent callers, and no secret in the message.
func TestWrongClientSecretFailsFast(t *testing.T) {
	sim, srv := oauthSim(t, time.Hour)
	c := oauthClient(t, srv, "wrong-SECRET-77", nil, nil)
	var wg sync.WaitGroup
	errs := make([]error, 11)
	for i := range errs {
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = fetchAddresses(c) }()
	}
	wg.Wait()
	for _, err := range errs {
		if KindOf(err) != Auth || !strings.Contains(err.Error(), "OAuth.ClientID") || !strings.Contains(err.Error(), "OAuth.ClientSecret") {
			t.Fatalf("err %v, want an auth error naming the client settings", err)
		}
		if strings.Contains(err.Error(), "wrong-SECRET-77") {
			t.Fatalf("error leaks the secret: %v", err)
		}
	}
	if st := sim.OAuthStats(); st.TokenRequests != 1 || st.InvalidClient != 1 {
		t.Fatalf("%+v, want one refused token request", st)
	}
	if n := sim.Requests()["/addresses"]; n != 0 {
		t.Fatalf("%d API requests without a token", n)
	}
}

// The token endpoint's transient faults are retried with backoff.
func TestTokenEndpointFaultsAreRetried(t *testing.T) {
	sim, srv := oauthSim(t, time.Hour)
	sim.FailNext("/oauth/tokens", 1, talksim.Fault503)
	sim.FailNext("/oauth/tokens", 1, talksim.FaultReset)
	c := oauthClient(t, srv, clientSecret, nil, nil)
	if err := fetchAddresses(c); err != nil {
		t.Fatal(err)
	}
	if st := sim.OAuthStats(); st.Issued != 1 {
		t.Fatalf("%+v", st)
	}
}

// Each renewal rotates the refresh token; the new one is in the state file
// (0600) before its access token is used, and a restart continues from it.
func TestRefreshTokenRotationIsStoredBeforeUse(t *testing.T) {
	sim, srv := oauthSim(t, 2*time.Second)
	path := filepath.Join(t.TempDir(), "state", "zendesk-oauth.json")
	st, err := OpenStateFile(path, seedRefresh, Names{})
	if err != nil {
		t.Fatal(err)
	}
	var usedBeforeStored atomic.Int32
	// Every API request checks that the state file already holds the live
	// refresh token.
	hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		if r.URL.Path != "/oauth/tokens" {
			b, _ := os.ReadFile(path)
			if live := sim.LiveRefreshToken(); !bytes.Contains(b, []byte(live)) {
				usedBeforeStored.Add(1)
			}
		}
		return http.DefaultTransport.RoundTrip(r)
	})}
	c := oauthClient(t, srv, clientSecret, st, hc)
	for range 3 {
		if err := fetchAddresses(c); err != nil {
			t.Fatal(err)
		}
		time.Sleep(2 * time.Second) // past the token's lifetime: rotate again
	}
	if n := usedBeforeStored.Load(); n != 0 {
		t.Fatalf("%d requests used an access token before its refresh token was stored", n)
	}
	stats := sim.OAuthStats()
	if stats.Rotations != 3 || stats.InvalidGrant != 0 || stats.Unauthorized != 0 {
		t.Fatalf("%+v, want 3 rotations and nothing refused", stats)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("state file %v mode %v, want 0600", err, fi.Mode().Perm())
	}
	b, _ := os.ReadFile(path)
	if bytes.Contains(b, []byte(seedRefresh)) {
		t.Fatal("the state file still holds the original refresh token")
	}
	// A second process on the same file is refused, naming it.
	if _, err := OpenStateFile(path, seedRefresh, Names{}); !errors.Is(err, ErrStateLocked) || !strings.Contains(err.Error(), path) {
		t.Fatalf("second open: %v, want it locked, naming the file", err)
	}
	// Restart: the file's token wins over the environment's (now invalid).
	st.Close()
	st2, err := OpenStateFile(path, seedRefresh, Names{})
	if err != nil {
		t.Fatal(err)
	}
	defer st2.Close()
	if st2.FromEnvironment() || st2.RefreshToken() != sim.LiveRefreshToken() {
		t.Fatal("restart did not take the state file's refresh token")
	}
	c2 := oauthClient(t, srv, clientSecret, st2, nil)
	if err := fetchAddresses(c2); err != nil {
		t.Fatal(err)
	}
	if s := sim.OAuthStats(); s.InvalidGrant != 0 || s.Rotations != 4 {
		t.Fatalf("after restart: %+v", s)
	}
	// A new authorization in the environment starts a new chain.
	st2.Close()
	st3, err := OpenStateFile(path, "rt-NEW-authorization", Names{})
	if err != nil {
		t.Fatal(err)
	}
	defer st3.Close()
	if !st3.FromEnvironment() || st3.RefreshToken() != "rt-NEW-authorization" {
		t.Fatal("a new ZENDESK_OAUTH_REFRESH_TOKEN did not replace the stored chain")
	}
}

// A renewal whose answer is lost (Zendesk rotated, the new token never
// arrived) fails with a message to authorize again, and never loops.
func TestLostRotationSaysAuthorizeAgain(t *testing.T) {
	sim, srv := oauthSim(t, time.Hour)
	st, err := OpenStateFile(filepath.Join(t.TempDir(), "state.json"), seedRefresh, Names{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var lose atomic.Bool
	lose.Store(true)
	hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		resp, err := http.DefaultTransport.RoundTrip(r)
		if err == nil && r.URL.Path == "/oauth/tokens" && lose.CompareAndSwap(true, false) {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			return nil, errors.New("connection reset by peer")
		}
		return resp, err
	})}
	c := oauthClient(t, srv, clientSecret, st, hc)
	err = fetchAddresses(c)
	if KindOf(err) != Auth || !strings.Contains(err.Error(), "authorize again") || !strings.Contains(err.Error(), "starter authorize") {
		t.Fatalf("err %v, want an auth error saying to authorize again", err)
	}
	for _, s := range append(sim.IssuedSecrets(), seedRefresh, clientSecret) {
		if strings.Contains(err.Error(), s) {
			t.Fatal("error leaks a secret")
		}
	}
	before := sim.OAuthStats().TokenRequests
	for range 5 {
		if err := fetchAddresses(c); KindOf(err) != Auth {
			t.Fatalf("later request: %v", err)
		}
	}
	if st := sim.OAuthStats(); st.TokenRequests != before || st.TokenRequests != 2 || st.Rotations != 1 || st.InvalidGrant != 1 {
		t.Fatalf("%+v (before %d): want the rotation, one refused retry, then no more requests", st, before)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
