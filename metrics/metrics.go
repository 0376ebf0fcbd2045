// Package metrics exposes the worker's metrics in Prometheus format: the
// Temporal SDK's own (workflow and activity task latencies, failures, …)
// and the sync's per-table counters, both through one SDK metrics handler
// backed by tally.
package metrics

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	tally "github.com/uber-go/tally/v4"
	promreporter "github.com/uber-go/tally/v4/prometheus"
	sdkmetrics "go.temporal.io/sdk/client"
)

// The sync's own counters, each tagged with the table.
const (
	Rows      = "talkwarehouse_rows_total"      // rows written
	Pages     = "talkwarehouse_pages_total"     // pages fetched
	Requests  = "talkwarehouse_requests_total"  // HTTP requests to Zendesk, retries included
	Throttled = "talkwarehouse_throttled_total" // 429 answers
	Retries   = "talkwarehouse_retries_total"   // transient faults retried
	Deleted   = "talkwarehouse_deleted_total"   // entities marked removed upstream
)

// The OAuth tokens' remaining lifetimes, in seconds at the time of the
// scrape (negative once expired), see WatchTokens.
const (
	RefreshTokenExpiresIn = "talkwarehouse_oauth_refresh_token_expires_in_seconds"
	AccessTokenExpiresIn  = "talkwarehouse_oauth_access_token_expires_in_seconds"
)

// Server serves /metrics, and /healthz and /readyz (see Health).
type Server struct {
	Handler sdkmetrics.MetricsHandler // pass to client.Options.MetricsHandler
	Addr    string                    // the address actually listened on
	closer  io.Closer
	srv     *http.Server
	reg     *prometheus.Registry
}

// Start listens on addr (host:port; port 0 picks one) and serves /metrics
// and health's /healthz and /readyz.
func Start(addr string, health *Health, log *slog.Logger) (*Server, error) {
	reg := prometheus.NewRegistry()
	reporter := promreporter.NewReporter(promreporter.Options{
		Registerer: reg,
		OnRegisterError: func(err error) {
			log.Warn("metric not registered", "error", err)
		},
	})
	scope, closer := tally.NewRootScope(tally.ScopeOptions{
		CachedReporter:  reporter,
		Separator:       promreporter.DefaultSeparator,
		SanitizeOptions: &promreporter.DefaultSanitizerOpts,
	}, time.Second)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		closer.Close()
		return nil, fmt.Errorf("metrics: cannot listen on %s (WORKER_METRICS_ADDR): %w", addr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", reporter.HTTPHandler())
	health.register(mux)
	s := &Server{Handler: handler{scope}, Addr: ln.Addr().String(), closer: closer, srv: &http.Server{Handler: mux}, reg: reg}
	go func() {
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("metrics server stopped", "error", err)
		}
	}()
	return s, nil
}

// TokenExpiry reports when the refresh token and the current access token
// expire; a zero time is unknown (no refresh token, no token yet, or no
// expiry), and its gauge is left out of the scrape.
type TokenExpiry func() (refresh, access time.Time)

// WatchTokens exposes RefreshTokenExpiresIn and AccessTokenExpiresIn,
// computed from f at each scrape. Call it once.
func (s *Server) WatchTokens(f TokenExpiry) error {
	return s.reg.Register(tokenCollector{f: f,
		refresh: prometheus.NewDesc(RefreshTokenExpiresIn, "Seconds until the Zendesk OAuth refresh token expires (negative: expired; run starter authorize).", nil, nil),
		access:  prometheus.NewDesc(AccessTokenExpiresIn, "Seconds until the current Zendesk OAuth access token expires (renewed shortly before).", nil, nil),
	})
}

type tokenCollector struct {
	f               TokenExpiry
	refresh, access *prometheus.Desc
}

func (c tokenCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.refresh; ch <- c.access }

func (c tokenCollector) Collect(ch chan<- prometheus.Metric) {
	refresh, access := c.f()
	now := time.Now()
	for _, m := range []struct {
		d  *prometheus.Desc
		at time.Time
	}{{c.refresh, refresh}, {c.access, access}} {
		if !m.at.IsZero() {
			ch <- prometheus.MustNewConstMetric(m.d, prometheus.GaugeValue, m.at.Sub(now).Seconds())
		}
	}
}

// Close stops serving and flushes.
func (s *Server) Close() error {
	s.srv.Close()
	return s.closer.Close()
}

// handler adapts a tally scope to the SDK's metrics handler.
type handler struct{ scope tally.Scope }

func (h handler) WithTags(tags map[string]string) sdkmetrics.MetricsHandler {
	return handler{h.scope.Tagged(tags)}
}
func (h handler) Counter(name string) sdkmetrics.MetricsCounter { return h.scope.Counter(name) }
func (h handler) Gauge(name string) sdkmetrics.MetricsGauge     { return h.scope.Gauge(name) }
func (h handler) Timer(name string) sdkmetrics.MetricsTimer     { return h.scope.Timer(name) }
