package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// The exports role: which one worker of a deployment polls the exports'
// task queue. The export budget (10 requests a minute) is the account's,
// and a worker keeps it in memory, so exactly one worker at a time may
// serve the exports. Every worker (with WORKER_SERVE_EXPORTS on) tries,
// every few seconds, to start the ExportsRole workflow, whose id is fixed
// per task queue: Temporal lets one run at a time. The run asks for one
// activity, HoldExportsRole, on the task queue of the worker that started
// it; that worker serves the exports while the activity heartbeats. When
// the worker dies, the heartbeat times out, the run ends, and another
// worker takes the role; it opens its budget only a full window after the
// previous run closed, so the account never sees more than the budget in
// any minute, even across the handover.
const (
	ExportsRoleName = "ZendeskTalkExportsRole"
	// HoldExportsRoleName is the activity the role's holder runs.
	HoldExportsRoleName = "HoldExportsRole"
	// RoleHeartbeatTimeout is how soon a dead holder loses the role.
	RoleHeartbeatTimeout = 10 * time.Second
)

// ExportsRoleID is the workflow id of the exports role of queue.
func ExportsRoleID(queue string) string { return "talkwarehouse-exports-role-" + queue }

// ExportsRoleInput names the worker taking the role.
type ExportsRoleInput struct {
	// HolderQueue is the task queue only that worker polls.
	HolderQueue string `json:"holder_queue"`
	// NotBefore is when the previous holder's budget window has passed:
	// no export request before it.
	NotBefore time.Time `json:"not_before"`
}

// ExportsRole lasts as long as its holder's HoldExportsRole activity: until
// the worker stops (cleanly or not).
func ExportsRole(ctx workflow.Context, in ExportsRoleInput) error {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		TaskQueue: in.HolderQueue,
		// The worker that started the run polls that queue; if it died
		// right after, the role is free again soon.
		ScheduleToStartTimeout: 15 * time.Second,
		StartToCloseTimeout:    10 * 365 * 24 * time.Hour,
		HeartbeatTimeout:       RoleHeartbeatTimeout,
		RetryPolicy:            &temporal.RetryPolicy{MaximumAttempts: 1},
	})
	return workflow.ExecuteActivity(ctx, HoldExportsRoleName, in).Get(ctx, nil)
}
