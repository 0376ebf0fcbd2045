package main

import (
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"
)

// timingTransport wraps the zendesk client's transport and records, per
// request, when it was sent and when its body was read to the end: that
// is all of a page's timing visible from outside the product. The client
// reads a body whole before decoding it, so [start, eof] is the fetch
// (HTTP + read). The exports prefetch one page, so the gap from one page's
// eof to the next request of the same export is the envelope decode plus
// the wait for the writer to take the page (or, under limits, for the rate
// budget).
type timingTransport struct {
	base http.RoundTripper
	mu   sync.Mutex
	reqs []*reqTiming
}

type reqTiming struct {
	Table      string
	Start, EOF time.Time
	Status     int
}

func newTimingTransport() *timingTransport {
	return &timingTransport{base: http.DefaultTransport}
}

func (t *timingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	rt := &reqTiming{Table: tableOfPath(req.URL.Path), Start: time.Now()}
	t.mu.Lock()
	t.reqs = append(t.reqs, rt)
	t.mu.Unlock()
	resp, err := t.base.RoundTrip(req)
	if err != nil {
		rt.EOF = time.Now()
		return resp, err
	}
	rt.Status = resp.StatusCode
	resp.Body = &timedBody{ReadCloser: resp.Body, rt: rt}
	return resp, nil
}

func tableOfPath(p string) string {
	for _, ex := range exports {
		if strings.Contains(p, ex.Path) {
			return ex.Table
		}
	}
	return p
}

type timedBody struct {
	io.ReadCloser
	rt *reqTiming
}

func (b *timedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil && b.rt.EOF.IsZero() {
		b.rt.EOF = time.Now()
	}
	return n, err
}

func (b *timedBody) Close() error {
	if b.rt.EOF.IsZero() {
		b.rt.EOF = time.Now()
	}
	return b.ReadCloser.Close()
}

// exportTiming sums one export's requests.
type exportTiming struct {
	Requests, Status429 int
	Fetch               time.Duration // Σ request → body read
	Gap                 time.Duration // Σ body read → next request of the export
}

// summarize groups the requests by export.
func (t *timingTransport) summarize() map[string]*exportTiming {
	out := map[string]*exportTiming{}
	prev := map[string]*reqTiming{}
	for _, r := range t.sorted() {
		e := out[r.Table]
		if e == nil {
			e = &exportTiming{}
			out[r.Table] = e
		}
		e.Requests++
		if r.Status == http.StatusTooManyRequests {
			e.Status429++
		}
		e.Fetch += r.EOF.Sub(r.Start)
		if p := prev[r.Table]; p != nil && r.Start.After(p.EOF) {
			e.Gap += r.Start.Sub(p.EOF)
		}
		prev[r.Table] = r
	}
	return out
}

// reqPoint is one request on the timeline (--real-limits prints it).
type reqPoint struct {
	Table    string
	StartSec float64 // since the first request
	Status   int
}

func (t *timingTransport) timeline() []reqPoint {
	rs := t.sorted()
	var out []reqPoint
	for _, r := range rs {
		out = append(out, reqPoint{r.Table, r.Start.Sub(rs[0].Start).Seconds(), r.Status})
	}
	return out
}

func (t *timingTransport) sorted() []*reqTiming {
	t.mu.Lock()
	rs := append([]*reqTiming(nil), t.reqs...)
	t.mu.Unlock()
	sort.Slice(rs, func(i, j int) bool { return rs[i].Start.Before(rs[j].Start) })
	return rs
}
