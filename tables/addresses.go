package tables

// addresses: GET /addresses, the account's registered addresses (needed for
// phone numbers in some countries).
var _ = register(&Table{
	Name:     "addresses",
	Kind:     Snapshot,
	Path:     "/addresses",
	Envelope: "addresses",
	Columns: []Column{
		ID("id"), S("name"), S("street"), S("zip"), S("city"), S("state"), S("province"),
		S("country_code"), S("provider_reference"),
	},
})
