package activities

import (
	"context"

	"talkwarehouse/warehouse"
)

// RecordRuns writes the sync_runs rows of one sync; the workflow calls it
// once every table has finished, failures included.
func (a *Activities) RecordRuns(ctx context.Context, runs []warehouse.Run) error {
	return a.Warehouse.RecordRuns(ctx, runs)
}
