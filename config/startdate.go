package config

import (
	"time"

	"github.com/caarlos0/env/v11"
)

// LoadStartDate reads ZENDESK_START_DATE where it is optional: the starter
// only words a sync's summary with it ("Full refresh of calls from
// 2024-01-01"); the worker's own setting decides where exports begin. It
// is zero when unset; a malformed value is an error naming the variable.
func LoadStartDate() (time.Time, error) {
	var s struct {
		StartDate time.Time `env:"ZENDESK_START_DATE"`
	}
	if err := env.Parse(&s); err != nil {
		return time.Time{}, explain(err)
	}
	return s.StartDate, nil
}
