package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"

	"talkwarehouse/config"
	"talkwarehouse/internal/connect"
	"talkwarehouse/zendesk"
)

// authorizeCmd runs the OAuth authorization-code flow with PKCE once, with
// the worker's ZENDESK_* settings, for OAuth clients that issue refresh
// tokens: it prints the authorization URL on a line of its own, waits
// (-timeout, 5 minutes by default) for Zendesk's redirect to
// ZENDESK_OAUTH_REDIRECT_URL, exchanges the code and writes the refresh
// token to ZENDESK_OAUTH_STATE_FILE as a new chain, under the file's lock
// (so not while a worker holds it). Afterwards the worker runs with the
// client id, secret and state file alone. No token is printed.
func authorizeCmd(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("authorize", flag.ContinueOnError)
	timeout := fs.Duration("timeout", zendesk.DefaultAuthorizeTimeout, "how long to wait for the browser's redirect")
	listen := fs.String("listen", "", "host:port to listen on instead of ZENDESK_OAUTH_REDIRECT_URL's (e.g. 0.0.0.0:8976 in a container whose port 8976 the host publishes)")
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Errorf("unexpected argument %q", fs.Arg(0))}
	}
	if *timeout <= 0 {
		return usageError{errors.New("-timeout must be positive")}
	}
	cfg, err := config.LoadZendesk(time.Now())
	if err != nil {
		return usageError{fmt.Errorf("configuration:\n%w", err)}
	}
	o := cfg.OAuth
	switch {
	case o.ClientID == "" || o.ClientSecret == "":
		return usageError{errors.New("starter authorize needs ZENDESK_OAUTH_CLIENT_ID and ZENDESK_OAUTH_CLIENT_SECRET: the OAuth client's unique identifier and secret (docs/zendesk-auth.md)")}
	case o.RefreshToken != "":
		return usageError{errors.New("unset ZENDESK_OAUTH_REFRESH_TOKEN: with it set, the worker would start a new chain from that token instead of using the one this command writes")}
	case o.StateFile == "":
		return usageError{errors.New("starter authorize needs ZENDESK_OAUTH_STATE_FILE: the file the worker reads the refresh token from (the worker's own setting, on storage it keeps)")}
	}
	redirect, err := o.Redirect()
	if err != nil {
		return usageError{err}
	}
	st, err := zendesk.LockStateFile(o.StateFile, connect.ZendeskNames(cfg))
	if err != nil {
		return err
	}
	defer st.Close()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	a := zendesk.Authorization{
		AuthorizeURL: cfg.AuthorizeURL(), TokenURL: cfg.TokenURL(),
		ClientID: o.ClientID, ClientSecret: o.ClientSecret, Scope: o.Scope,
		RedirectURL: redirect, Listen: *listen, Timeout: *timeout, Names: connect.ZendeskNames(cfg),
	}
	exp, err := a.Authorize(ctx, st, func(u string) {
		fmt.Fprintf(out, "Open this URL in a browser, sign in to Zendesk as an admin and click Allow (waiting %s for the redirect to %s):\n%s\n", *timeout, redirect, u)
	})
	if err != nil {
		return fmt.Errorf("authorization failed: %w", err)
	}
	expiry := "its expiry unknown"
	if !exp.IsZero() {
		expiry = fmt.Sprintf("it expires at %s unless the worker rotates it", exp.UTC().Format(time.RFC3339))
	}
	fmt.Fprintf(out, "authorized: the refresh token is stored in %s (%s).\n", st.Path(), expiry)
	fmt.Fprintf(out, "start the worker with ZENDESK_OAUTH_CLIENT_ID, ZENDESK_OAUTH_CLIENT_SECRET and ZENDESK_OAUTH_STATE_FILE (ZENDESK_OAUTH_REFRESH_TOKEN unset)\n")
	return nil
}
