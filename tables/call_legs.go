package tables

// call_legs: GET /stats/incremental/legs (envelope key "legs"), one row per
// leg of a call.
var _ = register(&Table{
	Name:     "call_legs",
	Kind:     Export,
	Path:     "/stats/incremental/legs",
	Envelope: "legs",
	Columns: []Column{
		ID("id"), I("call_id"), T("created_at"), T("updated_at"),
		I("agent_id"), I("user_id"), S("available_via"), D("call_charge"), S("completion_status"),
		I("conference_from"), I("conference_time"), I("conference_to"),
		I("consultation_from"), I("consultation_time"), I("consultation_to"),
		I("duration"), S("forwarded_to"), I("hold_time"), I("minutes_billed"), L("quality_issues"),
		I("talk_time"), I("transferred_from"), I("transferred_to"), S("type"), I("wrap_up_time"),
	},
})
