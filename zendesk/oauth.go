package zendesk

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"
)

// OAuth is an OAuth client that asks Zendesk's token endpoint for expiring
// access tokens: with client credentials, or with a rotating refresh token
// kept in a StateFile.
type OAuth struct {
	// TokenURL is https://{subdomain}.zendesk.com/oauth/tokens (the account
	// root, not under /api/v2).
	TokenURL     string
	ClientID     string
	ClientSecret string
	// Scope is asked for with client credentials ("read").
	Scope string
	// State holds the refresh token; nil selects client credentials. The
	// caller opened it (and so holds its lock) and closes it.
	State *StateFile
}

// tokenSource hands every request of the process the same access token and
// renews it, one request to the token endpoint at a time.
//
// golang.org/x/oauth2 is not used: its token requests are form-encoded
// while Zendesk documents a JSON body, its TokenSource.Token takes no
// context (an activity waiting on a renewal could not be cancelled), and
// ReuseTokenSource cannot be told that a token it still thinks valid was
// answered with 401 invalid_token.
type tokenSource struct {
	cfg  OAuth
	c    *Client // transport, backoff and logger
	lock chan struct{}

	// Guarded by lock.
	token   string
	renewAt time.Time // zero: use until a 401
	// dead is a failure no renewal can fix (wrong client, a refresh token
	// rotated elsewhere or lost); deadUntil how long it is answered without
	// asking again (zero: for the life of the process).
	dead      error
	deadUntil time.Time
	// warnedAt is when the refresh token's expiry was last warned of.
	warnedAt time.Time

	// accessExpires is when the current access token expires (Unix
	// nanoseconds; 0: none yet, or no expires_in), read by OAuthExpiry
	// without the lock, which a renewal may hold through its backoff.
	accessExpires atomic.Int64
}

// RefreshWarning is how long before a refresh token's expiry the worker
// and `starter check` start warning: Zendesk's shortest refresh-token
// lifetime is 7 days (30 by default, at most 90; article 10212201463962).
const RefreshWarning = 7 * 24 * time.Hour

// renewEarly is how long before expires_in runs out a token is renewed:
// a fifth of its lifetime, at most a minute (30-minute tokens: a minute
// early; 5-second test tokens: a second).
func renewEarly(lifetime time.Duration) time.Duration {
	return min(lifetime/5, time.Minute)
}

// badClientPause is how long a rejected client id or secret is remembered:
// the concurrent activities of one sync share one token request, and a
// later sync (after the client was fixed in Zendesk) asks again.
const badClientPause = 30 * time.Second

// Token returns the current access token, renewing it first when it is
// about to expire or was invalidated.
func (s *tokenSource) Token(ctx context.Context) (string, error) {
	select {
	case s.lock <- struct{}{}:
	case <-ctx.Done():
		return "", ctx.Err()
	}
	defer func() { <-s.lock }()
	now := time.Now()
	if s.dead != nil && (s.deadUntil.IsZero() || now.Before(s.deadUntil)) {
		return "", s.dead
	}
	if s.token != "" && (s.renewAt.IsZero() || now.Before(s.renewAt)) {
		return s.token, nil
	}
	return s.renew(ctx)
}

// Invalidate drops tok after a 401 invalid_token, so the next Token asks
// for a new one. A token already replaced by another caller's renewal is
// left alone: one 401 per expiry costs one renewal, however many requests
// saw it.
func (s *tokenSource) Invalidate(ctx context.Context, tok string) {
	select {
	case s.lock <- struct{}{}:
	case <-ctx.Done():
		return
	}
	defer func() { <-s.lock }()
	if s.token == tok {
		s.token = ""
	}
}

// tokenAnswer is the token endpoint's JSON.
type tokenAnswer struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int64  `json:"expires_in"`
	RefreshToken string `json:"refresh_token"`
	// RefreshTokenExpiresIn is the new refresh token's lifetime in seconds
	// (0: not given).
	RefreshTokenExpiresIn int64  `json:"refresh_token_expires_in"`
	Error                 string `json:"error"`
	Description           string `json:"error_description"`
}

