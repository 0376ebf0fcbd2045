package tables

// ivrs: GET /ivr (singular path). Each IVR embeds menus[], each menu embeds
// routes[]; ivr_menus and ivr_routes are derived from this one listing, so
// they cost no extra request. IVR needs Talk Professional: other plans get
// a 403, and the three tables are skipped together.
var _ = register(&Table{
	Name:     "ivrs",
	Kind:     Snapshot,
	Path:     "/ivr",
	Envelope: "ivrs",
	Columns: []Column{
		ID("id"), S("name"), L("phone_number_ids"), L("phone_number_names"),
	},
})

// ivr_menus: one row per ivrs[].menus[], with the IVR's id.
var _ = register(&Table{
	Name:    "ivr_menus",
	Kind:    Snapshot,
	Parent:  "ivrs",
	Nested:  "menus",
	Inherit: map[string]string{"ivr_id": "id"},
	Columns: []Column{
		ID("id"), I("ivr_id"), S("name"), B("default"), S("greeting_id"),
	},
})

// ivr_routes: one row per ivrs[].menus[].routes[] (an element of routes[],
// never a menu), with the menu's and the IVR's ids.
var _ = register(&Table{
	Name:    "ivr_routes",
	Kind:    Snapshot,
	Parent:  "ivr_menus",
	Nested:  "routes",
	Inherit: map[string]string{"ivr_menu_id": "id", "ivr_id": "ivr_id"},
	Columns: []Column{
		ID("id"), I("ivr_id"), I("ivr_menu_id"), S("action"), S("greeting"), S("keypress"),
		S("option_text"), O("options"), O("overflow_options"),
	},
})
