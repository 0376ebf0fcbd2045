package talksim

import (
	"strconv"
	"time"
)

// Stats are point-in-time snapshots of "today" (UTC here), deterministic in
// (seed, time): totals grow through the day, states change every few minutes.

type agentActivity struct {
	state, callStatus, via                                       string
	available, away, online, transfersOnly                       int64
	accepted, denied, missed                                     int64
	callDuration, talk, wrapUp, hold                             int64
	acceptedTransfers, startedTransfers, acceptedConf, startConf int64
	onHold                                                       int64
}

func dayOf(now time.Time) (day int64, elapsed int64) {
	u := now.UTC().Unix()
	return u / 86400, u % 86400
}

func (s *Sim) agentActivity(a int, now time.Time) agentActivity {
	day, el := s.dayOf(now)
	r := newRng(s.cfg.Seed, streamAgent, uint64(a), uint64(day))
	shiftStart := int64(7*3600 + r.intn(3*3600))
	shiftLen := int64(7*3600 + r.intn(2*3600))
	var x agentActivity
	x.via = availableVia[a%2] // client or phone
	x.online = min(max(el-shiftStart, 0), shiftLen)
	awayPct := int64(r.between(5, 20))
	x.away = x.online * awayPct / 100
	x.transfersOnly = x.online * int64(r.intn(5)) / 100
	handle := int64(r.between(240, 600)) // seconds per accepted call
	x.accepted = x.online / (handle + 120)
	x.talk = x.accepted * handle * 7 / 10
	x.hold = x.accepted * int64(r.between(5, 40))
	x.wrapUp = x.accepted * int64(r.between(20, 90))
	x.callDuration = x.talk + x.hold
	x.available = max(x.online-x.away-x.transfersOnly-x.callDuration-x.wrapUp, 0)
	x.denied = x.accepted / int64(r.between(15, 40))
	x.missed = x.accepted / int64(r.between(8, 20))
	x.onHold = x.accepted / 4
	x.acceptedTransfers = x.accepted / int64(r.between(10, 30))
	x.startedTransfers = x.accepted / int64(r.between(10, 30))
	x.acceptedConf = x.accepted / 50
	x.startConf = x.accepted / 60

	inShift := el >= shiftStart && el < shiftStart+shiftLen
	if !inShift {
		x.state = "offline"
		return x
	}
	sr := newRng(s.cfg.Seed, streamAgent, uint64(a), uint64(now.Unix()/300)+1<<40)
	x.state = []string{"online", "away", "transfers_only"}[sr.pick([]int{70, 20, 10})]
	if x.state == "online" {
		cr := newRng(s.cfg.Seed, streamAgent, uint64(a), uint64(now.Unix()/60)+2<<40)
		x.callStatus = []string{"", "on_call", "wrap_up"}[cr.pick([]int{50, 35, 15})]
	}
	return x
}

func avg(total, n int64) int64 {
	if n == 0 {
		return 0
	}
	return total / n
}

func (s *Sim) appendAgentActivity(b []byte, a int, now time.Time) []byte {
	x := s.agentActivity(a, now)
	r := newRng(s.cfg.Seed, streamAgent, uint64(a), 0)
	o := newObj(b, 0)
	o.key("agent_id")
	o.b = strconv.AppendInt(o.b, agentID(a), 10)
	o.str("name", agentName(a))
	o.str("agent_state", x.state)
	o.strOrNull("call_status", x.callStatus, x.callStatus != "")
	o.str("via", x.via)
	o.strOrNull("avatar_url", "https://talksim.zendesk.com/system/photos/"+strconv.FormatInt(agentID(a), 10)+"/avatar_thumb.png", a%3 != 2)
	o.strOrNull("forwarding_number", externalNumber(5000+a), x.via == "phone" && r.pct(70))
	o.int("available_time", x.available)
	o.int("away_time", x.away)
	o.int("online_time", x.online)
	o.int("transfers_only_time", x.transfersOnly)
	o.int("calls_accepted", x.accepted)
	o.int("calls_denied", x.denied)
	o.int("calls_missed", x.missed)
	o.int("total_call_duration", x.callDuration)
	o.int("total_talk_time", x.talk)
	o.int("total_wrap_up_time", x.wrapUp)
	o.int("accepted_transfers", x.acceptedTransfers)
	o.int("started_transfers", x.startedTransfers)
	o.int("accepted_third_party_conferences", x.acceptedConf)
	o.int("started_third_party_conferences", x.startConf)
	o.int("calls_put_on_hold", x.onHold)
	o.int("average_hold_time", avg(x.hold, x.onHold))
	o.int("average_talk_time", avg(x.talk, x.accepted))
	o.int("average_wrap_up_time", avg(x.wrapUp, x.accepted))
	o.int("total_hold_time", x.hold)
	return o.end()
}

