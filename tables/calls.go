package tables

// calls: GET /stats/incremental/calls, one row per call. Undocumented fields
// seen in real data (customer_id, line, line_id, line_type, call_channel)
// are typed too; anything newer stays in _raw.
var _ = register(&Table{
	Name:     "calls",
	Kind:     Export,
	Path:     "/stats/incremental/calls",
	Envelope: "calls",
	Columns: []Column{
		ID("id"), T("created_at"), T("updated_at"),
		I("agent_id"), D("call_charge"), I("call_group_id"),
		S("call_recording_consent"), S("call_recording_consent_action"), S("call_recording_consent_keypress"),
		B("callback"), S("callback_source"), S("completion_status"), I("consultation_time"),
		B("customer_requested_voicemail"), B("default_group"), S("direction"), I("duration"),
		B("exceeded_queue_time"), B("exceeded_queue_wait_time"), I("hold_time"), S("ivr_action"), S("ivr_destination_group_name"),
		I("ivr_hops"), S("ivr_routed_to"), I("ivr_time_spent"), I("minutes_billed"),
		I("not_recording_time"), B("outside_business_hours"), B("overflowed"), S("overflowed_to"),
		S("phone_number"), I("phone_number_id"), L("quality_issues"), I("recording_control_interactions"),
		I("recording_time"), I("talk_time"), I("ticket_id"), I("time_to_answer"), B("voicemail"),
		I("wait_time"), I("wrap_up_time"),
		// Undocumented, seen in real records (exceeded_queue_wait_time above too:
		// real records carry it, the docs say exceeded_queue_time).
		I("customer_id"), S("line"), I("line_id"), S("line_type"), S("call_channel"),
	},
})
