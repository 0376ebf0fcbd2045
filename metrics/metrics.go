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

// Server serves /metrics, and /healthz and /readyz (see Health).
type Server struct {
	Handler sdkmetrics.MetricsHandler // pass to client.Options.MetricsHandler
	Addr    string                    // the address actually listened on
	closer  io.Closer
	srv     *http.Server
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
	s := &Server{Handler: handler{scope}, Addr: ln.Addr().String(), closer: closer, srv: &http.Server{Handler: mux}}
	go func() {
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("metrics server stopped", "error", err)
		}
	}()
	return s, nil
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
