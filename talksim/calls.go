package talksim

import "strconv"

// Calls and legs are never stored: each is generated from
// (seed, call index[, version]) when a page or an accessor needs it.

const (
	callIDBase   int64 = 360000000000 // call id = callIDBase + index + 1
	ticketIDBase int64 = 100000
	customerBase int64 = 361000000000
)

func callID(idx int64) int64 { return callIDBase + idx + 1 }

func callIndex(id int64) int64 { return id - callIDBase - 1 }

// legID derives leg ids from the call so a leg can be generated from its id
// alone; k < 10 always (LegsPerCall is capped at 9).
func legID(callIdx int64, k int) int64 { return callID(callIdx)*10 + int64(k) }

var (
	// Documented values plus "failed", which the docs do not list but real
	// accounts return. Order matters: updated versions rotate through it.
	inboundStatuses  = []string{"completed", "abandoned_in_queue", "abandoned_in_ivr", "abandoned_on_hold", "voicemail", "callback_requested", "missed", "declined", "failed"}
	inboundWeights   = []int{50, 10, 4, 2, 9, 5, 10, 4, 2}
	outboundStatuses = []string{"completed", "missed", "declined", "failed"}
	outboundWeights  = []int{78, 12, 3, 7}

	qualityIssues   = []string{"one_way_audio", "dropped_call", "silence", "agent_audio_quality_low", "customer_audio_quality_low", "high_jitter", "high_packet_loss", "high_latency"}
	callbackSources = []string{"queue", "web_widget", "api"}
	consentModes    = []string{"always", "opt_in", "opt_out", "never"}
	ivrActions      = []string{"group", "voicemail", "menu", "phone_number", "textback", "callback"}
	availableVia    = []string{"client", "phone", "browser"}
)

// callData holds one version of a call before rendering.
type callData struct {
	idx          int64
	version      int32
	created      int64
	updated      int64
	inbound      bool
	status       string
	phone        int // -1: none
	agent        int // -1: none
	customer     int64
	ticket       int64
	group        int // -1: none
	defaultGroup bool

	ivr                                  bool
	ivrTime, ivrHops                     int
	ivrAction, ivrGroupName, ivrRoutedTo string

	wait, tta, talk, hold, consult, wrap, duration, minutes int
	answered, wrapOK                                        bool
	chargeMicros                                            int64
	chargeOK                                                bool

	consent, consentAction, consentKeypress string
	callback                                bool
	callbackSource                          string
	voicemail, custVM, exceeded, outsideBH  bool
	overflowed                              bool
	overflowedTo                            string
	recTime, notRec, recInteractions        int

	quality [2]string
	qn      int // -1: ["none"], otherwise number of entries in quality

	channel, lineType string
	mask              uint64
}

