package tables

import (
	"os"
	"strings"
	"testing"
)

// Every table and column says what it holds: docs/tables.md is made of it.
func TestEveryTableAndColumnHasADescription(t *testing.T) {
	for _, tb := range All() {
		if strings.TrimSpace(tb.Doc) == "" {
			t.Errorf("table %s has no Doc", tb.Name)
		}
		for _, c := range tb.Columns {
			if d := strings.TrimSpace(c.Doc); d == "" {
				t.Errorf("%s.%s has no description: give it one (tables/%s.go or the file that registers it)", tb.Name, c.Name, tb.Name)
			} else if strings.ContainsAny(d, "\n\r") {
				t.Errorf("%s.%s: the description must be one line", tb.Name, c.Name)
			}
		}
		for _, m := range tb.Meta() {
			if m.Doc == "" {
				t.Errorf("%s.%s has no description", tb.Name, m.Name)
			}
		}
	}
}

// docs/tables.md is what the catalogue renders now.
func TestTablesPageIsCurrent(t *testing.T) {
	got, err := os.ReadFile("../docs/tables.md")
	if err != nil {
		t.Fatalf("%v: create it with `%s` (from the repository's root)", err, DocCommand)
	}
	if want := Markdown(); string(got) != want {
		gl, wl := strings.Split(string(got), "\n"), strings.Split(want, "\n")
		line := 0
		for line < len(gl) && line < len(wl) && gl[line] == wl[line] {
			line++
		}
		first := func(ls []string) string {
			if line < len(ls) {
				return ls[line]
			}
			return "(end of page)"
		}
		t.Fatalf("docs/tables.md is stale (first difference at line %d):\n page: %s\n  now: %s\nregenerate it with `%s` (from the repository's root)",
			line+1, first(gl), first(wl), DocCommand)
	}
}

// The page lists every table and every column.
func TestMarkdownListsEveryColumn(t *testing.T) {
	md := Markdown()
	for _, tb := range All() {
		if !strings.Contains(md, "\n## "+tb.Name+"\n") {
			t.Errorf("no section for %s", tb.Name)
		}
		for _, c := range tb.Columns {
			if !strings.Contains(md, "| `"+c.Name+"` | `"+c.Type.SQL()+"` | "+cell(c.Doc)+" |") {
				t.Errorf("%s.%s missing from the page", tb.Name, c.Name)
			}
		}
	}
}
