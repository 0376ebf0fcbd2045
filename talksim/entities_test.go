package talksim

import (
	"net/url"
	"strings"
	"testing"
)

// pageAll follows next_page of an offset list and returns every record.
func pageAll(t *testing.T, s *Sim, path, envelope string) (recs []map[string]any, pages int) {
	t.Helper()
	next := path
	for next != "" {
		m := decode(t, get(t, s, next))
		pages++
		items, ok := m[envelope].([]any)
		if !ok {
			t.Fatalf("%s: no %q array", next, envelope)
		}
		for _, it := range items {
			recs = append(recs, it.(map[string]any))
		}
		if c, ok := m["count"].(float64); ok && pages == 1 && int(c) < len(items) {
			t.Fatalf("%s: count %v < page size", next, c)
		}
		np, present := m["next_page"]
		if !present || np == nil {
			break
		}
		u, err := url.Parse(np.(string))
		if err != nil || !u.IsAbs() || u.Host != "sim.test" {
			t.Fatalf("next_page %v is not an absolute URL on the request host", np)
		}
		next = np.(string)
		if pages > 200 {
			t.Fatal("offset paging does not end")
		}
	}
	return recs, pages
}

func TestGreetingsPagingAndStringIDs(t *testing.T) {
	s := New(DefaultConfig())
	recs, pages := pageAll(t, s, "/greetings", "greetings")
	if pages < 2 {
		t.Fatalf("greetings fit in %d page(s); default config must need more", pages)
	}
	if len(recs) != s.Expected()["greetings"] || len(recs) != 130 {
		t.Fatalf("greetings: %d, expected %d", len(recs), s.Expected()["greetings"])
	}
	seen := map[any]bool{}
	strs, nums := 0, 0
	strOnLastPage := false
	for i, g := range recs {
		if seen[g["id"]] {
			t.Fatalf("duplicate greeting id %v", g["id"])
		}
		seen[g["id"]] = true
		switch g["id"].(type) {
		case string:
			strs++
			if i >= 100 {
				strOnLastPage = true
			}
		case float64:
			nums++
		}
		for _, k := range []string{"ivr_ids", "phone_number_ids"} {
			if v := g[k]; v != nil {
				if _, ok := v.([]any); !ok {
					t.Fatalf("greeting %v: %s is %T", g["id"], k, v)
				}
			}
		}
	}
	if strs == 0 || nums == 0 || !strOnLastPage {
		t.Fatalf("string ids %d, numeric %d, string on page 2: %v", strs, nums, strOnLastPage)
	}
	if !seen["voicemail_en"] {
		t.Fatal(`no "voicemail_en" greeting`)
	}

	// previous_page on page 2, null on page 1; custom per_page.
	m := decode(t, get(t, s, "/greetings.json?page=2&per_page=50"))
	if m["previous_page"] == nil || !strings.Contains(m["previous_page"].(string), "page=1") || len(m["greetings"].([]any)) != 50 {
		t.Fatalf("page 2: previous_page %v", m["previous_page"])
	}
	m = decode(t, get(t, s, "/greetings?page=99"))
	if len(m["greetings"].([]any)) != 0 || m["next_page"] != nil {
		t.Fatal("page past the end must be empty with next_page null")
	}
	if rec := get(t, s, "/greetings?page=0"); rec.Code != 400 {
		t.Fatalf("page=0: %d", rec.Code)
	}
	if rec := get(t, s, "/greetings?page=101"); rec.Code != 400 {
		t.Fatalf("page past the 10,000-record offset limit: %d", rec.Code)
	}
}

func TestGreetingCategoriesHaveNoPagingKeys(t *testing.T) {
	s := New(DefaultConfig())
	m := decode(t, get(t, s, "/greeting_categories"))
	for _, k := range []string{"next_page", "previous_page", "count"} {
		if _, ok := m[k]; ok {
			t.Fatalf("greeting_categories carries %q", k)
		}
	}
	if len(m["greeting_categories"].([]any)) != 3 {
		t.Fatalf("categories: %v", m)
	}
}

func TestEntityShapesAndExpected(t *testing.T) {
	s := New(DefaultConfig())
	exp := s.Expected()
	want := map[string]int{"addresses": 5, "greeting_categories": 3, "greetings": 130, "phone_numbers": 6, "ivrs": 3, "ivr_menus": 6, "ivr_routes": 18, "calls": 2000, "call_legs": 6000, "agents_activity": 12}
	for k, v := range want {
		if exp[k] != v {
			t.Fatalf("Expected[%s] = %d, want %d (%v)", k, exp[k], v, exp)
		}
	}
	for path, env := range map[string]string{"/addresses": "addresses", "/phone_numbers": "phone_numbers", "/ivr": "ivrs", "/stats/agents_activity": "agents_activity"} {
		recs, _ := pageAll(t, s, path+"?per_page=2", env)
		if len(recs) != exp[env] {
			t.Fatalf("%s: %d records, want %d", path, len(recs), exp[env])
		}
	}
	ivrs, _ := pageAll(t, s, "/ivr", "ivrs")
	menuIDs, routeIDs := map[float64]bool{}, map[float64]bool{}
	for _, ivr := range ivrs {
		for _, mm := range ivr["menus"].([]any) {
			menu := mm.(map[string]any)
			menuIDs[menu["id"].(float64)] = true
			for _, rr := range menu["routes"].([]any) {
				route := rr.(map[string]any)
				routeIDs[route["id"].(float64)] = true
				if _, ok := route["overflow_options"].([]any); !ok {
					t.Fatalf("overflow_options is %T", route["overflow_options"])
				}
				if _, ok := route["options"].(map[string]any); !ok {
					t.Fatalf("options is %T", route["options"])
				}
			}
		}
	}
	if len(menuIDs) != exp["ivr_menus"] || len(routeIDs) != exp["ivr_routes"] {
		t.Fatalf("distinct menus %d routes %d", len(menuIDs), len(routeIDs))
	}
	phones, _ := pageAll(t, s, "/phone_numbers", "phone_numbers")
	for _, p := range phones {
		for _, k := range []string{"capabilities", "categorised_greetings", "categorised_greetings_with_sub_settings"} {
			if v := p[k]; v != nil {
				if _, ok := v.(map[string]any); !ok {
					t.Fatalf("phone %s is %T", k, v)
				}
			}
		}
	}
	menus, _ := s.Records("ivr_menus")
	routes, _ := s.Records("ivr_routes")
	if len(menus) != exp["ivr_menus"] || len(routes) != exp["ivr_routes"] || routes[0]["ivr_menu_id"] == nil {
		t.Fatal("Records for derived tables")
	}
}

