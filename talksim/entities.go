package talksim

import (
	"fmt"
	"strconv"
	"strings"
)

// Configuration entities are few, so they are rendered once in New and kept
// as JSON rows; Delete removes rows.

var (
	groupNames    = []string{"Support", "Sales", "Billing", "Escalations"}
	areaCodes     = []string{"205", "415", "312", "646", "737", "206", "303", "617"}
	categoryNames = []string{"voicemail", "available", "wait", "hold", "ivr", "callback", "callback_confirmation", "call_recording_opt_out", "call_recording_opt_in"}
	firstNames    = []string{"Ada", "Bela", "Chen", "Dana", "Emeka", "Farah", "Goran", "Hana", "Ines", "Jonas", "Kemal", "Lea", "Mateo", "Noor", "Oskar", "Priya"}
	lastNames     = []string{"Novak", "Okafor", "Lindqvist", "Moreau", "Tanaka", "Silva", "Horvat", "Kowalski", "Haddad", "Berg"}
	keypresses    = []string{"1", "2", "3", "4", "5", "6", "7", "8", "9", "0", "*"}
	routeTexts    = []string{"Sales", "Support", "Billing", "Opening hours", "Leave a message", "Call me back"}
)

type addressDef struct{ street, zip, city, state, province, country string }

var addressDefs = []addressDef{
	{"1019 Market Street", "94103", "San Francisco", "", "California", "US"},
	{"395 Page Mill Road", "94306", "Palo Alto", "CA", "", "US"},
	{"Brunnenstraße 7", "10119", "Berlin", "", "Berlin", "DE"},
	{"30 Eastbourne Terrace", "W2 6LA", "London", "", "England", "GB"},
	{"Rua Fidêncio Ramos 308", "04551-010", "São Paulo", "SP", "", "BR"},
	{"55 Charlotte Quay", "D04 KD30", "Dublin", "", "Leinster", "IE"},
}

func groupID(g int) int64 {
	if g < 0 {
		return 0
	}
	return 360000100001 + int64(g)
}

func agentID(a int) int64 {
	if a < 0 {
		return 0
	}
	return 360786799001 + int64(a)
}

func phoneID(p int) int64 {
	if p < 0 {
		return 0
	}
	return 360000121575 + 20*int64(p)
}

func phoneNumber(p int) string {
	if p < 0 {
		return ""
	}
	return fmt.Sprintf("+1%s555%04d", areaCodes[p%len(areaCodes)], 100+p)
}

func (s *Sim) phoneNum(p int) string {
	if p < 0 || p >= len(s.phoneNums) {
		return ""
	}
	return s.phoneNums[p]
}

func phoneDisplay(p int) string {
	return fmt.Sprintf("+1 (%s) 555-%04d", areaCodes[p%len(areaCodes)], 100+p)
}

func externalNumber(n int) string { return fmt.Sprintf("+1202555%04d", n%10000) }

func addressID(a int) int64 { return 360000047915 + 20*int64(a) }
func ivrID(i int) int64     { return 360000011856 + 20*int64(i) }
func menuID(m int) int64    { return 360000018476 + 20*int64(m) }
func routeID(r int) int64   { return 360000016516 + 20*int64(r) }

func numericGreetingID(n int) int64 { return 360001234001 + 7*int64(n) }

func agentName(a int) string {
	return firstNames[a%len(firstNames)] + " " + lastNames[(a/len(firstNames)+a)%len(lastNames)]
}

func categoryName(c int) string {
	if c < len(categoryNames) {
		return categoryNames[c]
	}
	return "custom_" + strconv.Itoa(c+1)
}

// categorySlug is how default greeting ids spell a category
// ("callback-confirmation_en").
func categorySlug(c int) string { return strings.ReplaceAll(categoryName(c), "_", "-") }

// row is one rendered entity. key is its id as JSON text without quotes.
type row struct {
	key    string
	json   []byte
	menus  int // ivrs only
	routes int // ivrs only
}

// tableNames are the deletable configuration tables, in listing order.
var tableNames = []string{"addresses", "greeting_categories", "greetings", "phone_numbers", "ivrs"}

