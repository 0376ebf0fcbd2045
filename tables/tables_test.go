package tables

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

func TestCatalogueTables(t *testing.T) {
	want := "account_overview,addresses,agents_activity,agents_overview,call_legs,calls,current_queue_activity,greeting_categories,greetings,ivr_menus,ivr_routes,ivrs,lines,phone_numbers,voice_settings"
	if got := strings.Join(Names(), ","); got != want {
		t.Fatalf("tables %s", got)
	}
	for _, tb := range All() {
		seen := map[string]bool{}
		for _, c := range tb.Columns {
			if seen[c.Name] {
				t.Errorf("%s: column %s twice", tb.Name, c.Name)
			}
			seen[c.Name] = true
		}
		for _, k := range tb.Key {
			if !seen[k] && k != "_synced_at" {
				t.Errorf("%s: key %s is not a column", tb.Name, k)
			}
		}
		if tb.Parent == "" && (tb.Path == "" || tb.Envelope == "") {
			t.Errorf("%s: no path or envelope", tb.Name)
		}
		if tb.OnlyChanges && (tb.Kind != Stats || !tb.Single) {
			t.Errorf("%s: OnlyChanges is for single-object statistics tables", tb.Name)
		}
	}
	// ivr_menus and ivr_routes come from the ivrs listing.
	if got, want := len(Sources(All())), len(All())-2; got != want {
		t.Fatalf("%d sources, want %d", got, want)
	}
}

func TestResolveRefusesUnknownNamesListingValidOnes(t *testing.T) {
	_, err := Resolve([]string{"calls", "tickets", "legs"})
	if err == nil || !strings.Contains(err.Error(), "tickets, legs") || !strings.Contains(err.Error(), "call_legs") {
		t.Fatalf("err %v", err)
	}
	ts, err := Resolve([]string{" calls", "calls", "ivr_routes"})
	if err != nil || len(ts) != 2 {
		t.Fatalf("%v %v", ts, err)
	}
	if s := Sources(ts); len(s) != 2 || s[0].Name != "calls" || s[1].Name != "ivrs" {
		t.Fatalf("sources %v", s)
	}
}

func TestConvert(t *testing.T) {
	tm := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	cases := []struct {
		col  Column
		raw  string
		want string
	}{
		{I("n", ""), `12`, "12"}, {I("n", ""), `"12"`, "12"}, {I("n", ""), `12.0`, "12"}, {I("n", ""), `null`, "<nil>"}, {I("n", ""), ``, "<nil>"},
		{B("b", ""), `true`, "1"}, {B("b", ""), `false`, "0"},
		{S("s", ""), `"x"`, "x"}, {S("s", ""), `42`, "42"}, {S("s", ""), `"a\"b\\c"`, `a"b\c`}, {S("s", ""), `"caf\u00e9 ☎"`, "café ☎"}, {S("s", ""), `""`, ""},
		{SID("id", ""), `"voicemail_en"`, "voicemail_en"}, {SID("id", ""), `360001`, "360001"},
		{T("t", ""), `"2024-01-02T03:04:05Z"`, tm.String()},
		{D("d", ""), `"0.003"`, "0.003"}, {D("d", ""), `"1.5"`, "1.5"}, {D("d", ""), `null`, "<nil>"},
		{L("l", ""), `["a",1,"b"]`, "[a 1 b]"}, {L("l", ""), `null`, "[]"},
		{O("o", ""), `{"sms": true, "voice":false}`, `{"sms":true,"voice":false}`},
	}
	for _, c := range cases {
		v, err := c.col.Convert(json.RawMessage(c.raw))
		if err != nil {
			t.Errorf("%v %s: %v", c.col, c.raw, err)
			continue
		}
		if got := deref(v); got != c.want {
			t.Errorf("%v %s = %q, want %q", c.col, c.raw, got, c.want)
		}
	}
	for _, bad := range []struct {
		col Column
		raw string
	}{{I("n", ""), `"abc"`}, {B("b", ""), `"yes"`}, {T("t", ""), `"yesterday"`}, {ID("id", ""), `null`}, {SID("id", ""), ``}, {S("s", ""), `{"a":1}`}} {
		if _, err := bad.col.Convert(json.RawMessage(bad.raw)); err == nil || !strings.Contains(err.Error(), bad.col.Name) {
			t.Errorf("%v %s: err %v, want one naming the field", bad.col, bad.raw, err)
		}
	}
}

