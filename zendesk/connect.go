package zendesk

import (
	"log/slog"

	"talkwarehouse/config"
)

// Connect builds the client for the worker's Zendesk settings, as the
// worker and `starter check` both need it. With a refresh token it opens
// and locks ZENDESK_OAUTH_STATE_FILE (failing at once, naming it, when
// another process holds it; without ZENDESK_OAUTH_REFRESH_TOKEN the file
// `starter authorize` wrote); release closes it and must be called when
// the process is done with the client.
func Connect(z config.Zendesk, log *slog.Logger) (c *Client, release func() error, err error) {
	o := Options{
		BaseURL: z.APIBase(), Email: z.Email, APIToken: z.APIToken, OAuthToken: z.OAuthToken,
		ExportRPM: z.ExportRPM, RPM: z.RPM, Logger: log, ExportLag: z.ExportLag,
	}
	release = func() error { return nil }
	switch z.Scheme() {
	case config.ClientCredentials, config.RefreshToken:
		o.APIToken, o.OAuthToken = "", ""
		o.OAuth = &OAuth{TokenURL: z.TokenURL(), ClientID: z.OAuth.ClientID, ClientSecret: z.OAuth.ClientSecret, Scope: z.OAuth.Scope}
		if z.Scheme() == config.RefreshToken {
			st, err := OpenStateFile(z.OAuth.StateFile, z.OAuth.RefreshToken)
			if err != nil {
				return nil, nil, err
			}
			o.OAuth.State, release = st, st.Close
			if log != nil {
				log.Info("zendesk refresh token", "state_file", st.Path(), "from_environment", st.FromEnvironment())
			}
		}
	}
	c, err = New(o)
	if err != nil {
		_ = release()
		return nil, nil, err
	}
	return c, release, nil
}
