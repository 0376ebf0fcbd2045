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
	Doc:         "The account's Talk settings, one row per change.",
	Kind:        Stats,
	Path:        "/settings",
	Envelope:    "settings",
	Single:      true,
	OnlyChanges: true,
	Key:         []string{"_synced_at"},
	Columns: []Column{
		B("agent_confirmation_when_forwarding", "True if agents must press a key to answer calls forwarded to their phones"),
		B("agent_wrap_up_after_calls", "Legacy (now per number): true if agents get wrap-up time after each call"),
		B("knowledge_suggestions_enabled", "True if Knowledge Suggestions are enabled for voice calls"),
		L("knowledge_suggestions_group_ids", "Ids of the groups Knowledge Suggestions are enabled for"),
		I("maximum_queue_size", "Calls beyond this queue size go to voicemail (0, 2, 5, 10, ... 50)"),
		I("maximum_queue_wait_time", "Callers waiting longer than this go to voicemail (minutes: 1, 2, 5, ... 30)"),
		B("only_during_business_hours", "Legacy (now per number): true if calls reach agents only in business hours"),
		B("recordings_public", "True if requesters can see recordings of live calls added to tickets"),
		L("supported_locales", "Translation locales supported for the account"),
		B("voice", "True if agents can make themselves available for calls (voicemail works regardless)"),
		B("voice_ai_display_transcript", "True if the transcript of a recorded call shows on its voice ticket"),
		B("voice_ai_enabled", "True if call transcription is shown on tickets (per line where turned on)"),
		L("voice_ai_enabled_lines", "Ids of the phone numbers with voice AI enabled"),
		B("voice_transcriptions", "True if voice transcriptions are turned on (docs list it as a boolean)"),
		B("voice_zendesk_qa_enabled", "True if calls are sent to Zendesk QA (not described in the docs we had)"),
	},
})
