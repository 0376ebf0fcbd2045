package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/caarlos0/env/v11"
)

// OAuth is a Zendesk OAuth client: client credentials (the unattended
// setup Zendesk points integrations to), or an authorization-code client's
// rotating refresh token. See docs/zendesk-auth.md.
type OAuth struct {
	ClientID     string `env:"ZENDESK_OAUTH_CLIENT_ID"`
	ClientSecret string `env:"ZENDESK_OAUTH_CLIENT_SECRET"`
	// Scope is asked for with client credentials; the sync only reads.
	Scope string `env:"ZENDESK_OAUTH_SCOPE" envDefault:"read"`
	// RefreshToken is the first refresh token of an authorization-code
	// client. Every renewal rotates it, so the current one lives in
	// StateFile, which the worker prefers once it exists.
	RefreshToken string `env:"ZENDESK_OAUTH_REFRESH_TOKEN"`
	// StateFile keeps the refresh-token chain (zendesk.StateFile). Once
	// `starter authorize` has written it, the client id and secret with
	// StateFile alone select the refresh-token scheme (see HasChain).
	StateFile string `env:"ZENDESK_OAUTH_STATE_FILE"`
	// RedirectURL is where `starter authorize` listens for Zendesk's one
	// redirect of the authorization-code flow: an http URL on a loopback
	// address with a port, registered as a redirect URL on the OAuth
	// client (see Redirect).
	RedirectURL string `env:"ZENDESK_OAUTH_REDIRECT_URL" envDefault:"http://127.0.0.1:8976/callback"`
}

// HasChain reports whether StateFile names a regular, non-empty file: a
// refresh-token chain written by `starter authorize` or by the worker.
func (o OAuth) HasChain() bool {
	if o.StateFile == "" {
		return false
	}
	fi, err := os.Stat(o.StateFile)
	return err == nil && fi.Mode().IsRegular() && fi.Size() > 0
}

// Redirect parses RedirectURL: http (the browser hands the code to this
// machine, so TLS would need a certificate for nothing), a loopback host
// (127.0.0.1, ::1 or localhost: RFC 8252 section 7.3) and an explicit
// port. Errors name ZENDESK_OAUTH_REDIRECT_URL.
func (o OAuth) Redirect() (*url.URL, error) {
	u, err := url.Parse(o.RedirectURL)
	if err != nil || u.Scheme != "http" || u.Port() == "" || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("ZENDESK_OAUTH_REDIRECT_URL %q must be an http URL with a loopback host and a port, without query, e.g. http://127.0.0.1:8976/callback", o.RedirectURL)
	}
	switch h := u.Hostname(); {
	case h == "localhost":
	case net.ParseIP(h) != nil && net.ParseIP(h).IsLoopback():
	default:
		return nil, fmt.Errorf("ZENDESK_OAUTH_REDIRECT_URL %q: the host must be a loopback address (127.0.0.1, [::1] or localhost): the browser hands the code to this machine", o.RedirectURL)
	}
	if u.Path == "" {
		u.Path = "/"
	}
	return u, nil
}

// Scheme is how the worker authenticates with Zendesk.
type Scheme string

const (
	ClientCredentials Scheme = "oauth client credentials"
	RefreshToken      Scheme = "oauth refresh token"
	StaticOAuthToken  Scheme = "oauth access token"
	APIToken          Scheme = "api token"
)

// Scheme is the configured credential scheme; call it on settings that
// passed validation.
//
// The client id and secret select client credentials, unless
// ZENDESK_OAUTH_STATE_FILE already holds a refresh-token chain (`starter
// authorize` wrote it): then the refresh token, without
// ZENDESK_OAUTH_REFRESH_TOKEN. The file is looked at on every call.
func (z Zendesk) Scheme() Scheme {
	switch {
	case z.OAuth.RefreshToken != "":
		return RefreshToken
	case (z.OAuth.ClientID != "" || z.OAuth.ClientSecret != "") && z.OAuth.HasChain():
		return RefreshToken
	case z.OAuth.ClientID != "" || z.OAuth.ClientSecret != "":
		return ClientCredentials
	case z.OAuthToken != "":
		return StaticOAuthToken
	}
	return APIToken
}

// TokenURL is the OAuth token endpoint, at the account root (not under
// /api/v2): https://{subdomain}.zendesk.com/oauth/tokens, or
// {ZENDESK_BASE_URL}/oauth/tokens.
func (z Zendesk) TokenURL() string {
	return z.root() + "/oauth/tokens"
}

// AuthorizeURL is the OAuth authorization endpoint the browser opens:
// https://{subdomain}.zendesk.com/oauth/authorizations/new, or under
// ZENDESK_BASE_URL.
func (z Zendesk) AuthorizeURL() string {
	return z.root() + "/oauth/authorizations/new"
}

func (z Zendesk) root() string {
	base := z.BaseURL
	if base == "" {
		base = "https://" + z.Subdomain + ".zendesk.com"
	}
	return strings.TrimRight(base, "/")
}

