package zendesk

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"talkwarehouse/internal/jsonscan"
)

// ExportPageSize is the most records an export page holds: a page with
// fewer means the export has caught up.
const ExportPageSize = 1000

// ExportCursor is where an incremental export stands: the start_time of
// the next request, and the next_page URL to follow when the previous page
// was full ("" means: build the URL from StartTime).
type ExportCursor struct {
	StartTime int64  `json:"start_time"`
	URL       string `json:"url,omitempty"`
}

// Time is the cursor as a UTC time.
func (c ExportCursor) Time() time.Time { return time.Unix(c.StartTime, 0).UTC() }

// ExportPageFunc receives each page in order, with the cursor that is safe
// to store once the page's records are stored, and whether this page is the
// last (the export has caught up).
type ExportPageFunc func(p Page, next ExportCursor, last bool) error

// DefaultExportLag is the default of Options.ExportLag (the rule: Export).
const DefaultExportLag = 5 * time.Minute

// MinStartTimeAge is the youngest start_time Zendesk's exports accept; a
// younger one is answered 400 "Too recent start_time. Use a start_time
// older than 1 minute."
const MinStartTimeAge = time.Minute

// FutureTolerance is how much later than the moment it was received a
// record's updated_at may be before it counts as dated in the future (a
// clock error upstream): clocks of two machines differ by a few seconds.
const FutureTolerance = time.Minute

// FutureRecord is an export record whose updated_at is later than the
// moment it was received (plus FutureTolerance).
type FutureRecord struct {
	ID        string    // the record's id as the API wrote it
	UpdatedAt time.Time // its updated_at, UTC
}

// Export reads an incremental export (calls or legs) from cur, page by
// page. The rules are the API's, and each has broken public extractors:
// start_time is inclusive and next_page is never null, so the only end is a
// page with fewer than 1000 records; never stop on "count > 0" or on an
// unchanged URL. Pages overlap at their boundary second; the warehouse
// collapses the duplicates by id. A full page that ends in the second it
// started cannot advance, and is reported instead of looped on.
//
// The export lag, the one place its rule is stated: the cursor handed to fn
// (and returned) never runs ahead of what the API has really delivered. It
// is at most the time the page was requested minus Options.ExportLag,
// whatever end_time says, so a record dated in the future (listed in
// Page.Future) cannot push it past records still to come, and the next
// export re-reads the last ExportLag (duplicates collapse by id). Zendesk's
// exports are eventually consistent: a record changed in the last moments
// can appear late with an updated_at older than records already returned
// (Estuary's Talk connector holds its cursor 5 minutes behind for the same
// reason). While paging, Export itself follows next_page as given. A start_time
// younger than MinStartTimeAge is not requested, and Zendesk's 400 "Too
// recent start_time" is not an error: both end the export with an empty
// last page whose Note says "nothing new yet".
func (c *Client) Export(ctx context.Context, path, envelope string, cur ExportCursor, t *Tally, fn ExportPageFunc) (ExportCursor, error) {
	return c.exportPages(ctx, path, envelope, cur, 0, t, fn)
}

// ExportUntil is Export bounded above, for a backfill window: it hands fn
// only records with updated_at before until (Unix seconds, exclusive) and
// ends at the first page that reaches until (its end_time is at or after
// it, or it holds a record updated then or later), or at a page with fewer
// than 1000 records, whichever comes first. The cursor handed to fn is
// never later than until; a cursor already at or after until ends the
// export at once with an empty last page whose Note says so. The pages'
// order is updated_at (the API's rule), so the records cut are the page's
// last ones.
func (c *Client) ExportUntil(ctx context.Context, path, envelope string, cur ExportCursor, until int64, t *Tally, fn ExportPageFunc) (ExportCursor, error) {
	if until <= 0 {
		return cur, fmt.Errorf("zendesk: ExportUntil needs an end (until = %d)", until)
	}
	if cur.StartTime >= until {
		next := ExportCursor{StartTime: until}
		note := fmt.Sprintf("window done: start_time %s is at its end %s", cur.Time().Format(time.RFC3339), next.Time().Format(time.RFC3339))
		return next, fn(Page{Note: note}, next, true)
	}
	return c.exportPages(ctx, path, envelope, cur, until, t, fn)
}

