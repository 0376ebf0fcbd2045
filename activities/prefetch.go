package activities

import (
	"context"
	"time"

	"talkwarehouse/tables"
	"talkwarehouse/zendesk"
)

// exportPage is one fetched page on its way to the warehouse.
type exportPage struct {
	page zendesk.Page
	next zendesk.ExportCursor
	last bool
}

// prefetchExport reads an export in a goroutine and hands each page to
// store, in order, in the caller's goroutine: the next page is fetched
// while the current one is inserted, so a sync costs little more than the
// fetch alone. At most one fetched page waits, so memory stays flat. store
// still advances the cursor only after its page is stored; an error on
// either side stops both. until (Unix seconds), when not 0, bounds the
// export above (zendesk.Client.ExportUntil). When no page has come for idleAfter (the rate
// budget is waiting, say), idle is called, so that what store buffered is
// written instead of waiting with it.
func prefetchExport(ctx context.Context, zd *zendesk.Client, t *tables.Table, start zendesk.ExportCursor, until int64, tally *zendesk.Tally,
	store func(p zendesk.Page, next zendesk.ExportCursor, last bool) error, idle func() error, idleAfter time.Duration) error {
	fctx, cancel := context.WithCancel(ctx)
	defer cancel()
	pages := make(chan exportPage, 1)
	fetchErr := make(chan error, 1)
	go func() {
		defer close(pages)
		send := func(p zendesk.Page, next zendesk.ExportCursor, last bool) error {
			select {
			case pages <- exportPage{p, next, last}:
				return nil
			case <-fctx.Done():
				return fctx.Err()
			}
		}
		var err error
		if until > 0 {
			_, err = zd.ExportUntil(fctx, t.Path, t.Envelope, start, until, tally, send)
		} else {
			_, err = zd.Export(fctx, t.Path, t.Envelope, start, tally, send)
		}
		fetchErr <- err
	}()
	stop := func(err error) error {
		cancel()
		for range pages { // let the fetcher finish
		}
		<-fetchErr
		return err
	}
	timer := time.NewTimer(idleAfter)
	defer timer.Stop()
	for {
		select {
		case ep, ok := <-pages:
			if !ok {
				return <-fetchErr
			}
			if err := store(ep.page, ep.next, ep.last); err != nil {
				return stop(err)
			}
		case <-timer.C:
			if err := idle(); err != nil {
				return stop(err)
			}
		}
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
		timer.Reset(idleAfter)
	}
}
