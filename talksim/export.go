package talksim

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"time"
)

// Export ordering is (updated_at, id). The base sequence of calls is sorted by
// construction (call i: Start + i/CallsPerSecond); updated and added calls
// live in a small sorted slice merged with it at read time, so memory stays
// flat whatever Config.Calls is.

// callState records a call that left the base sequence: updated (version > 0)
// or added after New.
type callState struct {
	version int32
	first   int64 // updated_at of version 0; created_at hangs off it
	updated int64
}

type ovrKey struct{ updated, idx int64 }

type legKey struct{ updated, id int64 }

func ovrLess(a, b ovrKey) int {
	if a.updated != b.updated {
		return cmpInt(a.updated, b.updated)
	}
	return cmpInt(a.idx, b.idx)
}

func legLess(a, b legKey) int {
	if a.updated != b.updated {
		return cmpInt(a.updated, b.updated)
	}
	return cmpInt(a.id, b.id)
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func (s *Sim) baseUpdated(idx int64) int64 {
	if s.tl != nil {
		return s.tl.updated(idx)
	}
	return s.startUnix + idx/int64(s.cfg.CallsPerSecond)
}

// firstBaseIndex is the first base call with updated_at >= t.
func (s *Sim) firstBaseIndex(t int64) int64 {
	if s.tl != nil {
		return s.tl.firstIndex(t, int64(s.cfg.Calls))
	}
	d := t - s.startUnix
	if d <= 0 {
		return 0
	}
	base := int64(s.cfg.Calls)
	if d > base { // avoid overflow; cps >= 1 so this is past the end
		return base
	}
	return min(d*int64(s.cfg.CallsPerSecond), base)
}

// stateOf returns the current version and timestamps of call idx. Caller holds mu.
func (s *Sim) stateOf(idx int64) (callState, bool) {
	if idx < 0 || idx >= s.nCalls {
		return callState{}, false
	}
	if st, ok := s.state[idx]; ok {
		return st, true
	}
	u := s.baseUpdated(idx)
	return callState{first: u, updated: u}, true
}

type callItem struct {
	idx int64
	st  callState
}

// callPage collects up to ExportPageSize calls with updated_at in
// [start, cutoff], in export order.
func (s *Sim) callPage(start, cutoff int64, out []callItem) []callItem {
	s.mu.RLock()
	defer s.mu.RUnlock()
	base := int64(s.cfg.Calls)
	i := s.firstBaseIndex(start)
	j := sort.Search(len(s.ovr), func(n int) bool { return s.ovr[n].updated >= start })
	for len(out) < ExportPageSize {
		if len(s.state) > 0 {
			for i < base {
				if _, moved := s.state[i]; !moved {
					break
				}
				i++
			}
		}
		hasB, hasO := i < base, j < len(s.ovr)
		if !hasB && !hasO {
			break
		}
		var it callItem
		if hasB && (!hasO || ovrLess(ovrKey{s.baseUpdated(i), i}, s.ovr[j]) < 0) {
			u := s.baseUpdated(i)
			it = callItem{idx: i, st: callState{first: u, updated: u}}
			i++
		} else {
			k := s.ovr[j]
			it = callItem{idx: k.idx, st: s.state[k.idx]}
			j++
		}
		if it.st.updated > cutoff {
			break
		}
		out = append(out, it)
	}
	return out
}

type legItem struct {
	idx     int64
	k       int
	first   int64 // the call's first updated_at
	updated int64
}

// baseLegSecond appends, in id order, the base legs whose updated_at is
// Start+d: delayed last legs of the previous second's calls (smaller ids)
// first, then the on-time legs of this second's calls.
func (s *Sim) baseLegSecond(d int64, buf []legItem) []legItem {
	lpc := s.cfg.LegsPerCall
	t := s.startUnix + d
	// The calls first updated at second t-1 and at t.
	prev, cur, next := s.firstBaseIndex(t-1), s.firstBaseIndex(t), s.firstBaseIndex(t+1)
	if d >= 1 {
		for idx := prev; idx < cur; idx++ {
			if s.legOffset(idx, lpc-1) == 1 {
				buf = append(buf, legItem{idx: idx, k: lpc - 1, first: t - 1, updated: t})
			}
		}
	}
	for idx := cur; idx < next; idx++ {
		for k := 0; k < lpc; k++ {
			if s.legOffset(idx, k) == 0 {
				buf = append(buf, legItem{idx: idx, k: k, first: t, updated: t})
			}
		}
	}
	return buf
}

func (s *Sim) legPage(start, cutoff int64, out []legItem) []legItem {
	s.mu.RLock()
	defer s.mu.RUnlock()
	base := int64(s.cfg.Calls)
	lastD := int64(-1)
	if base > 0 && s.cfg.LegsPerCall > 0 {
		lastD = s.baseUpdated(base-1) - s.startUnix + 1 // +1: delayed legs of the last second
	}
	d := max(start-s.startUnix, 0)
	var buf []legItem
	pos := 0
	j := sort.Search(len(s.addedLegs), func(n int) bool { return s.addedLegs[n].updated >= start })
	for len(out) < ExportPageSize {
		for pos >= len(buf) && d <= lastD {
			buf = s.baseLegSecond(d, buf[:0])
			pos = 0
			d++
			if len(buf) == 0 {
				// No call at d-1, so no delayed leg at d either: skip
				// to the next second that has a call (nights are long).
				if i := s.firstBaseIndex(s.startUnix + d); i < base {
					d = max(d, s.baseUpdated(i)-s.startUnix)
				} else {
					d = lastD + 1
				}
			}
		}
		hasB, hasO := pos < len(buf), j < len(s.addedLegs)
		if !hasB && !hasO {
			break
		}
		var it legItem
		if hasB && (!hasO || legLess(legKey{buf[pos].updated, legID(buf[pos].idx, buf[pos].k)}, s.addedLegs[j]) < 0) {
			it = buf[pos]
			pos++
		} else {
			lk := s.addedLegs[j]
			idx := callIndex(lk.id / 10)
			it = legItem{idx: idx, k: int(lk.id % 10), first: s.state[idx].first, updated: lk.updated}
			j++
		}
		if it.updated > cutoff {
			break
		}
		out = append(out, it)
	}
	return out
}

func (s *Sim) exportCutoff() int64 {
	if s.cfg.ExportLag <= 0 {
		return math.MaxInt64
	}
	return s.cfg.Now().Add(-s.cfg.ExportLag).Unix()
}

// renderCallsPage writes the whole export response for start.
func (s *Sim) renderCallsPage(b []byte, start int64, nextBase string) []byte {
	items := s.callPage(start, s.exportCutoff(), make([]callItem, 0, 64))
	b = append(b, `{"calls":[`...)
	end := start
	for n, it := range items {
		if n > 0 {
			b = append(b, ',')
		}
		c := s.genCall(it.idx, it.st.version, it.st.first, it.st.updated)
		b = s.appendCall(b, &c)
		end = it.st.updated
	}
	return appendExportTail(b, nextBase, len(items), end)
}

func (s *Sim) renderLegsPage(b []byte, start int64, nextBase string) []byte {
	items := s.legPage(start, s.exportCutoff(), make([]legItem, 0, 64))
	b = append(b, `{"legs":[`...)
	end := start
	var c callData
	cached := int64(-1)
	for n, it := range items {
		if n > 0 {
			b = append(b, ',')
		}
		if it.idx != cached { // legs of one call are mostly adjacent
			c = s.genCall(it.idx, 0, it.first, it.first)
			cached = it.idx
		}
		b = s.appendLeg(b, &c, it.k, it.first)
		end = it.updated
	}
	return appendExportTail(b, nextBase, len(items), end)
}

// appendExportTail closes an export page. next_page is never null: it
// always points at start_time=end_time, inclusive, as Zendesk does.
func appendExportTail(b []byte, nextBase string, count int, end int64) []byte {
	b = append(b, `],"next_page":`...)
	b = appendStr(b, nextBase+strconv.FormatInt(end, 10))
	b = append(b, `,"count":`...)
	b = strconv.AppendInt(b, int64(count), 10)
	b = append(b, `,"end_time":`...)
	b = strconv.AppendInt(b, end, 10)
	return append(b, '}')
}

// UpdateCalls gives each listed call a new version: updated_at = Now() and
// a different outcome (completion_status, talk/wrap-up times...). Its legs do
// not change. The export then returns the call at its new position only.
// Unknown ids are ignored; it reports how many calls were updated.
func (s *Sim) UpdateCalls(ids ...int64) int { return s.UpdateCallsAt(s.cfg.Now(), ids...) }

// UpdateCallsAt is UpdateCalls with updated_at = at, which may lie in the
// future: a clock error upstream, as real accounts have shown (the export's
// end_time is then that future time).
func (s *Sim) UpdateCallsAt(at time.Time, ids ...int64) int {
	now := at.Unix()
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, id := range ids {
		idx := callIndex(id)
		st, ok := s.stateOf(idx)
		if !ok {
			continue
		}
		if _, tracked := s.state[idx]; tracked {
			s.ovr = removeSorted(s.ovr, ovrKey{st.updated, idx}, ovrLess)
		}
		st.version++
		st.updated = now
		s.state[idx] = st
		s.ovr = insertSorted(s.ovr, ovrKey{now, idx}, ovrLess)
		n++
	}
	return n
}

// AddCalls appends n new calls (and their legs) updated at Now(); it
// returns their ids.
func (s *Sim) AddCalls(n int) []int64 {
	now := s.cfg.Now().Unix()
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := make([]int64, 0, max(n, 0))
	for range n {
		idx := s.nCalls
		s.nCalls++
		s.state[idx] = callState{first: now, updated: now}
		s.ovr = insertSorted(s.ovr, ovrKey{now, idx}, ovrLess)
		for k := 0; k < s.cfg.LegsPerCall; k++ {
			s.addedLegs = insertSorted(s.addedLegs, legKey{now + s.legOffset(idx, k), legID(idx, k)}, legLess)
		}
		ids = append(ids, callID(idx))
	}
	return ids
}

func insertSorted[T any](v []T, x T, cmp func(a, b T) int) []T {
	i, _ := slices.BinarySearchFunc(v, x, cmp)
	return slices.Insert(v, i, x)
}

func removeSorted[T any](v []T, x T, cmp func(a, b T) int) []T {
	if i, ok := slices.BinarySearchFunc(v, x, cmp); ok {
		return slices.Delete(v, i, i+1)
	}
	return v
}

// CallJSON returns the current record of a call as the export renders it,
// or nil if there is no such call.
func (s *Sim) CallJSON(id int64) []byte {
	idx := callIndex(id)
	s.mu.RLock()
	st, ok := s.stateOf(idx)
	s.mu.RUnlock()
	if !ok {
		return nil
	}
	c := s.genCall(idx, st.version, st.first, st.updated)
	return s.appendCall(nil, &c)
}

// LegJSON returns a leg's record as the export renders it, or nil.
func (s *Sim) LegJSON(id int64) []byte {
	k := int(id % 10)
	idx := callIndex(id / 10)
	if id < 0 || k >= s.cfg.LegsPerCall {
		return nil
	}
	s.mu.RLock()
	st, ok := s.stateOf(idx)
	s.mu.RUnlock()
	if !ok {
		return nil
	}
	c := s.genCall(idx, 0, st.first, st.first)
	return s.appendLeg(nil, &c, k, st.first)
}

// Call returns the current record of a call decoded with encoding/json
// (numbers are float64), or nil.
func (s *Sim) Call(id int64) map[string]any { return decodeObj(s.CallJSON(id)) }

// Leg returns a leg's record decoded with encoding/json, or nil.
func (s *Sim) Leg(id int64) map[string]any { return decodeObj(s.LegJSON(id)) }

func decodeObj(b []byte) map[string]any {
	if b == nil {
		return nil
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		panic("talksim: rendered invalid JSON: " + err.Error())
	}
	return m
}

// CallIDRange returns the first and last call id; ids are contiguous.
// With no calls, last < first.
func (s *Sim) CallIDRange() (first, last int64) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return callID(0), callID(s.nCalls - 1)
}

