// Package zendesk is the HTTP client of the Zendesk Talk API: credentials,
// the account's rate budgets, retries, and the two paging schemes (offset
// lists and incremental exports). It returns raw records; the tables package
// decides what they mean.
package zendesk

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"talkwarehouse/internal/jsonscan"
)

// Options configure a Client. Zero values take the documented defaults.
type Options struct {
	// BaseURL is the Talk API root, e.g. https://acme.zendesk.com/api/v2/channels/voice.
	BaseURL string
	// Email and APIToken authenticate with HTTP Basic; OAuthToken with a
	// bearer header; OAuth with expiring bearer tokens from Zendesk's token
	// endpoint. Exactly one scheme is used.
	Email, APIToken, OAuthToken string
	OAuth                       *OAuth
	// ExportRPM and RPM are the budgets in requests per rolling minute:
	// ExportRPM for the incremental exports (calls and legs share it), RPM
	// for every request. 0 = no self-imposed limit. They are ceilings: the
	// limits Zendesk reports in its answers' headers lower them, the
	// account-wide X-Rate-Limit / ratelimit-limit the RPM budget and the
	// zendesk-ratelimit-incremental-exports bucket the export budget
	// (see Budgets).
	ExportRPM, RPM int
	// HTTP is the transport; a client with a 60 s timeout by default.
	HTTP *http.Client
	// Attempts is how many times a transient fault is tried before the
	// error is returned (default 5); Backoff the first pause (default 1 s),
	// doubling with jitter up to MaxBackoff (default 30 s).
	Attempts   int
	Backoff    time.Duration
	MaxBackoff time.Duration
	// Max429 is how many 429s in a row one request accepts (default 20).
	Max429 int
	// Window is the rate budgets' rolling window (default: a minute, as
	// Zendesk counts). Tests shorten it.
	Window time.Duration
	// ExportLag holds an export's cursor this far behind the moment of its
	// request (default DefaultExportLag; see Export). Values below
	// MinStartTimeAge are raised to it, so a cursor is never too recent
	// to ask for.
	ExportLag time.Duration
	// Names are what messages call the options (see Names).
	Names Names

	Logger *slog.Logger
}

// Client talks to one account. It is safe for concurrent use, and its rate
// budgets are shared by every caller: one Client per worker process.
type Client struct {
	base   *url.URL
	auth   string       // the static Authorization header; never logged
	tokens *tokenSource // expiring OAuth tokens, nil for static credentials
	// authHint names the settings to check when Zendesk answers 401.
	authHint string
	http     *http.Client
	account  *Limiter
	export   *Limiter
	opt      Options
	log      *slog.Logger

	// The limits Zendesk's headers report, lowering account and export
	// below the configured ceilings (see learnLimits).
	accountLimit, exportLimit learned
}

