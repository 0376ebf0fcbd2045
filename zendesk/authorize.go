package zendesk

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"net"
	"net/http"
	"net/url"
	"time"

	"golang.org/x/oauth2"
)

// DefaultAuthorizeTimeout is how long Authorize waits for the browser's
// callback unless told otherwise.
const DefaultAuthorizeTimeout = 5 * time.Minute

// Authorization is the OAuth authorization-code flow with PKCE (RFC 7636,
// S256) that `starter authorize` runs once, for OAuth clients that issue
// refresh tokens: a browser opens AuthorizeURL, the user approves, Zendesk
// redirects to RedirectURL on this machine with a code, and the code is
// exchanged at TokenURL for the first refresh token of a chain.
//
// golang.org/x/oauth2 makes the verifier, its S256 challenge and the
// authorization URL; the exchange is the JSON token request the worker's
// renewals use (Zendesk documents a JSON body; see tokenSource), so its
// refusals read the same.
type Authorization struct {
	AuthorizeURL string // https://{subdomain}.zendesk.com/oauth/authorizations/new
	TokenURL     string // https://{subdomain}.zendesk.com/oauth/tokens
	ClientID     string
	ClientSecret string
	Scope        string // "read"
	// RedirectURL is registered on the OAuth client; Authorize listens on
	// its host and port (unless Listen) for one request to its path.
	RedirectURL *url.URL
	// Listen overrides the address listened on (host:port), e.g.
	// 0.0.0.0:8976 in a container whose port the host publishes.
	Listen string
	// Timeout bounds the wait for the callback (0: DefaultAuthorizeTimeout).
	Timeout time.Duration
	// HTTP sends the token request (nil: a client with a 30 s timeout).
	HTTP *http.Client
	// Names are what messages call the settings (see Names).
	Names Names
}

// callback is one request to the redirect path; reply receives the text
// the browser is shown.
type callback struct {
	query url.Values
	reply chan string
}

// Authorize runs the flow: it listens first (failing at once when the
// address is taken), calls show with the URL to open in a browser, waits
// for one callback, checks its state, exchanges the code and stores the
// refresh token in st as a new chain. It returns when the refresh token
// expires (zero: Zendesk did not say). Errors say what to fix and never
// contain a token, code or secret.
func (a Authorization) Authorize(ctx context.Context, st *StateFile, show func(authURL string)) (time.Time, error) {
	n := a.Names.withDefaults()
	if a.RedirectURL == nil {
		return time.Time{}, errors.New("zendesk: Authorization needs RedirectURL")
	}
	timeout := a.Timeout
	if timeout <= 0 {
		timeout = DefaultAuthorizeTimeout
	}
	addr := a.Listen
	if addr == "" {
		addr = a.RedirectURL.Host
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return time.Time{}, fmt.Errorf("cannot listen on %s for the redirect ("+n.RedirectURL+" %s): %w (is another `starter authorize` running? else pick a free port and register that URL on the OAuth client)",
			addr, a.RedirectURL, err)
	}
	calls := make(chan callback)
	mux := http.NewServeMux()
	mux.HandleFunc(a.RedirectURL.Path, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != a.RedirectURL.Path {
			http.NotFound(w, r)
			return
		}
		c := callback{query: r.URL.Query(), reply: make(chan string, 1)}
		select {
		case calls <- c:
		default:
			http.Error(w, "talkwarehouse: this authorization was already answered", http.StatusConflict)
			return
		}
		select {
		case msg := <-c.reply:
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprintf(w, "<!doctype html><title>talkwarehouse</title><p>talkwarehouse: %s</p>\n", html.EscapeString(msg))
		case <-r.Context().Done():
		}
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx) // lets the browser's page be written
	}()

	verifier := oauth2.GenerateVerifier()
	state := randomState()
	cfg := oauth2.Config{
		ClientID:    a.ClientID,
		Endpoint:    oauth2.Endpoint{AuthURL: a.AuthorizeURL, TokenURL: a.TokenURL},
		RedirectURL: a.RedirectURL.String(),
		Scopes:      []string{a.Scope},
	}
	show(cfg.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier)))

	timer := time.NewTimer(timeout)
	defer timer.Stop()
	var c callback
	select {
	case c = <-calls:
	case <-timer.C:
		return time.Time{}, fmt.Errorf("no callback on %s within %s: open the URL above in a browser on this machine and approve the request (-timeout gives more time); "+
			"if Zendesk answered invalid_redirect_uri (\"The redirect uri included is not valid\"), add %s to the OAuth client's redirect URLs "+
			"(Admin Center > Apps and integrations > APIs > OAuth clients) or set "+n.RedirectURL+" to one registered there",
			a.RedirectURL, timeout, a.RedirectURL)
	case <-ctx.Done():
		return time.Time{}, ctx.Err()
	}
	exp, err := a.finish(ctx, c.query, state, verifier, st)
	if err != nil {
		c.reply <- "authorization failed: " + err.Error()
		return time.Time{}, err
	}
	c.reply <- "authorized; the refresh token is stored in " + st.Path() + ". You can close this tab."
	return exp, nil
}

