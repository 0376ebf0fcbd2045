package tables

// lines: GET /lines, every line of the account in one list: phone numbers
// (line_type "phone") and digital lines (line_type "digital", browser and
// Web Widget calling, which also carry a string line_id). Calls name their
// line in line_id / line_type, so this table explains calls that
// phone_numbers cannot. Phone-only and digital-only fields are NULL on the
// other kind.
var _ = register(&Table{
	Name:     "lines",
	Doc:      "Every line of the account: phone numbers and digital lines (browser and Web Widget calling).",
	Kind:     Snapshot,
	Path:     "/lines",
	Envelope: "lines",
	Columns: []Column{
		ID("id", "Line id (phone lines share phone_numbers.id)"),
		S("line_type", "phone or digital"),
		S("line_id", "String id of a digital line (digital lines only)"),
		S("nickname", "Nickname of the line"),
		S("name", "Name of the line"),
		S("number", "The phone number, E.164 (phone lines only)"),
		S("display_number", "The phone number formatted for display"),
		S("country_code", "ISO 3166 code of the number's country"),
		B("external", "True if the number is an external caller id"),
		I("priority", "Priority of the line's calls in the queue"),
		I("brand_id", "Id of the brand the line belongs to"),
		B("toll_free", "True for a toll-free number"),
		B("sms_enabled", "True if SMS is enabled on the number"),
		B("voice_enabled", "True if voice calls are enabled on the number"),
		B("outbound_enabled", "True if agents can call out from the number"),
		B("recorded", "True if calls on the line are recorded"),
		I("default_group_id", "Id of the group calls go to by default"),
		L("group_ids", "Ids of the groups the line routes calls to"),
		I("ivr_id", "Id of the IVR the line uses (ivrs.id)"),
		I("schedule_id", "Id of the business-hours schedule the line follows"),
		T("created_at", "When the line was created (UTC)"),
		O("capabilities", "Whether the number can do mms, sms and voice (JSON)"),
	},
})