// genCall builds version `version` of call idx. first is the updated_at of
// its first version (created_at hangs off it, so it never moves); updated is
// the current updated_at.
func (s *Sim) genCall(idx int64, version int32, first, updated int64) callData {
	cfg := &s.cfg
	id := newRng(cfg.Seed, streamCallIdentity, uint64(idx), 0)
	c := callData{idx: idx, version: version, updated: updated, phone: -1, agent: -1, group: -1}

	// Identity: fixed for the life of the call.
	c.inbound = id.pct(75)
	statuses, weights := outboundStatuses, outboundWeights
	if c.inbound {
		statuses, weights = inboundStatuses, inboundWeights
	}
	if s.tl != nil && c.inbound {
		// The outcome depends on when the call came in and how busy it was.
		statuses, weights = realisticStatuses, s.tl.inboundWeights(first-updateDelay, s.tl.loadAt(first))
	}
	si := id.pick(weights)
	if version > 0 {
		// A re-synced call visibly changes outcome: rotate the status.
		si = (si + int(version)) % len(statuses)
	}
	c.status = statuses[si]
	c.created = first - int64(id.between(3000, 5400)) // Talk updates calls long after they end
	if cfg.PhoneNumbers > 0 {
		c.phone = id.intn(cfg.PhoneNumbers)
	}
	if !id.pct(8) {
		c.customer = customerBase + int64(id.intn(40000))
	}
	ticketed := id.pct(85)
	c.ticket = ticketIDBase + idx
	agentPick := -1
	if cfg.Agents > 0 {
		agentPick = id.intn(cfg.Agents)
	}
	switch x := id.intn(100); {
	case x < 85:
		c.channel, c.lineType = "phone", "phone"
	case x < 92:
		c.channel, c.lineType = "web_widget", "digital"
	case x < 96:
		c.channel, c.lineType = "mobile_sdk", "digital"
	}
	if c.phone >= 0 {
		c.consent = consentModes[c.phone%len(consentModes)]
	} else {
		c.consent = "never"
	}
	rateMicros := int64(3000 + 500*id.intn(20)) // per started minute
	overflowTarget := id.intn(10000)
	groupPick := id.intn(len(groupNames))

	// Outcome: depends on the version.
	r := newRng(cfg.Seed, streamCallOutcome, uint64(idx), uint64(version))
	st := c.status
	c.answered = st == "completed" || st == "abandoned_on_hold"
	agentRang := c.answered || st == "missed" || st == "declined" || (!c.inbound && st != "failed")
	if agentRang && agentPick >= 0 {
		c.agent = agentPick
	}
	if c.inbound {
		hasIVR := c.phone >= 0 && c.phone < cfg.IVRs
		c.ivr = st == "abandoned_in_ivr" || (hasIVR && r.pct(80)) || r.pct(10)
	}
	if c.ivr {
		c.ivrTime = r.between(5, 90)
		c.ivrHops = r.between(1, 3)
		switch st {
		case "abandoned_in_ivr":
			c.ivrAction = "menu"
		case "voicemail":
			c.ivrAction = "voicemail"
		case "callback_requested":
			c.ivrAction = "callback"
		default:
			c.ivrAction = ivrActions[r.pick([]int{70, 5, 10, 10, 3, 2})]
		}
		switch c.ivrAction {
		case "group":
			c.ivrGroupName = groupNames[groupPick]
			c.ivrRoutedTo = groupNames[groupPick]
		case "phone_number":
			c.ivrRoutedTo = externalNumber(overflowTarget)
		}
	}
	if c.inbound && s.tl != nil {
		c.wait = s.tl.wait(&r, st, s.tl.loadAt(first))
	} else if c.inbound {
		switch st {
		case "completed":
			c.wait = r.between(0, 180)
		case "abandoned_in_queue":
			c.wait = r.between(10, 420)
		case "abandoned_on_hold":
			c.wait = r.between(0, 120)
		case "voicemail":
			c.wait = r.between(20, 120)
		case "callback_requested":
			c.wait = r.between(20, 240)
		case "missed", "declined":
			c.wait = r.between(10, 60)
		}
	}
	c.exceeded = c.wait > 240
	ring := 0
	if agentRang {
		ring = r.between(2, 15)
	}
	if c.answered {
		c.tta = c.wait + ring
		if r.pct(15) {
			c.talk = r.between(300, 1800)
		} else {
			c.talk = r.between(15, 300)
		}
		if st == "abandoned_on_hold" {
			c.hold = r.between(10, 400)
		} else if r.pct(25) {
			c.hold = r.between(10, 300)
		}
		if st == "completed" && r.pct(8) {
			c.consult = r.between(15, 180)
		}
	}
	if c.agent >= 0 {
		c.wrapOK = true
		if c.answered {
			c.wrap = r.between(0, 240)
		}
	}
	c.duration = c.ivrTime + c.wait + ring + c.talk + c.hold + c.consult
	switch st {
	case "voicemail":
		c.voicemail = true
		c.custVM = r.pct(40)
		c.duration += r.between(10, 90) // the message itself
	case "callback_requested":
		c.callback = true
		c.callbackSource = callbackSources[r.pick([]int{70, 20, 10})]
	case "failed":
		c.duration = r.between(0, 5)
	}
	if c.duration > 0 {
		c.minutes = (c.duration + 59) / 60
	}
	c.chargeMicros, c.chargeOK = int64(c.minutes)*rateMicros, !r.pct(5)

	if c.agent >= 0 || c.wait > 0 {
		c.group = groupPick
		c.defaultGroup = r.pct(70)
	}
	outside := r.pct(6)
	if s.tl != nil {
		outside = !s.tl.open(c.created)
	}
	c.outsideBH = c.inbound && outside
	if c.inbound && st != "abandoned_in_ivr" && r.pct(3) {
		c.overflowed = true
		c.overflowedTo = externalNumber(overflowTarget + 1)
	}

	// Recording follows the number's consent mode.
	rec := 0
	switch c.consent {
	case "always":
		rec = c.talk
	case "opt_in", "opt_out":
		if r.pct(60) {
			c.consentAction = "caller_opted_in"
			c.consentKeypress = "1"
			rec = c.talk
		} else {
			c.consentAction = "caller_opted_out"
			c.consentKeypress = "2"
		}
		if c.consent == "opt_out" && r.pct(50) {
			c.consentKeypress = "" // opting out by silence: no key pressed
		}
	}
	if rec > 0 && r.pct(10) {
		c.recInteractions = r.between(1, 3)
		rec -= r.intn(rec/4 + 1)
	}
	c.recTime, c.notRec = rec, c.talk-rec

	switch x := r.intn(100); {
	case x < 40:
		c.qn = 0
	case x < 75:
		c.qn = -1
	case x < 83:
		c.qn, c.quality[0] = 1, "information_not_available"
	case x < 95:
		c.qn, c.quality[0] = 1, qualityIssues[r.intn(len(qualityIssues))]
	default:
		c.qn = 2
		i := r.intn(len(qualityIssues))
		c.quality[0], c.quality[1] = qualityIssues[i], qualityIssues[(i+1+r.intn(len(qualityIssues)-1))%len(qualityIssues)]
	}
	if !ticketed {
		c.ticket = 0
	}

	nr := newRng(cfg.Seed, streamCallNull, uint64(idx), uint64(version))
	c.mask = nr.nullMask()
	return c
}

