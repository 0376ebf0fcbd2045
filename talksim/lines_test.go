package talksim

import (
	"testing"
)

func TestLinesListsPhoneAndDigitalLines(t *testing.T) {
	cfg := DefaultConfig()
	s := New(cfg)
	lines, err := s.Records("lines")
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) != cfg.PhoneNumbers+cfg.DigitalLines || s.Expected()["lines"] != len(lines) {
		t.Fatalf("%d lines (Expected %d), want %d phone + %d digital", len(lines), s.Expected()["lines"], cfg.PhoneNumbers, cfg.DigitalLines)
	}
	digital := map[int64]bool{}
	for _, l := range lines {
		switch l["line_type"] {
		case "phone":
			if l["number"] == nil || l["line_id"] != nil {
				t.Errorf("phone line %v: number %v, line_id %v", l["id"], l["number"], l["line_id"])
			}
		case "digital":
			if s, ok := l["line_id"].(string); !ok || s == "" {
				t.Errorf("digital line %v has no string line_id", l["id"])
			}
			digital[id64(l["id"])] = true
		default:
			t.Errorf("line %v: line_type %v", l["id"], l["line_type"])
		}
		for _, k := range []string{"id", "country_code", "external", "nickname", "priority", "brand_id"} {
			if _, ok := l[k]; !ok {
				t.Errorf("line %v lacks %s", l["id"], k)
			}
		}
	}
	// Served offset-paged under the envelope "lines".
	page := decode(t, get(t, s, "/lines.json?per_page=5"))
	if got := page["lines"].([]any); len(got) != 5 || page["next_page"] == nil {
		t.Fatalf("first page of 5: %d lines, next_page %v", len(got), page["next_page"])
	}
	// Calls on a digital channel name a digital line.
	calls, _, _ := syncAll(t, s, "calls", 0)
	seen := 0
	for _, c := range calls {
		if c["line_type"] == "digital" && c["line_id"] != nil {
			if !digital[id64(c["line_id"])] {
				t.Fatalf("digital call %v names line %v", c["id"], c["line_id"])
			}
			seen++
		}
	}
	if seen == 0 {
		t.Fatal("no call on a digital line")
	}
	// Removing a phone number removes its line; a digital line can go too.
	phone := lines[0]["id"]
	if err := s.Delete("phone_numbers", phone); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete("lines", lines[len(lines)-1]["id"]); err != nil {
		t.Fatal(err)
	}
	if after, _ := s.Records("lines"); len(after) != len(lines)-2 {
		t.Fatalf("%d lines after two removals, want %d", len(after), len(lines)-2)
	}
}
