package activities

import (
	"context"
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
)

// Leases answers the sync workflow's questions about a table lease (the
// child workflow that keeps a table to one sync at a time). It needs the
// worker's Temporal client.
type Leases struct {
	Temporal client.Client
	// HeartbeatEvery is how often AwaitLeaseRelease heartbeats (default 2 s).
	HeartbeatEvery time.Duration
}

// LeaseHolder names the sync that holds a lease.
type LeaseHolder struct {
	// WorkflowID and RunID are the holding sync's: the lease's parent.
	WorkflowID string `json:"workflow_id"`
	RunID      string `json:"run_id"`
	// LeaseID and LeaseRunID are the lease workflow's own.
	LeaseID    string `json:"lease_id"`
	LeaseRunID string `json:"lease_run_id"`
	// Open is false when the lease ended before it was described.
	Open bool `json:"open"`
}

// LeaseHolder describes the lease workflow leaseID (its latest run) and
// returns the sync that started it. A lease without a parent (started by
// hand) is its own holder.
func (l *Leases) LeaseHolder(ctx context.Context, leaseID string) (LeaseHolder, error) {
	d, err := l.Temporal.DescribeWorkflowExecution(ctx, leaseID, "")
	if err != nil {
		return LeaseHolder{}, fmt.Errorf("describing lease %s: %w", leaseID, err)
	}
	info := d.GetWorkflowExecutionInfo()
	h := LeaseHolder{WorkflowID: leaseID, LeaseID: leaseID, LeaseRunID: info.GetExecution().GetRunId(),
		Open: info.GetStatus() == enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING}
	if p := info.GetParentExecution(); p != nil && p.GetWorkflowId() != "" {
		h.WorkflowID, h.RunID = p.GetWorkflowId(), p.GetRunId()
	}
	return h, nil
}

// AwaitLeaseRelease returns once the lease run h names has closed, however
// it closed (released, or terminated with its sync). It heartbeats while it
// waits, so a cancelled sync stops waiting within seconds.
func (l *Leases) AwaitLeaseRelease(ctx context.Context, h LeaseHolder) error {
	stop := heartbeat(ctx, l.HeartbeatEvery, func() any { return h.WorkflowID })
	defer stop()
	err := l.Temporal.GetWorkflow(ctx, h.LeaseID, h.LeaseRunID).Get(ctx, nil)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if err == nil {
		return nil
	}
	// Closed other than by completing (terminated, say), or the wait itself
	// failed: ask again which.
	d, derr := l.Temporal.DescribeWorkflowExecution(ctx, h.LeaseID, h.LeaseRunID)
	if derr == nil && d.GetWorkflowExecutionInfo().GetStatus() != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
		return nil
	}
	return fmt.Errorf("waiting for lease %s: %w", h.LeaseID, err)
}
