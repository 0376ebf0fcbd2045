package talksim

import (
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// FaultKind is one way a request can fail. The string values are what the
// talksim command accepts in -fault-kinds.
type FaultKind string

const (
	Fault429RetryAfter   FaultKind = "429"                // 429 with Retry-After: 1
	Fault429NoRetryAfter FaultKind = "429-no-retry-after" // 429 without the header: client must back off on its own
	Fault500             FaultKind = "500"
	Fault503             FaultKind = "503"
	FaultTruncatedJSON   FaultKind = "truncated" // 200, complete HTTP response, body cut mid-JSON
	FaultHTMLError       FaultKind = "html"      // 502 with an HTML page (proxy error)
	FaultHTML200         FaultKind = "html200"   // 200 with an HTML page (maintenance page)
	FaultReset           FaultKind = "reset"     // connection closed without a response
	FaultSlow            FaultKind = "slow"      // sleeps Faults.SlowDelay, then answers normally
)

// AllFaultKinds lists every kind, FaultSlow last.
func AllFaultKinds() []FaultKind {
	return []FaultKind{Fault429RetryAfter, Fault429NoRetryAfter, Fault500, Fault503, FaultTruncatedJSON, FaultHTMLError, FaultHTML200, FaultReset, FaultSlow}
}

// ParseFaultKind accepts the string form of a FaultKind.
func ParseFaultKind(s string) (FaultKind, error) {
	for _, k := range AllFaultKinds() {
		if string(k) == strings.TrimSpace(s) {
			return k, nil
		}
	}
	return "", fmt.Errorf("talksim: unknown fault kind %q (want one of %v)", s, AllFaultKinds())
}

// DefaultSlowDelay is longer than the usual 30 s client timeout.
const DefaultSlowDelay = 35 * time.Second

// Faults injects failures deterministically: every Every-th eligible request
// fails, cycling through Kinds, so "one request in five fails, each time
// differently" is Faults{Every: 5}.
type Faults struct {
	Every     int           // 0: no periodic faults
	Kinds     []FaultKind   // empty: every kind except FaultSlow (it would stall tests)
	SlowDelay time.Duration // for FaultSlow; 0: DefaultSlowDelay
	Paths     []string      // API paths eligible for periodic faults; empty: all
}

type faultState struct {
	cfg        Faults
	paths      map[string]bool
	n          int64                  // eligible requests seen since SetFaults
	next       map[string][]FaultKind // FailNext queues by path ("*": any)
	status     map[string]int         // FailStatus by path ("*": any)
	after      map[string]*failAfter  // FailStatusAfter by path ("*": any)
	served     int
	servedKind map[FaultKind]int
}

func (f *faultState) set(cfg Faults) {
	if len(cfg.Kinds) == 0 {
		all := AllFaultKinds()
		cfg.Kinds = all[:len(all)-1]
	} else {
		cfg.Kinds = append([]FaultKind(nil), cfg.Kinds...)
	}
	if cfg.SlowDelay <= 0 {
		cfg.SlowDelay = DefaultSlowDelay
	}
	f.paths = nil
	for _, p := range cfg.Paths {
		if f.paths == nil {
			f.paths = map[string]bool{}
		}
		f.paths[userPath(p)] = true
	}
	f.cfg = cfg
	f.n = 0
}

// SetFaults replaces the periodic fault configuration and restarts its count.
func (s *Sim) SetFaults(f Faults) {
	s.fmu.Lock()
	defer s.fmu.Unlock()
	s.faults.set(f)
}

// FailNext makes the next n requests to path (an API path such as
// "/stats/incremental/calls"; "*" or "" for any) fail with kind. Calls
// queue up; n <= 0 clears the path's queue.
func (s *Sim) FailNext(path string, n int, kind FaultKind) {
	path = anyPath(userPath(path))
	s.fmu.Lock()
	defer s.fmu.Unlock()
	if n <= 0 {
		delete(s.faults.next, path)
		return
	}
	for range n {
		s.faults.next[path] = append(s.faults.next[path], kind)
	}
}

// FailStatus makes every request to path ("*" or "" for all paths) answer
// status with Zendesk's body for it (401, 403, 404, 429, 5xx...) until
// cleared with status 0.
func (s *Sim) FailStatus(path string, status int) {
	path = anyPath(userPath(path))
	s.fmu.Lock()
	defer s.fmu.Unlock()
	if status == 0 {
		delete(s.faults.status, path)
		return
	}
	s.faults.status[path] = status
}

// failAfter lets ok more requests through, then answers status.
type failAfter struct{ ok, status int }

// FailStatusAfter lets the next n requests to path ("*" or "" for any)
// through, then answers every later one with status (with Zendesk's body
// for it, as FailStatus), until cleared with status 0: credentials revoked
// in the middle of an export are FailStatusAfter("/stats/incremental/legs",
// 6, 401). Requests that another fault answers do not count.
func (s *Sim) FailStatusAfter(path string, n, status int) {
	path = anyPath(userPath(path))
	s.fmu.Lock()
	defer s.fmu.Unlock()
	if status == 0 {
		delete(s.faults.after, path)
		return
	}
	s.faults.after[path] = &failAfter{ok: max(n, 0), status: status}
}

// ClearFaults removes every periodic, queued and persistent fault.
func (s *Sim) ClearFaults() {
	s.fmu.Lock()
	defer s.fmu.Unlock()
	s.faults.set(Faults{})
	s.faults.next = map[string][]FaultKind{}
	s.faults.status = map[string]int{}
	s.faults.after = map[string]*failAfter{}
}

// FaultsServed is the number of requests answered with an injected fault
// (FailStatus included). Faulted requests also count in Requests().
func (s *Sim) FaultsServed() int {
	s.fmu.Lock()
	defer s.fmu.Unlock()
	return s.faults.served
}

// FaultsServedByKind breaks FaultsServed down; FailStatus faults are keyed
// "status-NNN".
func (s *Sim) FaultsServedByKind() map[FaultKind]int {
	s.fmu.Lock()
	defer s.fmu.Unlock()
	m := make(map[FaultKind]int, len(s.faults.servedKind))
	for k, v := range s.faults.servedKind {
		m[k] = v
	}
	return m
}

func anyPath(p string) string {
	if p == "" {
		return "*"
	}
	return p
}

// pickFault decides the fate of one request: a persistent status, a queued
// fault, a periodic one, or none.
func (s *Sim) pickFault(path string) (FaultKind, int, time.Duration) {
	s.fmu.Lock()
	defer s.fmu.Unlock()
	f := &s.faults
	note := func(k FaultKind) {
		f.served++
		f.servedKind[k]++
	}
	for _, p := range []string{path, "*"} {
		if st, ok := f.status[p]; ok {
			note(FaultKind("status-" + strconv.Itoa(st)))
			return "", st, 0
		}
	}
	for _, p := range []string{path, "*"} {
		if a, ok := f.after[p]; ok && a.ok == 0 {
			note(FaultKind("status-" + strconv.Itoa(a.status)))
			return "", a.status, 0
		}
	}
	for _, p := range []string{path, "*"} {
		if q := f.next[p]; len(q) > 0 {
			k := q[0]
			if len(q) == 1 {
				delete(f.next, p)
			} else {
				f.next[p] = q[1:]
			}
			note(k)
			return k, 0, f.cfg.SlowDelay
		}
	}
	if f.cfg.Every > 0 && (f.paths == nil || f.paths[path]) {
		f.n++
		if f.n%int64(f.cfg.Every) == 0 {
			k := f.cfg.Kinds[int((f.n/int64(f.cfg.Every)-1)%int64(len(f.cfg.Kinds)))]
			note(k)
			return k, 0, f.cfg.SlowDelay
		}
	}
	for _, p := range []string{path, "*"} {
		if a, ok := f.after[p]; ok {
			a.ok--
		}
	}
	return "", 0, 0
}

const html502 = `<html>
<head><title>502 Bad Gateway</title></head>
<body>
<center><h1>502 Bad Gateway</h1></center>
<hr><center>cloudflare</center>
</body>
</html>
`

const html200 = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Zendesk - Scheduled maintenance</title></head>
<body><h1>We'll be right back</h1><p>Zendesk is undergoing scheduled maintenance.</p></body></html>
`

// writeFault answers with an injected fault of the simple kinds.
func writeFault(w http.ResponseWriter, k FaultKind) {
	switch k {
	case Fault429RetryAfter:
		w.Header().Set("Retry-After", "1")
		writeJSON(w, http.StatusTooManyRequests, []byte(`{"error":"TooManyRequests","description":"Rate limit exceeded"}`))
	case Fault429NoRetryAfter:
		writeJSON(w, http.StatusTooManyRequests, []byte(`{"error":"TooManyRequests","description":"Rate limit exceeded"}`))
	case Fault500:
		writeJSON(w, http.StatusInternalServerError, []byte(`{"error":"InternalServerError","description":"Something went wrong"}`))
	case Fault503:
		writeJSON(w, http.StatusServiceUnavailable, []byte(`{"error":"ServiceUnavailable","description":"Service temporarily unavailable"}`))
	case FaultHTMLError:
		writeHTML(w, http.StatusBadGateway, html502)
	case FaultHTML200:
		writeHTML(w, http.StatusOK, html200)
	default:
		writeJSON(w, http.StatusInternalServerError, []byte(`{"error":"InternalServerError"}`))
	}
}

func writeHTML(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}

// resetConn drops the connection without a response (RST where possible).
func resetConn(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		// HTTP/2 and recorders cannot hijack; aborting the handler makes the
		// server drop the stream instead.
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

// captureWriter buffers a response so FaultTruncatedJSON can cut it.
type captureWriter struct {
	h      http.Header
	status int
	body   []byte
}

func (c *captureWriter) Header() http.Header { return c.h }
func (c *captureWriter) WriteHeader(st int) {
	if c.status == 0 {
		c.status = st
	}
}
func (c *captureWriter) Write(p []byte) (int, error) {
	if c.status == 0 {
		c.status = http.StatusOK
	}
	c.body = append(c.body, p...)
	return len(p), nil
}
