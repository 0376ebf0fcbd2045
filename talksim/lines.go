package talksim

import (
	"encoding/json"
	"slices"
	"strconv"
)

// GET /lines: every line of the account, phone numbers first (the same ids
// as /phone_numbers, line_type "phone"), then the digital lines (browser and
// Web Widget calling, line_type "digital", with a string line_id). Calls on
// a digital channel name a digital line in line_id when the account has
// any (Config.DigitalLines).

const brandID int64 = 360000000501

func digitalLineID(d int) int64 { return 360000300001 + 20*int64(d) }

// digitalLineNames are the nicknames of the digital lines, in order.
var digitalLineNames = []string{"Web Widget", "Mobile SDK", "Help Center", "Partner portal"}

func init() {
	routes["/lines"] = rowsEndpoint("lines", "lines")
	tableNames = append(tableNames, "lines")
}

// phoneLineFields are the /phone_numbers fields /lines repeats.
var phoneLineFields = []string{"nickname", "name", "number", "display_number", "country_code", "external",
	"priority", "toll_free", "sms_enabled", "voice_enabled", "outbound_enabled", "recorded",
	"default_group_id", "group_ids", "ivr_id", "schedule_id", "created_at", "capabilities"}

// buildLines renders the lines rows from the phone_numbers rows built
// before it and Config.DigitalLines.
func (s *Sim) buildLines() {
	for _, pr := range s.rows["phone_numbers"] {
		var m map[string]json.RawMessage
		if err := json.Unmarshal(pr.json, &m); err != nil {
			panic("talksim: phone number row: " + err.Error())
		}
		o := newObj(nil, 0)
		o.key("id")
		o.b = append(o.b, m["id"]...)
		o.str("line_type", "phone")
		o.int("brand_id", brandID)
		for _, k := range phoneLineFields {
			if v, ok := m[k]; ok {
				o.raw(k, v)
			}
		}
		s.addRow("lines", row{key: pr.key, json: o.end()})
	}
	for d := 0; d < s.cfg.DigitalLines; d++ {
		r := newRng(s.cfg.Seed, streamEntity, 9, uint64(d))
		o := newObj(nil, 0)
		o.key("id")
		o.b = strconv.AppendInt(o.b, digitalLineID(d), 10)
		o.str("line_type", "digital")
		o.str("line_id", r.hex(24))
		name := digitalLineNames[d%len(digitalLineNames)]
		if d >= len(digitalLineNames) {
			name += " " + strconv.Itoa(d/len(digitalLineNames)+1)
		}
		o.str("nickname", name)
		o.str("name", name)
		o.null("country_code")
		o.bool("external", false)
		o.int("priority", int64(d%2))
		o.int("brand_id", brandID)
		o.intOrNull("default_group_id", groupID(d%len(groupNames)), d%3 != 2)
		o.ints("group_ids", []int64{groupID(d % len(groupNames))})
		o.ts("created_at", s.cfg.Start.Unix()-int64(86400*(20+d*7)))
		s.addRow("lines", row{key: strconv.FormatInt(digitalLineID(d), 10), json: o.end()})
	}
}

// callLineID is the line a call came in on: its phone number, or for calls
// on a digital channel one of the digital lines when there are any.
func (s *Sim) callLineID(c *callData) (int64, bool) {
	if c.lineType == "digital" && s.cfg.DigitalLines > 0 {
		return digitalLineID(int(c.idx % int64(s.cfg.DigitalLines))), true
	}
	return phoneID(c.phone), c.phone >= 0 && c.lineType != ""
}

// removeRow drops the row with key from table, copying on write. Caller
// holds mu.
func (s *Sim) removeRow(table, key string) {
	rows := s.rows[table]
	for i, r := range rows {
		if r.key == key {
			s.rows[table] = slices.Concat(rows[:i], rows[i+1:])
			return
		}
	}
}
