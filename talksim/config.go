// Package talksim simulates the Zendesk Talk API (/api/v2/channels/voice)
// for tests, demos and benchmarks: deterministic data of any volume,
// the incremental-export traps of the real API, auth, rate limits, 403s and
// injectable faults. Stdlib only.
package talksim

import (
	"strings"
	"time"
)

// APIPrefix is the path every simulated endpoint lives under.
const APIPrefix = "/api/v2/channels/voice"

// ExportPageSize is the fixed page size of the incremental exports. Clients
// rely on "count < 1000 means caught up", so it is not configurable.
const ExportPageSize = 1000

// MaxOffsetRecords mirrors the Support limit on offset paging (100 pages of
// 100); unconfirmed for Talk, harmless for the small lists simulated here.
const MaxOffsetRecords = 10000

// Config describes the simulated account. Zero values of LegsPerCall,
// CallsPerSecond, PageSize, Start and Now are replaced by defaults in New;
// entity counts of zero mean "none".
type Config struct {
	Seed           int64
	Calls          int       // calls in the base sequence
	LegsPerCall    int       // legs per call (default 3, max 9; negative: none)
	Start          time.Time // updated_at of the first call
	CallsPerSecond int       // consecutive calls sharing one updated_at second (default 4)

	Addresses          int
	GreetingCategories int
	Greetings          int
	PhoneNumbers       int
	DigitalLines       int // digital lines in /lines besides the phone numbers
	IVRs               int
	MenusPerIVR        int
	RoutesPerMenu      int
	Agents             int

	PageSize int // default per_page of offset lists (default 100)

	// Accepted credentials: HTTP Basic "{Email}/token" + APIToken,
	// "Authorization: Bearer {OAuthToken}", or a bearer token issued by the
	// OAuth client below. All empty: anything is accepted.
	Email      string
	APIToken   string
	OAuthToken string

	// An OAuth client served at POST /oauth/tokens (see TokenPath): its id
	// and secret, the refresh token an authorization-code flow handed out
	// (valid until its first use: every refresh rotates), and the lifetime
	// of issued access tokens (0: issued without expires_in, never expire).
	OAuthClientID     string
	OAuthClientSecret string
	OAuthRefreshToken string
	TokenLifetime     time.Duration
	// RefreshTokenLifetime is the lifetime of every refresh token, from
	// its issue (the seed OAuthRefreshToken's from New), sent as
	// refresh_token_expires_in; an expired one is refused with
	// invalid_grant. 0: 30 days, Zendesk's default (7 to 90 days, article
	// 10212201463962). Whether Zendesk gives a rotated token a fresh
	// lifetime is unconfirmed: here it does.
	RefreshTokenLifetime time.Duration
	// OAuthRedirectURIs are the redirect URLs registered on the OAuth
	// client: the authorization endpoint (AuthorizePath) refuses any other
	// redirect_uri with 400 invalid_redirect_uri, without redirecting.
	// Empty: any is accepted.
	OAuthRedirectURIs []string
	// DenyAuthorization makes the authorization endpoint redirect with
	// error=access_denied, as when the user clicks Deny.
	DenyAuthorization bool

	// The account's real limits, enforced with 429 + Retry-After (whole
	// seconds) and reported in every answer's headers as Zendesk does:
	// X-Rate-Limit, X-Rate-Limit-Remaining, ratelimit-limit,
	// ratelimit-remaining, ratelimit-reset for AccountRPM, and on the
	// exports zendesk-ratelimit-incremental-exports: total=; remaining=;
	// resets= for ExportRPM. A client configured above them must learn
	// them from the headers.
	ExportRPM  int // shared budget of calls+legs exports per rolling RateWindow (0 = unlimited)
	AccountRPM int // budget of all endpoints per rolling RateWindow (0 = unlimited)
	// RateWindow is the budgets' rolling window (default a minute, as
	// Zendesk's); tests shorten it to run a sync's worth of pages fast.
	RateWindow time.Duration

	// Forbidden API paths (e.g. "/ivr") answer 403, as when the plan lacks a feature.
	Forbidden []string

	// SettingsRevision picks the voice settings /settings answers at first
	// (deterministic per seed and revision); Sim.SetSettingsRevision
	// changes them later. Default 0.
	SettingsRevision int

	// DeprecatedExports, when 403 or 410, makes the incremental exports
	// (calls, legs) answer that status with a body saying the API is no
	// longer available for third-party apps (BodyDeprecated), as Zendesk
	// may once its exports end for third-party developers (support article
	// 11249701485338; the real answer is unknown). 0: exports are served.
	DeprecatedExports int

	// ExportLag hides export records updated less than this long before now,
	// as Zendesk Support exports do (unconfirmed for Talk). Default 0.
	ExportLag time.Duration

	// MinStartTimeAge makes the exports answer a start_time younger than
	// this with Zendesk's 400 "Too recent start_time. Use a start_time older
	// than 1 minute." (Zendesk's is a minute). 0: any start_time is served.
	MinStartTimeAge time.Duration

	Now func() time.Time // clock (default time.Now)

	// Realistic spreads the calls over weeks with a call centre's daily
	// and weekly shape (see profile.go); nil keeps the flat sequence of
	// CallsPerSecond calls per second from Start.
	Realistic *Realistic

	Faults Faults // initial fault injection
}

