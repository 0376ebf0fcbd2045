package activities

import (
	"context"
	"time"

	"go.temporal.io/sdk/activity"
)

// ExportStart says where an export of in.Table will begin, by the rule
// syncExport applies (exportStart, capped at now minus ZENDESK_EXPORT_LAG).
// The workflow runs it as a local activity, once the table's lease is held,
// only to name that time in the export's activity summary and in its
// current details; SyncTable still decides for itself when it runs (a
// heartbeat of an earlier attempt can move it later).
func (a *Activities) ExportStart(ctx context.Context, in SyncTableInput) (time.Time, error) {
	stored, found, err := a.Warehouse.LoadCursor(ctx, in.Table)
	if err != nil {
		return time.Time{}, err
	}
	start, _ := a.exportStart(stored, found, in.FullRefresh, activity.GetInfo(ctx).WorkflowExecution.RunID)
	return time.Unix(min(start.StartTime, a.exportStartLimit()), 0).UTC(), nil
}
