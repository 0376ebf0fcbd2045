package schema

import (
	"strings"
	"testing"
)

func TestMigrationsParse(t *testing.T) {
	ms, err := Migrations()
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) == 0 || ms[0].Version != 1 {
		t.Fatalf("migrations %v", ms)
	}
	for _, m := range ms {
		for _, s := range m.Statements {
			if strings.HasSuffix(s, ";") || strings.Contains(s, "--") || strings.TrimSpace(s) == "" {
				t.Errorf("%s: statement not clean: %q", m.Name, s)
			}
		}
	}
	if n := len(ms[0].Statements); n != 14 { // 13 tables and sync_cursors
		t.Fatalf("001 has %d statements, want 14", n)
	}
}

func TestSplit(t *testing.T) {
	got := split("-- c\nCREATE TABLE a\n(x UInt8);\n\n-- d\nCREATE TABLE b (y UInt8);\n")
	if len(got) != 2 || got[0] != "CREATE TABLE a\n(x UInt8)" || got[1] != "CREATE TABLE b (y UInt8)" {
		t.Fatalf("%q", got)
	}
}
