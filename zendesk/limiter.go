package zendesk

import (
	"context"
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
// it waited.
func (l *Limiter) Wait(ctx context.Context) (time.Duration, error) {
	if l == nil {
		return 0, nil
	}
	var waited time.Duration
	for {
		d := l.reserve()
		if d <= 0 {
			return waited, nil
		}
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return waited, ctx.Err()
		case <-t.C:
			waited += d
		}
	}
}

// reserve admits a request now and returns 0, or returns how long to wait.
func (l *Limiter) reserve() time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if now.Before(l.paused) {
		return l.paused.Sub(now)
	}
	if l.n <= 0 {
		return 0
	}
	cut := 0
	for cut < len(l.sent) && now.Sub(l.sent[cut]) >= l.window {
		cut++
	}
	l.sent = l.sent[cut:]
	if len(l.sent) < l.n {
		l.sent = append(l.sent, now)
		return 0
	}
	return l.sent[0].Add(l.window).Sub(now)
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
