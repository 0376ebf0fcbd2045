package main

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"talkwarehouse/talksim"
)

// Credentials the simulator accepts and the sync sends. Not secrets: the
// simulator is private to this process.
const (
	benchEmail = "bench@example.com"
	benchToken = "bench-token"
)

// simStart is where the simulated exports begin (ZENDESK_START_DATE).
var simStart = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// simServer is one in-process simulator on a loopback port.
type simServer struct {
	Sim *talksim.Sim
	URL string // http://127.0.0.1:port (without the API prefix)
	srv *http.Server
}

// simLatency is added before every export response (--latency): the
// simulator answers in a few ms, the real API in hundreds.
var simLatency time.Duration

// startSim serves a fresh simulator of calls×legs. exportRPM and accountRPM
// of 0 mean no rate limits.
func startSim(calls, legs, exportRPM, accountRPM int) (*simServer, error) {
	cfg := talksim.DefaultConfig()
	if *realisticFlag {
		cfg = talksim.RealisticConfig()
	}
	cfg.Calls, cfg.LegsPerCall, cfg.Start = calls, legs, simStart
	cfg.Email, cfg.APIToken = benchEmail, benchToken
	cfg.ExportRPM, cfg.AccountRPM = exportRPM, accountRPM
	s := talksim.New(cfg)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	h := s.Handler()
	if d := simLatency; d > 0 {
		inner := h
		h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.Contains(r.URL.Path, "/stats/incremental/") {
				time.Sleep(d)
			}
			inner.ServeHTTP(w, r)
		})
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return &simServer{Sim: s, URL: "http://" + ln.Addr().String(), srv: srv}, nil
}

func (s *simServer) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = s.srv.Shutdown(ctx)
}

// exportDef is one incremental export as the sync reads it.
type exportDef struct {
	Table, Path, Envelope string
}

var exports = []exportDef{
	{"calls", "/stats/incremental/calls", "calls"},
	{"call_legs", "/stats/incremental/legs", "legs"},
}

// quietLog drops the warehouse's info lines (applied migrations).
var quietLog = slog.New(slog.NewTextHandler(io.Discard, nil))
