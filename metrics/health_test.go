package metrics

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, strings.TrimSpace(string(body))
}

// /healthz is always 200; /readyz follows the states, with the reason.
func TestHealthStates(t *testing.T) {
	h := NewHealth()
	mux := http.NewServeMux()
	h.register(mux)
	srv := httptest.NewServer(mux)
	defer srv.Close()

	check := func(state string, wantCode int, wantBody string) {
		t.Helper()
		if code, body := get(t, srv.URL+"/healthz"); code != http.StatusOK || body != "ok" {
			t.Errorf("%s: /healthz %d %q, want 200 ok", state, code, body)
		}
		if code, body := get(t, srv.URL+"/readyz"); code != wantCode || body != wantBody {
			t.Errorf("%s: /readyz %d %q, want %d %q", state, code, body, wantCode, wantBody)
		}
	}
	check("new", http.StatusServiceUnavailable, "starting")
	h.Ready()
	check("ready", http.StatusOK, "ok")
	h.NotReady("worker fatal error: namespace not found")
	check("fatal", http.StatusServiceUnavailable, "worker fatal error: namespace not found")
	h.Ready()
	h.NotReady("stopping")
	check("stopping", http.StatusServiceUnavailable, "stopping")
	h.NotReady("")
	check("no reason", http.StatusServiceUnavailable, "not ready")
}

// Start serves the health endpoints beside /metrics.
func TestStartServesHealth(t *testing.T) {
	h := NewHealth()
	s, err := Start("127.0.0.1:0", h, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	base := "http://" + s.Addr
	if code, body := get(t, base+"/readyz"); code != http.StatusServiceUnavailable || body != "starting" {
		t.Errorf("/readyz before Ready: %d %q", code, body)
	}
	h.Ready()
	if code, _ := get(t, base+"/readyz"); code != http.StatusOK {
		t.Errorf("/readyz after Ready: %d", code)
	}
	if code, _ := get(t, base+"/healthz"); code != http.StatusOK {
		t.Errorf("/healthz: %d", code)
	}
	if code, _ := get(t, base+"/metrics"); code != http.StatusOK {
		t.Errorf("/metrics: %d", code)
	}
}
