package exportsrole

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
)

// Budget is the export budget the holder opens (zendesk.Client).
type Budget interface {
	// BudgetWindow is the budget's rolling window (a minute).
	BudgetWindow() time.Duration
	// HoldExports makes export requests wait until t.
	HoldExports(t time.Time)
}

// Options configure a Holder.
type Options struct {
	// Queue is the main task queue (TEMPORAL_TASK_QUEUE); the role's
	// workflow runs there.
	Queue string
	// ExportsQueue is the task queue the holder serves.
	ExportsQueue string
	// Register adds the export activities to the exports' worker.
	Register func(worker.Registry)
	// Worker are the options of the holder's and the exports' workers
	// (heartbeat throttle, stop timeout).
	Worker worker.Options
}

// Holder competes for the role and, while it holds it, serves the exports'
// task queue.
type Holder struct {
	tc     client.Client
	opt    Options
	budget Budget
	log    *slog.Logger
	holder string // this process's own task queue
	// serveExports starts the exports' worker; tests replace it.
	serveExports func() (stop func(), err error)
}

// tryEvery is how often a worker without the role tries to take it.
const tryEvery = 3 * time.Second

// New returns the holder of this process, with a task queue of its own
// (queue, host, pid and a random suffix).
func New(tc client.Client, budget Budget, log *slog.Logger, opt Options) *Holder {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	host, _ := os.Hostname()
	h := &Holder{tc: tc, opt: opt, budget: budget, log: log,
		holder: fmt.Sprintf("%s-holder-%s-%d-%s", opt.Queue, host, os.Getpid(), hex.EncodeToString(b))}
	h.serveExports = func() (func(), error) {
		w := worker.New(tc, opt.ExportsQueue, opt.Worker)
		opt.Register(w)
		if err := w.Start(); err != nil {
			return nil, err
		}
		return w.Stop, nil
	}
	return h
}

// Start runs the holder's worker and the loop that takes the role when it
// is free; both end with ctx. The returned stop waits for them.
func (h *Holder) Start(ctx context.Context) (stop func(), err error) {
	hw := worker.New(h.tc, h.holder, h.opt.Worker)
	hw.RegisterActivity(h.HoldExportsRole)
	if err := hw.Start(); err != nil {
		return nil, fmt.Errorf("starting the exports role worker: %w", err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			h.tryTake(ctx)
			select {
			case <-ctx.Done():
				return
			case <-time.After(tryEvery):
			}
		}
	}()
	return func() { <-done; hw.Stop() }, nil
}

// tryTake starts the role's workflow unless a run is open. After a closed
// run, the new holder's budget opens a full window after that run closed.
func (h *Holder) tryTake(ctx context.Context) {
	id := WorkflowID(h.opt.Queue)
	var notBefore time.Time
	d, err := h.tc.DescribeWorkflowExecution(ctx, id, "")
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
		notBefore = d.GetWorkflowExecutionInfo().GetCloseTime().AsTime().Add(h.budget.BudgetWindow())
	}
	_, err = h.tc.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: id, TaskQueue: h.opt.Queue,
		WorkflowIDReusePolicy:                    enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
		WorkflowExecutionErrorWhenAlreadyStarted: true,
	}, WorkflowName, Input{HolderQueue: h.holder, NotBefore: notBefore})
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if err != nil && !errors.As(err, &started) && ctx.Err() == nil {
		h.log.Warn("cannot start the exports role", "error", err)
	}
}

// HoldExportsRole is the role's activity: it serves the exports' task queue
// until its context ends (worker stopping, or the role lost), heartbeating
// every 2 seconds. It returns the context's error.
func (h *Holder) HoldExportsRole(ctx context.Context, in Input) error {
	if time.Now().Before(in.NotBefore) {
		h.budget.HoldExports(in.NotBefore)
	}
	stop, err := h.serveExports()
	if err != nil {
		return fmt.Errorf("starting the exports' worker: %w", err)
	}
	defer stop()
	h.log.Info("serving the exports", "task_queue", h.opt.ExportsQueue, "budget_opens", in.NotBefore.UTC().Format(time.RFC3339))
	t := time.NewTicker(2 * time.Second)
	defer t.Stop()
	for {
		activity.RecordHeartbeat(ctx)
		select {
		case <-ctx.Done():
			h.log.Info("no longer serving the exports", "reason", ctx.Err())
			return ctx.Err()
		case <-t.C:
		}
	}
}