// finish checks the callback and exchanges its code.
func (a Authorization) finish(ctx context.Context, q url.Values, state, verifier string, st *StateFile) (time.Time, error) {
	n := a.Names.withDefaults()
	if e := q.Get("error"); e != "" {
		msg := e
		if d := q.Get("error_description"); d != "" {
			msg += ": " + d
		}
		if e == "access_denied" {
			return time.Time{}, fmt.Errorf("Zendesk says the request was denied (%s): run `starter authorize` again and click Allow, signed in as an admin of the account", msg)
		}
		return time.Time{}, fmt.Errorf("Zendesk refused the authorization (%s): check that "+n.ClientID+" names a confidential OAuth client of this account, then run `starter authorize` again", msg)
	}
	if subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(state)) != 1 {
		return time.Time{}, errors.New("the callback's state does not match this authorization's (an older authorization's page, or a request not made by Zendesk): its code was not used; run `starter authorize` again and open the URL it prints")
	}
	code := q.Get("code")
	if code == "" {
		return time.Time{}, errors.New("the callback carries no code: run `starter authorize` again")
	}
	payload, err := json.Marshal(map[string]string{
		"grant_type": "authorization_code", "code": code, "code_verifier": verifier,
		"redirect_uri": a.RedirectURL.String(), "client_id": a.ClientID, "client_secret": a.ClientSecret, "scope": a.Scope,
	})
	if err != nil {
		return time.Time{}, err
	}
	u, err := url.Parse(a.TokenURL)
	if err != nil {
		return time.Time{}, fmt.Errorf("zendesk: bad token URL: %w", err)
	}
	hc := a.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	// No retry: a code is used once, and a request that reached Zendesk
	// may have used it.
	ans, status, err := postToken(ctx, hc, u, payload)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w (the code may be spent: run `starter authorize` again)", err)
	}
	if status != http.StatusOK {
		reason := ans.Error
		if reason == "" {
			reason = http.StatusText(status)
		}
		if ans.Description != "" {
			reason += ": " + ans.Description
		}
		switch {
		case ans.Error == "invalid_client" || status == http.StatusUnauthorized:
			return time.Time{}, fmt.Errorf("zendesk %s: HTTP %d: %s (Zendesk rejected the OAuth client: check "+n.ClientID+" and "+n.ClientSecret+", and that the client is confidential and active)", u.Path, status, reason)
		case ans.Error == "invalid_grant":
			return time.Time{}, fmt.Errorf("zendesk %s: HTTP %d: %s (the code expired or was used, or "+n.RedirectURL+" changed: run `starter authorize` again)", u.Path, status, reason)
		}
		return time.Time{}, fmt.Errorf("zendesk %s: HTTP %d: %s (check "+n.ClientID+", "+n.ClientSecret+" and "+n.Scope+")", u.Path, status, reason)
	}
	if ans.RefreshToken == "" {
		return time.Time{}, errors.New("Zendesk issued no refresh token: this OAuth client does not use refresh tokens; use client credentials instead (" + n.ClientID + " and " + n.ClientSecret + " alone, docs/zendesk-auth.md)")
	}
	exp := expiresAt(ans.RefreshTokenExpiresIn)
	if err := st.StartChain(ans.RefreshToken, exp); err != nil {
		return time.Time{}, err
	}
	return st.ExpiresAt(), nil
}

// randomState is the state parameter: 128 random bits, hex.
func randomState() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
