package zendesk

import (
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// ExportBucket is the per-bucket rate-limit header of the incremental
// exports, "zendesk-ratelimit-incremental-exports: total=10; remaining=9;
// resets=6" (seen by Estuary on ticket exports; whether Talk's exports
// send it is unconfirmed, see the reference notes on the Talk API).
const ExportBucket = "Zendesk-Ratelimit-Incremental-Exports"

// accountLimit reads the account-wide limit, requests per minute, from a
// response: X-Rate-Limit, else ratelimit-limit (Zendesk sends both with
// the same value, developer.zendesk.com "Best practices for avoiding rate
// limiting"). ratelimit-limit may be a list in the IETF draft's form
// ("700, 700;w=60"): its first item counts, and is ignored when it names a
// window other than 60 s. ok is false when neither header holds a
// positive integer; malformed values are ignored, never an error.
func accountLimit(h http.Header) (n int, ok bool) {
	for _, name := range []string{"X-Rate-Limit", "Ratelimit-Limit"} {
		if n, ok := perMinute(h.Get(name)); ok {
			return n, true
		}
	}
	return 0, false
}

// perMinute parses "700", "700, 700;w=60" or "700;w=60" to 700.
func perMinute(v string) (int, bool) {
	item, _, _ := strings.Cut(v, ",")
	num, params, _ := strings.Cut(item, ";")
	n, err := strconv.Atoi(strings.TrimSpace(num))
	if err != nil || n <= 0 {
		return 0, false
	}
	for _, p := range strings.Split(params, ";") {
		k, val, _ := strings.Cut(p, "=")
		if strings.EqualFold(strings.TrimSpace(k), "w") && strings.TrimSpace(val) != "60" {
			return 0, false
		}
	}
	return n, true
}

// bucketLimit reads total= from a per-bucket header such as ExportBucket
// ("total=10; remaining=9; resets=6"; parameters in any order, separated
// by ";" or ","). ok is false when the header is absent or total is not a
// positive integer.
func bucketLimit(h http.Header, name string) (int, bool) {
	v := h.Get(name)
	for _, p := range strings.FieldsFunc(v, func(r rune) bool { return r == ';' || r == ',' }) {
		k, val, found := strings.Cut(p, "=")
		if !found || !strings.EqualFold(strings.TrimSpace(k), "total") {
			continue
		}
		n, err := strconv.Atoi(strings.TrimSpace(val))
		if err != nil || n <= 0 {
			return 0, false
		}
		return n, true
	}
	return 0, false
}

// learned is one budget's limit as Zendesk's headers report it, beside
// the configured ceiling.
type learned struct {
	setting string // the setting the ceiling comes from, for logs (Names.RPM)
	ceiling int    // configured requests per window; 0 = none
	lim     *Limiter

	mu    sync.Mutex
	limit int // last limit read from the headers; 0 = none seen yet
}

// observe applies a limit read from a response: the budget becomes the
// smaller of the ceiling and n (n alone without a ceiling), so it can
// fall and rise again with the account's plan but never exceed the
// setting. It logs only when n differs from the last one seen, so a
// steady account logs once, on its first answer.
func (b *learned) observe(c *Client, n int) {
	b.mu.Lock()
	if n == b.limit {
		b.mu.Unlock()
		return
	}
	b.limit = n
	eff := n
	if b.ceiling > 0 && b.ceiling < n {
		eff = b.ceiling
	}
	b.lim.SetLimit(eff)
	b.mu.Unlock()
	switch {
	case b.ceiling == 0:
		c.log.Info("zendesk rate limit learned; no limit configured, following the account's", "setting", b.setting, "account_limit", n)
	case n < b.ceiling:
		c.log.Warn("zendesk rate limit is below the setting; budget lowered to the account's", "setting", b.setting, "configured", b.ceiling, "account_limit", n)
	case n > b.ceiling:
		c.log.Info("zendesk rate limit is above the setting; the setting stays the ceiling", "setting", b.setting, "configured", b.ceiling, "account_limit", n)
	}
}

func (b *learned) get() (limit, budget int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.limit, b.lim.Limit()
}

// learnLimits reads the rate-limit headers of any answer (200, 429 or
// another status): the account-wide ones govern the account budget, the
// incremental-exports bucket the export budget.
func (c *Client) learnLimits(h http.Header) {
	if n, ok := accountLimit(h); ok {
		c.accountLimit.observe(c, n)
	}
	if n, ok := bucketLimit(h, ExportBucket); ok {
		c.exportLimit.observe(c, n)
	}
}

// Budget is one rate budget: requests per rolling window (a minute unless
// Options.Window says otherwise).
type Budget struct {
	Setting    string // the setting of the ceiling, Names.RPM or Names.ExportRPM
	Configured int    // the setting's value; 0 = no self-imposed limit
	Learned    int    // the account's limit from Zendesk's headers; 0 = none seen yet
	Effective  int    // what the client spends: min(Configured, Learned), either alone when the other is 0
}

// Budgets reports the account-wide and the export budgets as they stand
// after the answers received so far.
func (c *Client) Budgets() (account, export Budget) {
	get := func(b *learned) Budget {
		l, eff := b.get()
		return Budget{Setting: b.setting, Configured: b.ceiling, Learned: l, Effective: eff}
	}
	return get(&c.accountLimit), get(&c.exportLimit)
}
