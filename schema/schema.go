// Package schema holds the warehouse's versioned migrations: files named
// NNN_description.sql, applied once each, in order, and recorded in the
// schema_migrations table. A released file is never edited; a change is a
// new file. Statements are separated by a semicolon at the end of a line
// (ClickHouse runs one statement per query).
package schema

import (
	"embed"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

//go:embed *.sql
var files embed.FS

// Migration is one numbered file's statements.
type Migration struct {
	Version    uint32
	Name       string
	Statements []string
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
		out = append(out, Migration{Version: uint32(v), Name: strings.TrimSuffix(name, ".sql"), Statements: split(string(body))})
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
