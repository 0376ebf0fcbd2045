package zendesk

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestNamesReachTheMessages: the names a caller gives (the worker: its
// environment variables) replace the options' own in the hints of a 401 and
// a 404, in the budgets and in the state file's errors.
func TestNamesReachTheMessages(t *testing.T) {
	names := Names{Site: "MY_SITE", Email: "MY_EMAIL", APIToken: "MY_TOKEN", OAuthToken: "MY_BEARER", ClientID: "MY_CLIENT",
		ClientSecret: "MY_SECRET", RPM: "MY_RPM", ExportRPM: "MY_EXPORT_RPM", StateFile: "MY_STATE", RefreshToken: "MY_REFRESH"}
	status := 401
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(status) }))
	t.Cleanup(srv.Close)
	c, err := New(Options{BaseURL: srv.URL + "/api/v2/channels/voice", Email: "a@b.c", APIToken: "s3cret", RPM: 100, ExportRPM: 10,
		Backoff: time.Millisecond, Names: names})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Fetch(context.Background(), c.URL("/addresses", nil), "addresses", false, nil)
	for _, want := range []string{"MY_EMAIL", "MY_TOKEN", "MY_CLIENT", "MY_SECRET", "MY_BEARER"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("401: %v does not name %s", err, want)
		}
	}
	status = 404
	if _, err := c.Fetch(context.Background(), c.URL("/addresses", nil), "addresses", false, nil); err == nil || !strings.Contains(err.Error(), "check MY_SITE") {
		t.Errorf("404: %v does not name MY_SITE", err)
	}
	if account, export := c.Budgets(); account.Setting != "MY_RPM" || export.Setting != "MY_EXPORT_RPM" {
		t.Errorf("budgets %+v, %+v: settings are not the given names", account, export)
	}

	missing := filepath.Join(t.TempDir(), "none.json")
	if _, err := OpenStateFile(missing, "", names); err == nil || !strings.Contains(err.Error(), "MY_STATE "+missing) || !strings.Contains(err.Error(), "set MY_REFRESH") {
		t.Errorf("missing state file: %v", err)
	}
	bad := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(bad, []byte("{}"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenStateFile(bad, "", names); err == nil || !strings.Contains(err.Error(), "MY_STATE "+bad) {
		t.Errorf("not a state file: %v", err)
	}
}
