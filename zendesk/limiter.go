package zendesk

import (
	"context"
	"sort"
	"sync"
	"time"
)

// Limiter is a rolling-window budget: at most N requests in any window
// (a minute for Zendesk). It spends the whole budget at once and then admits
// the next request as soon as the oldest one leaves the window, which is as
// fast as the API allows, unlike an even pace. A 429 pauses every caller
// sharing the limiter until the server's Retry-After has passed.
type Limiter struct {
	n      int
	window time.Duration
	now    func() time.Time

	mu     sync.Mutex
	sent   []time.Time // times of admitted requests within the window, oldest first
	paused time.Time   // no request before this (from a 429)
}

// NewLimiter allows n requests per window; n <= 0 means no limit.
func NewLimiter(n int, window time.Duration) *Limiter {
	return &Limiter{n: n, window: window, now: time.Now}
}

// Wait blocks until a request may be sent, or ctx ends. It returns how long
// it waited, and the slot it took, to pass to Answered.
func (l *Limiter) Wait(ctx context.Context) (time.Duration, time.Time, error) {
	if l == nil {
		return 0, time.Time{}, nil
	}
	var waited time.Duration
	for {
		d, slot := l.reserve()
		if d <= 0 {
			return waited, slot, nil
		}
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return waited, time.Time{}, ctx.Err()
		case <-t.C:
			waited += d
		}
	}
}

// reserve admits a request now and returns 0 and its slot, or returns how
// long to wait.
func (l *Limiter) reserve() (time.Duration, time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if now.Before(l.paused) {
		return l.paused.Sub(now), time.Time{}
	}
	if l.n <= 0 {
		return 0, time.Time{}
	}
	cut := 0
	for cut < len(l.sent) && now.Sub(l.sent[cut]) >= l.window {
		cut++
	}
	l.sent = l.sent[cut:]
	if len(l.sent) < l.n {
		l.sent = append(l.sent, now)
		return 0, now
	}
	// After SetLimit lowered n, more than n may still be in the window:
	// the next slot frees when the (len-n+1)-th oldest leaves.
	return l.sent[len(l.sent)-l.n].Add(l.window).Sub(now), time.Time{}
}

// SetLimit changes the budget to n requests per window (n <= 0: no
// limit). Requests already admitted keep counting until they leave the
// window, so a lowered budget holds callers until the window has room.
func (l *Limiter) SetLimit(n int) {
	if l == nil {
		return
	}
	l.mu.Lock()
	l.n = n
	l.mu.Unlock()
}

// Limit is the budget in requests per window (0: no limit).
func (l *Limiter) Limit() int {
	if l == nil {
		return 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return max(l.n, 0)
}

// Answered moves a slot to the time its answer arrived. The server counts
// a request when it arrives, after the client sent it; counting from the
// answer keeps the client from reusing the slot a round trip too early
// (which drew a 429 at each window's edge).
func (l *Limiter) Answered(slot time.Time) {
	if l == nil || slot.IsZero() {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for i, t := range l.sent {
		if t.Equal(slot) {
			l.sent[i] = l.now()
			sort.Slice(l.sent, func(a, b int) bool { return l.sent[a].Before(l.sent[b]) })
			return
		}
	}
}

// PauseUntil holds every caller until t (a server's Retry-After).
func (l *Limiter) PauseUntil(t time.Time) {
	if l == nil {
		return
	}
	l.mu.Lock()
	if t.After(l.paused) {
		l.paused = t
	}
	l.mu.Unlock()
}
