package activities

import (
	"context"
	"time"
)

// ExportStart says where an export of in.Table will begin: its stored
// cursor, or ZENDESK_START_DATE on the first export or a full refresh (the
// rule syncExport applies). The workflow runs it as a local activity, once
// the table's lease is held, only to name that time in the export's
// activity summary and in its current details; SyncTable still decides
// for itself when it runs.
func (a *Activities) ExportStart(ctx context.Context, in SyncTableInput) (time.Time, error) {
	if in.FullRefresh {
		return a.StartDate.UTC(), nil
	}
	stored, found, err := a.Warehouse.LoadCursor(ctx, in.Table)
	if err != nil {
		return time.Time{}, err
	}
	if !found {
		return a.StartDate.UTC(), nil
	}
	return stored.Cursor.UTC(), nil
}