func appendQuality(o *obj, qn int, q *[2]string) {
	if !o.nkey("quality_issues") {
		return
	}
	switch qn {
	case -1:
		o.b = append(o.b, `["none"]`...)
	case 0:
		o.b = append(o.b, "[]"...)
	default:
		o.b = append(o.b, '[')
		for i := 0; i < qn; i++ {
			if i > 0 {
				o.b = append(o.b, ',')
			}
			o.b = appendStr(o.b, q[i])
		}
		o.b = append(o.b, ']')
	}
}

// appendCall renders a call in the field order of real exports, documented
// and undocumented fields mixed.
func (s *Sim) appendCall(b []byte, c *callData) []byte {
	o := newObj(b, c.mask)
	o.key("id")
	o.b = strconv.AppendInt(o.b, callID(c.idx), 10)
	o.ts("created_at", c.created)
	o.ts("updated_at", c.updated)
	o.intOrNull("agent_id", agentID(c.agent), c.agent >= 0)
	o.decimal("call_charge", c.chargeMicros, c.chargeOK)
	o.int("consultation_time", int64(c.consult))
	o.str("completion_status", c.status)
	o.intOrNull("customer_id", c.customer, c.customer != 0)
	o.bool("customer_requested_voicemail", c.custVM)
	if c.inbound {
		o.str("direction", "inbound")
	} else {
		o.str("direction", "outbound")
	}
	o.int("duration", int64(c.duration))
	// Real records say exceeded_queue_wait_time; the docs (and most
	// schemas) say exceeded_queue_time. Serve both.
	o.bool("exceeded_queue_wait_time", c.exceeded)
	o.bool("exceeded_queue_time", c.exceeded)
	o.int("hold_time", int64(c.hold))
	o.int("minutes_billed", int64(c.minutes))
	o.bool("outside_business_hours", c.outsideBH)
	o.intOrNull("phone_number_id", phoneID(c.phone), c.phone >= 0)
	o.strOrNull("phone_number", s.phoneNum(c.phone), c.phone >= 0)
	o.intOrNull("ticket_id", c.ticket, c.ticket != 0)
	o.intOrNull("time_to_answer", int64(c.tta), c.answered)
	o.bool("voicemail", c.voicemail)
	o.int("wait_time", int64(c.wait))
	o.intOrNull("wrap_up_time", int64(c.wrap), c.wrapOK)
	o.intOrNull("ivr_time_spent", int64(c.ivrTime), c.ivr)
	o.intOrNull("ivr_hops", int64(c.ivrHops), c.ivr)
	o.strOrNull("ivr_destination_group_name", c.ivrGroupName, c.ivrGroupName != "")
	o.int("talk_time", int64(c.talk))
	o.strOrNull("ivr_routed_to", c.ivrRoutedTo, c.ivrRoutedTo != "")
	o.bool("callback", c.callback)
	o.strOrNull("callback_source", c.callbackSource, c.callbackSource != "")
	o.bool("default_group", c.defaultGroup)
	o.strOrNull("ivr_action", c.ivrAction, c.ivrAction != "")
	digital := c.lineType == "digital"
	o.strOrNull("line", s.phoneNum(c.phone), c.phone >= 0 && !digital && c.lineType != "")
	lineID, lineOK := s.callLineID(c)
	o.intOrNull("line_id", lineID, lineOK)
	o.strOrNull("line_type", c.lineType, c.lineType != "")
	o.bool("overflowed", c.overflowed)
	o.strOrNull("overflowed_to", c.overflowedTo, c.overflowed)
	o.int("recording_control_interactions", int64(c.recInteractions))
	o.int("recording_time", int64(c.recTime))
	o.int("not_recording_time", int64(c.notRec))
	o.str("call_recording_consent", c.consent)
	o.strOrNull("call_recording_consent_action", c.consentAction, c.consentAction != "")
	o.strOrNull("call_recording_consent_keypress", c.consentKeypress, c.consentKeypress != "")
	o.intOrNull("call_group_id", groupID(c.group), c.group >= 0)
	o.strOrNull("call_channel", c.channel, c.channel != "")
	appendQuality(&o, c.qn, &c.quality)
	return o.end()
}