func (s *Sim) buildEntities() {
	cfg := &s.cfg
	s.rows = map[string][]row{}
	nCat := cfg.GreetingCategories
	P := cfg.PhoneNumbers
	totalMenus := cfg.IVRs * cfg.MenusPerIVR

	// addresses
	for a := 0; a < cfg.Addresses; a++ {
		r := newRng(cfg.Seed, streamEntity, 1, uint64(a))
		d := addressDefs[a%len(addressDefs)]
		o := newObj(nil, 0)
		o.key("id")
		o.b = strconv.AppendInt(o.b, addressID(a), 10)
		o.str("name", fmt.Sprintf("%s office %d", d.city, a+1))
		o.str("street", d.street)
		o.str("zip", d.zip)
		o.str("city", d.city)
		o.strOrNull("state", d.state, d.state != "")
		o.strOrNull("province", d.province, d.province != "")
		o.str("country_code", d.country)
		o.str("provider_reference", "AD"+r.hex(32))
		s.addRow("addresses", row{key: strconv.FormatInt(addressID(a), 10), json: o.end()})
	}

	// greeting_categories
	for c := 0; c < nCat; c++ {
		o := newObj(nil, 0)
		o.key("id")
		o.b = strconv.AppendInt(o.b, int64(c+1), 10)
		o.str("name", categoryName(c))
		s.addRow("greeting_categories", row{key: strconv.Itoa(c + 1), json: o.end()})
	}

	// greetings: system defaults have string ids ("voicemail_en"), custom
	// ones numeric ids; spread the string ones so every page holds some.
	nStr := 3 * nCat
	if nStr > cfg.Greetings/2 {
		nStr = cfg.Greetings / 2
	}
	nNum := cfg.Greetings - nStr
	strAt := map[int]int{}
	for k := 0; k < nStr; k++ {
		strAt[k*cfg.Greetings/nStr] = k
	}
	numeric := 0
	for j := 0; j < cfg.Greetings; j++ {
		r := newRng(cfg.Seed, streamEntity, 3, uint64(j))
		if k, ok := strAt[j]; ok {
			s.addRow("greetings", s.defaultGreeting(k, &r))
			continue
		}
		n := numeric
		numeric++
		id := numericGreetingID(n)
		o := newObj(nil, r.nullMask())
		o.key("id")
		o.b = strconv.AppendInt(o.b, id, 10)
		o.str("name", fmt.Sprintf("Custom greeting %d", n+1))
		o.intOrNull("category_id", int64(n%max(nCat, 1)+1), nCat > 0)
		o.bool("default", false)
		o.bool("default_lang", false)
		o.bool("active", r.pct(60))
		o.bool("pending", r.pct(5))
		upload := 360012345001 + int64(n)
		o.str("audio_name", fmt.Sprintf("greeting_%d.mp3", n+1))
		o.str("audio_url", fmt.Sprintf("https://talksim.zendesk.com/system/voice/uploads/%d/greeting_%d.mp3", upload, n+1))
		o.int("upload_id", upload)
		o.bool("has_sub_settings", nCat > 0 && n%max(nCat, 1) < 2)
		var ivrs, phones []int64
		if P > 0 && n < 3*P {
			phones = append(phones, phoneID(n%P))
		}
		if m := n - 3*P; m >= 0 && m < totalMenus {
			ivrs = append(ivrs, ivrID(m/cfg.MenusPerIVR))
		}
		o.ints("ivr_ids", nonNil(ivrs))
		o.ints("phone_number_ids", nonNil(phones))
		s.addRow("greetings", row{key: strconv.FormatInt(id, 10), json: o.end()})
	}

	// phone_numbers
	for p := 0; p < P; p++ {
		r := newRng(cfg.Seed, streamEntity, 4, uint64(p))
		o := newObj(nil, r.nullMask()&^1) // number is never null in practice
		o.key("id")
		o.b = strconv.AppendInt(o.b, phoneID(p), 10)
		o.str("number", phoneNumber(p))
		o.str("display_number", phoneDisplay(p))
		o.str("name", phoneDisplay(p))
		nick := ""
		if p%2 == 0 {
			nick = groupNames[p%len(groupNames)] + " line"
		}
		o.strOrNull("nickname", nick, nick != "")
		o.str("country_code", "US")
		o.str("location", []string{"AL", "CA", "IL", "NY", "TX", "WA", "CO", "MA"}[p%len(areaCodes)])
		o.bool("toll_free", p%5 == 4)
		consent := consentModes[p%len(consentModes)]
		o.bool("recorded", consent != "never")
		o.bool("transcription", r.pct(50))
		o.bool("sms_enabled", p%3 == 0)
		o.bool("voice_enabled", true)
		o.bool("outbound_enabled", p%4 != 3)
		o.bool("external", false)
		o.int("priority", int64(p%3))
		o.str("line_type", "phone")
		g := p % len(groupNames)
		o.intOrNull("default_group_id", groupID(g), p%3 != 2)
		o.ints("group_ids", []int64{groupID(g), groupID((g + 1) % len(groupNames))})
		var gids []int64
		for n := p; n < nNum && n < 3*P; n += P {
			gids = append(gids, numericGreetingID(n))
		}
		o.ints("greeting_ids", nonNil(gids))
		if o.nkey("default_greeting_ids") {
			o.b = append(o.b, '[')
			for c := 0; c < nCat; c++ {
				if c > 0 {
					o.b = append(o.b, ',')
				}
				o.b = appendStr(o.b, categorySlug(c)+"_en")
			}
			o.b = append(o.b, ']')
		}
		o.intOrNull("ivr_id", ivrID(p), p < cfg.IVRs)
		o.intOrNull("schedule_id", 360000200001+int64(p), p%2 == 1)
		o.intOrNull("sms_group_id", groupID(g), p%3 == 0)
		o.str("token", r.hex(32))
		o.strOrNull("failover_number", externalNumber(p), p%4 == 1)
		o.str("call_recording_consent", consent)
		o.ts("created_at", cfg.Start.Unix()-int64(86400*(30+p*11)))
		sms := p%3 == 0
		o.raw("capabilities", []byte(fmt.Sprintf(`{"sms":%t,"mms":%t,"voice":true,"emergency_address":%t}`, sms, sms, p%2 == 0)))
		// A custom greeting shows up as a *number* among string ids.
		custom := map[int]int64{}
		if len(gids) > 0 && nCat > 0 {
			custom[p%nCat] = gids[0]
		}
		o.raw("categorised_greetings", categorised(nCat, custom, false))
		o.raw("categorised_greetings_with_sub_settings", categorised(nCat, custom, true))
		s.addRow("phone_numbers", row{key: strconv.FormatInt(phoneID(p), 10), json: o.end()})
	}

	// ivrs with embedded menus and routes
	m, rt := 0, 0
	for i := 0; i < cfg.IVRs; i++ {
		o := newObj(nil, 0)
		o.key("id")
		o.b = strconv.AppendInt(o.b, ivrID(i), 10)
		o.str("name", fmt.Sprintf("IVR %d", i+1))
		var pids []int64
		var pnames []string
		if i < P {
			pids, pnames = []int64{phoneID(i)}, []string{phoneDisplay(i)}
		}
		o.ints("phone_number_ids", nonNil(pids))
		if pnames == nil {
			pnames = []string{}
		}
		o.strs("phone_number_names", pnames)
		o.key("menus")
		o.b = append(o.b, '[')
		firstMenu := m
		for mi := 0; mi < cfg.MenusPerIVR; mi++ {
			if mi > 0 {
				o.b = append(o.b, ',')
			}
			mo := newObj(o.b, 0)
			mo.key("id")
			mo.b = strconv.AppendInt(mo.b, menuID(m), 10)
			if mi == 0 {
				mo.str("name", "Main menu")
			} else {
				mo.str("name", fmt.Sprintf("Menu %d", mi+1))
			}
			mo.bool("default", mi == 0)
			gn := 3*P + m
			mo.intOrNull("greeting_id", numericGreetingID(gn), gn < nNum)
			mo.key("routes")
			mo.b = append(mo.b, '[')
			for ri := 0; ri < cfg.RoutesPerMenu; ri++ {
				if ri > 0 {
					mo.b = append(mo.b, ',')
				}
				mo.b = s.appendRoute(mo.b, rt, ri, firstMenu, cfg.MenusPerIVR)
				rt++
			}
			mo.b = append(mo.b, ']')
			o.b = mo.end()
			m++
		}
		o.b = append(o.b, ']')
		s.addRow("ivrs", row{key: strconv.FormatInt(ivrID(i), 10), json: o.end(), menus: cfg.MenusPerIVR, routes: cfg.MenusPerIVR * cfg.RoutesPerMenu})
	}
}

