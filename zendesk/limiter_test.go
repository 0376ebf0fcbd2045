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
		if d, _ := l.reserve(); d != 0 {
			t.Fatalf("request %d waits %v, want 0", i+1, d)
		}
		now = now.Add(time.Second)
	}
	// 10 requests at t=0..9s; the 11th at t=10s waits until t=60s.
	if d, _ := l.reserve(); d != 50*time.Second {
		t.Fatalf("11th waits %v, want 50s", d)
	}
	now = now.Add(50 * time.Second)
	if d, _ := l.reserve(); d != 0 {
		t.Fatalf("at t=60s waits %v, want 0", d)
	}
	if d, _ := l.reserve(); d != time.Second {
		t.Fatalf("next waits %v, want 1s (the t=1s request leaves at 61s)", d)
	}
}

func TestLimiterPauseHoldsEveryone(t *testing.T) {
	now := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	l := NewLimiter(0, time.Minute) // unlimited, but a 429 still pauses
	l.now = func() time.Time { return now }
	l.PauseUntil(now.Add(7 * time.Second))
	if d, _ := l.reserve(); d != 7*time.Second {
		t.Fatalf("paused wait %v, want 7s", d)
	}
	now = now.Add(7 * time.Second)
	if d, _ := l.reserve(); d != 0 {
		t.Fatalf("after pause wait %v", d)
	}
}

// A slot counts from when the answer arrived, as the server counts it.
func TestLimiterCountsFromTheAnswer(t *testing.T) {
	now := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	l := NewLimiter(1, time.Minute)
	l.now = func() time.Time { return now }
	_, slot := l.reserve()
	now = now.Add(2 * time.Second) // the answer takes 2 s
	l.Answered(slot)
	now = now.Add(58 * time.Second)
	if d, _ := l.reserve(); d != 2*time.Second {
		t.Fatalf("next request waits %v, want 2s (a minute after the answer)", d)
	}
}
