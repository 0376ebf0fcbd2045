// Package connect builds the library packages' options from the settings
// of config, so that warehouse and zendesk know nothing of environment
// variables: the worker, the starter and the tools open the warehouse and
// the Zendesk client through it. Errors name the settings to fix (config
// words them), never a secret.
package connect

import (
	"context"
	"log/slog"

	"talkwarehouse/config"
	"talkwarehouse/warehouse"
	"talkwarehouse/zendesk"
)

// WarehouseOptions are the warehouse.Options of the ClickHouse and
// analytics settings. The error is config's (a CA file that cannot be
// read, naming CLICKHOUSE_CA_FILE).
func WarehouseOptions(c config.ClickHouse, a config.Analytics) (warehouse.Options, error) {
	tlsConf, err := c.TLSConfig()
	if err != nil {
		return warehouse.Options{}, err
	}
	return warehouse.Options{
		Addrs: c.Addrs(), Database: c.Database, User: c.User, Password: c.Password, TLS: tlsConf,
		Cluster: c.Cluster, ReplicaPath: c.ReplicaPath, AnalyticsTimezone: a.Timezone,
	}, nil
}

// Warehouse opens the warehouse (warehouse.Open) with those options; a
// failure to connect names the settings to check (config.ClickHouse.Explain).
func Warehouse(ctx context.Context, c config.ClickHouse, a config.Analytics, log *slog.Logger) (*warehouse.Warehouse, error) {
	o, err := WarehouseOptions(c, a)
	if err != nil {
		return nil, err
	}
	w, err := warehouse.Open(ctx, o, log)
	if err != nil {
		return nil, c.Explain(err)
	}
	return w, nil
}

// ZendeskNames are the variables of z's settings, for the zendesk
// package's messages (config.Zendesk.Names).
func ZendeskNames(z config.Zendesk) zendesk.Names { return zendesk.Names(z.Names()) }

// Zendesk builds the client for the worker's Zendesk settings, as the
// worker and `starter check` both need it. With a refresh token it opens
// and locks ZENDESK_OAUTH_STATE_FILE (failing at once, naming it, when
// another process holds it; without ZENDESK_OAUTH_REFRESH_TOKEN the file
// `starter authorize` wrote); release closes it and must be called when
// the process is done with the client.
func Zendesk(z config.Zendesk, log *slog.Logger) (c *zendesk.Client, release func() error, err error) {
	o := zendesk.Options{
		BaseURL: z.APIBase(), Email: z.Email, APIToken: z.APIToken, OAuthToken: z.OAuthToken,
		ExportRPM: z.ExportRPM, RPM: z.RPM, Logger: log, ExportLag: z.ExportLag, Names: ZendeskNames(z),
	}
	release = func() error { return nil }
	switch z.Scheme() {
	case config.ClientCredentials, config.RefreshToken:
		o.APIToken, o.OAuthToken = "", ""
		o.OAuth = &zendesk.OAuth{TokenURL: z.TokenURL(), ClientID: z.OAuth.ClientID, ClientSecret: z.OAuth.ClientSecret, Scope: z.OAuth.Scope}
		if z.Scheme() == config.RefreshToken {
			st, err := zendesk.OpenStateFile(z.OAuth.StateFile, z.OAuth.RefreshToken, o.Names)
			if err != nil {
				return nil, nil, err
			}
			o.OAuth.State, release = st, st.Close
			if log != nil {
				log.Info("zendesk refresh token", "state_file", st.Path(), "from_environment", st.FromEnvironment())
			}
		}
	}
	c, err = zendesk.New(o)
	if err != nil {
		_ = release()
		return nil, nil, err
	}
	return c, release, nil
}
