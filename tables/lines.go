package tables

// lines: GET /lines, every line of the account in one list: phone numbers
// (line_type "phone") and digital lines (line_type "digital", browser and
// Web Widget calling, which also carry a string line_id). Calls name their
// line in line_id / line_type, so this table explains calls that
// phone_numbers cannot. Phone-only and digital-only fields are NULL on the
// other kind.
var _ = register(&Table{
	Name:     "lines",
	Kind:     Snapshot,
	Path:     "/lines",
	Envelope: "lines",
	Columns: []Column{
		ID("id"), S("line_type"), S("line_id"), S("nickname"), S("name"), S("number"),
		S("display_number"), S("country_code"), B("external"), I("priority"), I("brand_id"),
		B("toll_free"), B("sms_enabled"), B("voice_enabled"), B("outbound_enabled"),
		B("recorded"), I("default_group_id"), L("group_ids"), I("ivr_id"), I("schedule_id"),
		T("created_at"), O("capabilities"),
	},
})
