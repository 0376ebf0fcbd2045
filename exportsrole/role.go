// Package exportsrole decides which one worker of a deployment serves the
// exports' task queue.
//
// The export budget (10 requests a minute) is the account's, and a worker
// keeps it in memory, so exactly one worker at a time may serve the
// exports. Every worker with WORKER_SERVE_EXPORTS on tries, every few
// seconds, to start the role's workflow, whose id is fixed per task queue:
// Temporal lets one run at a time. The run asks for one activity,
// HoldExportsRole, on the task queue of the worker that started it; that
// worker serves the exports while the activity heartbeats. When the worker
// dies, the heartbeat times out, the run ends, and another worker takes the
// role; it opens its budget only a full window after the previous run
// closed, so the account never sees more than the budget in any minute,
// even across the handover.
package exportsrole

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

const (
	// WorkflowName is the role's workflow type (kept from the first
	// release: running histories carry it).
	WorkflowName = "ZendeskTalkExportsRole"
	// HeartbeatTimeout is how soon a dead holder loses the role.
	HeartbeatTimeout = 10 * time.Second
	// holdScheduleToStart bounds how long the run waits for the worker
	// that started it: if that worker died right after, the role is free
	// again soon.
	holdScheduleToStart = 15 * time.Second
)

// WorkflowID is the workflow id of the exports role of the task queue
// queue (TEMPORAL_TASK_QUEUE).
func WorkflowID(queue string) string { return "talkwarehouse-exports-role-" + queue }

// Input names the worker taking the role.
type Input struct {
	// HolderQueue is the task queue only that worker polls.
	HolderQueue string `json:"holder_queue"`
	// NotBefore is when the previous holder's budget window has passed:
	// no export request before it.
	NotBefore time.Time `json:"not_before"`
}

// Workflow lasts as long as its holder's HoldExportsRole activity: until the
// worker stops (cleanly or not). It returns the activity's error: the
// role's end is never retried here, the next tryTake starts a new run.
func Workflow(ctx workflow.Context, in Input) error {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		TaskQueue:              in.HolderQueue,
		ScheduleToStartTimeout: holdScheduleToStart,
		StartToCloseTimeout:    10 * 365 * 24 * time.Hour,
		HeartbeatTimeout:       HeartbeatTimeout,
		RetryPolicy:            &temporal.RetryPolicy{MaximumAttempts: 1},
	})
	var h *Holder
	return workflow.ExecuteActivity(ctx, h.HoldExportsRole, in).Get(ctx, nil)
}