func (s *Sim) defaultGreeting(k int, r *rng) row {
	c, variant := k/3, k%3
	slug := categorySlug(c)
	lang := []string{"en", "jp", "none"}[variant]
	id := slug + "_" + lang
	o := newObj(nil, 0)
	o.key("id")
	o.b = appendStr(o.b, id)
	o.str("name", []string{"Default", "Default (Japanese)", "None"}[variant])
	o.int("category_id", int64(c+1))
	o.bool("default", true)
	o.bool("default_lang", variant == 0)
	o.bool("active", variant == 0)
	o.bool("pending", false)
	o.str("audio_name", id+".mp3")
	o.strOrNull("audio_url", fmt.Sprintf("https://static.zdassets.com/voice/assets/default_%s_%s_greeting-%s.mp3", lang, slug, r.hex(16)), variant != 2)
	o.null("upload_id")
	o.bool("has_sub_settings", c < 2)
	o.ints("ivr_ids", []int64{})
	var phones []int64
	if variant == 0 {
		for p := 0; p < s.cfg.PhoneNumbers; p++ {
			phones = append(phones, phoneID(p))
		}
	}
	o.ints("phone_number_ids", nonNil(phones))
	return row{key: id, json: o.end()}
}

// appendRoute renders IVR route rt (global index), ri-th of its menu.
func (s *Sim) appendRoute(b []byte, rt, ri, firstMenu, menus int) []byte {
	r := newRng(s.cfg.Seed, streamEntity, 6, uint64(rt))
	o := newObj(b, 0)
	o.key("id")
	o.b = strconv.AppendInt(o.b, routeID(rt), 10)
	action := ivrActions[(rt+ri)%len(ivrActions)]
	o.str("action", action)
	greeting := ""
	if r.pct(30) {
		greeting = fmt.Sprintf("Custom greeting %d", r.between(1, 20))
	}
	o.strOrNull("greeting", greeting, greeting != "")
	o.str("keypress", keypresses[ri%len(keypresses)])
	text := routeTexts[rt%len(routeTexts)]
	o.strOrNull("option_text", text, !r.pct(20))
	g := groupID(rt % len(groupNames))
	var opts string
	switch action {
	case "group", "callback":
		opts = fmt.Sprintf(`{"group_ids":[%d]}`, g)
	case "voicemail":
		opts = fmt.Sprintf(`{"group_ids":[%d],"greeting_id":"voicemail_en"}`, g)
	case "menu":
		opts = fmt.Sprintf(`{"menu_id":%d}`, menuID(firstMenu+(ri+1)%menus))
	case "phone_number":
		opts = fmt.Sprintf(`{"phone_number":%q}`, externalNumber(rt))
	case "textback":
		opts = `{"textback_greeting_id":"textback_en","sms_text":"We will text you a link."}`
	}
	o.raw("options", []byte(opts))
	// An array, though the docs once called it an object.
	overflow := "[]"
	if action == "group" && r.pct(50) {
		overflow = `[{"action":"voicemail","options":{"greeting_id":"voicemail_en"}}]`
	}
	o.raw("overflow_options", []byte(overflow))
	return o.end()
}

