package config

import (
	"errors"
	"fmt"
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
	StateFile    string `env:"ZENDESK_OAUTH_STATE_FILE"`
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
func (z Zendesk) Scheme() Scheme {
	switch {
	case z.OAuth.RefreshToken != "":
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
			"or ZENDESK_OAUTH_REFRESH_TOKEN with the client id, secret and ZENDESK_OAUTH_STATE_FILE, or ZENDESK_OAUTH_TOKEN, " +
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
