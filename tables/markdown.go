package tables

import (
	"fmt"
	"strings"
)

//go:generate sh -c "cd .. && go run ./tools/tablesdoc > docs/tables.md"

// DocCommand regenerates docs/tables.md from this catalogue (so does
// `go generate ./tables`, by the directive above); the page and
// the test that finds it stale both name it.
const DocCommand = "go run ./tools/tablesdoc > docs/tables.md"

// Markdown renders docs/tables.md: every table of the catalogue with its
// source, sorting key and columns (name, ClickHouse type, meaning), the
// API fields first, then the bookkeeping columns, in insert order.
func Markdown() string {
	var b strings.Builder
	b.WriteString("# Tables\n\n")
	fmt.Fprintf(&b, "<!-- Generated from tables/ by `%s`: edit the definitions, not this page. -->\n\n", DocCommand)
	fmt.Fprintf(&b, "The warehouse's %d Talk tables, as the catalogue in `tables/` defines them (one file per table;\n", len(All()))
	b.WriteString("migrations in `schema/` create them). Column meanings follow Zendesk's Talk API reference where it\n")
	b.WriteString("documents the field; times are in seconds unless a column says otherwise, booleans are `Nullable(UInt8)`\n")
	b.WriteString("(1 true, 0 false; ClickHouse 18.16 has no Bool), and a field the API sends\n")
	b.WriteString("with another type is stored as NULL (its value stays in `_raw`). `sync_runs`, `sync_cursors` and\n")
	b.WriteString("`schema_migrations`, the sync's own bookkeeping, are described in [architecture.md](architecture.md);\n")
	b.WriteString("the views in [analytics.md](analytics.md).\n\n")
	b.WriteString("Kinds: **export** tables are read incrementally and keep one current row per id; **snapshot** tables are\n")
	b.WriteString("re-read whole and keep one current row per id (ids gone upstream get a tombstone); **stats** tables keep\n")
	b.WriteString("every fetch as history. Entity tables are `ReplacingMergeTree(_version)`: query them with `FINAL` (or\n")
	b.WriteString("their `_live` view) to see each id once.\n\n")
	b.WriteString("| table | kind | source | rows |\n|---|---|---|---|\n")
	for _, t := range All() {
		fmt.Fprintf(&b, "| [`%s`](#%s) | %s | %s | %s |\n", t.Name, t.Name, t.Kind, source(t), cell(t.Doc))
	}
	for _, t := range All() {
		fmt.Fprintf(&b, "\n## %s\n\n%s\n\n", t.Name, t.Doc)
		fmt.Fprintf(&b, "Kind %s, from %s; %s, `ORDER BY (%s)`.\n\n", t.Kind, source(t), engine(t), strings.Join(t.Key, ", "))
		b.WriteString("| column | type | meaning |\n|---|---|---|\n")
		for _, c := range t.Columns {
			fmt.Fprintf(&b, "| `%s` | `%s` | %s |\n", c.Name, c.Type.SQL(), cell(c.Doc))
		}
		for _, m := range t.Meta() {
			fmt.Fprintf(&b, "| `%s` | `%s` | %s |\n", m.Name, m.SQL, cell(m.Doc))
		}
	}
	return b.String()
}

// source names the request that feeds t, or its parent and nested field.
func source(t *Table) string {
	if t.Parent != "" {
		return fmt.Sprintf("`%s[].%s[]`", t.Parent, t.Nested)
	}
	return fmt.Sprintf("`GET /api/v2/channels/voice%s` (`%s`)", t.Path, t.Envelope)
}

func engine(t *Table) string {
	switch {
	case t.Entity():
		return "`ReplacingMergeTree(_version)`, one current row per id"
	case t.OnlyChanges:
		return "`ReplacingMergeTree`, a row only when the record changed"
	}
	return "`ReplacingMergeTree`, a row set per fetch"
}

// cell escapes a table cell's pipes.
func cell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
