package workflows

import (
	"errors"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"talkwarehouse/activities"
	"talkwarehouse/tables"
)

// LeaseName is the workflow type of a table lease, and ReleaseSignal the
// signal that ends it.
const (
	LeaseName     = "ZendeskTalkTableLease"
	ReleaseSignal = "release"
)

// TableLease holds a table for one sync: it runs until released (or until
// its parent sync closes, which terminates it). Its workflow id names the
// table, so while it runs no other sync can take the table.
func TableLease(ctx workflow.Context, holder string) error {
	workflow.GetSignalChannel(ctx, ReleaseSignal).Receive(ctx, nil)
	return nil
}

// LeaseID is the workflow id of the lease of a table synced on queue.
func LeaseID(queue, table string) string { return "talkwarehouse-lease-" + queue + "-" + table }

// acquireLease starts the table's lease. It returns a release function,
// or nil and the lease's id when another sync holds the table.
func acquireLease(ctx workflow.Context, queue, table, holder string) (release func(), heldBy string, err error) {
	id := LeaseID(queue, table)
	cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
		WorkflowID:            id,
		ParentClosePolicy:     enumspb.PARENT_CLOSE_POLICY_TERMINATE,
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
	})
	child := workflow.ExecuteChildWorkflow(cctx, LeaseName, holder)
	if err := child.GetChildWorkflowExecution().Get(ctx, nil); err != nil {
		var started *temporal.ChildWorkflowExecutionAlreadyStartedError
		if errors.As(err, &started) {
			return nil, id, nil
		}
		return nil, "", err
	}
	return func() {
		// Release and wait for the lease to end, so the next sync can take
		// the table as soon as this one is done with it.
		if err := child.SignalChildWorkflow(ctx, ReleaseSignal, nil).Get(ctx, nil); err == nil {
			_ = child.Get(ctx, nil)
		}
	}, "", nil
}

// skipped is the result of a source not synced, for every table of its family.
func skipped(s *tables.Table, reason string) activities.SyncTableResult {
	var r activities.SyncTableResult
	for _, t := range s.Family() {
		r.Tables = append(r.Tables, activities.TableResult{Table: t.Name, Kind: string(t.Kind), Skipped: true, Reason: reason})
	}
	return r
}
