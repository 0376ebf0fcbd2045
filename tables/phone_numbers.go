package tables

// phone_numbers: GET /phone_numbers.
var _ = register(&Table{
	Name:     "phone_numbers",
	Kind:     Snapshot,
	Path:     "/phone_numbers",
	Envelope: "phone_numbers",
	Columns: []Column{
		ID("id"), S("number"), S("display_number"), S("name"), S("nickname"), S("country_code"),
		S("location"), B("toll_free"), B("recorded"), B("transcription"), B("sms_enabled"),
		B("voice_enabled"), B("outbound_enabled"), B("external"), I("priority"), S("line_type"),
		I("default_group_id"), L("group_ids"), L("greeting_ids"), L("default_greeting_ids"),
		I("ivr_id"), I("schedule_id"), I("sms_group_id"), S("token"), S("failover_number"),
		S("call_recording_consent"), T("created_at"), O("capabilities"),
		O("categorised_greetings"), O("categorised_greetings_with_sub_settings"),
	},
})
