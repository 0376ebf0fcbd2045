package zendesk

import "time"

// HoldExports keeps the export budget closed until t: a worker taking the
// exports over from another one must not spend the account's budget that
// the other may have spent in its last window. No effect when there is no
// export budget (ExportRPM 0).
func (c *Client) HoldExports(t time.Time) {
	if c.opt.ExportRPM > 0 {
		c.export.PauseUntil(t)
	}
}

// BudgetWindow is the rolling window of the rate budgets (a minute).
func (c *Client) BudgetWindow() time.Duration { return c.opt.Window }
