package tables

// greeting_categories: GET /greeting_categories (paging keys may be absent).
var _ = register(&Table{
	Name:     "greeting_categories",
	Kind:     Snapshot,
	Path:     "/greeting_categories",
	Envelope: "greeting_categories",
	Columns:  []Column{ID("id"), S("name")},
})
