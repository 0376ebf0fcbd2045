package tables

// call_legs: GET /stats/incremental/legs (envelope key "legs"), one row per
// leg of a call.
var _ = register(&Table{
	Name:     "call_legs",
	Doc:      "One row per leg of a call: each agent, customer or external party the call reached.",
	Kind:     Export,
	Path:     "/stats/incremental/legs",
	Envelope: "legs",
	Columns: []Column{
		ID("id", "Leg id, assigned by Zendesk"),
		I("call_id", "Id of the call the leg belongs to (calls.id)"),
		T("created_at", "When the leg record was created (UTC)"),
		T("updated_at", "When the leg record was last updated (UTC); the export's cursor"),
		I("agent_id", "Id of the agent on the leg"),
		I("user_id", "Id of the user (agent or end user) on the leg"),
		S("available_via", "How the agent took the leg: client (browser) or phone"),
		D("call_charge", "Cost of the leg, in the account's currency (decimal)"),
		S("completion_status", "How the leg ended: completed, missed, declined, failed, transferred, ..."),
		I("conference_from", "Id of the agent who started the conference the leg joined"),
		I("conference_time", "Time on the leg spent in conference (seconds)"),
		I("conference_to", "Id of the agent brought into the conference"),
		I("consultation_from", "Id of the agent who started the consultation"),
		I("consultation_time", "Time on the leg spent consulting (seconds)"),
		I("consultation_to", "Id of the agent consulted"),
		I("duration", "Length of the leg (seconds)"),
		S("forwarded_to", "Number the leg was forwarded to"),
		I("hold_time", "Time on hold during the leg (seconds)"),
		I("minutes_billed", "Minutes billed for the leg"),
		L("quality_issues", "Call quality problems seen on the leg"),
		I("talk_time", "Time spent talking on the leg (seconds)"),
		I("transferred_from", "Id of the agent who transferred the call to this leg"),
		I("transferred_to", "Id of the agent the call was transferred to"),
		S("type", "Kind of leg: agent, customer or external"),
		I("wrap_up_time", "Wrap-up time after the leg (seconds)"),
	},
})
