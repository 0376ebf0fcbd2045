package workflows

import (
	"errors"
	"time"

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

// leases takes and releases a sync's table leases.
type leases struct {
	ctx         workflow.Context
	queue       string
	holder      string // this sync's workflow id
	cleanCancel bool   // changeCleanCancel: leases outlive a cancel until released
	namesHolder bool   // changeLeaseHolder
	// taken holds the releases of leases taken up front (takeAll), by table.
	taken map[string]func()
	order []string
}

func newLeases(ctx workflow.Context, queue, holder string, cleanCancel, namesHolder bool) *leases {
	return &leases{ctx: ctx, queue: queue, holder: holder, cleanCancel: cleanCancel, namesHolder: namesHolder, taken: map[string]func(){}}
}

// heldTable is an export another sync holds (or whose lease could not be
// taken: err).
type heldTable struct {
	table  *tables.Table
	holder string // the holding sync's workflow id
	err    error
}

// takeAll takes the lease of every export among sources, in order, and
// returns those another sync holds.
func (l *leases) takeAll(sources []*tables.Table) []heldTable {
	var held []heldTable
	for _, s := range sources {
		if s.Kind != tables.Export {
			continue
		}
		release, leaseID, err := acquireLease(l.ctx, l.queue, s.Name, l.holder, l.cleanCancel)
		switch {
		case err != nil:
			held = append(held, heldTable{table: s, err: err})
		case release == nil:
			held = append(held, heldTable{table: s, holder: l.holderOf(l.ctx, leaseID).WorkflowID})
		default:
			l.taken[s.Name] = release
			l.order = append(l.order, s.Name)
		}
	}
	return held
}

// releaseAll releases the leases takeAll took.
func (l *leases) releaseAll() {
	for _, name := range l.order {
		l.taken[name]()
	}
	l.taken, l.order = map[string]func(){}, nil
}

// take takes s's lease for this sync. It returns a release function, or
// nil and the holding sync's workflow id when another sync holds the table
// and ifRunning is IfRunningSkip. With IfRunningWait it waits for the
// holder to release the table (calling waiting with its workflow id) and
// takes it then; err is the wait's error (a cancel, say).
func (l *leases) take(ctx workflow.Context, s *tables.Table, ifRunning string, waiting func(holder string)) (release func(), holder string, err error) {
	if r, ok := l.taken[s.Name]; ok {
		return r, "", nil
	}
	for {
		if l.cleanCancel && ctx.Err() != nil {
			return nil, "", temporal.NewCanceledError()
		}
		release, leaseID, err := acquireLease(ctx, l.queue, s.Name, l.holder, l.cleanCancel)
		if err != nil || release != nil {
			return release, "", err
		}
		if !l.namesHolder {
			return nil, leaseID, nil
		}
		h := l.holderOf(ctx, leaseID)
		if ifRunning != IfRunningWait {
			return nil, h.WorkflowID, nil
		}
		if !h.Open {
			// Released in the meantime: take it again, after a breath.
			if err := workflow.Sleep(ctx, time.Second); err != nil {
				return nil, "", err
			}
			continue
		}
		waiting(h.WorkflowID)
		var la *activities.Leases
		wctx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
			StartToCloseTimeout: StartToCloseTimeout,
			HeartbeatTimeout:    HeartbeatTimeout,
			WaitForCancellation: true,
			RetryPolicy:         &temporal.RetryPolicy{InitialInterval: 5 * time.Second, MaximumInterval: time.Minute},
		})
		if err := workflow.ExecuteActivity(wctx, la.AwaitLeaseRelease, h).Get(ctx, nil); err != nil {
			return nil, "", err
		}
	}
}

// holderOf asks which sync holds the lease leaseID (a local activity
// describes it). If that fails, the lease's own id stands for its holder.
func (l *leases) holderOf(ctx workflow.Context, leaseID string) activities.LeaseHolder {
	var la *activities.Leases
	lctx := workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{
		StartToCloseTimeout: 10 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, MaximumAttempts: 3},
	})
	h := activities.LeaseHolder{WorkflowID: leaseID, LeaseID: leaseID, Open: true}
	_ = workflow.ExecuteLocalActivity(lctx, la.LeaseHolder, leaseID).Get(ctx, &h)
	return h
}

// acquireLease starts the table's lease. It returns a release function,
// or nil and the lease's id when another sync holds the table. A detached
// lease (changeCleanCancel) is not cancelled with the sync: it is held
// until released, after the table's activity has stopped.
func acquireLease(ctx workflow.Context, queue, table, holder string, detached bool) (release func(), heldBy string, err error) {
	id := LeaseID(queue, table)
	sctx := ctx
	if detached {
		sctx, _ = workflow.NewDisconnectedContext(ctx)
	}
	cctx := workflow.WithChildOptions(sctx, workflow.ChildWorkflowOptions{
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
		rctx := ctx
		if detached {
			rctx = sctx
		}
		if err := child.SignalChildWorkflow(rctx, ReleaseSignal, nil).Get(rctx, nil); err == nil {
			_ = child.Get(rctx, nil)
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
