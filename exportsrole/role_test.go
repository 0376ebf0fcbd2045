package exportsrole

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	workflowpb "go.temporal.io/api/workflow/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/mocks"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// budget records what the holder asked of the export budget.
type budget struct {
	mu   sync.Mutex
	held []time.Time
}

func (b *budget) BudgetWindow() time.Duration { return time.Minute }
func (b *budget) HoldExports(t time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.held = append(b.held, t)
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// The run asks for HoldExportsRole (the name running histories carry) on
// the holder's own queue, once: when the holder is lost, the run ends and
// the role is free for the next worker.
func TestWorkflowHoldsOnTheHolderQueueOnceAndEndsWithTheHolder(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	var h *Holder
	env.RegisterActivity(h.HoldExportsRole)
	calls := 0
	env.SetOnActivityStartedListener(func(info *activity.Info, _ context.Context, _ converter.EncodedValues) {
		calls++
		if info.ActivityType.Name != "HoldExportsRole" {
			t.Errorf("activity type %q, want HoldExportsRole", info.ActivityType.Name)
		}
		if info.TaskQueue != "holder-a" {
			t.Errorf("activity on %q, want the holder's queue holder-a", info.TaskQueue)
		}
		if info.HeartbeatTimeout != HeartbeatTimeout {
			t.Errorf("heartbeat timeout %s, want %s", info.HeartbeatTimeout, HeartbeatTimeout)
		}
	})
	lost := errors.New("holder lost: heartbeat timeout")
	env.OnActivity(h.HoldExportsRole, mock.Anything, Input{HolderQueue: "holder-a"}).Return(lost)
	env.ExecuteWorkflow(Workflow, Input{HolderQueue: "holder-a"})
	if !env.IsWorkflowCompleted() {
		t.Fatal("the role's run did not end with its holder")
	}
	if err := env.GetWorkflowError(); err == nil {
		t.Fatal("the run ended without the holder's error")
	}
	if calls != 1 {
		t.Fatalf("HoldExportsRole ran %d times, want once (the role is not retried in place)", calls)
	}
}

// describe answers DescribeWorkflowExecution for the role's id.
func describe(tc *mocks.Client, status enumspb.WorkflowExecutionStatus, closed time.Time, err error) {
	var resp *workflowservice.DescribeWorkflowExecutionResponse
	if err == nil {
		resp = &workflowservice.DescribeWorkflowExecutionResponse{WorkflowExecutionInfo: &workflowpb.WorkflowExecutionInfo{
			Status: status, CloseTime: timestamppb.New(closed)}}
	}
	tc.On("DescribeWorkflowExecution", mock.Anything, WorkflowID("q"), "").Return(resp, err).Once()
}

func newHolder(tc client.Client, b Budget) *Holder {
	return New(tc, b, quiet(), Options{Queue: "q", ExportsQueue: "q-exports"})
}

// The handover: a worker takes a free role at once; none starts a run while
// one is open; after a run closed (its holder gone), the next holder's
// budget opens a full window after the close, so the account never sees
// two holders' budgets in one minute.
func TestTryTakeHandover(t *testing.T) {
	closed := time.Date(2026, 12, 4, 3, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name      string
		status    enumspb.WorkflowExecutionStatus
		err       error
		starts    bool
		notBefore time.Time
	}{
		{name: "never held", err: serviceerror.NewNotFound("no such workflow"), starts: true},
		{name: "held", status: enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING},
		{name: "holder timed out", status: enumspb.WORKFLOW_EXECUTION_STATUS_FAILED, starts: true, notBefore: closed.Add(time.Minute)},
		{name: "holder stopped", status: enumspb.WORKFLOW_EXECUTION_STATUS_CANCELED, starts: true, notBefore: closed.Add(time.Minute)},
		{name: "Temporal unreachable", err: serviceerror.NewUnavailable("connection refused")},
	} {
		t.Run(c.name, func(t *testing.T) {
			tc := &mocks.Client{}
			describe(tc, c.status, closed, c.err)
			h := newHolder(tc, &budget{})
			if c.starts {
				tc.On("ExecuteWorkflow", mock.Anything, mock.MatchedBy(func(o client.StartWorkflowOptions) bool {
					return o.ID == WorkflowID("q") && o.TaskQueue == "q" && o.WorkflowExecutionErrorWhenAlreadyStarted
				}), WorkflowName, Input{HolderQueue: h.holder, NotBefore: c.notBefore}).Return(nil, nil).Once()
			}
			h.tryTake(context.Background())
			tc.AssertExpectations(t)
			if !c.starts {
				tc.AssertNotCalled(t, "ExecuteWorkflow", mock.Anything, mock.Anything, mock.Anything, mock.Anything)
			}
		})
	}
}

// Two workers racing for a free role: Temporal starts one run, the loser's
// "already started" is the normal outcome, not a warning.
func TestTryTakeLosingTheRaceIsQuiet(t *testing.T) {
	tc := &mocks.Client{}
	describe(tc, 0, time.Time{}, serviceerror.NewNotFound("no such workflow"))
	tc.On("ExecuteWorkflow", mock.Anything, mock.Anything, WorkflowName, mock.Anything).
		Return(nil, serviceerror.NewWorkflowExecutionAlreadyStarted("started", "", "")).Once()
	var logged []string
	h := newHolder(tc, &budget{})
	h.log = slog.New(recorder{&logged})
	h.tryTake(context.Background())
	if len(logged) != 0 {
		t.Fatalf("logged %q on a lost race", logged)
	}
}

type recorder struct{ msgs *[]string }

func (r recorder) Enabled(context.Context, slog.Level) bool { return true }
func (r recorder) Handle(_ context.Context, rec slog.Record) error {
	*r.msgs = append(*r.msgs, rec.Message)
	return nil
}
func (r recorder) WithAttrs([]slog.Attr) slog.Handler { return r }
func (r recorder) WithGroup(string) slog.Handler      { return r }

// The holder serves the exports only while it holds the role: it holds the
// budget until the previous holder's window has passed, starts the exports'
// worker, and stops it when the activity's context ends.
func TestHoldExportsRoleServesUntilTheRoleEnds(t *testing.T) {
	b := &budget{}
	h := newHolder(&mocks.Client{}, b)
	var started, stopped int
	h.serveExports = func() (func(), error) { started++; return func() { stopped++ }, nil }

	var s testsuite.WorkflowTestSuite
	env := s.NewTestActivityEnvironment()
	ctx, cancel := context.WithCancel(context.Background())
	env.SetWorkerOptions(workerOptionsWithContext(ctx))
	env.RegisterActivity(h.HoldExportsRole)
	notBefore := time.Now().Add(time.Hour)
	go func() { time.Sleep(300 * time.Millisecond); cancel() }()
	_, err := env.ExecuteActivity(h.HoldExportsRole, Input{HolderQueue: h.holder, NotBefore: notBefore})
	if err == nil {
		t.Fatal("HoldExportsRole returned without the end of its context")
	}
	if started != 1 || stopped != 1 {
		t.Fatalf("exports' worker started %d, stopped %d times, want 1 and 1", started, stopped)
	}
	if len(b.held) != 1 || !b.held[0].Equal(notBefore) {
		t.Fatalf("budget held until %v, want [%v]", b.held, notBefore)
	}
}

// A first holder (no previous run) does not hold the budget.
func TestHoldExportsRoleFirstHolderOpensAtOnce(t *testing.T) {
	b := &budget{}
	h := newHolder(&mocks.Client{}, b)
	h.serveExports = func() (func(), error) { return func() {}, nil }
	var s testsuite.WorkflowTestSuite
	env := s.NewTestActivityEnvironment()
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	env.SetWorkerOptions(workerOptionsWithContext(ctx))
	env.RegisterActivity(h.HoldExportsRole)
	_, _ = env.ExecuteActivity(h.HoldExportsRole, Input{HolderQueue: h.holder})
	if len(b.held) != 0 {
		t.Fatalf("first holder held the budget until %v", b.held)
	}
}

// workerOptionsWithContext makes ctx the activities' background context,
// so that cancelling it ends a running activity as a worker stop does.
func workerOptionsWithContext(ctx context.Context) worker.Options {
	return worker.Options{BackgroundActivityContext: ctx}
}