// DefaultConfig is a modest demo account: enough greetings for two pages,
// 2000 calls with 3 legs each starting 2024-01-01.
func DefaultConfig() Config {
	return Config{
		Seed:               1,
		Calls:              2000,
		LegsPerCall:        3,
		Start:              time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC),
		CallsPerSecond:     4,
		Addresses:          5,
		GreetingCategories: 3,
		Greetings:          130,
		PhoneNumbers:       6,
		DigitalLines:       2,
		IVRs:               3,
		MenusPerIVR:        2,
		RoutesPerMenu:      3,
		Agents:             12,
		PageSize:           100,
	}
}

func (c *Config) normalize() {
	if c.LegsPerCall == 0 {
		c.LegsPerCall = 3
	}
	if c.LegsPerCall < 0 {
		c.LegsPerCall = 0
	}
	if c.LegsPerCall > 9 { // leg ids are call id*10+k
		c.LegsPerCall = 9
	}
	if c.CallsPerSecond <= 0 {
		c.CallsPerSecond = 4
	}
	if c.PageSize <= 0 {
		c.PageSize = 100
	}
	if c.Start.IsZero() {
		c.Start = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.RateWindow <= 0 {
		c.RateWindow = time.Minute
	}
	if c.Calls < 0 {
		c.Calls = 0
	}
	if c.MenusPerIVR <= 0 && c.IVRs > 0 {
		c.MenusPerIVR = 1 // an IVR always has its main menu
	}
	if c.RoutesPerMenu < 0 {
		c.RoutesPerMenu = 0
	}
	if c.RoutesPerMenu > 11 { // keypresses 1-9, 0, *
		c.RoutesPerMenu = 11
	}
}

// normPath maps a request path to its API path: without the
// /api/v2/channels/voice prefix and without a ".json" suffix. ok is false
// for paths outside the prefix.
func normPath(p string) (api string, ok bool) {
	p = strings.TrimSuffix(p, ".json")
	if !strings.HasPrefix(p, APIPrefix) {
		return p, false
	}
	p = strings.TrimPrefix(p, APIPrefix)
	if p == "" {
		p = "/"
	}
	return p, true
}

// userPath normalises a path given by a test or flag ("/ivr",
// "ivr.json", "/api/v2/channels/voice/ivr") to an API path. "" and "*"
// stay as they are: they mean "every path".
func userPath(p string) string {
	p = strings.TrimSpace(p)
	if p == "" || p == "*" {
		return p
	}
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	if api, ok := normPath(p); ok {
		return api
	}
	return strings.TrimSuffix(p, ".json")
}
