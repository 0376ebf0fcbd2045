// Package schema holds the warehouse's versioned migrations: files named
// NNN_description.sql, applied once each, in order, and recorded in the
// schema_migrations table. A released file is never edited; a change is a
// new file. Statements are separated by a semicolon at the end of a line
// (ClickHouse runs one statement per query).
//
// Numbers need not be contiguous: 005 and 006 never appear in this
// repository's history (the work that took them did not land, 007 was
// written after it), and a number is not reused once a file with it may have
// been applied somewhere, so the gap stays. Files run in numeric order.
package schema

import (
	"embed"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
	// Analytics zones must resolve on hosts without a zoneinfo database:
	// Go's embedded copy backs time.LoadLocation.
	_ "time/tzdata"
)

//go:embed *.sql
var files embed.FS

// TimezonePlaceholder stands, in a migration's SQL, for the analytics time
// zone (ANALYTICS_TIMEZONE), quoted as a string literal:
// toDate(created_at, '{ANALYTICS_TIMEZONE}').
const TimezonePlaceholder = "{ANALYTICS_TIMEZONE}"

// Migration is one numbered file's statements.
type Migration struct {
	Version    uint32
	Name       string
	Statements []string
	// Timezone is set when the statements use TimezonePlaceholder. Such a
	// migration is applied again whenever the analytics time zone changes,
	// so every statement must be repeatable (DROP VIEW IF EXISTS, then
	// CREATE VIEW).
	Timezone bool
}

// CheckTimezone accepts "" (UTC) or an IANA zone name Go knows (from the
// system's zoneinfo or the embedded copy), limited to the characters IANA
// uses since In writes it into view definitions. The error completes a
// sentence whose subject the caller names ("ANALYTICS_TIMEZONE ..."); it
// never quotes the name.
func CheckTimezone(name string) error {
	if name == "" {
		return nil
	}
	for _, r := range name {
		if !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || strings.ContainsRune("/_-+", r)) {
			return errors.New("must be an IANA time zone name, e.g. UTC or America/New_York")
		}
	}
	if _, err := time.LoadLocation(name); err != nil || name == "Local" {
		return errors.New("is not a known IANA time zone (e.g. UTC, Europe/Paris, America/New_York)")
	}
	return nil
}

// In returns m with the placeholder replaced by tz ("" means UTC). tz must
// already be checked (CheckTimezone): it is written into the SQL.
func (m Migration) In(tz string) Migration {
	if !m.Timezone {
		return m
	}
	if tz == "" {
		tz = "UTC"
	}
	out := m
	out.Statements = make([]string, len(m.Statements))
	for i, s := range m.Statements {
		out.Statements[i] = strings.ReplaceAll(s, TimezonePlaceholder, tz)
	}
	return out
}

// RecordName is the name schema_migrations records for m applied in tz:
// the file name, plus " ANALYTICS_TIMEZONE=<tz>" for time-zone migrations,
// so a later change of zone is seen (and recorded) as a pending migration.
func (m Migration) RecordName(tz string) string {
	if !m.Timezone {
		return m.Name
	}
	if tz == "" {
		tz = "UTC"
	}
	return m.Name + " ANALYTICS_TIMEZONE=" + tz
}

// Migrations returns every migration in version order.
func Migrations() ([]Migration, error) {
	entries, err := files.ReadDir(".")
	if err != nil {
		return nil, err
	}
	var out []Migration
	seen := map[uint32]string{}
	for _, e := range entries {
		name := e.Name()
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.ParseUint(num, 10, 32)
		if !ok || err != nil {
			return nil, fmt.Errorf("schema: %s: file name must start with a number and an underscore", name)
		}
		if prev, dup := seen[uint32(v)]; dup {
			return nil, fmt.Errorf("schema: %s and %s have the same version", prev, name)
		}
		seen[uint32(v)] = name
		body, err := files.ReadFile(name)
		if err != nil {
			return nil, err
		}
		out = append(out, Migration{Version: uint32(v), Name: strings.TrimSuffix(name, ".sql"), Statements: split(string(body)),
			Timezone: strings.Contains(string(body), TimezonePlaceholder)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	return out, nil
}

// split cuts a file into statements, dropping comment lines.
func split(body string) []string {
	var out []string
	var cur strings.Builder
	for _, line := range strings.Split(body, "\n") {
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || strings.HasPrefix(trimmed, "--") {
			continue
		}
		cur.WriteString(line)
		cur.WriteString("\n")
		if strings.HasSuffix(trimmed, ";") {
			stmt := strings.TrimSuffix(strings.TrimSpace(cur.String()), ";")
			out = append(out, stmt)
			cur.Reset()
		}
	}
	if s := strings.TrimSpace(cur.String()); s != "" {
		out = append(out, s)
	}
	return out
}