// New checks the options and builds a client.
func New(o Options) (*Client, error) {
	base, err := url.Parse(strings.TrimRight(o.BaseURL, "/"))
	if err != nil || base.Host == "" {
		return nil, errors.New("zendesk: base URL must be absolute")
	}
	o.Names = o.Names.withDefaults()
	n := o.Names
	c := &Client{base: base, http: o.HTTP, opt: o, log: o.Logger}
	switch {
	case o.OAuth != nil:
		if o.OAuth.TokenURL == "" || o.OAuth.ClientID == "" || o.OAuth.ClientSecret == "" {
			return nil, errors.New("zendesk: OAuth needs a token URL, a client id and a client secret")
		}
		c.tokens = &tokenSource{cfg: *o.OAuth, c: c, lock: make(chan struct{}, 1)}
		if o.OAuth.State != nil {
			c.authHint = " (Zendesk rejected a freshly renewed access token: check that the OAuth client " + n.ClientID + " is active and allowed read, " +
				"and the user who authorized the refresh token can read Talk)"
		} else {
			c.authHint = " (Zendesk rejected a freshly issued access token: check that the OAuth client " + n.ClientID + " is active " +
				"and " + n.Scope + " includes read)"
		}
	case o.OAuthToken != "":
		c.auth = "Bearer " + o.OAuthToken
		c.authHint = " (Zendesk rejected the credentials: check " + n.OAuthToken + "; it may have expired or been revoked: " +
			"an OAuth client with " + n.ClientID + " and " + n.ClientSecret + " renews its own tokens)"
	case o.APIToken != "":
		c.auth = "Basic " + base64.StdEncoding.EncodeToString([]byte(o.Email+"/token:"+o.APIToken))
		c.authHint = " (Zendesk rejected the credentials: check " + n.Email + " and " + n.APIToken + "; API tokens stop working on 2027-04-30: " +
			"move to OAuth with " + n.ClientID + " and " + n.ClientSecret + ", or " + n.OAuthToken + ")"
	default:
		return nil, errors.New("zendesk: no credential")
	}
	if c.http == nil {
		c.http = &http.Client{Timeout: 60 * time.Second}
	}
	if c.opt.Attempts <= 0 {
		c.opt.Attempts = 5
	}
	if c.opt.Backoff <= 0 {
		c.opt.Backoff = time.Second
	}
	if c.opt.MaxBackoff <= 0 {
		c.opt.MaxBackoff = 30 * time.Second
	}
	if c.opt.Max429 <= 0 {
		c.opt.Max429 = 20
	}
	if c.log == nil {
		c.log = slog.Default()
	}
	if c.opt.Window <= 0 {
		c.opt.Window = time.Minute
	}
	logAuth(c.log, c.opt)
	if c.tokens != nil {
		c.tokens.warnExpiry() // at the start, when the refresh token expires soon
	}
	if c.opt.ExportLag <= 0 {
		c.opt.ExportLag = DefaultExportLag
	}
	c.opt.ExportLag = max(c.opt.ExportLag, MinStartTimeAge)
	c.account = NewLimiter(o.RPM, c.opt.Window)
	c.export = NewLimiter(o.ExportRPM, c.opt.Window)
	c.accountLimit = learned{setting: n.RPM, ceiling: max(o.RPM, 0), lim: c.account}
	c.exportLimit = learned{setting: n.ExportRPM, ceiling: max(o.ExportRPM, 0), lim: c.export}
	return c, nil
}

// ExportLag is how far behind the moment of its request an export's cursor
// stays (Options.ExportLag, defaulted).
func (c *Client) ExportLag() time.Duration { return c.opt.ExportLag }

// URL is the absolute URL of an API path with a query.
func (c *Client) URL(path string, q url.Values) string {
	u := *c.base
	u.Path = c.base.Path + path
	u.RawQuery = q.Encode()
	return u.String()
}

// Tally counts one caller's requests; its fields are safe to read while
// the caller runs (progress reports, metrics).
type Tally struct {
	Requests  atomic.Int64 // HTTP requests sent, retries included
	Retries   atomic.Int64 // transient faults retried
	Throttled atomic.Int64 // 429 answers
}

// Page is one decoded response.
type Page struct {
	Records []json.RawMessage // the envelope's list, or its one object
	Next    string            // next_page ("" when null or absent)
	Count   int               // the page's count (exports: records in this page)
	EndTime int64             // exports: end_time, unix seconds (0 when absent)
	// Future lists, for exports, the records dated after the moment they
	// were received (set by Export).
	Future []FutureRecord
	// Note explains an empty last page that Export made up instead of
	// failing ("nothing new yet").
	Note string
}

// Fetch GETs rawURL (an absolute URL from URL or a next_page) and decodes
// the records under envelope. export selects the export budget. t may be nil.
func (c *Client) Fetch(ctx context.Context, rawURL, envelope string, export bool, t *Tally) (Page, error) {
	if t == nil {
		t = &Tally{}
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return Page{}, fmt.Errorf("zendesk: bad URL: %w", err)
	}
	// next_page is followed as given, but credentials only ever go to the
	// configured host.
	if u.Host != c.base.Host {
		return Page{}, &Error{Kind: Rejected, Path: u.Path, Msg: fmt.Sprintf("refusing to send credentials to %s (expected %s)", u.Host, c.base.Host)}
	}
	body, status, err := c.get(ctx, u, export, t)
	if err != nil {
		return Page{}, err
	}
	p, err := decode(body, envelope)
	if err != nil {
		return Page{}, &Error{Kind: Transient, Status: status, Path: u.Path, Msg: err.Error()}
	}
	return p, nil
}