// renew asks for a new access token, retrying transient faults with the
// client's backoff. With a refresh token, the rotated refresh token is
// stored durably before the new access token is used.
func (s *tokenSource) renew(ctx context.Context) (string, error) {
	body := map[string]string{"client_id": s.cfg.ClientID, "client_secret": s.cfg.ClientSecret}
	refresh := s.cfg.State != nil
	if refresh {
		if exp := s.cfg.State.ExpiresAt(); !exp.IsZero() && !time.Now().Before(exp) {
			// Zendesk would answer invalid_grant: say why, without asking,
			// and never ask again (only a new authorization helps).
			s.dead, s.deadUntil = expiredError(s.c.opt.Names.StateFile, s.cfg.State.Path(), exp), time.Time{}
			return "", s.dead
		}
		body["grant_type"] = "refresh_token"
		body["refresh_token"] = s.cfg.State.RefreshToken()
	} else {
		body["grant_type"] = "client_credentials"
		body["scope"] = s.cfg.Scope
	}
	payload, err := json.Marshal(body)
	if err != nil {
		return "", err
	}
	u, err := url.Parse(s.cfg.TokenURL)
	if err != nil {
		return "", fmt.Errorf("zendesk: bad token URL: %w", err)
	}
	var (
		ans    tokenAnswer
		status int
		// sent: a refresh request may have reached Zendesk, so a later
		// invalid_grant can mean its answer (the new token) was lost.
		sent bool
	)
	for attempt := 1; ; attempt++ {
		ans, status, err = s.post(ctx, u, payload)
		if err == nil {
			break
		}
		var apiErr *Error
		if ctx.Err() != nil || !errors.As(err, &apiErr) || apiErr.Kind != Transient {
			return "", err
		}
		sent = true
		if attempt >= s.c.opt.Attempts {
			apiErr.Msg += fmt.Sprintf(" (gave up after %d attempts)", attempt)
			return "", apiErr
		}
		wait := s.c.backoff(attempt)
		s.c.log.Warn("zendesk token endpoint fault, retrying", "path", u.Path, "status", status, "error", apiErr.Msg, "attempt", attempt, "wait", wait)
		if err := sleep(ctx, wait); err != nil {
			return "", err
		}
	}
	if status != http.StatusOK {
		return "", s.rejected(u.Path, status, ans, refresh, sent)
	}
	if ans.AccessToken == "" {
		return "", &Error{Kind: Transient, Status: status, Path: u.Path, Msg: "token answer has no access_token"}
	}
	if refresh {
		if ans.RefreshToken == "" {
			// Without rotation the stored token stays valid: keep it.
			s.c.log.Warn("zendesk token endpoint returned no refresh_token; keeping the stored one")
		} else if err := s.cfg.State.Save(ans.RefreshToken, expiresAt(ans.RefreshTokenExpiresIn)); err != nil {
			// The old refresh token is already invalid and the new one is
			// only in memory: this process can go on, but a restart could
			// not. Say so rather than carry on silently.
			s.dead = &Error{Kind: Rejected, Path: u.Path, Msg: "the rotated refresh token could not be stored: " + err.Error() +
				" (fix the folder of " + s.c.opt.Names.StateFile + "; then authorize again: run `starter authorize` with the worker stopped)"}
			s.deadUntil = time.Time{}
			return "", s.dead
		}
	}
	s.token = ans.AccessToken
	s.renewAt = time.Time{}
	s.accessExpires.Store(0)
	if ans.ExpiresIn > 0 {
		life := time.Duration(ans.ExpiresIn) * time.Second
		now := time.Now()
		s.renewAt = now.Add(life - renewEarly(life))
		s.accessExpires.Store(now.Add(life).UnixNano())
	}
	s.dead = nil
	s.c.log.Info("zendesk access token renewed", "grant", body["grant_type"], "expires_in_s", ans.ExpiresIn)
	s.warnExpiry()
	return s.token, nil
}

// expiresAt turns an expires_in (seconds; 0 or less: not given) into a
// time (zero: unknown).
func expiresAt(seconds int64) time.Time {
	if seconds <= 0 {
		return time.Time{}
	}
	return time.Now().Add(time.Duration(seconds) * time.Second)
}