func TestDelete(t *testing.T) {
	s := New(DefaultConfig())
	if err := s.Delete("ivr", float64(ivrID(1))); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete("greetings", "voicemail_en"); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete("greetings", numericGreetingID(3)); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete("addresses", int(addressID(0))); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete("greetings", "voicemail_en"); err == nil {
		t.Fatal("deleting twice succeeded")
	}
	if err := s.Delete("calls", 1); err == nil {
		t.Fatal("deleting from calls succeeded")
	}
	exp := s.Expected()
	if exp["ivrs"] != 2 || exp["ivr_menus"] != 4 || exp["ivr_routes"] != 12 || exp["greetings"] != 128 || exp["addresses"] != 4 {
		t.Fatalf("after deletes: %v", exp)
	}
	recs, _ := pageAll(t, s, "/greetings", "greetings")
	for _, g := range recs {
		if g["id"] == "voicemail_en" {
			t.Fatal("deleted greeting still listed")
		}
	}
	if len(recs) != 128 {
		t.Fatalf("listed %d greetings", len(recs))
	}
}

// TestDocumentedFieldsPresent pins the field lists the warehouse schema is
// built from.
func TestDocumentedFieldsPresent(t *testing.T) {
	s := New(DefaultConfig())
	fields := map[string]string{
		"calls":           "id created_at updated_at agent_id call_charge call_group_id call_recording_consent call_recording_consent_action call_recording_consent_keypress callback callback_source completion_status consultation_time customer_requested_voicemail default_group direction duration exceeded_queue_time hold_time ivr_action ivr_destination_group_name ivr_hops ivr_routed_to ivr_time_spent minutes_billed not_recording_time outside_business_hours overflowed overflowed_to phone_number phone_number_id quality_issues recording_control_interactions recording_time talk_time ticket_id time_to_answer voicemail wait_time wrap_up_time customer_id line line_id line_type call_channel",
		"legs":            "id call_id created_at updated_at agent_id user_id available_via call_charge completion_status conference_from conference_time conference_to consultation_from consultation_time consultation_to duration forwarded_to hold_time minutes_billed quality_issues talk_time transferred_from transferred_to type wrap_up_time",
		"addresses":       "id name street zip city state province country_code provider_reference",
		"greetings":       "id name category_id default default_lang active pending audio_name audio_url upload_id has_sub_settings ivr_ids phone_number_ids",
		"phone_numbers":   "id number display_number name nickname country_code location toll_free recorded transcription sms_enabled voice_enabled outbound_enabled external priority line_type default_group_id group_ids greeting_ids default_greeting_ids ivr_id schedule_id sms_group_id token failover_number call_recording_consent created_at capabilities categorised_greetings categorised_greetings_with_sub_settings",
		"ivrs":            "id name phone_number_ids phone_number_names menus",
		"ivr_menus":       "id name default greeting_id routes ivr_id",
		"ivr_routes":      "id action greeting keypress option_text options overflow_options ivr_id ivr_menu_id",
		"agents_activity": "agent_id name agent_state call_status via avatar_url forwarding_number available_time away_time online_time calls_accepted calls_denied calls_missed total_call_duration total_talk_time total_wrap_up_time accepted_transfers started_transfers accepted_third_party_conferences started_third_party_conferences calls_put_on_hold average_hold_time average_talk_time average_wrap_up_time total_hold_time",
	}
	first, _ := s.CallIDRange()
	samples := map[string]map[string]any{
		"calls": s.Call(first),
		"legs":  s.Leg(s.LegIDs(first)[0]),
	}
	for _, tbl := range []string{"addresses", "greetings", "phone_numbers", "ivrs", "ivr_menus", "ivr_routes"} {
		recs, err := s.Records(tbl)
		if err != nil || len(recs) == 0 {
			t.Fatalf("Records(%s): %v", tbl, err)
		}
		samples[tbl] = recs[0]
	}
	samples["agents_activity"] = decode(t, get(t, s, "/stats/agents_activity"))["agents_activity"].([]any)[0].(map[string]any)
	for tbl, list := range fields {
		for _, f := range strings.Fields(list) {
			if _, ok := samples[tbl][f]; !ok {
				t.Errorf("%s lacks %s", tbl, f)
			}
		}
	}
}
