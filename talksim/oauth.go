package talksim

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// TokenPath is where Zendesk serves OAuth tokens: at the account root, not
// under /api/v2.
const TokenPath = "/oauth/tokens"

// Zendesk's token-endpoint error bodies (RFC 6749 section 5.2).
const (
	bodyInvalidClient = `{"error":"invalid_client","error_description":"Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method."}`
	bodyInvalidGrant  = `{"error":"invalid_grant","error_description":"The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client."}`
)

// OAuthStats counts what the token endpoint and the bearer check did.
type OAuthStats struct {
	TokenRequests int // POST /oauth/tokens, answered or not
	Issued        int // access tokens issued
	Rotations     int // refresh_token grants that rotated
	InvalidClient int // wrong client id or secret
	InvalidGrant  int // unknown, used or invalidated refresh token
	// Unauthorized counts 401 invalid_token answers to API requests with a
	// bearer token (expired, invalidated or unknown).
	Unauthorized int
}

// oauthState is the token endpoint's memory. Access tokens map to their
// expiry (zero: none) and the refresh token they were issued with ("" for
// client credentials).
type oauthState struct {
	access  map[string]accessToken
	refresh map[string]bool // live refresh tokens
	secrets []string        // every token ever issued, for leak checks
	stats   OAuthStats
}

type accessToken struct {
	expires time.Time
	refresh string
}

func (s *Sim) oauthEnabled() bool { return s.cfg.OAuthClientID != "" }

// initOAuth seeds the refresh token an authorization-code flow handed out.
func (s *Sim) initOAuth() {
	s.oauth.access = map[string]accessToken{}
	s.oauth.refresh = map[string]bool{}
	if s.cfg.OAuthRefreshToken != "" {
		s.oauth.refresh[s.cfg.OAuthRefreshToken] = true
	}
}

// OAuthStats returns the token endpoint's counters.
func (s *Sim) OAuthStats() OAuthStats {
	s.omu.Lock()
	defer s.omu.Unlock()
	return s.oauth.stats
}

// IssuedSecrets lists every access and refresh token the simulator has
// issued, so tests can check that none leaked into logs or databases.
func (s *Sim) IssuedSecrets() []string {
	s.omu.Lock()
	defer s.omu.Unlock()
	return append([]string(nil), s.oauth.secrets...)
}

// LiveRefreshToken returns a refresh token that is currently valid ("" if
// none): after a rotation, the newest.
func (s *Sim) LiveRefreshToken() string {
	s.omu.Lock()
	defer s.omu.Unlock()
	for t := range s.oauth.refresh {
		return t
	}
	return ""
}

// bearerValid reports whether tok, presented at arrival, is the static
// OAuthToken or an issued access token that was neither expired nor
// invalidated by a rotation.
func (s *Sim) bearerValid(tok string, arrival time.Time) bool {
	if s.cfg.OAuthToken != "" && tok == s.cfg.OAuthToken {
		return true
	}
	if !s.oauthEnabled() {
		return false
	}
	s.omu.Lock()
	defer s.omu.Unlock()
	a, ok := s.oauth.access[tok]
	if ok && (a.expires.IsZero() || arrival.Before(a.expires)) {
		return true
	}
	s.oauth.stats.Unauthorized++
	return false
}

// serveToken answers POST /oauth/tokens for the client_credentials and
// refresh_token grants, with a JSON body (a form body is accepted too).
func (s *Sim) serveToken(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		writeStatus(w, http.StatusNotFound)
		return
	}
	var req struct {
		GrantType    string `json:"grant_type"`
		ClientID     string `json:"client_id"`
		ClientSecret string `json:"client_secret"`
		Scope        string `json:"scope"`
		RefreshToken string `json:"refresh_token"`
		ExpiresIn    int    `json:"expires_in"`
	}
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<16))
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == "application/x-www-form-urlencoded" {
		v, _ := url.ParseQuery(string(body))
		req.GrantType, req.ClientID, req.ClientSecret = v.Get("grant_type"), v.Get("client_id"), v.Get("client_secret")
		req.Scope, req.RefreshToken = v.Get("scope"), v.Get("refresh_token")
	} else if err := json.Unmarshal(body, &req); err != nil {
		writeJSON(w, http.StatusBadRequest, []byte(`{"error":"invalid_request","error_description":"The request body is not valid JSON."}`))
		return
	}

	s.omu.Lock()
	defer s.omu.Unlock()
	st := &s.oauth
	st.stats.TokenRequests++
	if !s.oauthEnabled() || req.ClientID != s.cfg.OAuthClientID || req.ClientSecret != s.cfg.OAuthClientSecret {
		st.stats.InvalidClient++
		w.Header().Set("WWW-Authenticate", `Basic realm="Zendesk"`)
		writeJSON(w, http.StatusUnauthorized, []byte(bodyInvalidClient))
		return
	}
	scope := req.Scope
	if scope == "" {
		scope = "read"
	}
	resp := map[string]any{"token_type": "bearer", "scope": scope}
	var from string
	switch req.GrantType {
	case "client_credentials":
	case "refresh_token":
		if !st.refresh[req.RefreshToken] {
			st.stats.InvalidGrant++
			writeJSON(w, http.StatusBadRequest, []byte(bodyInvalidGrant))
			return
		}
		// Rotation: the old refresh token and its access tokens die now.
		delete(st.refresh, req.RefreshToken)
		for tok, a := range st.access {
			if a.refresh == req.RefreshToken {
				delete(st.access, tok)
			}
		}
		from = randomToken("simrefresh")
		st.refresh[from] = true
		st.secrets = append(st.secrets, from)
		st.stats.Rotations++
		resp["refresh_token"] = from
		resp["refresh_token_expires_in"] = 30 * 24 * 3600
	default:
		writeJSON(w, http.StatusBadRequest, []byte(`{"error":"unsupported_grant_type","error_description":"The authorization grant type is not supported by the authorization server."}`))
		return
	}
	tok := randomToken("simaccess")
	a := accessToken{refresh: from}
	if s.cfg.TokenLifetime > 0 {
		a.expires = time.Now().Add(s.cfg.TokenLifetime)
		resp["expires_in"] = int(s.cfg.TokenLifetime.Round(time.Second) / time.Second)
	}
	st.access[tok] = a
	st.secrets = append(st.secrets, tok)
	st.stats.Issued++
	resp["access_token"] = tok
	b, _ := json.Marshal(resp)
	writeJSON(w, http.StatusOK, b)
}

func randomToken(prefix string) string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return prefix + "-" + hex.EncodeToString(b)
}

// isTokenPath reports whether a request path is the token endpoint.
func isTokenPath(p string) bool { return strings.TrimSuffix(p, ".json") == TokenPath }
