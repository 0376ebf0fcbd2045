package zendesk

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"time"
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

// Export reads an incremental export (calls or legs) from cur, page by
// page. The rules are the API's, and each has broken public extractors:
// start_time is inclusive and next_page is never null, so the only end is a
// page with fewer than 1000 records; never stop on "count > 0" or on an
// unchanged URL. Pages overlap at their boundary second; the warehouse
// collapses the duplicates by id. A full page that ends in the second it
// started cannot advance, and is reported instead of looped on.
func (c *Client) Export(ctx context.Context, path, envelope string, cur ExportCursor, t *Tally, fn ExportPageFunc) (ExportCursor, error) {
	for {
		u := cur.URL
		if u == "" {
			u = c.URL(path, url.Values{"start_time": {strconv.FormatInt(cur.StartTime, 10)}})
		}
		p, err := c.Fetch(ctx, u, envelope, true, t)
		if err != nil {
			return cur, err
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
			return cur, &Error{Kind: Stuck, Path: c.base.Path + path, Msg: fmt.Sprintf(
				"a full page of %d records starts and ends at %s: more than %d records share one second, so start_time cannot advance",
				n, cur.Time().Format(time.RFC3339), ExportPageSize)}
		}
		next := ExportCursor{StartTime: end}
		if full {
			next.URL = p.Next // opaque; its start_time is end_time
		}
		if err := fn(p, next, !full); err != nil {
			return cur, err
		}
		cur = next
		if !full {
			return cur, nil
		}
	}
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
