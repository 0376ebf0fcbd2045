package config

import (
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// libraries take plain options (warehouse.Options, zendesk.Options) and
// know nothing of environment variables: internal/connect translates the
// settings (issue 20, item 5).
var libraries = []string{"talkwarehouse/warehouse", "talkwarehouse/zendesk"}

// TestLibrariesDoNotImportConfig fails when warehouse or zendesk (their
// non-test code) depends on this package, directly or through another.
func TestLibrariesDoNotImportConfig(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("the go command is not on PATH")
	}
	for _, lib := range libraries {
		out, err := exec.Command("go", "list", "-deps", lib).CombinedOutput()
		if err != nil {
			t.Fatalf("go list -deps %s: %v\n%s", lib, err, out)
		}
		deps := strings.Fields(string(out))
		if len(deps) < 2 {
			t.Fatalf("go list -deps %s listed %d packages", lib, len(deps))
		}
		for _, d := range deps {
			if d == "talkwarehouse/config" {
				t.Errorf("%s depends on talkwarehouse/config: give it options instead (internal/connect builds them)", lib)
			}
		}
	}
}

// TestLibrariesNameNoSetting fails when the libraries' non-test sources
// name an environment variable of this package: their errors say what is
// wrong in their own terms, config (or internal/connect through it) names
// the setting.
func TestLibrariesNameNoSetting(t *testing.T) {
	names := settingsInCode(t)
	if len(names) < 10 {
		t.Fatalf("found only %d settings in config", len(names))
	}
	for _, dir := range []string{"../warehouse", "../zendesk"} {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil || len(files) == 0 {
			t.Fatalf("%s: no Go files (%v)", dir, err)
		}
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, n := range names {
				if strings.Contains(string(b), n) {
					t.Errorf("%s names the setting %s", f, n)
				}
			}
		}
	}
}

// TestZendeskNames: every name given to the zendesk package's messages is
// a setting of this package.
func TestZendeskNames(t *testing.T) {
	settings := map[string]bool{}
	for _, n := range settingsInCode(t) {
		settings[n] = true
	}
	v := reflect.ValueOf(Zendesk{}.Names())
	for i := range v.NumField() {
		name := v.Field(i).String()
		for _, word := range strings.FieldsFunc(name, func(r rune) bool { return r == ',' || r == ' ' }) {
			if strings.HasPrefix(word, "ZENDESK_") && !settings[word] {
				t.Errorf("Names().%s names %s, which is no setting", v.Type().Field(i).Name, word)
			}
		}
		if !strings.Contains(name, "ZENDESK_") {
			t.Errorf("Names().%s = %q names no setting", v.Type().Field(i).Name, name)
		}
	}
}