// validateAuth checks that exactly one credential scheme is complete. Its
// messages name variables, never their values.
func (z Zendesk) validateAuth() error {
	o := z.OAuth
	var set []string
	if o.ClientID != "" || o.ClientSecret != "" || o.RefreshToken != "" {
		name := "ZENDESK_OAUTH_CLIENT_ID + ZENDESK_OAUTH_CLIENT_SECRET"
		if o.RefreshToken != "" {
			name = "ZENDESK_OAUTH_REFRESH_TOKEN"
		}
		set = append(set, name)
	}
	if z.OAuthToken != "" {
		set = append(set, "ZENDESK_OAUTH_TOKEN")
	}
	if z.APIToken != "" {
		set = append(set, "ZENDESK_API_TOKEN")
	}
	switch {
	case len(set) > 1:
		return fmt.Errorf("set exactly one credential scheme, not both %s (unset all but one)", strings.Join(set, " and "))
	case len(set) == 0:
		return errors.New("no credential: set ZENDESK_OAUTH_CLIENT_ID and ZENDESK_OAUTH_CLIENT_SECRET (OAuth client credentials, recommended), " +
			"or the client id and secret with ZENDESK_OAUTH_STATE_FILE written by `starter authorize` (refresh tokens), or ZENDESK_OAUTH_TOKEN, " +
			"or ZENDESK_EMAIL and ZENDESK_API_TOKEN (legacy, stops working on 2027-04-30)")
	}
	var errs []error
	if o.ClientID != "" || o.ClientSecret != "" || o.RefreshToken != "" {
		if o.ClientID == "" {
			errs = append(errs, errors.New("ZENDESK_OAUTH_CLIENT_ID is not set (needed with ZENDESK_OAUTH_CLIENT_SECRET or ZENDESK_OAUTH_REFRESH_TOKEN)"))
		}
		if o.ClientSecret == "" {
			errs = append(errs, errors.New("ZENDESK_OAUTH_CLIENT_SECRET is not set (needed with ZENDESK_OAUTH_CLIENT_ID)"))
		}
		if strings.TrimSpace(o.Scope) == "" {
			errs = append(errs, errors.New("ZENDESK_OAUTH_SCOPE must not be empty (the sync needs read)"))
		}
	}
	if o.RefreshToken != "" && o.StateFile == "" {
		errs = append(errs, errors.New("ZENDESK_OAUTH_STATE_FILE is not set (needed with ZENDESK_OAUTH_REFRESH_TOKEN: every renewal rotates the refresh token, and the new one must survive a restart)"))
	}
	// ZENDESK_OAUTH_STATE_FILE alone is not an error: docker-compose.yml
	// sets it for every setup, and only the refresh-token setup reads it.
	if z.APIToken != "" && z.Email == "" {
		errs = append(errs, errors.New("ZENDESK_EMAIL is not set (needed with ZENDESK_API_TOKEN)"))
	}
	return errors.Join(errs...)
}

// LoadZendesk reads and checks the Zendesk settings alone: `starter
// check` runs with the worker's Zendesk settings and needs nothing else.
func LoadZendesk(now time.Time) (Zendesk, error) {
	var z Zendesk
	if err := env.Parse(&z); err != nil {
		return z, explain(err)
	}
	return z, z.validate(now)
}

// authString describes the scheme for logs, without secrets.
func (z Zendesk) authString() string {
	switch z.Scheme() {
	case ClientCredentials:
		return fmt.Sprintf("oauth client credentials, scope %q", z.OAuth.Scope)
	case RefreshToken:
		return "oauth refresh token, state file " + z.OAuth.StateFile
	case StaticOAuthToken:
		return "oauth token"
	}
	return "api token for " + z.Email
}

// ZendeskNames are what the zendesk package's messages call its options:
// the variables here. Its fields are zendesk.Names's, in the same order, so
// internal/connect converts one into the other (a field added on one side
// only does not compile).
type ZendeskNames struct {
	Site, Email, APIToken, OAuthToken    string
	ClientID, ClientSecret, Scope        string
	StateFile, RefreshToken, RedirectURL string
	RPM, ExportRPM                       string
}

// Names are the variables of the Zendesk settings, for the zendesk
// package's messages ("check ZENDESK_EMAIL and ZENDESK_API_TOKEN").
func (Zendesk) Names() ZendeskNames {
	return ZendeskNames{
		Site: "ZENDESK_SUBDOMAIN, or ZENDESK_BASE_URL if set", Email: "ZENDESK_EMAIL", APIToken: "ZENDESK_API_TOKEN",
		OAuthToken: "ZENDESK_OAUTH_TOKEN", ClientID: "ZENDESK_OAUTH_CLIENT_ID", ClientSecret: "ZENDESK_OAUTH_CLIENT_SECRET",
		Scope: "ZENDESK_OAUTH_SCOPE", StateFile: "ZENDESK_OAUTH_STATE_FILE", RefreshToken: "ZENDESK_OAUTH_REFRESH_TOKEN",
		RedirectURL: "ZENDESK_OAUTH_REDIRECT_URL", RPM: "ZENDESK_RPM", ExportRPM: "ZENDESK_EXPORT_RPM",
	}
}
