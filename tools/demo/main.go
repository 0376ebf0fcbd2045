// Package demo runs the main job on one machine with embedded defaults: a
// local ClickHouse, the embedded Temporal devserver with its web UI, the
// Zendesk Talk simulator and the worker; then one full sync through the
// starter, and a few analytics queries printed from the warehouse.
//
// Its command is the root folder's demo module (demo/main.go), so that
//
//	go run ./demo [--calls 20000] [--keep]
//
// works from the repository root as the README says.
package demo

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"talkwarehouse/config"
	"talkwarehouse/internal/connect"
	"talkwarehouse/internal/stack"
	"talkwarehouse/talksim"
)

// The demo authenticates as Zendesk now requires: an OAuth client with
// client credentials, whose 30-minute access tokens the worker renews.
const (
	demoClientID     = "talkwarehouse-demo"
	demoClientSecret = "demo-client-secret"
	demoStart        = "2024-01-01T00:00:00Z"
	// demoTimezone is the simulated call centre's zone (the default of
	// talksim.Realistic), so days and hours in the views are its own.
	demoTimezone = "America/New_York"
)

// Main parses the demo's flags from os.Args and runs it; it exits 1 on failure.
func Main() {
	calls := flag.Int("calls", 20000, "calls in the simulated account, over four weeks (3 legs each)")
	keep := flag.Bool("keep", false, "keep everything running after the sync (web UI, simulator) until Ctrl-C")
	flag.Parse()
	if err := run(*calls, *keep); err != nil {
		fmt.Fprintf(os.Stderr, "demo: %v\n", err)
		os.Exit(1)
	}
}

func step(format string, args ...any) { fmt.Printf("==> "+format+"\n", args...) }

