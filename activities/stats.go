package activities

import (
	"context"
	"fmt"
	"net/url"
	"talkwarehouse/tables"
	"talkwarehouse/warehouse"
	"talkwarehouse/zendesk"
	"time"
)

// syncStats takes one snapshot of a statistics endpoint. All its pages are
// read first and written as one batch stamped with the fetch time, so a
// snapshot is stored whole or not at all; these lists are small (one row
// per agent).
//
// The snapshot's time is its key, so a retried attempt must not take a new
// one: the fetch time is heartbeated before the insert, and an attempt that
// finds it first looks for the snapshot in ClickHouse (its insert may have
// been stored although the acknowledgement was lost), then stamps its own
// fetch with it, so that a retried insert replaces rather than adds.
//
// An OnlyChanges table (voice_settings) stores nothing when the fetched
// record is the same JSON value as the newest stored _raw (a note says so).
func (a *Activities) syncStats(ctx context.Context, run *run) error {
	t := run.table
	if at := run.checkpoint().SnapshotAt; at != 0 {
		n, err := a.Warehouse.SnapshotRows(ctx, t, warehouse.NewStamp(time.Unix(0, at)).SyncedAt)
		if err != nil {
			return err
		}
		if n > 0 {
			run.log.Info("statistics snapshot already stored by an earlier attempt", "table", t.Name, "rows", n)
			run.stored(warehouse.PageResult{Rows: map[string]int{t.Name: int(n)}})
			return nil
		}
	}
	fetchedAt := time.Now()
	var all zendesk.Page
	u := a.Zendesk.URL(t.Path, nil)
	if !t.Single {
		u = a.Zendesk.URL(t.Path, url.Values{"per_page": {fmt.Sprint(a.listPageSize())}})
	}
	err := a.Zendesk.List(ctx, u, t.Envelope, run.tally, func(p zendesk.Page, _ string) error {
		all.Records = append(all.Records, p.Records...)
		run.advance(nil, 1)
		return nil
	})
	if err != nil {
		return err
	}
	if t.OnlyChanges && len(all.Records) == 1 {
		// A change log (voice_settings): the same settings as the newest
		// stored row add nothing. An attempt whose insert was stored
		// although unacknowledged finds its own row here, so a retry
		// adds no copy either. (On a cluster a lagging replica may not
		// show the newest row yet: the worst case is a repeated row,
		// never a lost change.)
		latest, at, found, err := a.Warehouse.LatestRaw(ctx, t)
		if err != nil {
			return err
		}
		if found && tables.SameContent(latest, all.Records[0]) {
			run.note(fmt.Sprintf("%s unchanged since %s: no row stored", t.Name, at.Format(time.RFC3339)))
			return nil
		}
	}
	run.advance(func(cp *Checkpoint) {
		if cp.SnapshotAt == 0 {
			cp.SnapshotAt = fetchedAt.UnixNano()
		}
	}, 0)
	return run.write(ctx, a.Warehouse, all, time.Unix(0, run.checkpoint().SnapshotAt))
}
