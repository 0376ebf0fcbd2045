package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"

	"talkwarehouse/talksim"
)

// exportEnvelope holds both exports' keys, so one type decodes either.
type exportEnvelope struct {
	Calls    []json.RawMessage `json:"calls"`
	Legs     []json.RawMessage `json:"legs"`
	NextPage *string           `json:"next_page"`
	Count    int               `json:"count"`
	EndTime  int64             `json:"end_time"`
}

type bareExport struct {
	Pages, Records int
	Fetch, Decode  time.Duration // HTTP + body read; json
}

type bareResult struct {
	Wall    time.Duration
	CPU     time.Duration // of this process (client and simulator) over the run
	Exports map[string]*bareExport
}

func (r bareResult) pages() (n int) {
	for _, e := range r.Exports {
		n += e.Pages
	}
	return n
}

func (r bareResult) records() (n int) {
	for _, e := range r.Exports {
		n += e.Records
	}
	return n
}

// bareFetch reads calls and legs as the sync does (start_time from the
// start date, next_page while a page is full, stop on count < 1000), each
// export sequentially, both at once, with a plain net/http client, and
// decodes each body with encoding/json into the envelope, the records kept
// as []json.RawMessage: the least any client does with a page.
func bareFetch(ctx context.Context, base string) (bareResult, error) {
	client := &http.Client{Timeout: 60 * time.Second}
	res := bareResult{Exports: map[string]*bareExport{}}
	for _, ex := range exports {
		res.Exports[ex.Table] = &bareExport{}
	}
	var wg sync.WaitGroup
	errs := make(chan error, len(exports))
	t0, cpu0 := time.Now(), selfCPU()
	for _, ex := range exports {
		wg.Add(1)
		go func(ex exportDef, out *bareExport) {
			defer wg.Done()
			if err := bareExport1(ctx, client, base, ex, out); err != nil {
				errs <- fmt.Errorf("bare fetch %s: %w", ex.Table, err)
			}
		}(ex, res.Exports[ex.Table])
	}
	wg.Wait()
	res.Wall, res.CPU = time.Since(t0), selfCPU()-cpu0
	close(errs)
	return res, <-errs
}

func bareExport1(ctx context.Context, client *http.Client, base string, ex exportDef, out *bareExport) error {
	start := simStart.Unix()
	u := base + talksim.APIPrefix + ex.Path + "?start_time=" + strconv.FormatInt(start, 10)
	for {
		t0 := time.Now()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return err
		}
		req.SetBasicAuth(benchEmail+"/token", benchToken)
		req.Header.Set("Accept", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return err
		}
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("HTTP %d: %.200s", resp.StatusCode, body)
		}
		t1 := time.Now()
		var env exportEnvelope
		if err := json.Unmarshal(body, &env); err != nil {
			return err
		}
		recs := env.Calls
		if ex.Envelope == "legs" {
			recs = env.Legs
		}
		t2 := time.Now()
		out.Fetch += t1.Sub(t0)
		out.Decode += t2.Sub(t1)
		out.Pages++
		out.Records += len(recs)
		n := env.Count
		if n == 0 {
			n = len(recs)
		}
		if n < talksim.ExportPageSize {
			return nil
		}
		end := max(env.EndTime, start)
		if end <= start {
			return fmt.Errorf("page cannot advance at start_time=%d", start)
		}
		if env.NextPage == nil || *env.NextPage == "" {
			return fmt.Errorf("full page without next_page")
		}
		start, u = end, *env.NextPage
	}
}