// appendAgentsOverview sums the agents' activity, so the two tables agree.
func (s *Sim) appendAgentsOverview(b []byte, now time.Time) []byte {
	var t agentActivity
	n := int64(s.cfg.Agents)
	for a := 0; a < s.cfg.Agents; a++ {
		x := s.agentActivity(a, now)
		t.available += x.available
		t.away += x.away
		t.online += x.online
		t.transfersOnly += x.transfersOnly
		t.accepted += x.accepted
		t.denied += x.denied
		t.missed += x.missed
		t.talk += x.talk
		t.wrapUp += x.wrapUp
		t.hold += x.hold
		t.onHold += x.onHold
		t.acceptedTransfers += x.acceptedTransfers
		t.startedTransfers += x.startedTransfers
	}
	o := newObj(append(b, `{"agents_overview":`...), 0)
	o.int("average_accepted_transfers", avg(t.acceptedTransfers, n))
	o.int("average_available_time", avg(t.available, n))
	o.int("average_away_time", avg(t.away, n))
	o.int("average_calls_accepted", avg(t.accepted, n))
	o.int("average_calls_denied", avg(t.denied, n))
	o.int("average_calls_missed", avg(t.missed, n))
	o.int("average_calls_put_on_hold", avg(t.onHold, n))
	o.int("average_hold_time", avg(t.hold, t.onHold))
	o.int("average_online_time", avg(t.online, n))
	o.int("average_started_transfers", avg(t.startedTransfers, n))
	o.int("average_talk_time", avg(t.talk, t.accepted))
	o.int("average_transfers_only_time", avg(t.transfersOnly, n))
	o.int("average_wrap_up_time", avg(t.wrapUp, t.accepted))
	o.int("total_accepted_transfers", t.acceptedTransfers)
	o.int("total_available_time", t.available)
	o.int("total_away_time", t.away)
	o.int("total_calls_accepted", t.accepted)
	o.int("total_calls_denied", t.denied)
	o.int("total_calls_missed", t.missed)
	o.int("total_calls_put_on_hold", t.onHold)
	o.int("total_hold_time", t.hold)
	o.int("total_online_time", t.online)
	o.int("total_started_transfers", t.startedTransfers)
	o.int("total_talk_time", t.talk)
	o.int("total_transfers_only_time", t.transfersOnly)
	o.int("total_wrap_up_time", t.wrapUp)
	o.key("current_timestamp")
	o.b = strconv.AppendInt(o.b, now.Unix(), 10)
	return append(o.end(), '}')
}

func (s *Sim) appendAccountOverview(b []byte, now time.Time) []byte {
	day, el := s.dayOf(now)
	r := newRng(s.cfg.Seed, streamStats, 1, uint64(day))
	perHour := int64(r.between(10, 60))
	total := el * perHour / 3600 // grows monotonically through the day
	inbound := total * 3 / 4
	avgDur := int64(r.between(120, 420))
	avgHold := int64(r.between(5, 60))
	avgWrap := int64(r.between(20, 90))
	o := newObj(append(b, `{"account_overview":`...), 0)
	o.int("average_call_duration", avgDur)
	o.int("average_callback_wait_time", int64(r.between(60, 900)))
	o.int("average_hold_time", avgHold)
	o.int("average_queue_wait_time", int64(r.between(10, 120)))
	o.int("average_time_to_answer", int64(r.between(5, 60)))
	o.int("average_wrap_up_time", avgWrap)
	o.int("max_calls_waiting", int64(r.between(1, 12)))
	o.int("max_queue_wait_time", int64(r.between(120, 900)))
	o.int("total_call_duration", total*avgDur)
	o.int("total_callback_calls", total/20)
	o.int("total_calls", total)
	o.int("total_calls_abandoned_in_queue", inbound/10)
	o.int("total_calls_outside_business_hours", inbound/16)
	o.int("total_calls_with_exceeded_queue_wait_time", inbound/25)
	o.int("total_calls_with_requested_voicemail", inbound/12)
	o.int("total_embeddable_callback_calls", total/50)
	o.int("total_hold_time", total*avgHold/2)
	o.int("total_inbound_calls", inbound)
	o.int("total_outbound_calls", total-inbound)
	o.int("total_textback_requests", total/40)
	o.int("total_voicemails", inbound/11)
	o.int("total_wrap_up_time", total*avgWrap)
	o.key("current_timestamp")
	o.b = strconv.AppendInt(o.b, now.Unix(), 10)
	return append(o.end(), '}')
}

func (s *Sim) appendQueueActivity(b []byte, now time.Time) []byte {
	online := int64(0)
	for a := 0; a < s.cfg.Agents; a++ {
		if st := s.agentActivity(a, now).state; st == "online" || st == "transfers_only" {
			online++
		}
	}
	r := newRng(s.cfg.Seed, streamStats, 2, uint64(now.Unix()/20))
	waiting := int64(r.intn(6))
	avgWait, longest := int64(0), int64(0)
	if waiting > 0 {
		avgWait = int64(r.between(5, 180))
		longest = avgWait + int64(r.intn(240))
	}
	o := newObj(append(b, `{"current_queue_activity":`...), 0)
	o.int("agents_online", online)
	o.int("average_wait_time", avgWait)
	o.int("callbacks_waiting", int64(r.intn(3)))
	o.int("calls_waiting", waiting)
	o.int("embeddable_callbacks_waiting", int64(r.intn(2)))
	o.int("longest_wait_time", longest)
	o.key("current_timestamp")
	o.b = strconv.AppendInt(o.b, now.Unix(), 10)
	return append(o.end(), '}')
}
