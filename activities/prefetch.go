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
// either side stops both. When no page has come for idleAfter (the rate
// budget is waiting, say), idle is called, so that what store buffered is
// written instead of waiting with it. When stop closes (the worker is
// stopping), the fetch ends and stopped's error is returned: it stores what
// store holds.
func prefetchExport(ctx context.Context, zd *zendesk.Client, t *tables.Table, start zendesk.ExportCursor, tally *zendesk.Tally,
	store func(p zendesk.Page, next zendesk.ExportCursor, last bool) error, idle func() error, idleAfter time.Duration,
	stop <-chan struct{}, stopped func() error) error {
	fctx, cancel := context.WithCancel(ctx)
	defer cancel()
	pages := make(chan exportPage, 1)
	fetchErr := make(chan error, 1)
	go func() {
		defer close(pages)
		_, err := zd.Export(fctx, t.Path, t.Envelope, start, tally, func(p zendesk.Page, next zendesk.ExportCursor, last bool) error {
			ep := exportPage{p, next, last}
			// A page fetched is handed over even when the fetch was just
			// cancelled (a stopping worker stores it).
			select {
			case pages <- ep:
				return nil
			default:
			}
			select {
			case pages <- ep:
				return nil
			case <-fctx.Done():
				return fctx.Err()
			}
		})
		fetchErr <- err
	}()
	end := func(err error) error {
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
				return end(err)
			}
		case <-timer.C:
			if err := idle(); err != nil {
				return end(err)
			}
		case <-stop:
			// No new request; the pages already fetched are stored with
			// the rest, so that the next attempt fetches again only the
			// request that was in flight.
			cancel()
			for ep := range pages {
				if err := store(ep.page, ep.next, ep.last); err != nil {
					return end(err)
				}
				if ep.last {
					<-fetchErr
					return nil
				}
			}
			<-fetchErr
			return stopped()
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
