package metrics

import (
	"net/http"
	"sync"
)

// Health is the worker's liveness and readiness, served next to /metrics:
// /healthz answers 200 "ok" while the process is up; /readyz answers 200
// once the worker polls its task queue, and 503 with the reason before
// that, after a fatal error or while it stops.
type Health struct {
	mu     sync.Mutex
	reason string // why the worker is not ready; "" when it is
}

// NewHealth is a Health not ready yet ("starting").
func NewHealth() *Health { return &Health{reason: "starting"} }

// Ready marks the worker ready.
func (h *Health) Ready() { h.set("") }

// NotReady marks the worker not ready, for reason (plain text, no secrets).
func (h *Health) NotReady(reason string) {
	if reason == "" {
		reason = "not ready"
	}
	h.set(reason)
}

func (h *Health) set(reason string) {
	h.mu.Lock()
	h.reason = reason
	h.mu.Unlock()
}

// Reason is why the worker is not ready, "" when it is.
func (h *Health) Reason() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.reason
}

// register adds /healthz and /readyz to mux.
func (h *Health) register(mux *http.ServeMux) {
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("/readyz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if reason := h.Reason(); reason != "" {
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write([]byte(reason + "\n"))
			return
		}
		w.Write([]byte("ok\n"))
	})
}
