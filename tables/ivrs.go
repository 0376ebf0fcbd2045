package tables

// ivrs: GET /ivr (singular path). Each IVR embeds menus[], each menu embeds
// routes[]; ivr_menus and ivr_routes are derived from this one listing, so
// they cost no extra request. IVR needs Talk Professional: other plans get
// a 403, and the three tables are skipped together.
var _ = register(&Table{
	Name:     "ivrs",
	Doc:      "The IVRs (phone menus); IVR needs Talk Professional, other plans skip ivrs, ivr_menus and ivr_routes.",
	Kind:     Snapshot,
	Path:     "/ivr",
	Envelope: "ivrs",
	Columns: []Column{
		ID("id", "IVR id"),
		S("name", "Name of the IVR"),
		L("phone_number_ids", "Ids of the phone numbers using the IVR"),
		L("phone_number_names", "Names of the phone numbers using the IVR"),
	},
})

// ivr_menus: one row per ivrs[].menus[], with the IVR's id.
var _ = register(&Table{
	Name:    "ivr_menus",
	Doc:     "The menus of each IVR.",
	Kind:    Snapshot,
	Parent:  "ivrs",
	Nested:  "menus",
	Inherit: map[string]string{"ivr_id": "id"},
	Columns: []Column{
		ID("id", "IVR menu id"),
		I("ivr_id", "Id of the IVR the menu belongs to (ivrs.id)"),
		S("name", "Name of the menu"),
		B("default", "True for the IVR's default (main) menu"),
		S("greeting_id", "Id of the greeting the menu plays"),
	},
})

// ivr_routes: one row per ivrs[].menus[].routes[] (an element of routes[],
// never a menu), with the menu's and the IVR's ids.
var _ = register(&Table{
	Name:    "ivr_routes",
	Doc:     "The routes (keypress options) of each IVR menu.",
	Kind:    Snapshot,
	Parent:  "ivr_menus",
	Nested:  "routes",
	Inherit: map[string]string{"ivr_menu_id": "id", "ivr_id": "ivr_id"},
	Columns: []Column{
		ID("id", "IVR route id"),
		I("ivr_id", "Id of the IVR (ivrs.id)"),
		I("ivr_menu_id", "Id of the menu the route belongs to (ivr_menus.id)"),
		S("action", "What the keypress does: group, voicemail, phone_number, menu, textback, callback, ..."),
		S("greeting", "Greeting played when the route is taken"),
		S("keypress", "Key that selects the route (0-9 or *)"),
		S("option_text", "Text describing the route's option"),
		O("options", "Action-specific options, e.g. the group or phone number (JSON)"),
		O("overflow_options", "Where the call goes when the route overflows (JSON)"),
	},
})
