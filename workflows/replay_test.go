package workflows_test

import (
	"bytes"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"talkwarehouse/workflows"
)

// Every recorded history (testdata/histories/<set>/*.json, written by
// e2e's TestRecordHistories from the workflows as some earlier version of
// the code ran them) must replay on the current code without a
// nondeterminism error: a worker deployed with this code will replay the
// histories of the syncs and leases still open. A change to the commands a
// workflow issues fails here until it is guarded with workflow.GetVersion.
func TestReplayRecordedHistories(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "histories", "*", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no recorded histories in testdata/histories")
	}
	sets := map[string]int{}
	for _, f := range files {
		sets[filepath.Base(filepath.Dir(f))]++
		t.Run(filepath.Base(filepath.Dir(f))+"/"+filepath.Base(f), func(t *testing.T) {
			if err := newReplayer().ReplayWorkflowHistoryFromJSONFile(quietLog(), f); err != nil {
				t.Fatalf("%s does not replay on the current workflow code: %v", f, err)
			}
		})
	}
	t.Logf("replayed %d histories: %v", len(files), sets)
}

// The replay test must not pass vacuously: a history whose commands the
// code does not issue (here, an activity renamed) fails it.
func TestReplayDetectsNondeterminism(t *testing.T) {
	f := filepath.Join("testdata", "histories", "main-22a1d9c", "full_sync.json")
	b, err := os.ReadFile(f)
	if err != nil {
		t.Fatal(err)
	}
	h, err := client.HistoryFromJSON(bytes.NewReader(b), client.HistoryJSONOptions{})
	if err != nil {
		t.Fatal(err)
	}
	renamed := false
	for _, ev := range h.Events {
		if a := ev.GetActivityTaskScheduledEventAttributes(); a != nil && !renamed {
			a.ActivityType.Name, renamed = "SyncTableV0", true
		}
	}
	if !renamed {
		t.Fatal("no activity in the recorded full sync")
	}
	r := newReplayer()
	if err := r.ReplayWorkflowHistory(quietLog(), h); err == nil {
		t.Fatal("a history with an activity the code does not schedule replayed without error")
	} else {
		t.Logf("as expected: %v", err)
	}
}

func newReplayer() worker.WorkflowReplayer {
	r := worker.NewWorkflowReplayer()
	r.RegisterWorkflowWithOptions(workflows.Sync, workflow.RegisterOptions{Name: workflows.SyncName})
	r.RegisterWorkflowWithOptions(workflows.TableLease, workflow.RegisterOptions{Name: workflows.LeaseName})
	return r
}

func quietLog() log.Logger {
	return log.NewStructuredLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))
}
