package zendesk

import (
	"testing"
	"time"
)

// The budget is spent at once, then each request waits exactly until the
// oldest one leaves the window.
func TestLimiterSpendsWholeBudgetThenSlides(t *testing.T) {
	now := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	l := NewLimiter(10, time.Minute)
	l.now = func() time.Time { return now }
	for i := 0; i < 10; i++ {
		if d := l.reserve(); d != 0 {
			t.Fatalf("request %d waits %v, want 0", i+1, d)
		}
		now = now.Add(time.Second)
	}
	// 10 requests at t=0..9s; the 11th at t=10s waits until t=60s.
	if d := l.reserve(); d != 50*time.Second {
		t.Fatalf("11th waits %v, want 50s", d)
	}
	now = now.Add(50 * time.Second)
	if d := l.reserve(); d != 0 {
		t.Fatalf("at t=60s waits %v, want 0", d)
	}
	if d := l.reserve(); d != time.Second {
		t.Fatalf("next waits %v, want 1s (the t=1s request leaves at 61s)", d)
	}
}

func TestLimiterPauseHoldsEveryone(t *testing.T) {
	now := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	l := NewLimiter(0, time.Minute) // unlimited, but a 429 still pauses
	l.now = func() time.Time { return now }
	l.PauseUntil(now.Add(7 * time.Second))
	if d := l.reserve(); d != 7*time.Second {
		t.Fatalf("paused wait %v, want 7s", d)
	}
	now = now.Add(7 * time.Second)
	if d := l.reserve(); d != 0 {
		t.Fatalf("after pause wait %v", d)
	}
}
