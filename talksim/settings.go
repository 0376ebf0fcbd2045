package talksim

import "net/http"

// The account's voice settings (GET /settings, envelope "settings"): a
// pure function of (seed, revision). The revision starts at
// Config.SettingsRevision and SetSettingsRevision changes it, as an admin
// editing the settings between two syncs would; the same revision always
// answers the same bytes. Config.Forbidden with "/settings" answers 403.

// SetSettingsRevision makes /settings answer the settings of revision n
// from now on (n = Config.SettingsRevision is the initial settings).
func (s *Sim) SetSettingsRevision(n int) { s.settingsRev.Store(int64(n)) }

// SettingsRevision is the revision /settings answers now.
func (s *Sim) SettingsRevision() int { return int(s.settingsRev.Load()) }

var settingsQueueSizes = []int64{0, 2, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50}
var settingsQueueWaits = []int64{1, 2, 5, 10, 15, 20, 25, 30}

// appendSettings writes {"settings":{...}} of revision rev: the documented
// fields, with the allowed values of maximum_queue_size and
// maximum_queue_wait_time.
func (s *Sim) appendSettings(b []byte, rev int) []byte {
	r := newRng(s.cfg.Seed, streamSettings, uint64(rev), 0)
	o := newObj(append(b, `{"settings":`...), 0)
	o.bool("agent_confirmation_when_forwarding", r.pct(50))
	o.bool("agent_wrap_up_after_calls", r.pct(70))
	o.bool("knowledge_suggestions_enabled", r.pct(30))
	var groups []int64
	for g := 0; g < 3; g++ {
		if r.pct(50) {
			groups = append(groups, groupID(g))
		}
	}
	o.ints("knowledge_suggestions_group_ids", groups)
	// The queue size steps with the revision, so that two revisions less
	// than 12 apart always differ.
	br := newRng(s.cfg.Seed, streamSettings, 0, 1<<40)
	n := len(settingsQueueSizes)
	o.int("maximum_queue_size", settingsQueueSizes[((br.intn(n)+rev)%n+n)%n])
	o.int("maximum_queue_wait_time", settingsQueueWaits[r.intn(len(settingsQueueWaits))])
	o.bool("only_during_business_hours", r.pct(40))
	o.bool("recordings_public", r.pct(20))
	o.strs("supported_locales", []string{"en-US", "de", "fr", "es"}[:1+r.intn(4)])
	o.bool("voice", r.pct(90))
	o.bool("voice_ai_display_transcript", r.pct(50))
	o.bool("voice_ai_enabled", r.pct(50))
	var lines []int64
	for p := 0; p < s.cfg.PhoneNumbers; p++ {
		if r.pct(50) {
			lines = append(lines, phoneID(p))
		}
	}
	o.ints("voice_ai_enabled_lines", lines)
	o.bool("voice_transcriptions", r.pct(50))
	o.bool("voice_zendesk_qa_enabled", r.pct(30))
	return append(o.end(), '}')
}

func settingsEndpoint(s *Sim, w http.ResponseWriter, _ *http.Request, _ string) {
	writeJSON(w, http.StatusOK, s.appendSettings(nil, s.SettingsRevision()))
}