// get sends the request with retries and returns a body that is complete JSON.
func (c *Client) get(ctx context.Context, u *url.URL, export bool, t *Tally) ([]byte, int, error) {
	var lastErr *Error
	faults, throttles := 0, 0
	renewed := false // an expiring OAuth token was renewed after a 401
	for {
		answered, err := c.waitBudget(ctx, export)
		if err != nil {
			return nil, 0, err
		}
		// The token is taken after the budget's wait, which can be long.
		header, token, err := c.authHeader(ctx)
		if err != nil {
			answered()
			return nil, 0, err
		}
		t.Requests.Add(1)
		body, status, retryAfter, err := c.do(ctx, u, header)
		answered()
		if err == nil {
			return body, status, nil
		}
		if ctx.Err() != nil {
			return nil, status, ctx.Err()
		}
		var apiErr *Error
		if errors.As(err, &apiErr) && apiErr.Kind == Auth {
			if c.tokens != nil && !renewed {
				// Expired or revoked before its expires_in: renew once. A
				// second 401 right after a fresh token is a configuration
				// error.
				renewed = true
				c.tokens.Invalidate(ctx, token)
				c.log.Info("zendesk access token rejected, renewing", "path", u.Path)
				continue
			}
			apiErr.Hint = c.authHint
			return nil, status, apiErr
		}
		if !errors.As(err, &apiErr) || apiErr.Kind != Transient {
			return nil, status, err
		}
		lastErr = apiErr
		if status == http.StatusTooManyRequests {
			t.Throttled.Add(1)
			throttles++
			if throttles > c.opt.Max429 {
				return nil, status, apiErr
			}
			wait := retryAfter
			if wait <= 0 {
				// No Retry-After: back off with jitter, as for other faults.
				wait = c.backoff(throttles)
			}
			c.log.Warn("zendesk rate limited", "path", u.Path, "wait", wait, "retry_after_header", retryAfter > 0)
			// Every caller sharing the budget waits, not just this one.
			lim := c.account
			if export {
				lim = c.export
			}
			lim.PauseUntil(time.Now().Add(wait))
			continue
		}
		faults++
		if faults >= c.opt.Attempts {
			lastErr.Msg += fmt.Sprintf(" (gave up after %d attempts)", faults)
			return nil, status, lastErr
		}
		t.Retries.Add(1)
		wait := c.backoff(faults)
		c.log.Warn("zendesk transient fault, retrying", "path", u.Path, "status", status, "error", apiErr.Msg, "attempt", faults, "wait", wait)
		if err := sleep(ctx, wait); err != nil {
			return nil, status, err
		}
	}
}

// waitBudget waits for a slot in the budgets the request draws on, and
// returns the function to call when its answer arrives.
func (c *Client) waitBudget(ctx context.Context, export bool) (answered func(), err error) {
	var exportSlot time.Time
	if export {
		if _, exportSlot, err = c.export.Wait(ctx); err != nil {
			return nil, err
		}
	}
	_, accountSlot, err := c.account.Wait(ctx)
	if err != nil {
		return nil, err
	}
	return func() {
		c.export.Answered(exportSlot)
		c.account.Answered(accountSlot)
	}, nil
}

// backoff is the n-th pause: Backoff·2^(n-1) capped at MaxBackoff, with
// "equal jitter" so that many workers do not retry in lock step.
func (c *Client) backoff(n int) time.Duration {
	d := c.opt.Backoff << min(n-1, 20)
	if d > c.opt.MaxBackoff || d <= 0 {
		d = c.opt.MaxBackoff
	}
	half := d / 2
	return half + time.Duration(rand.Int64N(int64(half)+1))
}

