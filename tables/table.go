// Package tables is the catalogue of Zendesk Talk tables: one declarative
// definition per table (its file in this folder) drives the API request, the
// ClickHouse columns and the conversion of each JSON record into a row.
// Adding a table means adding a file that calls register; adding a field
// means adding a column here and a migration in schema/. Every table and
// column carries its meaning (Doc), from which docs/tables.md is generated
// (DocCommand; a test fails while the page is stale).
package tables

import (
	"fmt"
	"sort"
	"strings"
)

// Kind says how a table is read from the API and kept in the warehouse.
type Kind string

const (
	// Export tables are read incrementally from an export endpoint by
	// start_time and kept as one current row per id.
	Export Kind = "export"
	// Snapshot tables (configuration) are re-read whole on every sync and
	// kept as one current row per id.
	Snapshot Kind = "snapshot"
	// Stats tables are point-in-time statistics: every fetch is kept as a
	// new snapshot stamped with its fetch time, so history accumulates.
	Stats Kind = "stats"
)

// Table is one warehouse table and how it is fed.
type Table struct {
	Name string // ClickHouse table name, also the name users pass to --tables
	Doc  string // what a row is, in a sentence (docs/tables.md)
	Kind Kind
	// Path is the API path under /api/v2/channels/voice, and Envelope the
	// key of the response that holds the record(s). Derived tables have
	// neither: they come from their Parent's records.
	Path     string
	Envelope string
	// Single is set when the envelope holds one object instead of a list.
	Single bool
	// OnlyChanges (Stats tables with Single only) stores a fetch only when
	// its record differs from the newest stored one (SameContent), so the
	// history holds one row per change instead of one per sync.
	OnlyChanges bool
	// Parent and Nested describe a derived table: one row per element of
	// the parent record's Nested array, plus Inherit (column <- parent
	// column) copied from the parent row, e.g. ivr_menus from ivrs[].menus[].
	Parent  string
	Nested  string
	Inherit map[string]string
	// Key is the ClickHouse sorting key: the entity's identity. Stats
	// tables are keyed by their snapshot time (and agent for agents_activity).
	Key     []string
	Columns []Column

	index map[string]int // column position by name, built by register
}

// Entity reports whether the table keeps one current row per id
// (ReplacingMergeTree with _version and _deleted).
func (t *Table) Entity() bool { return t.Kind != Stats }

// Source is the table whose API request feeds t: t itself, or its
// top-most parent for derived tables.
func (t *Table) Source() *Table {
	for t.Parent != "" {
		t = MustGet(t.Parent)
	}
	return t
}

// Children lists the tables derived directly from t, in name order.
func (t *Table) Children() []*Table {
	var out []*Table
	for _, c := range All() {
		if c.Parent == t.Name {
			out = append(out, c)
		}
	}
	return out
}

// ColumnNames lists every column of the ClickHouse table, the API fields
// first, then the bookkeeping columns, in insert order.
func (t *Table) ColumnNames() []string {
	names := make([]string, 0, len(t.Columns)+4)
	for _, c := range t.Columns {
		names = append(names, c.Name)
	}
	return append(names, t.metaColumns()...)
}

func (t *Table) metaColumns() []string {
	var names []string
	for _, m := range t.Meta() {
		names = append(names, m.Name)
	}
	return names
}

// MetaColumn is a bookkeeping column the sync writes beside the API fields.
type MetaColumn struct {
	Name, SQL, Doc string
}

// Meta lists t's bookkeeping columns in insert order: _raw and _synced_at
// everywhere, _version and _deleted on entity tables.
func (t *Table) Meta() []MetaColumn {
	synced := "When the sync fetched this version of the record (UTC, whole seconds)"
	switch {
	case t.OnlyChanges:
		synced = "When these values were first fetched (UTC, whole seconds); they hold until the next row's"
	case !t.Entity():
		synced = "When the snapshot was fetched (UTC, whole seconds): the snapshot's key"
	}
	out := []MetaColumn{
		{"_raw", "String", "The record's complete JSON as received: fields without a column are kept here"},
		{"_synced_at", "DateTime", synced},
	}
	if t.Entity() {
		out = append(out,
			MetaColumn{"_version", "UInt64", "Fetch time in Unix nanoseconds: the newest version of an id wins under FINAL"},
			MetaColumn{"_deleted", "UInt8", "1 on a tombstone: the record was removed upstream; the _live views leave such ids out"})
	}
	return out
}