// Leg kinds beyond the first two legs of a call.
const (
	legCustomer = iota
	legAgent
	legTransfer
	legConsult
	legExternal
	legConference
)

// legKind is computed on its own so that leg 1 can know whether leg 2 took a
// transfer away from it.
func (s *Sim) legKind(c *callData, k int) int {
	if noAgent, rang := s.reachedNoAgent(c, k); noAgent && !rang {
		return legExternal
	} else if rang {
		return legAgent
	}
	switch k {
	case 0:
		return legCustomer
	case 1:
		return legAgent
	}
	if k == 2 && c.consult > 0 {
		return legConsult
	}
	h := hash4(s.cfg.Seed, streamLeg, uint64(c.idx), uint64(k)+100)
	switch h % 10 {
	case 0, 1, 2, 3:
		return legTransfer
	case 4:
		return legConference
	default:
		return legExternal
	}
}

// legOffset puts the last leg of a quarter of the calls one second after the
// call, so leg pages do not simply mirror call pages.
func (s *Sim) legOffset(idx int64, k int) int64 {
	lpc := s.cfg.LegsPerCall
	if lpc < 2 || k != lpc-1 {
		return 0
	}
	if hash4(s.cfg.Seed, streamLegOffset, uint64(idx), 0)%4 == 0 {
		return 1
	}
	return 0
}

