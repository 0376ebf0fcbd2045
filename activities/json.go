package activities

import (
	"encoding/json"
	"fmt"
	"time"
)

// TableResult's JSON gives its duration as text ("20.66s", "1h2m3s"), so
// that the web UI's JSON reads without arithmetic; its times are RFC 3339
// already. It still reads the nanosecond integers of results recorded
// before, so that old histories replay.

// MarshalJSON writes Duration as Go duration text, and the start and
// finish times, all rounded to milliseconds.
func (r TableResult) MarshalJSON() ([]byte, error) {
	type plain TableResult
	r.StartedAt, r.FinishedAt = r.StartedAt.Truncate(time.Millisecond), r.FinishedAt.Truncate(time.Millisecond)
	return json.Marshal(struct {
		plain
		Duration string `json:"duration"`
	}{plain(r), r.Duration.Round(time.Millisecond).String()})
}

// UnmarshalJSON reads Duration as text or as nanoseconds.
func (r *TableResult) UnmarshalJSON(b []byte) error {
	type plain TableResult
	var v struct {
		*plain
		Duration json.RawMessage `json:"duration"`
	}
	v.plain = (*plain)(r)
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	r.Duration = 0
	if len(v.Duration) == 0 || string(v.Duration) == "null" {
		return nil
	}
	if v.Duration[0] == '"' {
		var s string
		if err := json.Unmarshal(v.Duration, &s); err != nil {
			return err
		}
		d, err := time.ParseDuration(s)
		if err != nil {
			return fmt.Errorf("duration: %w", err)
		}
		r.Duration = d
		return nil
	}
	var ns int64
	if err := json.Unmarshal(v.Duration, &ns); err != nil {
		return fmt.Errorf("duration: %w", err)
	}
	r.Duration = time.Duration(ns)
	return nil
}
