package activities

import (
	"context"
	"sync"
	"time"

	"go.temporal.io/sdk/activity"
)

// heartbeat records details() as the activity's heartbeat every every
// (DefaultHeartbeatEvery when 0 or less) until ctx ends or stop is called,
// so that an activity waiting (for the rate budget, a slow page, a lease)
// never looks like a dead worker, and a cancel reaches it within seconds.
// stop waits for the loop to end.
func heartbeat(ctx context.Context, every time.Duration, details func() any) (stop func()) {
	if every <= 0 {
		every = DefaultHeartbeatEvery
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-tick.C:
				activity.RecordHeartbeat(ctx, details())
			}
		}
	})
	return func() { close(done); wg.Wait() }
}
