package tables

// voice_settings: GET /settings, the account's Talk settings in one object
// (envelope "settings"; Zendesk's Talk API "Voice Settings"). Kept as history
// like the statistics, but a row is stored only when the settings differ
// from the newest stored row (OnlyChanges): they change rarely, and a row
// per sync would bury each change among identical copies. The table is
// then a change log: each row is the settings as first seen at _synced_at,
// valid until the next row. Fields the docs list later stay in _raw.
var _ = register(&Table{
	Name:        "voice_settings",
	Kind:        Stats,
	Path:        "/settings",
	Envelope:    "settings",
	Single:      true,
	OnlyChanges: true,
	Key:         []string{"_synced_at"},
	Columns: []Column{
		B("agent_confirmation_when_forwarding"), B("agent_wrap_up_after_calls"),
		B("knowledge_suggestions_enabled"), L("knowledge_suggestions_group_ids"),
		I("maximum_queue_size"), I("maximum_queue_wait_time"), B("only_during_business_hours"),
		B("recordings_public"), L("supported_locales"), B("voice"),
		B("voice_ai_display_transcript"), B("voice_ai_enabled"), L("voice_ai_enabled_lines"),
		B("voice_transcriptions"), B("voice_zendesk_qa_enabled"),
	},
})