// do sends one request. Errors are *Error with the path and status.
func (c *Client) do(ctx context.Context, u *url.URL, auth string) (body []byte, status int, retryAfter time.Duration, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, 0, 0, err
	}
	req.Header.Set("Authorization", auth)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "talkwarehouse/1")
	resp, err := c.http.Do(req)
	if err != nil {
		// The transport's error quotes the URL; ours names only the path.
		return nil, 0, 0, &Error{Kind: Transient, Path: u.Path, Msg: "request failed: " + transportReason(err)}
	}
	defer resp.Body.Close()
	c.learnLimits(resp.Header)
	body, readErr := io.ReadAll(resp.Body)
	status = resp.StatusCode
	fail := func(k Kind, msg string) (*Error, int) {
		return &Error{Kind: k, Status: status, Path: u.Path, Msg: msg}, status
	}
	switch {
	case status == http.StatusOK:
		if readErr != nil {
			e, s := fail(Transient, "body cut short: "+transportReason(readErr))
			return nil, s, 0, e
		}
		if !json.Valid(body) {
			e, s := fail(Transient, fmt.Sprintf("body is not complete JSON (%d bytes, %s)", len(body), contentType(resp)))
			return nil, s, 0, e
		}
		return body, status, 0, nil
	case status == http.StatusUnauthorized:
		e, s := fail(Auth, "unauthorized: "+apiMessage(body))
		return nil, s, 0, e
	case (status == http.StatusForbidden || status == http.StatusGone) && isDeprecation(body):
		e, s := fail(Deprecated, "refused as deprecated: "+excerpt(apiMessage(body), 200))
		return nil, s, 0, e
	case status == http.StatusForbidden:
		e, s := fail(Forbidden, "forbidden: "+apiMessage(body))
		return nil, s, 0, e
	case status == http.StatusGone:
		// 410 without a word on why: the endpoint is gone for this client.
		// Retrying cannot bring it back.
		e, s := fail(Rejected, "gone (HTTP 410: Zendesk no longer serves this endpoint to this client; "+
			"if it is an incremental export, see support article 11249701485338 on their end for third-party apps): "+excerpt(apiMessage(body), 200))
		return nil, s, 0, e
	case status == http.StatusNotFound:
		e, s := fail(NotFound, "not found: "+apiMessage(body))
		e.Hint = " (check " + c.opt.Names.Site + ")"
		return nil, s, 0, e
	case status == http.StatusTooManyRequests:
		e, s := fail(Transient, "rate limited")
		return nil, s, parseRetryAfter(resp.Header.Get("Retry-After")), e
	case status == http.StatusRequestTimeout || status >= 500:
		e, s := fail(Transient, "server error: "+apiMessage(body))
		return nil, s, 0, e
	default:
		e, s := fail(Rejected, "request rejected: "+apiMessage(body))
		return nil, s, 0, e
	}
}

func parseRetryAfter(v string) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseFloat(v, 64); err == nil && secs >= 0 {
		return time.Duration(secs * float64(time.Second))
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(time.Until(t), 0)
	}
	return 0
}

// transportReason keeps the cause of a transport error without its URL.
func transportReason(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return err.Error()
}

func contentType(resp *http.Response) string {
	if ct := resp.Header.Get("Content-Type"); ct != "" {
		return ct
	}
	return "no content type"
}

// apiMessage extracts Zendesk's {"error": …, "description": …} or a short
// excerpt of a non-JSON body.
func apiMessage(body []byte) string {
	var e struct {
		Error       any    `json:"error"`
		Description string `json:"description"`
	}
	if json.Unmarshal(body, &e) == nil && e.Error != nil {
		msg := fmt.Sprint(e.Error)
		if m, ok := e.Error.(map[string]any); ok {
			msg = fmt.Sprint(m["title"], ": ", m["message"])
		}
		if e.Description != "" {
			msg += ": " + e.Description
		}
		return msg
	}
	s := excerpt(strings.Join(strings.Fields(string(body)), " "), 120)
	if s == "" {
		return "empty body"
	}
	return s
}

// excerpt cuts s to at most n bytes, on a rune boundary.
func excerpt(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// decode reads the records under envelope and the paging keys, in one
// pass over the body; the records are sub-slices of it.
func decode(body []byte, envelope string) (Page, error) {
	var p Page
	found := false
	var listErr error
	err := jsonscan.EachField(body, func(key []byte, val json.RawMessage) {
		switch string(key) {
		case envelope:
			found = true
			v := bytes.TrimSpace(val)
			switch {
			case len(v) > 0 && v[0] == '[':
				listErr = jsonscan.EachElement(v, func(rec json.RawMessage) { p.Records = append(p.Records, rec) })
			case len(v) > 0 && v[0] == '{':
				p.Records = []json.RawMessage{v}
			case string(v) == "null":
			default:
				listErr = fmt.Errorf("%q is neither a list nor an object", envelope)
			}
		case "next_page":
			_ = json.Unmarshal(val, &p.Next) // null leaves ""
		case "count":
			_ = json.Unmarshal(val, &p.Count)
		case "end_time":
			_ = json.Unmarshal(val, &p.EndTime)
		}
	})
	switch {
	case err != nil:
		return Page{}, fmt.Errorf("response is not a JSON object: %w", err)
	case listErr != nil:
		return Page{}, fmt.Errorf("%q: %w", envelope, listErr)
	case !found:
		return Page{}, fmt.Errorf("response has no %q key", envelope)
	}
	return p, nil
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
