package talksim

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// TokenPath is where Zendesk serves OAuth tokens: at the account root, not
// under /api/v2.
const TokenPath = "/oauth/tokens"

// AuthorizePath is the authorization endpoint of the authorization-code
// flow, which a browser opens (GET, with response_type=code, client_id,
// redirect_uri, scope, state, code_challenge, code_challenge_method=S256).
// The simulator approves at once: no login, no consent page.
const AuthorizePath = "/oauth/authorizations/new"

// bodyInvalidRedirect is the authorization endpoint's refusal of a
// redirect_uri not registered on the client: shown to the browser, never
// redirected (RFC 6749 section 4.1.2.1). Zendesk's own page is
// unconfirmed; the error code and text are Doorkeeper's, the OAuth
// provider library Zendesk's errors resemble.
const bodyInvalidRedirect = `{"error":"invalid_redirect_uri","error_description":"The redirect uri included is not valid."}`

// codeLifetime is how long an authorization code can be exchanged.
const codeLifetime = 10 * time.Minute

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
	InvalidGrant  int // unknown, used, expired or invalidated refresh token or code
	// Authorizations counts GET AuthorizePath requests; CodeGrants the
	// authorization_code grants that issued tokens.
	Authorizations int
	CodeGrants     int
	// Unauthorized counts 401 invalid_token answers to API requests with a
	// bearer token (expired, invalidated or unknown).
	Unauthorized int
}

// oauthState is the token endpoint's memory. Access tokens map to their
// expiry (zero: none) and the refresh token they were issued with ("" for
// client credentials).
type oauthState struct {
	access  map[string]accessToken
	refresh map[string]time.Time // live refresh tokens and their expiry
	codes   map[string]authCode  // authorization codes not yet exchanged
	secrets []string             // every token and code ever issued, for leak checks
	stats   OAuthStats
}

// authCode is what an authorization code was issued for.
type authCode struct {
	clientID, redirectURI, challenge, scope string
	expires                                 time.Time
}

type accessToken struct {
	expires time.Time
	refresh string
}

func (s *Sim) oauthEnabled() bool { return s.cfg.OAuthClientID != "" }

// initOAuth seeds the refresh token an authorization-code flow handed out.
func (s *Sim) initOAuth() {
	s.oauth.access = map[string]accessToken{}
	s.oauth.refresh = map[string]time.Time{}
	s.oauth.codes = map[string]authCode{}
	if s.cfg.OAuthRefreshToken != "" {
		s.oauth.refresh[s.cfg.OAuthRefreshToken] = time.Now().Add(s.refreshLifetime())
	}
}

// refreshLifetime is RefreshTokenLifetime, 30 days when unset.
func (s *Sim) refreshLifetime() time.Duration {
	if s.cfg.RefreshTokenLifetime > 0 {
		return s.cfg.RefreshTokenLifetime
	}
	return 30 * 24 * time.Hour
}

// serveAuthorize answers GET AuthorizePath as a browser would see it once
// the user approved: a 302 to redirect_uri with code and state, or with
// error=access_denied under DenyAuthorization. An unknown client or an
// unregistered redirect_uri is answered 400 here, without redirecting.
func (s *Sim) serveAuthorize(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		writeStatus(w, http.StatusNotFound)
		return
	}
	q := r.URL.Query()
	s.omu.Lock()
	defer s.omu.Unlock()
	s.oauth.stats.Authorizations++
	if !s.oauthEnabled() || q.Get("client_id") != s.cfg.OAuthClientID {
		writeJSON(w, http.StatusBadRequest, []byte(bodyInvalidClient))
		return
	}
	redirect, err := url.Parse(q.Get("redirect_uri"))
	if err != nil || q.Get("redirect_uri") == "" || (len(s.cfg.OAuthRedirectURIs) > 0 && !slices.Contains(s.cfg.OAuthRedirectURIs, q.Get("redirect_uri"))) {
		writeJSON(w, http.StatusBadRequest, []byte(bodyInvalidRedirect))
		return
	}
	back := url.Values{}
	if st := q.Get("state"); st != "" {
		back.Set("state", st)
	}
	switch {
	case q.Get("response_type") != "code":
		back.Set("error", "unsupported_response_type")
	case q.Get("code_challenge") == "" || q.Get("code_challenge_method") != "S256":
		back.Set("error", "invalid_request")
		back.Set("error_description", "code_challenge with code_challenge_method S256 is required.")
	case s.cfg.DenyAuthorization:
		back.Set("error", "access_denied")
		back.Set("error_description", "The resource owner or authorization server denied the request.")
	default:
		code := randomToken("simcode")
		scope := q.Get("scope")
		if scope == "" {
			scope = "read"
		}
		s.oauth.codes[code] = authCode{clientID: s.cfg.OAuthClientID, redirectURI: q.Get("redirect_uri"),
			challenge: q.Get("code_challenge"), scope: scope, expires: time.Now().Add(codeLifetime)}
		s.oauth.secrets = append(s.oauth.secrets, code)
		back.Set("code", code)
	}
	redirect.RawQuery = back.Encode()
	w.Header().Set("Location", redirect.String())
	w.WriteHeader(http.StatusFound)
}

// pkceMatches reports whether verifier hashes to challenge (S256: RFC 7636
// section 4.6, base64url without padding of its SHA-256).
func pkceMatches(verifier, challenge string) bool {
	h := sha256.Sum256([]byte(verifier))
	return verifier != "" && base64.RawURLEncoding.EncodeToString(h[:]) == challenge
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

// serveToken answers POST /oauth/tokens for the client_credentials,
// refresh_token and authorization_code grants (the last with PKCE: the
// code_verifier must hash to the code's challenge, redirect_uri must equal
// the authorization's, and a code is used once), with a JSON body (a form
// body is accepted too).
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
		Code         string `json:"code"`
		CodeVerifier string `json:"code_verifier"`
		RedirectURI  string `json:"redirect_uri"`
	}
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<16))
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == "application/x-www-form-urlencoded" {
		v, _ := url.ParseQuery(string(body))
		req.GrantType, req.ClientID, req.ClientSecret = v.Get("grant_type"), v.Get("client_id"), v.Get("client_secret")
		req.Scope, req.RefreshToken = v.Get("scope"), v.Get("refresh_token")
		req.Code, req.CodeVerifier, req.RedirectURI = v.Get("code"), v.Get("code_verifier"), v.Get("redirect_uri")
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
	issueRefresh := func() {
		from = randomToken("simrefresh")
		st.refresh[from] = time.Now().Add(s.refreshLifetime())
		st.secrets = append(st.secrets, from)
		resp["refresh_token"] = from
		resp["refresh_token_expires_in"] = int(s.refreshLifetime().Round(time.Second) / time.Second)
	}
	switch req.GrantType {
	case "client_credentials":
	case "authorization_code":
		c, ok := st.codes[req.Code]
		delete(st.codes, req.Code) // single use, whatever the outcome
		if !ok || time.Now().After(c.expires) || c.redirectURI != req.RedirectURI || !pkceMatches(req.CodeVerifier, c.challenge) {
			st.stats.InvalidGrant++
			writeJSON(w, http.StatusBadRequest, []byte(bodyInvalidGrant))
			return
		}
		resp["scope"] = c.scope
		issueRefresh()
		st.stats.CodeGrants++
	case "refresh_token":
		if exp, ok := st.refresh[req.RefreshToken]; !ok || !time.Now().Before(exp) {
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
		issueRefresh()
		st.stats.Rotations++
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
