package config

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// settingsInCode is every variable named by an `env:"…"` struct tag in this
// package's sources, whatever struct it is in: settings added later (by
// anyone, in any struct here) are caught without registering them.
func settingsInCode(t *testing.T) []string {
	t.Helper()
	fset := token.NewFileSet()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			field, ok := n.(*ast.Field)
			if !ok || field.Tag == nil {
				return true
			}
			tag, err := strconv.Unquote(field.Tag.Value)
			if err != nil {
				t.Fatalf("%s: tag %s: %v", name, field.Tag.Value, err)
			}
			if v, ok := reflect.StructTag(tag).Lookup("env"); ok {
				if key, _, _ := strings.Cut(v, ","); key != "" {
					seen[key] = true
				}
			}
			return true
		})
	}
	var out []string
	for k := range seen {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// TestSettingsDocumented: every setting the code reads is in the settings
// table of docs/configuration.md and in .env.example (with a comment line
// above it), and .env.example lists nothing the code does not read.
func TestSettingsDocumented(t *testing.T) {
	code := settingsInCode(t)
	// Settings (what the loaders parse) lists exactly the names in the
	// sources: a struct added without joining Worker or Schedules is caught.
	var listed []string
	for _, p := range Settings() {
		listed = append(listed, p.Key)
	}
	slices.Sort(listed)
	if !slices.Equal(listed, code) {
		t.Errorf("Settings() = %v\nsources' env tags = %v", listed, code)
	}
	if len(code) < 20 {
		t.Fatalf("found only %d settings: %v", len(code), code)
	}

	readme, err := os.ReadFile("../docs/configuration.md")
	if err != nil {
		t.Fatal(err)
	}
	example, err := os.ReadFile("../.env.example")
	if err != nil {
		t.Fatal(err)
	}
	inReadme := map[string]bool{}
	for _, m := range regexp.MustCompile("(?m)^\\| `([A-Z][A-Z0-9_]+)` \\|").FindAllStringSubmatch(string(readme), -1) {
		inReadme[m[1]] = true
	}
	inExample := map[string]bool{}
	lines := strings.Split(string(example), "\n")
	setting := regexp.MustCompile(`^#? ?([A-Z][A-Z0-9_]+)=`)
	for i, line := range lines {
		m := setting.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		if inExample[m[1]] {
			t.Errorf(".env.example lists %s twice", m[1])
		}
		inExample[m[1]] = true
		if i == 0 || !strings.HasPrefix(lines[i-1], "# ") || setting.MatchString(lines[i-1]) {
			t.Errorf(".env.example: %s has no comment line above it", m[1])
		}
	}
	for _, name := range code {
		if !inReadme[name] {
			t.Errorf("%s is read by the code but missing from the settings table of docs/configuration.md", name)
		}
		if !inExample[name] {
			t.Errorf("%s is read by the code but missing from .env.example", name)
		}
	}
	for name := range inExample {
		if !slices.Contains(code, name) {
			t.Errorf(".env.example lists %s, which the code does not read", name)
		}
	}
}
