package talksim

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// authorize GETs AuthorizePath with q and returns the answer.
func authorize(s *Sim, q url.Values) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, "http://sim.test"+AuthorizePath+"?"+q.Encode(), nil)
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	return rec
}

func challenge(verifier string) string {
	h := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(h[:])
}

// The authorization endpoint redirects with a code (or access_denied),
// refuses an unregistered redirect_uri without redirecting, and the
// authorization_code grant checks PKCE, the redirect_uri and single use,
// issuing a refresh token with refresh_token_expires_in.
func TestAuthorizationCodeGrant(t *testing.T) {
	const redirect = "http://127.0.0.1:8976/callback"
	cfg := DefaultConfig()
	cfg.OAuthClientID, cfg.OAuthClientSecret = "cid", "sec"
	cfg.OAuthRedirectURIs = []string{redirect}
	cfg.RefreshTokenLifetime = 3 * 24 * time.Hour
	s := New(cfg)
	const verifier = "verifier-0123456789-0123456789-0123456789-abc"
	params := func(kv ...string) url.Values {
		q := url.Values{"response_type": {"code"}, "client_id": {"cid"}, "redirect_uri": {redirect}, "scope": {"read"},
			"state": {"st-1"}, "code_challenge": {challenge(verifier)}, "code_challenge_method": {"S256"}}
		for i := 0; i+1 < len(kv); i += 2 {
			q.Set(kv[i], kv[i+1])
		}
		return q
	}
	code := func() string {
		rec := authorize(s, params())
		loc, err := url.Parse(rec.Header().Get("Location"))
		if rec.Code != http.StatusFound || err != nil || !strings.HasPrefix(loc.String(), redirect+"?") || loc.Query().Get("state") != "st-1" || loc.Query().Get("code") == "" {
			t.Fatalf("authorize: %d %q", rec.Code, rec.Header().Get("Location"))
		}
		return loc.Query().Get("code")
	}
	exchange := func(code, verifier, redirectURI string) (int, map[string]any) {
		b, _ := json.Marshal(map[string]string{"grant_type": "authorization_code", "code": code, "code_verifier": verifier,
			"redirect_uri": redirectURI, "client_id": "cid", "client_secret": "sec", "scope": "read"})
		return postToken(t, s, string(b))
	}

	c := code()
	n, m := exchange(c, verifier, redirect)
	if n != 200 || m["refresh_token"] == nil || m["access_token"] == nil || m["refresh_token_expires_in"] != float64(3*24*3600) {
		t.Fatalf("exchange: %d %v", n, m)
	}
	if n, m = exchange(c, verifier, redirect); n != 400 || m["error"] != "invalid_grant" {
		t.Fatalf("second use of a code: %d %v", n, m)
	}
	if n, m = exchange(code(), "another-verifier-0123456789-0123456789-012", redirect); n != 400 || m["error"] != "invalid_grant" {
		t.Fatalf("wrong verifier: %d %v", n, m)
	}
	if n, m = exchange(code(), verifier, "http://127.0.0.1:8977/callback"); n != 400 || m["error"] != "invalid_grant" {
		t.Fatalf("other redirect_uri: %d %v", n, m)
	}
	// The issued refresh token rotates like any other.
	rt := m0(t, s)
	if n, m = postToken(t, s, `{"grant_type":"refresh_token","refresh_token":"`+rt+`","client_id":"cid","client_secret":"sec"}`); n != 200 || m["refresh_token_expires_in"] != float64(3*24*3600) {
		t.Fatalf("rotation of the authorized token: %d %v", n, m)
	}

	if rec := authorize(s, params("redirect_uri", "http://127.0.0.1:9999/cb")); rec.Code != 400 || rec.Header().Get("Location") != "" || !strings.Contains(rec.Body.String(), "invalid_redirect_uri") {
		t.Fatalf("unregistered redirect_uri: %d %q %s", rec.Code, rec.Header().Get("Location"), rec.Body.String())
	}
	if rec := authorize(s, params("code_challenge_method", "plain")); rec.Code != http.StatusFound || !strings.Contains(rec.Header().Get("Location"), "error=invalid_request") {
		t.Fatalf("without S256: %d %q", rec.Code, rec.Header().Get("Location"))
	}
	s.cfg.DenyAuthorization = true
	if rec := authorize(s, params()); rec.Code != http.StatusFound || !strings.Contains(rec.Header().Get("Location"), "error=access_denied") ||
		!strings.Contains(rec.Header().Get("Location"), "state=st-1") || strings.Contains(rec.Header().Get("Location"), "code=") {
		t.Fatalf("denied: %d %q", rec.Code, rec.Header().Get("Location"))
	}
	if st := s.OAuthStats(); st.CodeGrants != 1 || st.InvalidGrant != 3 || st.Rotations != 1 {
		t.Fatalf("%+v", st)
	}
}

// m0 is the one live refresh token.
func m0(t *testing.T, s *Sim) string {
	t.Helper()
	rt := s.LiveRefreshToken()
	if rt == "" {
		t.Fatal("no live refresh token")
	}
	return rt
}
