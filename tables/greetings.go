package tables

// greetings: GET /greetings. Ids are numbers or strings ("voicemail_en"), so
// the identity is a String.
var _ = register(&Table{
	Name:     "greetings",
	Kind:     Snapshot,
	Path:     "/greetings",
	Envelope: "greetings",
	Columns: []Column{
		SID("id"), S("name"), I("category_id"), B("default"), B("default_lang"), B("active"),
		B("pending"), S("audio_name"), S("audio_url"), I("upload_id"), B("has_sub_settings"),
		L("ivr_ids"), L("phone_number_ids"),
	},
})