func deref(v any) string {
	switch p := v.(type) {
	case *int64:
		if p == nil {
			return "<nil>"
		}
		return itoa(*p)
	case int64:
		return itoa(p)
	case *uint8:
		if p == nil {
			return "<nil>"
		}
		return itoa(int64(*p))
	case *string:
		if p == nil {
			return "<nil>"
		}
		return *p
	case string:
		return p
	case *time.Time:
		return p.String()
	case *decimal.Decimal:
		if p == nil {
			return "<nil>"
		}
		return p.String()
	case []string:
		return "[" + strings.Join(p, " ") + "]"
	}
	return "?"
}

func itoa(n int64) string { return decimal.NewFromInt(n).String() }

func TestDeriveRoutesFromMenusNotMenus(t *testing.T) {
	ivr := Record{Raw: json.RawMessage(`{"id":1,"menus":[{"id":10,"routes":[{"id":100},{"id":101}]},{"id":11,"routes":null}]}`)}
	menus, err := MustGet("ivr_menus").Derive(ivr)
	if err != nil || len(menus) != 2 {
		t.Fatalf("menus %v %v", menus, err)
	}
	var routes []Record
	for _, m := range menus {
		rs, err := MustGet("ivr_routes").Derive(m)
		if err != nil {
			t.Fatal(err)
		}
		routes = append(routes, rs...)
	}
	if len(routes) != 2 {
		t.Fatalf("routes %+v", routes)
	}
	vals, _, err := MustGet("ivr_routes").Values(routes[1], nil)
	if err != nil {
		t.Fatal(err)
	}
	// id, ivr_id, ivr_menu_id
	if deref(vals[0]) != "101" || deref(vals[1]) != "1" || deref(vals[2]) != "10" {
		t.Fatalf("route values %v %v %v", deref(vals[0]), deref(vals[1]), deref(vals[2]))
	}
}

// voice_settings keeps the documented fields of GET /settings typed.
func TestVoiceSettingsValues(t *testing.T) {
	tb := MustGet("voice_settings")
	if tb.Entity() || !tb.Single || !tb.OnlyChanges || tb.Path != "/settings" || tb.Envelope != "settings" {
		t.Fatalf("definition %+v", tb)
	}
	rec := Record{Raw: json.RawMessage(`{"agent_confirmation_when_forwarding":true,"agent_wrap_up_after_calls":false,
		"maximum_queue_size":10,"maximum_queue_wait_time":5,"only_during_business_hours":false,"recordings_public":true,
		"supported_locales":["en-US","de"],"voice":true,"voice_ai_enabled_lines":[101,102],"voice_zendesk_qa_enabled":false,
		"knowledge_suggestions_group_ids":[7],"undocumented":1}`)}
	vals, problems, err := tb.Values(rec, nil)
	if err != nil || len(problems) != 0 {
		t.Fatal(err, problems)
	}
	got := map[string]string{}
	for i, c := range tb.Columns {
		got[c.Name] = deref(vals[i])
	}
	for k, v := range map[string]string{
		"agent_confirmation_when_forwarding": "1", "agent_wrap_up_after_calls": "0", "maximum_queue_size": "10",
		"maximum_queue_wait_time": "5", "recordings_public": "1", "supported_locales": "[en-US de]", "voice": "1",
		"voice_ai_enabled_lines": "[101 102]", "voice_zendesk_qa_enabled": "0", "knowledge_suggestions_group_ids": "[7]",
		"voice_ai_enabled": "<nil>", "voice_transcriptions": "<nil>",
	} {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
}

func TestSameContentIgnoresKeyOrderAndSpaceOnly(t *testing.T) {
	a := json.RawMessage(`{"voice":true,"maximum_queue_size":10,"supported_locales":["en-US","de"]}`)
	for _, c := range []struct {
		b    string
		same bool
	}{
		{`{"supported_locales": ["en-US", "de"], "maximum_queue_size": 10, "voice": true}`, true},
		{`{"voice":true,"maximum_queue_size":15,"supported_locales":["en-US","de"]}`, false},
		{`{"voice":true,"maximum_queue_size":10,"supported_locales":["de","en-US"]}`, false},
		{`{"voice":true,"maximum_queue_size":10,"supported_locales":["en-US","de"],"new_field":null}`, false},
		{`{"voice":true`, false},
	} {
		if got := SameContent(a, json.RawMessage(c.b)); got != c.same {
			t.Errorf("SameContent(%s, %s) = %v, want %v", a, c.b, got, c.same)
		}
	}
}
