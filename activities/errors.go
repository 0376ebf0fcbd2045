package activities

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"go.temporal.io/sdk/temporal"

	"talkwarehouse/tables"
	"talkwarehouse/zendesk"
)

// nonRetryableKinds are the Zendesk failures no retry can mend: rejected
// credentials (a retry storm would follow), a missing endpoint, a refused
// request, an export that cannot advance, an export refused as deprecated.
var nonRetryableKinds = []zendesk.Kind{zendesk.Auth, zendesk.NotFound, zendesk.Rejected, zendesk.Stuck, zendesk.Deprecated}

// badInput is the error type of an input no retry can mend.
const badInput = "bad_input"

// NonRetryable are the error types of non-retryable failures, for the
// workflow's retry policy: the kinds above and bad input.
var NonRetryable = append(kindNames(nonRetryableKinds), badInput)

func kindNames(ks []zendesk.Kind) []string {
	out := make([]string, len(ks))
	for i, k := range ks {
		out[i] = string(k)
	}
	return out
}

// outcome turns how t's sync ended into SyncTable's answer: the result,
// and an error whose type tells the workflow's retry policy what to do. A
// partial result rides along as the error's details, so a failed table's
// sync_runs row still says what it stored and where its cursor stands.
func (a *Activities) outcome(ctx context.Context, t *tables.Table, run *run, err error) (SyncTableResult, error) {
	res := run.result()
	switch kind := zendesk.KindOf(err); {
	case err == nil:
		a.log().Info("table synced", "table", t.Name, "rows", run.cp.Rows, "pages", run.cp.Pages, "requests", run.tally.Requests.Load())
		return res, nil
	case kind == zendesk.Forbidden:
		// A plan or role without access skips this table; the others sync.
		for i := range res.Tables {
			res.Tables[i].Skipped, res.Tables[i].Reason = true, err.Error()
		}
		a.log().Warn("table skipped", "table", t.Name, "reason", err.Error())
		return res, nil
	case errors.Is(ctx.Err(), context.Canceled):
		// Cancelled (or the sync is gone): stopped, saying what is stored.
		a.log().Info("table sync cancelled", "table", t.Name, "rows", res.Tables[0].Rows, "pages", res.Tables[0].Pages)
		return res, temporal.NewCanceledError(res)
	case slices.Contains(nonRetryableKinds, kind):
		// A deprecation refusal (the end of exports for third-party apps)
		// is not a plan-gated 403: the table fails at once, loudly.
		return res, temporal.NewNonRetryableApplicationError(err.Error(), string(kind), nil, res)
	case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		return res, err
	default:
		return res, temporal.NewApplicationError(err.Error(), "transient", res)
	}
}

// badInputError is a non-retryable failure of SyncTable's input.
func badInputError(format string, args ...any) error {
	return temporal.NewNonRetryableApplicationError(fmt.Sprintf(format, args...), badInput, nil)
}