// CreateSQL is the CREATE TABLE statement for t as the definition stands.
// Migrations in schema/ are frozen copies of it; a test checks that the
// migrated database still matches every definition.
func (t *Table) CreateSQL() string {
	var b strings.Builder
	fmt.Fprintf(&b, "CREATE TABLE IF NOT EXISTS %s\n(\n", t.Name)
	for _, c := range t.Columns {
		fmt.Fprintf(&b, "    %s %s,\n", quoteIdent(c.Name), c.Type.SQL())
	}
	b.WriteString("    _raw String,\n    _synced_at DateTime")
	if t.Entity() {
		b.WriteString(",\n    _version UInt64,\n    _deleted UInt8\n)\nENGINE = ReplacingMergeTree(_version)\n")
	} else {
		b.WriteString("\n)\nENGINE = ReplacingMergeTree\n")
	}
	fmt.Fprintf(&b, "ORDER BY (%s)", strings.Join(t.Key, ", "))
	return b.String()
}

// quoteIdent quotes a column name: API fields such as "default" and
// "type" are SQL keywords.
func quoteIdent(name string) string { return "`" + name + "`" }

// QuotedColumns is ColumnNames quoted for an INSERT column list.
func (t *Table) QuotedColumns() string {
	names := t.ColumnNames()
	for i, n := range names {
		names[i] = quoteIdent(n)
	}
	return strings.Join(names, ", ")
}

var registry = map[string]*Table{}

// register adds a definition to the catalogue; each table's file calls it.
func register(t *Table) *Table {
	if _, dup := registry[t.Name]; dup {
		panic("tables: duplicate table " + t.Name)
	}
	if len(t.Key) == 0 {
		t.Key = []string{"id"}
	}
	t.index = make(map[string]int, len(t.Columns))
	for i, c := range t.Columns {
		t.index[c.Name] = i
	}
	registry[t.Name] = t
	return t
}

// All returns every table, sorted by name.
func All() []*Table {
	out := make([]*Table, 0, len(registry))
	for _, t := range registry {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Names returns every table name, sorted.
func Names() []string {
	var names []string
	for _, t := range All() {
		names = append(names, t.Name)
	}
	return names
}

// Get looks a table up by name.
func Get(name string) (*Table, bool) {
	t, ok := registry[name]
	return t, ok
}

// MustGet is Get for names known to exist.
func MustGet(name string) *Table {
	t, ok := registry[name]
	if !ok {
		panic("tables: unknown table " + name)
	}
	return t
}

// Resolve checks user-supplied table names. An empty list means every
// table. Unknown names are refused with the list of valid ones.
func Resolve(names []string) ([]*Table, error) {
	if len(names) == 0 {
		return All(), nil
	}
	var out []*Table
	var unknown []string
	seen := map[string]bool{}
	for _, n := range names {
		n = strings.TrimSpace(n)
		if n == "" || seen[n] {
			continue
		}
		seen[n] = true
		t, ok := registry[n]
		if !ok {
			unknown = append(unknown, n)
			continue
		}
		out = append(out, t)
	}
	if len(unknown) > 0 {
		return nil, fmt.Errorf("unknown table(s) %s; valid tables are: %s",
			strings.Join(unknown, ", "), strings.Join(Names(), ", "))
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no table named; valid tables are: %s", strings.Join(Names(), ", "))
	}
	return out, nil
}

// Sources groups tables by the API request that feeds them, so that one
// activity per source fetches it once and writes all its tables (ivrs,
// ivr_menus and ivr_routes come from one /ivr listing). The result is in
// name order of the sources.
func Sources(ts []*Table) []*Table {
	seen := map[string]bool{}
	var out []*Table
	for _, t := range ts {
		s := t.Source()
		if !seen[s.Name] {
			seen[s.Name] = true
			out = append(out, s)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Family is a source table and every table derived from it, parents first.
func (t *Table) Family() []*Table {
	out := []*Table{t}
	for _, c := range t.Children() {
		out = append(out, c.Family()...)
	}
	return out
}
