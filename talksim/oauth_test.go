package talksim

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func postToken(t *testing.T, s *Sim, body string) (int, map[string]any) {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "http://sim.test/oauth/tokens", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	return rec.Code, decode(t, rec)
}

// The token endpoint issues expiring tokens for both grants, rotates refresh
// tokens (invalidating the previous refresh and access tokens), and refuses
// wrong clients and used refresh tokens the way Zendesk does.
func TestTokenEndpoint(t *testing.T) {
	cfg := DefaultConfig()
	cfg.OAuthClientID, cfg.OAuthClientSecret, cfg.OAuthRefreshToken = "cid", "sec", "rt0"
	cfg.TokenLifetime = time.Second
	s := New(cfg)
	bearer := func(tok string) int { return get(t, s, "/addresses", "Authorization", "Bearer "+tok).Code }

	code, m := postToken(t, s, `{"grant_type":"client_credentials","client_id":"cid","client_secret":"sec","scope":"read"}`)
	if code != 200 || m["expires_in"] != 1.0 || m["token_type"] != "bearer" || m["refresh_token"] != nil {
		t.Fatalf("client credentials: %d %v", code, m)
	}
	cc := m["access_token"].(string)
	if bearer(cc) != 200 {
		t.Fatal("issued token refused")
	}
	if code, m = postToken(t, s, `{"grant_type":"client_credentials","client_id":"cid","client_secret":"wrong"}`); code != 401 || m["error"] != "invalid_client" {
		t.Fatalf("wrong secret: %d %v", code, m)
	}

	code, m = postToken(t, s, `{"grant_type":"refresh_token","refresh_token":"rt0","client_id":"cid","client_secret":"sec"}`)
	rt1, at1 := m["refresh_token"].(string), m["access_token"].(string)
	if code != 200 || rt1 == "" || rt1 == "rt0" || bearer(at1) != 200 {
		t.Fatalf("refresh: %d %v", code, m)
	}
	if code, m = postToken(t, s, `{"grant_type":"refresh_token","refresh_token":"rt0","client_id":"cid","client_secret":"sec"}`); code != 400 || m["error"] != "invalid_grant" {
		t.Fatalf("used refresh token: %d %v", code, m)
	}
	if code, _ = postToken(t, s, `{"grant_type":"refresh_token","refresh_token":"`+rt1+`","client_id":"cid","client_secret":"sec"}`); code != 200 {
		t.Fatalf("second rotation: %d", code)
	}
	if rec := get(t, s, "/addresses", "Authorization", "Bearer "+at1); rec.Code != 401 || !strings.Contains(rec.Body.String(), "invalid_token") {
		t.Fatalf("access token of a rotated refresh token: %d %s", rec.Code, rec.Body.String())
	}
	time.Sleep(1100 * time.Millisecond)
	if bearer(cc) != 401 {
		t.Fatal("expired token accepted")
	}
	st := s.OAuthStats()
	if st.TokenRequests != 5 || st.Issued != 3 || st.Rotations != 2 || st.InvalidClient != 1 || st.InvalidGrant != 1 || st.Unauthorized != 2 {
		t.Fatalf("stats %+v", st)
	}
	if n := len(s.IssuedSecrets()); n != 5 {
		t.Fatalf("%d issued secrets, want 3 access and 2 refresh tokens", n)
	}
}