func run(calls int, keep bool) error {
	root, err := stack.Root()
	if err != nil {
		return err
	}
	dir := filepath.Join(root, ".demo")
	logs := filepath.Join(dir, "logs")
	_ = os.RemoveAll(logs)
	var stops []func()
	defer func() {
		for i := len(stops) - 1; i >= 0; i-- {
			stops[i]()
		}
	}()

	// ClickHouse: the one in CLICKHOUSE_ADDR, or a private local server.
	ch := config.ClickHouse{Addr: os.Getenv("CLICKHOUSE_ADDR"), Database: "zendesk_talk_demo", User: "default"}
	if u := os.Getenv("CLICKHOUSE_USER"); u != "" {
		ch.User = u
	}
	ch.Password = os.Getenv("CLICKHOUSE_PASSWORD")
	if ch.Addr == "" {
		if stack.ClickHouseServer() == "" {
			if err := installClickHouse(); err != nil {
				return err
			}
		}
		chDir := filepath.Join(dir, "clickhouse")
		_ = os.RemoveAll(chDir)
		p, addr, err := stack.StartClickHouse(chDir)
		if err != nil {
			return err
		}
		stops = append(stops, p.Stop)
		ch.Addr = addr
		step("ClickHouse started on %s (data in %s)", addr, chDir)
	} else {
		step("using ClickHouse at %s (CLICKHOUSE_ADDR)", ch.Addr)
	}

	step("building devserver, worker and starter (the first build of the Temporal server takes about 5 minutes)")
	t0 := time.Now()
	bins, err := stack.Build(context.Background(), filepath.Join(dir, "bin"), "./tools/devserver", "./worker", "./starter")
	if err != nil {
		return err
	}
	step("built in %s", time.Since(t0).Round(time.Second))

	temporal, err := stack.StartDevserver(bins["./tools/devserver"], logs, "", false)
	if err != nil {
		return err
	}
	stops = append(stops, temporal.Stop)
	step("Temporal devserver on %s, web UI %s", temporal.Frontend, temporal.UI)

	// Four weeks of a New York call centre, read in New York days.
	simCfg := talksim.RealisticConfig()
	simCfg.Calls = calls
	simCfg.OAuthClientID, simCfg.OAuthClientSecret = demoClientID, demoClientSecret
	simCfg.TokenLifetime = 30 * time.Minute
	sim := talksim.New(simCfg)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: sim.Handler()}
	go srv.Serve(ln)
	stops = append(stops, func() { srv.Close() })
	simURL := "http://" + ln.Addr().String()
	step("Zendesk Talk simulator on %s (%d calls over four weeks, %d legs)", simURL, calls, sim.Expected()["call_legs"])

	env := []string{
		"ZENDESK_BASE_URL=" + simURL, "ZENDESK_EMAIL=", "ZENDESK_API_TOKEN=", "ZENDESK_OAUTH_TOKEN=",
		"ZENDESK_OAUTH_CLIENT_ID=" + demoClientID, "ZENDESK_OAUTH_CLIENT_SECRET=" + demoClientSecret,
		"ZENDESK_OAUTH_REFRESH_TOKEN=", "ZENDESK_OAUTH_STATE_FILE=",
		"ZENDESK_START_DATE=" + demoStart, "ZENDESK_EXPORT_RPM=0", "ZENDESK_RPM=0",
		"CLICKHOUSE_ADDR=" + ch.Addr, "CLICKHOUSE_DATABASE=" + ch.Database, "CLICKHOUSE_USER=" + ch.User,
		"CLICKHOUSE_PASSWORD=" + ch.Password, "ANALYTICS_TIMEZONE=" + demoTimezone,
		"TEMPORAL_ADDRESS=" + temporal.Frontend, "TEMPORAL_NAMESPACE=default", "TEMPORAL_TASK_QUEUE=talkwarehouse-demo",
		"TEMPORAL_UI_ADDRESS=" + temporal.UI,
	}
	worker, err := stack.Start("worker", logs, bins["./worker"], env)
	if err != nil {
		return err
	}
	stops = append(stops, worker.Stop)
	if err := waitLog(worker, "worker ready", 60*time.Second); err != nil {
		return err
	}
	step("worker ready (log: %s)", worker.Log)

	step("starter check (OAuth client credentials: a token, then one request per table)")
	check := exec.Command(bins["./starter"], "check")
	check.Env = append(os.Environ(), env...)
	check.Stdout, check.Stderr = os.Stdout, os.Stderr
	if err := check.Run(); err != nil {
		return fmt.Errorf("starter check failed: %v", err)
	}

	step("starter sync --wait")
	cmd := exec.Command(bins["./starter"], "sync", "--wait")
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("sync failed: %v (worker log: %s)", err, worker.Log)
	}

	wh, err := connect.Warehouse(context.Background(), ch, config.Analytics{}, nil)
	if err != nil {
		return err
	}
	defer wh.Close()
	if err := printAnalytics(wh); err != nil {
		return err
	}

	if keep {
		step("everything keeps running: web UI %s, ClickHouse %s (database %s). Ctrl-C stops.", temporal.UI, ch.Addr, ch.Database)
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
		<-sig
	}
	step("stopping")
	return nil
}

// tail is the end of s, at most n bytes.
func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

func waitLog(p *stack.Process, needle string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for !strings.Contains(p.Tail(1<<20), needle) {
		if done, err := p.Exited(); done {
			return fmt.Errorf("%s exited (%v):\n%s", p.Name, err, p.Tail(3000))
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s not ready after %v:\n%s", p.Name, timeout, p.Tail(3000))
		}
		time.Sleep(50 * time.Millisecond)
	}
	return nil
}

// installClickHouse installs Debian's clickhouse-server when it is missing
// and the demo may use apt-get (root, or sudo without a password).
func installClickHouse() error {
	var prefix []string
	if os.Geteuid() != 0 {
		if _, err := exec.LookPath("sudo"); err != nil {
			return fmt.Errorf("clickhouse-server is not installed: run sudo apt-get install -y clickhouse-server clickhouse-client, or set CLICKHOUSE_ADDR")
		}
		prefix = []string{"sudo", "-n"}
	}
	// apt-get's progress and dpkg's unpacking lines stay out of the demo's
	// output; they are shown only if a step fails.
	step("installing Debian's clickhouse-server and clickhouse-client with apt-get (its output is shown only on failure)")
	for _, args := range [][]string{{"apt-get", "update", "-qq"}, {"apt-get", "install", "-y", "-qq", "clickhouse-server", "clickhouse-client"}} {
		full := append(append([]string{}, prefix...), args...)
		cmd := exec.Command(full[0], full[1:]...)
		cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("%s: %v\n%s", strings.Join(full, " "), err, tail(out.String(), 3000))
		}
	}
	return nil
}
