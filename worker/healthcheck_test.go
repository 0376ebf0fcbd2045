package main

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"talkwarehouse/metrics"
)

func TestHealthcheck(t *testing.T) {
	h := metrics.NewHealth()
	ms, err := metrics.Start("127.0.0.1:0", h, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer ms.Close()
	addr := ms.Addr

	mux := http.NewServeMux()
	mux.HandleFunc("/slow/readyz", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(5 * time.Second):
		case <-r.Context().Done():
		}
	})

	run := func(addr string) (int, string) {
		var out bytes.Buffer
		code := healthcheck(addr, &out)
		return code, out.String()
	}
	if code, out := run(addr); code != 1 || !strings.Contains(out, "503") || !strings.Contains(out, "starting") {
		t.Errorf("starting: %d %q", code, out)
	}
	h.Ready()
	if code, out := run(addr); code != 0 || out != "" {
		t.Errorf("ready: %d %q", code, out)
	}
	_, port, _ := strings.Cut(addr, ":")
	if code, out := run("0.0.0.0:" + port); code != 0 {
		t.Errorf("0.0.0.0 (all interfaces) is not reached on loopback: %d %q", code, out)
	}
	h.NotReady("stopping")
	if code, out := run(addr); code != 1 || !strings.Contains(out, "stopping") {
		t.Errorf("stopping: %d %q", code, out)
	}
	if code, out := run(""); code != 1 || !strings.Contains(out, "WORKER_METRICS_ADDR is empty") {
		t.Errorf("empty addr: %d %q", code, out)
	}
	ms.Close()
	if code, out := run(addr); code != 1 || out == "" {
		t.Errorf("nothing listening: %d %q", code, out)
	}
	// The 2 s timeout: a hung endpoint fails, and fast.
	slow := httptest.NewServer(mux)
	defer slow.Close()
	start := time.Now()
	if code, _ := run(strings.TrimPrefix(slow.URL, "http://") + "/slow"); code != 1 || time.Since(start) > 4*time.Second {
		t.Errorf("hung endpoint: %d after %v", code, time.Since(start))
	}
}