// categorised renders categorised_greetings (category id -> greeting id)
// or its sub-settings variant, where voicemail and available map to objects.
func categorised(nCat int, custom map[int]int64, sub bool) []byte {
	b := []byte{'{'}
	for c := 0; c < nCat; c++ {
		if c > 0 {
			b = append(b, ',')
		}
		b = appendStr(b, strconv.Itoa(c+1))
		b = append(b, ':')
		var val []byte
		if id, ok := custom[c]; ok {
			val = strconv.AppendInt(nil, id, 10)
		} else {
			val = appendStr(nil, categorySlug(c)+"_en")
		}
		switch {
		case sub && c == 0:
			b = append(b, `{"voicemail_on_outside_business_hours":`...)
			b = append(b, val...)
			b = append(b, `,"voicemail_on_inside_business_hours":`...)
			b = append(b, val...)
			b = append(b, `,"voicemail_off_inside_business_hours":"voicemail_en_voicemail_config","voicemail_off_outside_business_hours":"voicemail_en_voicemail_config"}`...)
		case sub && c == 1:
			b = append(b, `{"voicemail_on":`...)
			b = append(b, val...)
			b = append(b, `,"voicemail_off":"available_en_voicemail_config"}`...)
		default:
			b = append(b, val...)
		}
	}
	return append(b, '}')
}

func nonNil(v []int64) []int64 {
	if v == nil {
		return []int64{}
	}
	return v
}

func (s *Sim) addRow(table string, r row) { s.rows[table] = append(s.rows[table], r) }

// idKey turns an id given by a caller (int, int64, float64, json.Number,
// string...) into the row key.
func idKey(id any) string {
	switch v := id.(type) {
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case float32:
		return strconv.FormatFloat(float64(v), 'f', -1, 32)
	case fmt.Stringer:
		return v.String()
	default:
		return fmt.Sprint(v)
	}
}

func canonicalTable(t string) string {
	switch t {
	case "ivr":
		return "ivrs"
	}
	return t
}
