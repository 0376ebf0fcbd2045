package tables

// greetings: GET /greetings. Ids are numbers or strings ("voicemail_en"), so
// the identity is a String.
var _ = register(&Table{
	Name:     "greetings",
	Doc:      "The account's recorded and system greetings.",
	Kind:     Snapshot,
	Path:     "/greetings",
	Envelope: "greetings",
	Columns: []Column{
		SID("id", "Greeting id: a number, or a string for system greetings (e.g. voicemail_en)"),
		S("name", "Name of the greeting"),
		I("category_id", "Id of the greeting's category (greeting_categories.id)"),
		B("default", "True for a system default greeting"),
		B("default_lang", "True if the greeting has a default language"),
		B("active", "True if the greeting is used by one or more phone numbers"),
		B("pending", "True while the greeting is pending"),
		S("audio_name", "Name of the greeting's audio file (.mp3 or .wav)"),
		S("audio_url", "Path of the greeting's sound file"),
		I("upload_id", "Id of the upload holding the greeting's audio"),
		B("has_sub_settings", "True if the greeting's category has sub-settings"),
		L("ivr_ids", "Ids of the IVRs that use the greeting"),
		L("phone_number_ids", "Ids of the phone numbers that use the greeting"),
	},
})
