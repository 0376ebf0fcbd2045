package tables

// addresses: GET /addresses, the account's registered addresses (needed for
// phone numbers in some countries).
var _ = register(&Table{
	Name:     "addresses",
	Doc:      "The account's registered addresses, needed for phone numbers in some countries.",
	Kind:     Snapshot,
	Path:     "/addresses",
	Envelope: "addresses",
	Columns: []Column{
		ID("id", "Address id, assigned by Zendesk"),
		S("name", "Name of the address (a person or a business)"),
		S("street", "Street of the address"),
		S("zip", "Postal code"),
		S("city", "City"),
		S("state", "State, where the country has states"),
		S("province", "Province, where the country has provinces"),
		S("country_code", "ISO 3166 country code of the address"),
		S("provider_reference", "Reference of the address at the telephony provider"),
	},
})