// authorizeAgain is how every message about a dead refresh token ends.
const authorizeAgain = "authorize again: stop the worker, run `starter authorize` (docs/zendesk-auth.md), then start the worker"

// expiredError is the refusal, without a request, of a refresh token whose
// stored expiry has passed. Kind Auth: never retried.
func expiredError(name, path string, at time.Time) *Error {
	return &Error{Kind: Auth, Path: "/oauth/tokens", Msg: fmt.Sprintf("the refresh token in %s %s expired at %s", name, path, at.UTC().Format(time.RFC3339)),
		Hint: " (" + authorizeAgain + ")"}
}

// ExpiryProblem describes a refresh token's expiry at now when it needs
// attention: expired, or fewer than RefreshWarning left; "" otherwise or
// when the expiry is unknown (zero).
func ExpiryProblem(exp, now time.Time) string {
	switch left := exp.Sub(now); {
	case exp.IsZero() || left >= RefreshWarning:
		return ""
	case left <= 0:
		return fmt.Sprintf("the Zendesk refresh token expired at %s: %s", exp.UTC().Format(time.RFC3339), authorizeAgain)
	default:
		return fmt.Sprintf("the Zendesk refresh token expires at %s, in %s (fewer than 7 days): authorize again before then with `starter authorize` (docs/zendesk-auth.md)",
			exp.UTC().Format(time.RFC3339), Days(left))
	}
}

// Days writes d as days with one decimal ("6.5 days"), for expiries.
func Days(d time.Duration) string {
	return fmt.Sprintf("%.1f days", d.Hours()/24)
}

// expiryWarnEvery spaces the warnings of a refresh token's coming expiry:
// at the start, then at most hourly with the renewals.
const expiryWarnEvery = time.Hour

// warnExpiry logs ExpiryProblem for the refresh token, if any (an error
// once expired, else a warning), at most every expiryWarnEvery. Callers
// hold the lock, or the source is not shared yet.
func (s *tokenSource) warnExpiry() {
	st := s.cfg.State
	now := time.Now()
	if st == nil || (!s.warnedAt.IsZero() && now.Sub(s.warnedAt) < expiryWarnEvery) {
		return
	}
	exp := st.ExpiresAt()
	msg := ExpiryProblem(exp, now)
	switch {
	case msg == "":
		return
	case !now.Before(exp):
		s.c.log.Error(msg, "state_file", st.Path(), "refresh_token_expires_at", exp)
	default:
		s.c.log.Warn(msg, "state_file", st.Path(), "refresh_token_expires_at", exp)
	}
	s.warnedAt = now
}

// rejected turns a refusal of the token endpoint into an error naming the
// settings to fix, and remembers it so the process does not ask again in a
// loop.
func (s *tokenSource) rejected(path string, status int, ans tokenAnswer, refresh, sent bool) error {
	reason := ans.Error
	if reason == "" {
		reason = http.StatusText(status)
	}
	if ans.Description != "" {
		reason += ": " + ans.Description
	}
	e := &Error{Kind: Auth, Status: status, Path: path, Msg: "token request refused: " + reason}
	n := s.c.opt.Names
	switch {
	case ans.Error == "invalid_grant" && refresh:
		e.Hint = " (the refresh token is no longer valid: it expired or was revoked, another process rotated it, or a renewal's answer was lost"
		if sent {
			e.Hint = " (a renewal's answer was lost: the refresh token it replaced is now invalid"
		}
		e.Hint += "; " + authorizeAgain + ")"
		// Nothing but a new authorization can fix it: never ask again.
		s.dead, s.deadUntil = e, time.Time{}
	case ans.Error == "invalid_client" || status == http.StatusUnauthorized:
		e.Hint = " (Zendesk rejected the OAuth client: check " + n.ClientID + " and " + n.ClientSecret + ", and that the client is confidential and active)"
		s.dead, s.deadUntil = e, time.Now().Add(badClientPause)
	case ans.Error == "invalid_scope":
		e.Hint = " (check " + n.Scope + ": the client must be allowed read)"
		s.dead, s.deadUntil = e, time.Now().Add(badClientPause)
	default:
		e.Hint = " (check " + n.ClientID + ", " + n.ClientSecret + " and " + n.Scope + ")"
		s.dead, s.deadUntil = e, time.Now().Add(badClientPause)
	}
	return e
}

