package activities

import (
	"context"
	"fmt"
	"net/url"
	"talkwarehouse/zendesk"
	"time"
)

// syncList reads a configuration table whole, following next_page, and
// resumes from the heartbeat's next page on a retry. Once the read is
// complete, entities it did not see are marked deleted, in every table of
// the family (a removed IVR takes its menus and routes with it). A read cut
// short returns before that, so it deletes nothing.
func (a *Activities) syncList(ctx context.Context, run *run) error {
	t := run.table
	run.advance(func(cp *Checkpoint) {
		if cp.SnapshotStart == 0 {
			cp.SnapshotStart = uint64(time.Now().UnixNano())
		}
	}, 0)
	u := run.cp.NextURL
	if u == "" {
		u = a.Zendesk.URL(t.Path, url.Values{"per_page": {fmt.Sprint(a.listPageSize())}})
	}
	err := a.Zendesk.List(ctx, u, t.Envelope, run.tally, func(p zendesk.Page, next string) error {
		if err := run.write(ctx, a.Warehouse, p, time.Now()); err != nil {
			return err
		}
		run.advance(func(cp *Checkpoint) { cp.NextURL = next }, 1)
		return nil
	})
	if err != nil {
		return err
	}
	for _, ft := range t.Family() {
		n, err := a.Warehouse.Tombstone(ctx, ft, run.cp.SnapshotStart)
		if err != nil {
			return err
		}
		run.deleted(ft.Name, int(n))
	}
	return nil
}