// appendLeg renders leg k of call c (c must be version 0: updates of a call
// leave its legs alone). first is the call's first updated_at.
func (s *Sim) appendLeg(b []byte, c *callData, k int, first int64) []byte {
	cfg := &s.cfg
	r := newRng(cfg.Seed, streamLeg, uint64(c.idx), uint64(k))
	nr := newRng(cfg.Seed, streamLegNull, uint64(c.idx), uint64(k))
	o := newObj(b, nr.nullMask())

	kind := s.legKind(c, k)
	agent1 := c.agent
	if agent1 < 0 && cfg.Agents > 0 {
		agent1 = int(hash4(cfg.Seed, streamLeg, uint64(c.idx), 99) % uint64(cfg.Agents))
	}
	agent2 := agent1
	if cfg.Agents > 1 {
		agent2 = (agent1 + 1 + int(hash4(cfg.Seed, streamLeg, uint64(c.idx), uint64(k)+200)%uint64(cfg.Agents-1))) % cfg.Agents
	}
	transferredAway := false
	if cfg.LegsPerCall > 2 && c.answered {
		transferredAway = s.legKind(c, 2) == legTransfer
	}
	talk1 := c.talk
	if transferredAway {
		talk1 = c.talk * 6 / 10
	}

	var (
		typ                       string
		agent, user               int64
		agentOK, userOK           bool
		via                       string
		status                    = "completed"
		created                   = c.created
		duration, talk, hold      int
		wrap                      int
		wrapOK                    bool
		minutes                   int
		minutesOK                 = true
		charge                    int64
		forwardedTo               string
		transFrom, transTo        int64
		consFrom, consTo          int64
		consTime                  int
		consOK                    bool
		confFrom, confTo          int64
		confTime                  int
		confOK                    bool
		rateMicros                = int64(3000 + 500*r.intn(10))
		quality                   [2]string
		qn                        int
		agentValid, agent2Valid   = agent1 >= 0, agent2 >= 0
		agentVia                  = ""
		ringing                   = r.between(3, 20)
		externalDuration          = r.between(10, 300)
		zeroAgentOnCustomerLegs   = r.pct(60)
		zeroUserOnAgentLegs       = r.pct(20)
		customerLegChargeFromCall = r.pct(50)
	)
	if agentValid {
		agentVia = availableVia[agent1%len(availableVia)]
	}
	switch kind {
	case legCustomer:
		typ = "customer"
		duration, talk, hold = c.duration, c.talk, c.hold
		// Real customer legs carry agent_id 0 and no minutes: keep the quirk.
		if zeroAgentOnCustomerLegs {
			agent, agentOK = 0, true
		}
		user, userOK = c.customer, c.customer != 0
		minutesOK = false
		if customerLegChargeFromCall {
			charge = c.chargeMicros
		}
		if c.status == "failed" {
			status = "failed"
		}
	case legAgent:
		typ = "agent"
		agent, agentOK = agentID(agent1), agentValid
		user, userOK = agentID(agent1), agentValid
		if zeroUserOnAgentLegs {
			user, userOK = 0, true
		}
		via = agentVia
		created += int64(c.ivrTime + c.wait)
		talk, hold = talk1, c.hold
		duration = ringing + talk + hold
		wrap, wrapOK = c.wrap, true
		switch {
		case transferredAway:
			status = "agent_transferred_away"
			transTo = agentID(agent2)
		case c.answered:
		case c.status == "declined":
			status = "agent_declined"
		default:
			status = "agent_missed"
			talk, hold, wrap, duration = 0, 0, 0, ringing
		}
	case legTransfer, legConsult:
		typ = "agent"
		agent, agentOK = agentID(agent2), agent2Valid
		user, userOK = agent, agentOK
		via = availableVia[agent2%len(availableVia)]
		created += int64(c.ivrTime + c.wait + talk1)
		wrapOK = true
		if kind == legConsult {
			consFrom, consTo, consTime, consOK = agentID(agent1), agentID(agent2), c.consult, agentValid && agent2Valid
			talk = c.consult
		} else if c.answered {
			transFrom = agentID(agent1)
			talk = c.talk - talk1
			wrap = r.between(0, 120)
		} else {
			status = "agent_missed"
		}
		duration = ringing + talk
	case legExternal, legConference:
		typ = "external"
		forwardedTo = externalNumber(r.intn(10000))
		created += int64(c.ivrTime + c.wait)
		duration = externalDuration
		if kind == legConference && c.answered {
			confFrom, confTo, confTime, confOK = agentID(agent1), 0, r.between(10, 200), agentValid
			duration = confTime + ringing
			talk = confTime
		} else if c.answered {
			talk = duration - 5
			if talk < 0 {
				talk = 0
			}
		} else {
			status = "failed"
			talk, duration = 0, ringing
		}
	}
	if kind != legCustomer {
		minutes = (duration + 59) / 60
		if via != "" && via != "phone" && typ == "agent" {
			minutes = 0 // browser/client legs cost nothing
		}
		charge = int64(minutes) * rateMicros
	}
	switch x := r.intn(100); {
	case x < 40:
	case x < 80:
		qn = -1
	case x < 90:
		qn, quality[0] = 1, "information_not_available"
	default:
		qn, quality[0] = 1, qualityIssues[r.intn(len(qualityIssues))]
	}
	updated := first + s.legOffset(c.idx, k)

	o.key("id")
	o.b = strconv.AppendInt(o.b, legID(c.idx, k), 10)
	o.key("call_id")
	o.b = strconv.AppendInt(o.b, callID(c.idx), 10)
	o.ts("created_at", created)
	o.ts("updated_at", updated)
	o.intOrNull("agent_id", agent, agentOK)
	o.intOrNull("user_id", user, userOK)
	o.strOrNull("available_via", via, via != "")
	o.decimal("call_charge", charge, true)
	o.str("completion_status", status)
	o.intOrNull("conference_from", confFrom, confOK)
	o.intOrNull("conference_time", int64(confTime), confOK)
	o.intOrNull("conference_to", confTo, confOK && confTo != 0)
	o.intOrNull("consultation_from", consFrom, consOK)
	o.intOrNull("consultation_time", int64(consTime), consOK)
	o.intOrNull("consultation_to", consTo, consOK)
	o.int("duration", int64(duration))
	o.strOrNull("forwarded_to", forwardedTo, forwardedTo != "")
	o.int("hold_time", int64(hold))
	o.intOrNull("minutes_billed", int64(minutes), minutesOK)
	appendQuality(&o, qn, &quality)
	o.int("talk_time", int64(talk))
	o.intOrNull("transferred_from", transFrom, transFrom != 0)
	o.intOrNull("transferred_to", transTo, transTo != 0)
	o.key("type") // never null: clients branch on it
	o.b = appendStr(o.b, typ)
	o.intOrNull("wrap_up_time", int64(wrap), wrapOK)
	return o.end()
}