// post sends one token request. Transient faults are *Error of Kind
// Transient; a refusal (4xx) returns its decoded body and status.
func (s *tokenSource) post(ctx context.Context, u *url.URL, payload []byte) (tokenAnswer, int, error) {
	return postToken(ctx, s.c.http, u, payload)
}

// postToken sends one JSON token request with hc (see tokenSource.post).
func postToken(ctx context.Context, hc *http.Client, u *url.URL, payload []byte) (tokenAnswer, int, error) {
	var ans tokenAnswer
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(payload))
	if err != nil {
		return ans, 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "talkwarehouse/1")
	resp, err := hc.Do(req)
	if err != nil {
		return ans, 0, &Error{Kind: Transient, Path: u.Path, Msg: "token request failed: " + transportReason(err)}
	}
	defer resp.Body.Close()
	b, readErr := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	status := resp.StatusCode
	switch {
	case status == http.StatusTooManyRequests || status == http.StatusRequestTimeout || status >= 500:
		return ans, status, &Error{Kind: Transient, Status: status, Path: u.Path, Msg: "token endpoint error: " + apiMessage(b)}
	case readErr != nil:
		return ans, status, &Error{Kind: Transient, Status: status, Path: u.Path, Msg: "token answer cut short: " + transportReason(readErr)}
	}
	if err := json.Unmarshal(b, &ans); err != nil {
		if status == http.StatusOK {
			return ans, status, &Error{Kind: Transient, Status: status, Path: u.Path, Msg: fmt.Sprintf("token answer is not complete JSON (%d bytes, %s)", len(b), contentType(resp))}
		}
		ans.Error = apiMessage(b)
	}
	return ans, status, nil
}

// authHeader is the Authorization header for the next request, and the
// access token in it ("" for static credentials).
func (c *Client) authHeader(ctx context.Context) (header, token string, err error) {
	if c.tokens == nil {
		return c.auth, "", nil
	}
	tok, err := c.tokens.Token(ctx)
	if err != nil {
		return "", "", err
	}
	return "Bearer " + tok, tok, nil
}

// logAuth names the scheme once, at start; with an API token it warns that
// those stop working.
func logAuth(log *slog.Logger, o Options) {
	if o.OAuth == nil && o.OAuthToken == "" && o.APIToken != "" {
		log.Warn("Zendesk API tokens stop working on 2027-04-30 (none can be created since 2026-10-27): " +
			"move to an OAuth client with " + o.Names.ClientID + " and " + o.Names.ClientSecret)
	}
}

// Authenticate obtains an access token now when the client uses an OAuth
// client (the first step of `starter check`); with static credentials it
// does nothing, since only a request can tell whether they work.
func (c *Client) Authenticate(ctx context.Context) error {
	_, _, err := c.authHeader(ctx)
	return err
}

// OAuthExpiry is when the refresh token (zero: unknown or none) and the
// current access token (zero: none yet, no expiry, or no OAuth client)
// expire; safe to call at any time (the metrics scrape calls it).
func (c *Client) OAuthExpiry() (refresh, access time.Time) {
	if c.tokens == nil {
		return
	}
	if st := c.tokens.cfg.State; st != nil {
		refresh = st.ExpiresAt()
	}
	if n := c.tokens.accessExpires.Load(); n != 0 {
		access = time.Unix(0, n)
	}
	return refresh, access
}

// Scheme names the credential scheme, for messages.
func (c *Client) Scheme() string {
	switch {
	case c.tokens != nil && c.tokens.cfg.State != nil:
		return "OAuth refresh token"
	case c.tokens != nil:
		return "OAuth client credentials"
	case strings.HasPrefix(c.auth, "Bearer "):
		return "OAuth access token"
	}
	return "API token"
}
