// Command devserver runs a single-process Temporal server for local development
// and end-to-end tests: all four services (frontend, history, matching,
// worker) in one process, SQLite persistence (a file or in-memory), and,
// optionally, the Temporal web UI.
//
// It exists because the Temporal CLI binary cannot be downloaded here.
//
//	go build -o /tmp/devserver ./tools/devserver
//	/tmp/devserver --db /tmp/temporal.db --namespace default,other
//
// When everything is up it prints a single line beginning with
// "temporal devserver ready:" to stdout. It stops on SIGINT or SIGTERM.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

// readyPrefix starts the line printed once the frontend accepts connections.
// Scripts and tests may wait for it.
const readyPrefix = "temporal devserver ready:"

// errUsage reports a command line the flag package has already complained about.
var errUsage = errors.New("bad command line")

// namespaceList is a flag.Value that accepts both repeated flags and
// comma-separated lists.
type namespaceList []string

func (n *namespaceList) String() string { return strings.Join(*n, ",") }

func (n *namespaceList) Set(v string) error {
	for _, part := range strings.Split(v, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			return fmt.Errorf("empty namespace name in %q", v)
		}
		*n = append(*n, part)
	}
	return nil
}

func main() {
	err := run(os.Args[1:], os.Stdout, os.Stderr)
	switch {
	case errors.Is(err, errUsage):
		os.Exit(2) // the flag package has already explained
	case err != nil:
		fmt.Fprintf(os.Stderr, "devserver: %v\n", err)
		os.Exit(1)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("devserver", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		namespaces namespaceList
		cfg        config
		logLevel   string
	)
	fs.StringVar(&cfg.IP, "ip", "127.0.0.1", "IP address to bind the frontend and the web UI to")
	fs.IntVar(&cfg.Port, "port", 7233, "frontend gRPC port")
	fs.IntVar(&cfg.UIPort, "ui-port", 8233, "web UI HTTP port (0 disables the UI)")
	fs.StringVar(&cfg.DBFile, "db", "", "SQLite database file, created with its schema when missing (default: in-memory)")
	fs.Var(&namespaces, "namespace", "namespace to register before start; repeatable or comma-separated (default \"default\")")
	fs.StringVar(&cfg.Security.CertFile, "tls-cert", "", "PEM certificate (chain) of the frontend: TLS on the frontend")
	fs.StringVar(&cfg.Security.KeyFile, "tls-key", "", "PEM private key of --tls-cert")
	fs.StringVar(&cfg.Security.ClientCAFile, "tls-client-ca", "", "PEM CA bundle: clients must present a certificate signed by it (mTLS)")
	fs.StringVar(&cfg.Security.APIKey, "api-key", "", "API key every request must carry (the SDK's API-key credential); needs --tls-cert")
	fs.StringVar(&logLevel, "log-level", "warn", "server log level: debug, info, warn, error or none")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return errUsage
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %v", fs.Args())
	}

	// The server wants an IP address, not a host name.
	if cfg.IP == "localhost" {
		cfg.IP = "127.0.0.1"
	}
	if net.ParseIP(cfg.IP) == nil {
		return fmt.Errorf("--ip %q is not an IP address", cfg.IP)
	}
	if cfg.Port <= 0 || cfg.Port > 65535 {
		return fmt.Errorf("--port %d out of range", cfg.Port)
	}
	if cfg.UIPort < 0 || cfg.UIPort > 65535 {
		return fmt.Errorf("--ui-port %d out of range", cfg.UIPort)
	}
	if cfg.UIPort == cfg.Port {
		return fmt.Errorf("--ui-port and --port are both %d", cfg.Port)
	}
	if err := cfg.Security.check(); err != nil {
		return err
	}
	if len(namespaces) == 0 {
		namespaces = namespaceList{"default"}
	}
	cfg.Namespaces = dedupe(namespaces)

	level, err := parseLogLevel(logLevel)
	if err != nil {
		return err
	}
	cfg.Logger = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))

	// Fail early, with a clear message, on ports somebody else holds.
	if err := checkPortFree(cfg.IP, cfg.Port); err != nil {
		return fmt.Errorf("frontend port %d is not available: %w", cfg.Port, err)
	}
	if cfg.UIPort > 0 {
		if err := checkPortFree(cfg.IP, cfg.UIPort); err != nil {
			return fmt.Errorf("web UI port %d is not available: %w", cfg.UIPort, err)
		}
	}

	ctx, stopSignals := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stopSignals()

	started := time.Now()
	srv, err := start(cfg)
	if err != nil {
		return err
	}

	frontend := hostPort(cfg.IP, cfg.Port)
	if err := waitForListener(ctx, dialHost(cfg.IP), cfg.Port, 30*time.Second); err != nil {
		srv.stop()
		return fmt.Errorf("frontend %s did not accept connections: %w", frontend, err)
	}
	uiText := "disabled"
	if cfg.UIPort > 0 {
		if err := waitForListener(ctx, dialHost(cfg.IP), cfg.UIPort, 30*time.Second); err != nil {
			srv.stop()
			return fmt.Errorf("web UI on port %d did not come up: %w", cfg.UIPort, err)
		}
		uiText = "http://" + hostPort(cfg.IP, cfg.UIPort)
	}
	dbText := cfg.DBFile
	if dbText == "" {
		dbText = "in-memory"
	}
	nsLabel := "namespace"
	if len(cfg.Namespaces) > 1 {
		nsLabel = "namespaces"
	}
	fmt.Fprintf(stdout, "%s frontend %s, web UI %s, %s %s, db %s (started in %s)\n",
		readyPrefix, frontend+cfg.Security.describe(), uiText, nsLabel, strings.Join(cfg.Namespaces, ","), dbText,
		time.Since(started).Round(time.Millisecond))

	<-ctx.Done()
	// A second signal now kills the process the default way.
	stopSignals()
	fmt.Fprintln(stderr, "devserver: stopping")
	// The server logs a burst of expected warnings while shutting down.
	srv.quiet()
	srv.stop()
	fmt.Fprintln(stderr, "devserver: stopped")
	return nil
}

func parseLogLevel(s string) (slog.Level, error) {
	switch strings.ToLower(s) {
	case "none", "never", "off":
		return slog.Level(100), nil
	}
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return 0, fmt.Errorf("invalid --log-level %q (want debug, info, warn, error or none)", s)
	}
	return l, nil
}

func dedupe(in []string) []string {
	seen := make(map[string]bool, len(in))
	out := make([]string, 0, len(in))
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
