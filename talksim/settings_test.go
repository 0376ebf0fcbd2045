package talksim

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
)

// /settings answers one object under "settings" with the documented
// fields, the same bytes for the same (seed, revision), other settings
// after SetSettingsRevision, and 403 when Forbidden lists it.
func TestSettingsEndpoint(t *testing.T) {
	s := New(DefaultConfig())
	first := get(t, s, "/settings.json").Body.String()
	if again := get(t, s, "/settings.json").Body.String(); again != first {
		t.Fatalf("two answers of one revision differ:\n%s\n%s", first, again)
	}
	obj, ok := decode(t, get(t, s, "/settings.json"))["settings"].(map[string]any)
	if !ok {
		t.Fatalf("no settings object: %s", first)
	}
	for _, k := range []string{"agent_confirmation_when_forwarding", "agent_wrap_up_after_calls", "knowledge_suggestions_enabled",
		"knowledge_suggestions_group_ids", "maximum_queue_size", "maximum_queue_wait_time", "only_during_business_hours",
		"recordings_public", "supported_locales", "voice", "voice_ai_display_transcript", "voice_ai_enabled",
		"voice_ai_enabled_lines", "voice_transcriptions", "voice_zendesk_qa_enabled"} {
		if _, ok := obj[k]; !ok {
			t.Errorf("settings lack %s: %s", k, first)
		}
	}
	size, wait := int64(obj["maximum_queue_size"].(float64)), int64(obj["maximum_queue_wait_time"].(float64))
	if !slices.Contains(settingsQueueSizes, size) || !slices.Contains(settingsQueueWaits, wait) {
		t.Errorf("maximum_queue_size %d / maximum_queue_wait_time %d: not an allowed value", size, wait)
	}
	for rev := 1; rev < 12; rev++ {
		s.SetSettingsRevision(rev)
		if got := get(t, s, "/settings.json").Body.String(); got == first {
			t.Errorf("revision %d answers the settings of revision 0", rev)
		}
	}
	s.SetSettingsRevision(0)
	if got := get(t, s, "/settings.json").Body.String(); got != first {
		t.Errorf("back at revision 0, the settings differ:\n%s\n%s", first, got)
	}
	cfg := DefaultConfig()
	cfg.SettingsRevision = 3
	s.SetSettingsRevision(3)
	if a, b := get(t, New(cfg), "/settings.json").Body.String(), get(t, s, "/settings.json").Body.String(); a != b {
		t.Errorf("Config.SettingsRevision 3 and SetSettingsRevision(3) differ:\n%s\n%s", a, b)
	}

	cfg.Forbidden = []string{"/settings"}
	if rec := get(t, New(cfg), "/settings.json"); rec.Code != http.StatusForbidden {
		t.Errorf("forbidden /settings: HTTP %d", rec.Code)
	}
	// The control endpoint the demo uses.
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/__talksim/settings_revision?n=5", nil))
	if rec.Code != 200 || s.SettingsRevision() != 5 {
		t.Errorf("settings_revision?n=5: HTTP %d, revision %d", rec.Code, s.SettingsRevision())
	}
	rec = httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/__talksim/settings_revision?n=x", nil))
	if rec.Code != http.StatusBadRequest {
		t.Errorf("settings_revision?n=x: HTTP %d", rec.Code)
	}
}
