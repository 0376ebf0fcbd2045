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

// exportRead is what prefetchExport reads and whom it hands the pages.
type exportRead struct {
	table *tables.Table
	start zendesk.ExportCursor
	// until (Unix seconds), when not 0, bounds the export above
	// (zendesk.Client.ExportUntil): a backfill's window.
	until int64
	tally *zendesk.Tally
	// store takes each page, in order, in the caller's goroutine.
	store func(p zendesk.Page, next zendesk.ExportCursor, last bool) error
	// idle is called when no page has come for idleAfter (the rate budget
	// is waiting, say), so that what store holds need not wait with it.
	idle      func() error
	idleAfter time.Duration
	// stop closes when the worker stops; stopped then ends the read (it
	// commits what store holds) and its error is returned.
	stop    <-chan struct{}
	stopped func() error
}

// prefetchExport reads an export in a goroutine and hands each page to
// r.store: the next page is fetched while the current one is inserted, so
// a sync costs little more than the fetch alone. At most one fetched page
// waits, so memory stays flat. store still advances the cursor only after
// its page is stored; an error on either side stops both.
func prefetchExport(ctx context.Context, zd *zendesk.Client, r exportRead) error {
	fctx, cancel := context.WithCancel(ctx)
	defer cancel()
	pages := make(chan exportPage, 1)
	fetchErr := make(chan error, 1)
	go func() {
		defer close(pages)
		send := func(p zendesk.Page, next zendesk.ExportCursor, last bool) error {
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
		}
		t := r.table
		var err error
		if r.until > 0 {
			_, err = zd.ExportUntil(fctx, t.Path, t.Envelope, r.start, r.until, r.tally, send)
		} else {
			_, err = zd.Export(fctx, t.Path, t.Envelope, r.start, r.tally, send)
		}
		fetchErr <- err
	}()
	end := func(err error) error {
		cancel()
		for range pages { // let the fetcher finish
		}
		<-fetchErr
		return err
	}
	timer := time.NewTimer(r.idleAfter)
	defer timer.Stop()
	for {
		select {
		case ep, ok := <-pages:
			if !ok {
				return <-fetchErr
			}
			if err := r.store(ep.page, ep.next, ep.last); err != nil {
				return end(err)
			}
		case <-timer.C:
			if err := r.idle(); err != nil {
				return end(err)
			}
		case <-r.stop:
			// No new request; the pages already fetched are stored with
			// the rest, so that the next attempt fetches again only the
			// request that was in flight.
			cancel()
			for ep := range pages {
				if err := r.store(ep.page, ep.next, ep.last); err != nil {
					return end(err)
				}
				if ep.last {
					<-fetchErr
					return nil
				}
			}
			<-fetchErr
			return r.stopped()
		}
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
		timer.Reset(r.idleAfter)
	}
}