// exportPages is Export, bounded above by until (Unix seconds, exclusive) when
// it is not 0 (ExportUntil).
func (c *Client) exportPages(ctx context.Context, path, envelope string, cur ExportCursor, until int64, t *Tally, fn ExportPageFunc) (ExportCursor, error) {
	stored := cur
	for {
		requested := time.Now()
		limit := requested.Add(-c.opt.ExportLag).Unix()
		// held is next, or limit without a next_page URL (whose start_time
		// is end_time) when next is later. Held back below where the export
		// started, the next one merely re-reads more.
		held := func(next ExportCursor) ExportCursor {
			if next.StartTime > limit {
				return ExportCursor{StartTime: limit}
			}
			return next
		}
		u := cur.URL
		if u == "" {
			if age := requested.Sub(cur.Time()); age < MinStartTimeAge {
				next := held(ExportCursor{StartTime: cur.StartTime})
				note := fmt.Sprintf("nothing new yet: start_time %s is less than %s old, which Zendesk refuses; not requested",
					cur.Time().Format(time.RFC3339), MinStartTimeAge)
				return next, fn(Page{Note: note}, next, true)
			}
			u = c.URL(path, url.Values{"start_time": {strconv.FormatInt(cur.StartTime, 10)}})
		}
		p, err := c.Fetch(ctx, u, envelope, true, t)
		if tooRecent(err) {
			next := held(ExportCursor{StartTime: cur.StartTime})
			note := fmt.Sprintf("nothing new yet: Zendesk answered 400 \"Too recent start_time\" for start_time %s (is this machine's clock ahead of Zendesk's?)",
				cur.Time().Format(time.RFC3339))
			return next, fn(Page{Note: note}, next, true)
		}
		if err != nil {
			return stored, err
		}
		n := p.Count
		if n == 0 {
			n = len(p.Records)
		}
		full := n >= ExportPageSize
		// end_time is the newest time in the page; an empty page (or an
		// absent end_time) leaves the cursor where it was.
		end := max(p.EndTime, cur.StartTime)
		if full && end <= cur.StartTime {
			return stored, &Error{Kind: Stuck, Path: c.base.Path + path, Msg: fmt.Sprintf(
				"a full page of %d records starts and ends at %s: more than %d records share one second, so start_time cannot advance",
				n, cur.Time().Format(time.RFC3339), ExportPageSize)}
		}
		// Future: after the answer came (the request may have waited for
		// the rate budget), give or take the clocks' difference.
		if future := time.Now().Add(FutureTolerance); p.EndTime > future.Unix() {
			p.Future = futureRecords(p.Records, future)
		}
		follow := ExportCursor{StartTime: end}
		if full {
			follow.URL = p.Next // opaque; its start_time is end_time
		}
		last := !full
		if until > 0 {
			kept := beforeTime(p.Records, until)
			if kept < len(p.Records) || end >= until {
				// The page reaches the window's end: keep what is before
				// it, and stop there.
				p.Records, p.Count, last = p.Records[:kept], kept, true
				follow = ExportCursor{StartTime: until}
			}
		}
		next := held(follow)
		if err := fn(p, next, last); err != nil {
			return stored, err
		}
		cur, stored = follow, next
		if last {
			return stored, nil
		}
	}
}

// tooRecent reports Zendesk's answer to a start_time younger than a minute.
func tooRecent(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Status == http.StatusBadRequest && strings.Contains(e.Msg, "Too recent start_time")
}

// beforeTime is how many of recs, which are ordered by updated_at, come
// before until (Unix seconds): the index of the first record updated at
// until or later. A record without a readable updated_at counts as before.
func beforeTime(recs []json.RawMessage, until int64) int {
	for i := len(recs); i > 0; i-- {
		if u, ok := updatedAt(recs[i-1]); !ok || u.Unix() < until {
			return i
		}
	}
	return 0
}

// updatedAt reads a record's updated_at (RFC 3339).
func updatedAt(rec json.RawMessage) (time.Time, bool) {
	var updated time.Time
	var ok bool
	_ = jsonscan.EachField(rec, func(key []byte, val json.RawMessage) {
		if string(key) == "updated_at" {
			var s string
			if json.Unmarshal(val, &s) == nil {
				if t, err := time.Parse(time.RFC3339, s); err == nil {
					updated, ok = t, true
				}
			}
		}
	})
	return updated, ok
}

// futureRecords lists the records updated after t. A page is ordered by
// updated_at, so they are at its end.
func futureRecords(recs []json.RawMessage, t time.Time) []FutureRecord {
	var out []FutureRecord
	for i := len(recs) - 1; i >= 0; i-- {
		var id string
		var updated time.Time
		_ = jsonscan.EachField(recs[i], func(key []byte, val json.RawMessage) {
			switch string(key) {
			case "id":
				id = strings.Trim(string(bytes.TrimSpace(val)), `"`)
			case "updated_at":
				var s string
				if json.Unmarshal(val, &s) == nil {
					updated, _ = time.Parse(time.RFC3339, s)
				}
			}
		})
		if !updated.After(t) {
			break
		}
		out = append(out, FutureRecord{ID: id, UpdatedAt: updated.UTC()})
	}
	slices.Reverse(out)
	return out
}

// ListPageFunc receives each page of an offset-paged list with the URL of
// the page after it ("" after the last).
type ListPageFunc func(p Page, next string) error

// MaxListPages bounds an offset-paged list: Zendesk refuses offset paging
// past 10,000 records (100 pages of 100), so more pages means a loop.
const MaxListPages = 1000

// List reads an offset-paged list from startURL, following next_page as
// given until it is null or absent.
func (c *Client) List(ctx context.Context, startURL, envelope string, t *Tally, fn ListPageFunc) error {
	u := startURL
	for pages := 1; ; pages++ {
		p, err := c.Fetch(ctx, u, envelope, false, t)
		if err != nil {
			return err
		}
		if p.Next == u {
			return &Error{Kind: Stuck, Path: pathOf(u), Msg: "next_page points at the page itself"}
		}
		if pages >= MaxListPages && p.Next != "" {
			return &Error{Kind: Stuck, Path: pathOf(u), Msg: fmt.Sprintf("more than %d pages; refusing to continue", MaxListPages)}
		}
		if err := fn(p, p.Next); err != nil {
			return err
		}
		if p.Next == "" {
			return nil
		}
		u = p.Next
	}
}

func pathOf(raw string) string {
	if u, err := url.Parse(raw); err == nil {
		return u.Path
	}
	return "?"
}