// CallIDs lists every call id (it allocates 8 bytes per call: for tests).
func (s *Sim) CallIDs() []int64 {
	first, last := s.CallIDRange()
	ids := make([]int64, 0, max(last-first+1, 0))
	for id := first; id <= last; id++ {
		ids = append(ids, id)
	}
	return ids
}

// LegIDs lists the ids of a call's legs (nil for an unknown call).
func (s *Sim) LegIDs(callID int64) []int64 {
	idx := callIndex(callID)
	s.mu.RLock()
	_, ok := s.stateOf(idx)
	s.mu.RUnlock()
	if !ok {
		return nil
	}
	ids := make([]int64, s.cfg.LegsPerCall)
	for k := range ids {
		ids[k] = legID(idx, k)
	}
	return ids
}

// Expected returns the exact number of distinct entities per table now in
// the account.
func (s *Sim) Expected() map[string]int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	m := map[string]int{}
	for _, t := range tableNames {
		m[t] = len(s.rows[t])
	}
	m["ivr_menus"], m["ivr_routes"] = 0, 0
	for _, r := range s.rows["ivrs"] {
		m["ivr_menus"] += r.menus
		m["ivr_routes"] += r.routes
	}
	m["calls"] = int(s.nCalls)
	m["call_legs"] = int(s.nCalls) * s.cfg.LegsPerCall
	m["agents_activity"] = s.cfg.Agents
	m["voice_settings"] = 1 // one object per fetch
	return m
}

