package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	"talkwarehouse/activities"
	"talkwarehouse/workflows"
	"talkwarehouse/zendesk"
)

// exportsRole competes for the deployment's exports role (see
// workflows.ExportsRole) and, while it holds it, serves the exports' task
// queue with this process's export budget.
type exportsRole struct {
	tc     client.Client
	queue  string // TEMPORAL_TASK_QUEUE
	holder string // this process's own task queue
	acts   *activities.Activities
	zd     *zendesk.Client
	log    *slog.Logger
	// opts are the worker options of the main task queue (heartbeat
	// throttle), used by the holder's and the exports' workers too.
	opts worker.Options
}

// tryEvery is how often a worker without the role tries to take it.
const tryEvery = 3 * time.Second

func newExportsRole(tc client.Client, queue string, acts *activities.Activities, zd *zendesk.Client, log *slog.Logger, opts worker.Options) *exportsRole {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	host, _ := os.Hostname()
	return &exportsRole{tc: tc, queue: queue, acts: acts, zd: zd, log: log, opts: opts,
		holder: fmt.Sprintf("%s-holder-%s-%d-%s", queue, host, os.Getpid(), hex.EncodeToString(b))}
}

// start runs the holder worker and the loop that takes the role when it is
// free; both end with ctx. The returned stop waits for them.
func (r *exportsRole) start(ctx context.Context) (stop func(), err error) {
	hw := worker.New(r.tc, r.holder, r.opts)
	hw.RegisterActivityWithOptions(r.hold, activity.RegisterOptions{Name: workflows.HoldExportsRoleName})
	if err := hw.Start(); err != nil {
		return nil, fmt.Errorf("starting the exports role worker: %w", err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			r.tryTake(ctx)
			select {
			case <-ctx.Done():
				return
			case <-time.After(tryEvery):
			}
		}
	}()
	return func() { <-done; hw.Stop() }, nil
}

// tryTake starts the role's workflow unless a run is open.
func (r *exportsRole) tryTake(ctx context.Context) {
	id := workflows.ExportsRoleID(r.queue)
	var notBefore time.Time
	d, err := r.tc.DescribeWorkflowExecution(ctx, id, "")
	var nf *serviceerror.NotFound
	switch {
	case errors.As(err, &nf):
	case err != nil:
		return // Temporal unreachable: try again later
	case d.GetWorkflowExecutionInfo().GetStatus() == enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING:
		return
	default:
		// The previous holder may have spent the budget up to the moment
		// its run closed.
		notBefore = d.GetWorkflowExecutionInfo().GetCloseTime().AsTime().Add(r.zd.BudgetWindow())
	}
	_, err = r.tc.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: id, TaskQueue: r.queue,
		WorkflowIDReusePolicy:                    enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
		WorkflowExecutionErrorWhenAlreadyStarted: true,
	}, workflows.ExportsRoleName, workflows.ExportsRoleInput{HolderQueue: r.holder, NotBefore: notBefore})
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if err != nil && !errors.As(err, &started) && ctx.Err() == nil {
		r.log.Warn("cannot start the exports role", "error", err)
	}
}

// hold is the HoldExportsRole activity: it serves the exports' task queue
// until its context ends (worker stopping, or the role lost).
func (r *exportsRole) hold(ctx context.Context, in workflows.ExportsRoleInput) error {
	if time.Now().Before(in.NotBefore) {
		r.zd.HoldExports(in.NotBefore)
	}
	w := worker.New(r.tc, workflows.ExportTaskQueue(r.queue), r.opts)
	w.RegisterActivity(r.acts)
	if err := w.Start(); err != nil {
		return err
	}
	defer w.Stop()
	r.log.Info("serving the exports", "task_queue", workflows.ExportTaskQueue(r.queue), "budget_opens", in.NotBefore.UTC().Format(time.RFC3339))
	t := time.NewTicker(2 * time.Second)
	defer t.Stop()
	for {
		activity.RecordHeartbeat(ctx)
		select {
		case <-ctx.Done():
			r.log.Info("no longer serving the exports", "reason", ctx.Err())
			return ctx.Err()
		case <-t.C:
		}
	}
}
