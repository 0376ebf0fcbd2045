package tables

// greeting_categories: GET /greeting_categories (paging keys may be absent).
var _ = register(&Table{
	Name:     "greeting_categories",
	Doc:      "The categories greetings belong to (voicemail, available, wait, hold, IVR, ...).",
	Kind:     Snapshot,
	Path:     "/greeting_categories",
	Envelope: "greeting_categories",
	Columns: []Column{
		ID("id", "Greeting category id"),
		S("name", "Name of the category (e.g. voicemail, available, wait, hold, ivr)"),
	},
})