// Delete removes a configuration entity: table is one of addresses,
// greeting_categories, greetings, phone_numbers, ivrs (or ivr); removing an
// IVR removes its menus and routes. id may be a number or a string
// ("voicemail_en").
func (s *Sim) Delete(table string, id any) error {
	table = canonicalTable(table)
	key := idKey(id)
	s.mu.Lock()
	defer s.mu.Unlock()
	rows, ok := s.rows[table]
	if !ok && !slices.Contains(tableNames, table) {
		return fmt.Errorf("talksim: cannot delete from table %q", table)
	}
	for i, r := range rows {
		if r.key == key {
			// Copy on write: handlers may still be rendering the old slice.
			s.rows[table] = slices.Concat(rows[:i], rows[i+1:])
			if table == "phone_numbers" { // a removed number is no line any more
				s.removeRow("lines", key)
			}
			return nil
		}
	}
	return fmt.Errorf("talksim: %s has no id %s", table, key)
}

// ErrUnknownTable is returned by Records for a table it cannot list.
var ErrUnknownTable = errors.New("talksim: unknown table")

// Records returns the current rows of a configuration table decoded with
// encoding/json: addresses, greeting_categories, greetings, phone_numbers,
// ivrs, or the derived ivr_menus (with ivr_id) and ivr_routes (with ivr_id
// and ivr_menu_id).
func (s *Sim) Records(table string) ([]map[string]any, error) {
	table = canonicalTable(table)
	src := table
	if table == "ivr_menus" || table == "ivr_routes" {
		src = "ivrs"
	}
	if !slices.Contains(tableNames, src) {
		return nil, ErrUnknownTable
	}
	s.mu.RLock()
	rows := s.rows[src]
	s.mu.RUnlock()
	out := []map[string]any{}
	for _, r := range rows {
		m := decodeObj(r.json)
		switch table {
		case "ivr_menus", "ivr_routes":
			menus, _ := m["menus"].([]any)
			for _, x := range menus {
				menu := x.(map[string]any)
				if table == "ivr_menus" {
					menu["ivr_id"] = m["id"]
					out = append(out, menu)
					continue
				}
				routes, _ := menu["routes"].([]any)
				for _, y := range routes {
					route := y.(map[string]any)
					route["ivr_id"] = m["id"]
					route["ivr_menu_id"] = menu["id"]
					out = append(out, route)
				}
			}
		default:
			out = append(out, m)
		}
	}
	return out, nil
}
