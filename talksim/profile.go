package talksim

import (
	"math"
	"sort"
	"time"
	_ "time/tzdata" // the profile's zone must resolve on hosts without zoneinfo
)

// Realistic shapes the simulated account like a real call centre (set
// Config.Realistic; RealisticConfig is the demo's account). The calls of
// the base sequence are spread over Days days from the local midnight of
// Config.Start's date in Location:
//   - weekdays carry most of the traffic, Saturdays a quarter, Sundays less;
//   - within a day, a morning ramp, a peak around 10:00, a lunch dip at
//     12:00-14:00, a second peak, and a trickle at night;
//   - calls outside business hours (OpenHour-CloseHour on weekdays,
//     shorter on Saturdays, closed on Sundays) are
//     marked outside_business_hours and mostly end in voicemail, a callback
//     request or an abandon in the IVR or in voicemail;
//   - the busier the hour, the longer callers wait and the more of them
//     abandon (a few within 5 seconds: short abandons);
//   - agents work shifts in the same zone (agents_activity).
//
// Everything stays a pure function of (Seed, index), so any volume is
// generated deterministically and page by page.
// Config.Start then gives the first day (its calendar date as written).
type Realistic struct {
	Days      int            // days covered (default 28)
	Location  *time.Location // the call centre's zone (default America/New_York)
	OpenHour  int            // business hours start, local (default 8)
	CloseHour int            // business hours end, local (default 18)
	// HourWeights replaces the built-in traffic of each local hour (index
	// 0 is midnight to 1:00); nil keeps the weekday shape described above.
	HourWeights *[24]float64
}

// first is the updated_at of the first second of the timeline.
func (tl *timeline) first() int64 { return tl.start[0] }

// RealisticConfig is DefaultConfig with the Realistic profile over four
// weeks in New York and 20,000 calls: what the demo serves.
func RealisticConfig() Config {
	c := DefaultConfig()
	c.Calls = 20000
	c.Realistic = &Realistic{}
	return c
}

// hourWeight is the relative traffic of each local hour of a weekday.
var hourWeight = [24]float64{
	0.02, 0.01, 0.01, 0.01, 0.02, 0.04, 0.08, 0.20, 0.75, 1.00, 1.00, 0.90,
	0.55, 0.60, 0.90, 0.95, 0.85, 0.60, 0.15, 0.08, 0.05, 0.04, 0.03, 0.02,
}

// dayWeight is the relative traffic of each weekday (Sunday first).
var dayWeight = [7]float64{0.15, 1.00, 0.95, 0.90, 0.90, 0.80, 0.25}

// updateDelay is the mean delay between a call's start and its first
// updated_at (genCall draws 3000-5400 s): slots are laid on updated_at,
// shifted by it, so created_at follows the shape.
const updateDelay = 4200

// timeline maps a base call index to its first updated_at: slot h (one
// hour) holds calls cum[h] to cum[h+1]-1, evenly spread.
type timeline struct {
	p     Realistic
	start []int64   // updated_at of the slot's first second
	local []int     // local hour of the slot
	wday  []int     // local weekday of the slot
	load  []float64 // the slot's weight relative to the busiest slot
	cum   []int64
}

func newTimeline(p Realistic, from time.Time, calls int64) *timeline {
	if p.Days <= 0 {
		p.Days = 28
	}
	if p.Location == nil {
		loc, err := time.LoadLocation("America/New_York")
		if err != nil {
			panic("talksim: " + err.Error())
		}
		p.Location = loc
	}
	if p.OpenHour == 0 && p.CloseHour == 0 {
		p.OpenHour, p.CloseHour = 8, 18
	}
	// The calendar date of Start as written (2024-01-01 in UTC, or in
	// the location it was given in), from midnight in the profile's zone.
	y, m, d := from.Date()
	t := time.Date(y, m, d, 0, 0, 0, 0, p.Location)
	end := time.Date(y, m, d+p.Days, 0, 0, 0, 0, p.Location)
	tl := &timeline{p: p}
	var weights []float64
	maxW := 0.0
	for ; t.Before(end); t = t.Add(time.Hour) { // absolute hours: DST days have 23 or 25
		lt := t.In(p.Location)
		hw := &hourWeight
		if p.HourWeights != nil {
			hw = p.HourWeights
		}
		w := hw[lt.Hour()] * dayWeight[lt.Weekday()]
		tl.start = append(tl.start, t.Unix()+updateDelay)
		tl.local = append(tl.local, lt.Hour())
		tl.wday = append(tl.wday, int(lt.Weekday()))
		weights = append(weights, w)
		maxW = max(maxW, w)
	}
	total := 0.0
	for _, w := range weights {
		total += w
	}
	tl.cum = make([]int64, len(weights)+1)
	acc := 0.0
	for h, w := range weights {
		acc += w
		tl.cum[h+1] = int64(math.Round(float64(calls) * acc / total))
		tl.load = append(tl.load, w/maxW)
	}
	tl.cum[len(weights)] = calls
	return tl
}

