// Command talksim serves a simulated Zendesk Talk API for demos and manual
// tests. Point the extractor at it with ZENDESK_BASE_URL=http://ADDR.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"talkwarehouse/talksim"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "talksim:", err)
		os.Exit(1)
	}
}

func run() error {
	def := talksim.DefaultConfig()
	cfg := def
	listen := flag.String("listen", "127.0.0.1:8089", "listen address")
	flag.Int64Var(&cfg.Seed, "seed", def.Seed, "data seed")
	flag.IntVar(&cfg.Calls, "calls", def.Calls, "number of calls")
	flag.IntVar(&cfg.LegsPerCall, "legs-per-call", def.LegsPerCall, "legs per call (max 9)")
	flag.IntVar(&cfg.CallsPerSecond, "calls-per-second", def.CallsPerSecond, "consecutive calls sharing one updated_at second (>= 1000 makes a stuck export page)")
	start := flag.String("start", def.Start.Format(time.RFC3339), "updated_at of the first call (RFC 3339)")
	flag.IntVar(&cfg.PageSize, "page-size", def.PageSize, "default per_page of offset-paged lists")
	flag.IntVar(&cfg.Greetings, "greetings", def.Greetings, "number of greetings")
	flag.IntVar(&cfg.Agents, "agents", def.Agents, "number of agents")
	flag.StringVar(&cfg.Email, "email", "", "accepted email for API-token auth (with -token)")
	flag.StringVar(&cfg.APIToken, "token", "", "accepted API token")
	flag.StringVar(&cfg.OAuthToken, "oauth", "", "accepted static OAuth bearer token")
	flag.StringVar(&cfg.OAuthClientID, "client-id", "", "OAuth client id served at POST /oauth/tokens (client_credentials and refresh_token grants)")
	flag.StringVar(&cfg.OAuthClientSecret, "client-secret", "", "OAuth client secret (with -client-id)")
	flag.StringVar(&cfg.OAuthRefreshToken, "refresh-token", "", "refresh token valid for its first refresh_token grant (every grant rotates it)")
	tokenLifetime := flag.Int("token-lifetime", 1800, "expires_in of issued access tokens, seconds (0: tokens without expires_in)")
	refreshLifetime := flag.Duration("refresh-token-lifetime", 30*24*time.Hour, "refresh_token_expires_in of issued refresh tokens; an expired one is refused with invalid_grant")
	redirectURI := flag.String("redirect-uri", "", "the redirect URL registered on the OAuth client for GET /oauth/authorizations/new (empty: any)")
	flag.BoolVar(&cfg.DenyAuthorization, "deny-authorization", false, "the authorization endpoint redirects with error=access_denied")
	flag.IntVar(&cfg.ExportRPM, "export-rpm", 0, "requests per rolling minute for calls+legs exports (0 = unlimited; Zendesk: 10)")
	flag.IntVar(&cfg.AccountRPM, "account-rpm", 0, "requests per rolling minute for all endpoints (0 = unlimited; Zendesk: 200 to 2500 by plan)")
	flag.DurationVar(&cfg.RateWindow, "rate-window", time.Minute, "rolling window of -account-rpm and -export-rpm, also the window their rate-limit headers report")
	exportLag := flag.Duration("export-lag", 0, "hide export records updated less than this long ago")
	flag.DurationVar(&cfg.MinStartTimeAge, "min-start-age", time.Minute, "answer an export start_time younger than this with 400 \"Too recent start_time\", as Zendesk does (0 = serve any)")
	forbidden := flag.String("forbidden", "", "comma-separated API paths answering 403 (e.g. /ivr, /settings)")
	flag.IntVar(&cfg.SettingsRevision, "settings-revision", 0, "revision of the voice settings /settings answers at first (POST /__talksim/settings_revision?n= changes it)")
	flag.IntVar(&cfg.DeprecatedExports, "deprecated-exports", 0, "answer the calls and legs exports with this status (403 or 410) and a body saying they are no longer available for third-party apps (0 = serve them)")
	flag.IntVar(&cfg.Faults.Every, "fault-every", 0, "fail every Nth request (0 = never)")
	kinds := flag.String("fault-kinds", "", "comma-separated fault kinds to cycle through (default: all but slow): "+kindList())
	flag.DurationVar(&cfg.Faults.SlowDelay, "fault-slow", talksim.DefaultSlowDelay, "delay of the slow fault")
	realistic := flag.Bool("realistic", false, "spread the calls over four weeks like a New York call centre (talksim.Realistic)")
	flag.Parse()
	if *realistic {
		cfg.Realistic = &talksim.Realistic{}
	}

	t, err := time.Parse(time.RFC3339, *start)
	if err != nil {
		return fmt.Errorf("-start: %w", err)
	}
	if d := cfg.DeprecatedExports; d != 0 && d != 403 && d != 410 {
		return fmt.Errorf("-deprecated-exports: %d, want 403 or 410 (or 0)", d)
	}
	cfg.Start = t
	cfg.ExportLag = *exportLag
	cfg.TokenLifetime = time.Duration(*tokenLifetime) * time.Second
	cfg.RefreshTokenLifetime = *refreshLifetime
	if *redirectURI != "" {
		cfg.OAuthRedirectURIs = []string{*redirectURI}
	}
	for _, p := range strings.Split(*forbidden, ",") {
		if p = strings.TrimSpace(p); p != "" {
			cfg.Forbidden = append(cfg.Forbidden, p)
		}
	}
	for _, k := range strings.Split(*kinds, ",") {
		if strings.TrimSpace(k) == "" {
			continue
		}
		fk, err := talksim.ParseFaultKind(k)
		if err != nil {
			return err
		}
		cfg.Faults.Kinds = append(cfg.Faults.Kinds, fk)
	}

	sim := talksim.New(cfg)
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	addr := ln.Addr().String()
	fmt.Printf("talksim listening on http://%s (ZENDESK_BASE_URL=http://%s)\n", addr, addr)
	srv := &http.Server{Handler: sim.Handler(), ReadHeaderTimeout: 10 * time.Second}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	// Slow faults may hold handlers open: give them a moment, then cut.
	shutCtx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutCtx); err != nil {
		_ = srv.Close()
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Printf("talksim: stopped; %d faults served", sim.FaultsServed())
	return nil
}

func kindList() string {
	var s []string
	for _, k := range talksim.AllFaultKinds() {
		s = append(s, string(k))
	}
	return strings.Join(s, ",")
}
