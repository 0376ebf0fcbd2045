package config

import (
	"errors"
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

// LoadExportLag reads ZENDESK_EXPORT_LAG where only it is needed: the
// starter refuses a backfill window ending later than now minus it (the
// worker's own setting is checked again when the backfill runs). Default
// 5m; a malformed value, or one under a minute, is an error naming the
// variable.
func LoadExportLag() (time.Duration, error) {
	var s struct {
		ExportLag time.Duration `env:"ZENDESK_EXPORT_LAG" envDefault:"5m"`
	}
	if err := env.Parse(&s); err != nil {
		return 0, explain(err)
	}
	if s.ExportLag < time.Minute {
		return 0, errors.New("ZENDESK_EXPORT_LAG must be at least 1m: Zendesk refuses an export start_time younger than a minute")
	}
	return s.ExportLag, nil
}