// slot is the hour slot of base call idx.
func (tl *timeline) slot(idx int64) int {
	return sort.Search(len(tl.start), func(h int) bool { return tl.cum[h+1] > idx })
}

func (tl *timeline) updated(idx int64) int64 {
	h := tl.slot(idx)
	if h >= len(tl.start) {
		h = len(tl.start) - 1
	}
	n := tl.cum[h+1] - tl.cum[h]
	if n <= 0 {
		return tl.start[h]
	}
	return tl.start[h] + (idx-tl.cum[h])*3600/n
}

// firstIndex is the first base call with updated_at >= t (n when none).
func (tl *timeline) firstIndex(t, n int64) int64 {
	return int64(sort.Search(int(n), func(i int) bool { return tl.updated(int64(i)) >= t }))
}

// open reports whether a call started at unix time t is within business
// hours: OpenHour to CloseHour on weekdays, OpenHour+1 to CloseHour-4 on
// Saturdays, closed on Sundays.
func (tl *timeline) open(t int64) bool {
	lt := time.Unix(t, 0).In(tl.p.Location)
	switch lt.Weekday() {
	case time.Sunday:
		return false
	case time.Saturday:
		return lt.Hour() >= tl.p.OpenHour+1 && lt.Hour() < tl.p.CloseHour-4
	}
	return lt.Hour() >= tl.p.OpenHour && lt.Hour() < tl.p.CloseHour
}

// reachedNoAgent reports, in the realistic profile, an inbound call that
// ended before any agent was offered it (abandoned in the IVR or queue,
// voicemail, callback, failed). Its legs after the customer's are then
// mostly failed external legs rather than missed agent legs, so agents'
// accept rates stay what a call centre sees; a quarter still rang an agent
// who missed it.
func (s *Sim) reachedNoAgent(c *callData, k int) (noAgent, rang bool) {
	if s.tl == nil || !c.inbound || c.answered || c.status == "missed" || c.status == "declined" || k == 0 {
		return false, false
	}
	return true, k == 1 && hash4(s.cfg.Seed, streamLeg, uint64(c.idx), 300)%4 == 0
}

// loadAt is the relative load of the slot whose calls are first updated
// at `first` (0 to 1).
func (tl *timeline) loadAt(first int64) float64 {
	h := sort.Search(len(tl.start), func(h int) bool { return tl.start[h] > first }) - 1
	if h < 0 || h >= len(tl.load) {
		return 0
	}
	return tl.load[h]
}

// Realistic outcome weights, in the order of realisticStatuses.
var (
	realisticStatuses = []string{"completed", "abandoned_in_queue", "abandoned_in_ivr", "abandoned_on_hold",
		"abandoned_in_voicemail", "voicemail", "callback_requested", "missed", "declined", "failed"}
	afterHoursWeights = []int{2, 2, 14, 0, 10, 52, 16, 0, 0, 4}
)

// inboundWeights gives the outcome weights of an inbound call started at
// created (business hours or not) in a slot of the given load.
func (tl *timeline) inboundWeights(created int64, load float64) []int {
	if !tl.open(created) {
		return afterHoursWeights
	}
	l := int(load * 10)
	return []int{88 - l, 2 + l/2, 2, 1, 1, 3, 1 + l/4, 3, 1, 1}
}

// wait draws the queue wait of an inbound call with status st in a slot of
// the given load: roughly exponential, its mean growing with the load.
func (tl *timeline) wait(r *rng, st string, load float64) int {
	mean := 1 + 5*load
	exp := func(m float64) int {
		u := float64(r.next()>>11) / (1 << 53)
		return int(math.Min(-m*math.Log(1-u), 900))
	}
	switch st {
	case "completed", "abandoned_on_hold":
		return exp(mean)
	case "abandoned_in_queue":
		if r.pct(20) {
			return r.between(0, 5) // short abandon
		}
		return 5 + exp(3*mean)
	case "voicemail", "abandoned_in_voicemail", "callback_requested":
		return 20 + exp(2*mean)
	case "missed", "declined":
		return exp(mean)
	}
	return 0
}

// dayOf numbers the day of now and the seconds elapsed in it: UTC days, or
// the profile's local days (so agents' shifts follow its business hours).
func (s *Sim) dayOf(now time.Time) (day int64, elapsed int64) {
	if s.tl == nil {
		return dayOf(now)
	}
	_, off := now.In(s.tl.p.Location).Zone()
	u := now.Unix() + int64(off)
	return u / 86400, u % 86400
}
