package talksim

import (
	"encoding/base64"
	"encoding/json"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Sim is a simulated Zendesk Talk account. It is safe for concurrent use:
// handlers may run while tests mutate data or faults.
type Sim struct {
	cfg       Config
	startUnix int64
	tl        *timeline // nil: the flat sequence
	forbidden map[string]bool

	settingsRev atomic.Int64 // the voice settings' revision (settings.go)

	mu        sync.RWMutex
	nCalls    int64
	state     map[int64]callState
	ovr       []ovrKey
	addedLegs []legKey
	rows      map[string][]row
	phoneNums []string // rendered once: Sprintf per call record was the main cost of a page

	fmu    sync.Mutex
	faults faultState

	omu   sync.Mutex
	oauth oauthState

	rmu      sync.Mutex
	requests map[string]int
	// starts are the start_time of every export page served, per path.
	starts  map[string][]int64
	limited int // 429s answered by the budgets
	account window
	export  window
}

// New builds a simulator; see Config for defaults.
func New(cfg Config) *Sim {
	cfg.normalize()
	cfg.Forbidden = slices.Clone(cfg.Forbidden)
	s := &Sim{
		cfg:       cfg,
		startUnix: cfg.Start.Unix(),
		forbidden: map[string]bool{},
		nCalls:    int64(cfg.Calls),
		state:     map[int64]callState{},
		requests:  map[string]int{},
		account:   window{limit: cfg.AccountRPM, span: cfg.RateWindow},
		export:    window{limit: cfg.ExportRPM, span: cfg.RateWindow},
	}
	for _, p := range cfg.Forbidden {
		if p = userPath(p); p != "" {
			s.forbidden[p] = true
		}
	}
	s.faults.next = map[string][]FaultKind{}
	s.faults.status = map[string]int{}
	s.faults.after = map[string]*failAfter{}
	s.faults.servedKind = map[FaultKind]int{}
	s.faults.set(cfg.Faults)
	for p := range cfg.PhoneNumbers {
		s.phoneNums = append(s.phoneNums, phoneNumber(p))
	}
	s.initOAuth()
	s.settingsRev.Store(int64(cfg.SettingsRevision))
	if cfg.Realistic != nil {
		s.tl = newTimeline(*cfg.Realistic, cfg.Start, int64(cfg.Calls))
		s.startUnix = min(s.startUnix, s.tl.first()) // legs are walked from startUnix
	}
	s.buildEntities()
	s.buildLines()
	return s
}

// Config returns the normalised configuration.
func (s *Sim) Config() Config { return s.cfg }

// Handler serves the API under /api/v2/channels/voice, plus a few
// /__talksim/ control endpoints for demos (see ServeHTTP).
func (s *Sim) Handler() http.Handler { return s }

// Requests counts requests per API path without ".json"
// (e.g. "/stats/incremental/calls"), faulted and refused ones included.
func (s *Sim) Requests() map[string]int {
	s.rmu.Lock()
	defer s.rmu.Unlock()
	m := make(map[string]int, len(s.requests))
	for k, v := range s.requests {
		m[k] = v
	}
	return m
}

// ResetRequests zeroes the request counters.
func (s *Sim) ResetRequests() {
	s.rmu.Lock()
	defer s.rmu.Unlock()
	s.requests = map[string]int{}
	s.starts = nil
	s.limited = 0
}

// ExportStarts lists the start_time (Unix seconds) of every export page
// served on api (e.g. "/stats/incremental/legs"), in order: a start_time
// listed twice is a page fetched twice.
func (s *Sim) ExportStarts(api string) []int64 {
	s.rmu.Lock()
	defer s.rmu.Unlock()
	return append([]int64(nil), s.starts[api]...)
}

// FetchedTwice counts the export pages of api served more than once (a
// start_time asked for again), e.g. by an attempt resuming after a crash.
func (s *Sim) FetchedTwice(api string) int {
	s.rmu.Lock()
	defer s.rmu.Unlock()
	seen, twice := map[int64]bool{}, 0
	for _, st := range s.starts[api] {
		if seen[st] {
			twice++
		}
		seen[st] = true
	}
	return twice
}

// RateLimited counts the 429s the rate budgets (AccountRPM, ExportRPM)
// answered; injected 429 faults are not counted. ResetRequests zeroes it.
func (s *Sim) RateLimited() int {
	s.rmu.Lock()
	defer s.rmu.Unlock()
	return s.limited
}

// window is a rolling request budget: limit requests per span.
type window struct {
	limit int
	span  time.Duration
	times []time.Time
}

// allow admits a request at now or reports how many whole seconds remain
// until the oldest request leaves the window.
func (w *window) allow(now time.Time) (bool, int) {
	if w.limit <= 0 {
		return true, 0
	}
	cut := now.Add(-w.span)
	i := 0
	for i < len(w.times) && !w.times[i].After(cut) {
		i++
	}
	if i > 0 {
		w.times = append(w.times[:0], w.times[i:]...)
	}
	if len(w.times) < w.limit {
		return true, 0
	}
	return false, max(w.resets(now), 1)
}

func (w *window) remaining() int { return max(w.limit-len(w.times), 0) }

// resets is how many whole seconds remain until the oldest request leaves
// the window (0 when it is empty).
func (w *window) resets(now time.Time) int {
	if len(w.times) == 0 {
		return 0
	}
	return max(int(math.Ceil(w.times[0].Add(w.span).Sub(now).Seconds())), 0)
}

type endpoint func(s *Sim, w http.ResponseWriter, r *http.Request, api string)

var routes = map[string]endpoint{
	"/stats/account_overview": func(s *Sim, w http.ResponseWriter, r *http.Request, _ string) {
		writeJSON(w, 200, s.appendAccountOverview(nil, s.cfg.Now()))
	},
	"/stats/agents_overview": func(s *Sim, w http.ResponseWriter, r *http.Request, _ string) {
		writeJSON(w, 200, s.appendAgentsOverview(nil, s.cfg.Now()))
	},
	"/stats/current_queue_activity": func(s *Sim, w http.ResponseWriter, r *http.Request, _ string) {
		writeJSON(w, 200, s.appendQueueActivity(nil, s.cfg.Now()))
	},
	"/stats/agents_activity": func(s *Sim, w http.ResponseWriter, r *http.Request, api string) {
		now := s.cfg.Now()
		s.servePaged(w, r, api, "agents_activity", s.cfg.Agents, func(b []byte, i int) []byte {
			return s.appendAgentActivity(b, i, now)
		})
	},
	"/addresses":     rowsEndpoint("addresses", "addresses"),
	"/greetings":     rowsEndpoint("greetings", "greetings"),
	"/phone_numbers": rowsEndpoint("phone_numbers", "phone_numbers"),
	"/ivr":           rowsEndpoint("ivrs", "ivrs"),
	"/greeting_categories": func(s *Sim, w http.ResponseWriter, r *http.Request, _ string) {
		// No paging keys at all: the docs allow them to be absent.
		s.mu.RLock()
		rows := s.rows["greeting_categories"]
		s.mu.RUnlock()
		b := append([]byte(nil), `{"greeting_categories":[`...)
		for i, row := range rows {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, row.json...)
		}
		writeJSON(w, 200, append(b, ']', '}'))
	},
	"/settings":                settingsEndpoint,
	"/stats/incremental/calls": exportEndpoint,
	"/stats/incremental/legs":  exportEndpoint,
}

func rowsEndpoint(table, envelope string) endpoint {
	return func(s *Sim, w http.ResponseWriter, r *http.Request, api string) {
		s.mu.RLock()
		rows := s.rows[table] // never mutated in place (copy on write)
		s.mu.RUnlock()
		s.servePaged(w, r, api, envelope, len(rows), func(b []byte, i int) []byte {
			return append(b, rows[i].json...)
		})
	}
}

var pagePool = sync.Pool{New: func() any { b := make([]byte, 0, 1<<20); return &b }}

func exportEndpoint(s *Sim, w http.ResponseWriter, r *http.Request, api string) {
	raw := r.URL.Query().Get("start_time")
	start, err := strconv.ParseInt(raw, 10, 64)
	if raw == "" || err != nil || start < 0 {
		writeJSON(w, http.StatusBadRequest, []byte(`{"error":"InvalidValue","description":"start_time is required and must be a Unix epoch time in seconds"}`))
		return
	}
	if age := s.cfg.MinStartTimeAge; age > 0 && start > s.cfg.Now().Add(-age).Unix() {
		writeJSON(w, http.StatusBadRequest, []byte(`{"error":"InvalidValue","description":"Too recent start_time. Use a start_time older than 1 minute."}`))
		return
	}
	s.rmu.Lock()
	if s.starts == nil {
		s.starts = map[string][]int64{}
	}
	s.starts[api] = append(s.starts[api], start)
	s.rmu.Unlock()
	next := baseURL(r) + APIPrefix + api + ".json?start_time="
	bp := pagePool.Get().(*[]byte)
	b := (*bp)[:0]
	if api == "/stats/incremental/calls" {
		b = s.renderCallsPage(b, start, next)
	} else {
		b = s.renderLegsPage(b, start, next)
	}
	writeJSON(w, 200, b)
	*bp = b
	pagePool.Put(bp)
}

func baseURL(r *http.Request) string {
	if r.TLS != nil {
		return "https://" + r.Host
	}
	return "http://" + r.Host
}

// servePaged answers an offset-paged list: ?page=N&per_page=M, absolute
// next_page/previous_page URLs (null at the ends) and the total count.
func (s *Sim) servePaged(w http.ResponseWriter, r *http.Request, api, envelope string, total int, item func([]byte, int) []byte) {
	q := r.URL.Query()
	page, perPage := 1, s.cfg.PageSize
	if v := q.Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			writeJSON(w, http.StatusBadRequest, []byte(`{"error":"InvalidPaginationParameter","description":"page must be a positive integer"}`))
			return
		}
		page = n
	}
	if v := q.Get("per_page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			writeJSON(w, http.StatusBadRequest, []byte(`{"error":"InvalidPaginationParameter","description":"per_page must be a positive integer"}`))
			return
		}
		perPage = min(n, max(100, s.cfg.PageSize))
	}
	if (page-1)*perPage >= MaxOffsetRecords {
		writeJSON(w, http.StatusBadRequest, []byte(`{"error":"InvalidPaginationParameter","description":"Offset pagination is limited to the first 100 pages. Use cursor pagination instead."}`))
		return
	}
	from := min((page-1)*perPage, total)
	to := min(from+perPage, total)
	b := append([]byte(nil), '{')
	b = appendStr(b, envelope)
	b = append(b, ':', '[')
	for i := from; i < to; i++ {
		if i > from {
			b = append(b, ',')
		}
		b = item(b, i)
	}
	b = append(b, `],"next_page":`...)
	link := func(p int) []byte {
		v := url.Values{}
		for k, vs := range q {
			v[k] = vs
		}
		v.Set("page", strconv.Itoa(p))
		return appendStr(nil, baseURL(r)+APIPrefix+api+".json?"+v.Encode())
	}
	if to < total {
		b = append(b, link(page+1)...)
	} else {
		b = append(b, "null"...)
	}
	b = append(b, `,"previous_page":`...)
	if page > 1 {
		b = append(b, link(page-1)...)
	} else {
		b = append(b, "null"...)
	}
	b = append(b, `,"count":`...)
	b = strconv.AppendInt(b, int64(total), 10)
	writeJSON(w, 200, append(b, '}'))
}

func writeJSON(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

const (
	bodyAuthBasic = `{"error":"Couldn't authenticate you"}`
	bodyAuthOAuth = `{"error":"invalid_token","error_description":"The access token provided is expired, revoked, malformed or invalid for other reasons."}`
	bodyForbidden = `{"error":"Forbidden","description":"You do not have access to this page. Please contact the account owner of this help desk for further help."}`
	bodyNotFound  = `{"error":"InvalidEndpoint","description":"Not found"}`
)

// BodyDeprecated is what the exports answer under Config.DeprecatedExports:
// a guess at Zendesk's refusal, since nobody has seen the real one yet.
const BodyDeprecated = `{"error":"DeprecatedEndpoint","description":"This API is no longer available for third-party apps. See https://support.zendesk.com/hc/en-us/articles/11249701485338"}`

// writeStatus answers status with the body Zendesk uses for it.
func writeStatus(w http.ResponseWriter, status int) {
	switch status {
	case http.StatusUnauthorized:
		w.Header().Set("WWW-Authenticate", `Basic realm="Web Password"`)
		writeJSON(w, status, []byte(bodyAuthBasic))
	case http.StatusForbidden:
		writeJSON(w, status, []byte(bodyForbidden))
	case http.StatusNotFound:
		writeJSON(w, status, []byte(bodyNotFound))
	case http.StatusTooManyRequests:
		w.Header().Set("Retry-After", "1")
		writeJSON(w, status, []byte(`{"error":"TooManyRequests","description":"Rate limit exceeded"}`))
	default:
		b, _ := json.Marshal(map[string]string{"error": strings.ReplaceAll(http.StatusText(status), " ", "")})
		writeJSON(w, status, b)
	}
}

// authorized checks credentials and writes the 401 itself when they fail.
// arrival is when the request arrived: a token valid then is accepted
// (Zendesk checks on arrival, not after a slow response).
func (s *Sim) authorized(w http.ResponseWriter, r *http.Request, arrival time.Time) bool {
	c := &s.cfg
	if c.Email == "" && c.APIToken == "" && c.OAuthToken == "" && !s.oauthEnabled() {
		return true
	}
	h := r.Header.Get("Authorization")
	scheme, cred, _ := strings.Cut(h, " ")
	switch strings.ToLower(scheme) {
	case "bearer":
		if s.bearerValid(strings.TrimSpace(cred), arrival) {
			return true
		}
		w.Header().Set("WWW-Authenticate", `Bearer realm="Zendesk", error="invalid_token"`)
		writeJSON(w, http.StatusUnauthorized, []byte(bodyAuthOAuth))
		return false
	case "basic":
		raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(cred))
		if err == nil {
			user, pass, _ := strings.Cut(string(raw), ":")
			wantUser := c.Email + "/token"
			if c.APIToken != "" && pass == c.APIToken && (user == wantUser || (c.Email == "" && strings.HasSuffix(user, "/token"))) {
				return true
			}
		}
	}
	writeStatus(w, http.StatusUnauthorized)
	return false
}

// ServeHTTP runs the pipeline of a real account: count, injected faults,
// authentication, routing, plan restrictions (403), rate limits, handler.
func (s *Sim) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/__talksim/") {
		s.serveControl(w, r)
		return
	}
	arrival := time.Now()
	api, inAPI := normPath(r.URL.Path)
	s.rmu.Lock()
	s.requests[api]++
	s.rmu.Unlock()

	kind, status, delay := s.pickFault(api)
	if status != 0 {
		writeStatus(w, status)
		return
	}
	switch kind {
	case "":
	case FaultSlow:
		t := time.NewTimer(delay)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	case FaultReset:
		resetConn(w)
		return
	case FaultTruncatedJSON:
		cw := &captureWriter{h: http.Header{}}
		s.serve(cw, r, api, inAPI, arrival)
		body := cw.body[:len(cw.body)/2]
		for k, v := range cw.h {
			w.Header()[k] = v
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(body)
		return
	default:
		writeFault(w, kind)
		return
	}
	s.serve(w, r, api, inAPI, arrival)
}

func (s *Sim) serve(w http.ResponseWriter, r *http.Request, api string, inAPI bool, arrival time.Time) {
	if !inAPI && isTokenPath(api) {
		s.serveToken(w, r)
		return
	}
	if !inAPI && api == AuthorizePath {
		s.serveAuthorize(w, r)
		return
	}
	if !s.authorized(w, r, arrival) {
		return
	}
	h, ok := routes[api]
	if !inAPI || !ok || (r.Method != http.MethodGet && r.Method != http.MethodHead) {
		writeStatus(w, http.StatusNotFound)
		return
	}
	if st := s.cfg.DeprecatedExports; st != 0 && strings.HasPrefix(api, "/stats/incremental/") {
		writeJSON(w, st, []byte(BodyDeprecated))
		return
	}
	if s.forbidden[api] {
		writeStatus(w, http.StatusForbidden)
		return
	}
	if !s.admit(w, api) {
		return
	}
	h(s, w, r, api)
}

// admit applies the account-wide and export budgets; a refused request
// consumes neither.
func (s *Sim) admit(w http.ResponseWriter, api string) bool {
	now := s.cfg.Now()
	isExport := strings.HasPrefix(api, "/stats/incremental/")
	s.rmu.Lock()
	okA, waitA := s.account.allow(now)
	okE, waitE := true, 0
	if isExport {
		okE, waitE = s.export.allow(now)
	}
	if okA && okE {
		if s.account.limit > 0 {
			s.account.times = append(s.account.times, now)
		}
		if isExport && s.export.limit > 0 {
			s.export.times = append(s.export.times, now)
		}
	}
	remaining, resets := s.account.remaining(), s.account.resets(now)
	expRemaining, expResets := s.export.remaining(), s.export.resets(now)
	if !okA || !okE {
		s.limited++
	}
	s.rmu.Unlock()
	h := w.Header()
	if s.account.limit > 0 {
		// Both spellings, as Zendesk's Ticketing API answers.
		h.Set("X-Rate-Limit", strconv.Itoa(s.account.limit))
		h.Set("X-Rate-Limit-Remaining", strconv.Itoa(remaining))
		h.Set("Ratelimit-Limit", strconv.Itoa(s.account.limit))
		h.Set("Ratelimit-Remaining", strconv.Itoa(remaining))
		h.Set("Ratelimit-Reset", strconv.Itoa(resets))
	}
	if isExport && s.export.limit > 0 {
		h.Set("Zendesk-Ratelimit-Incremental-Exports", "total="+strconv.Itoa(s.export.limit)+
			"; remaining="+strconv.Itoa(expRemaining)+"; resets="+strconv.Itoa(expResets))
	}
	if okA && okE {
		return true
	}
	w.Header().Set("Retry-After", strconv.Itoa(max(waitA, waitE)))
	writeJSON(w, http.StatusTooManyRequests, []byte(`{"error":"TooManyRequests","description":"You have exceeded the rate limit for this endpoint"}`))
	return false
}

// serveControl exposes a few test hooks over HTTP for the demo (the talksim
// command runs in its own process): GET expected, GET requests,
// POST add_calls?n=, POST update_calls?ids=1,2[&updated_at=RFC 3339],
// POST delete?table=&id=, POST settings_revision?n= (SetSettingsRevision).
// They bypass auth, faults and counters.
func (s *Sim) serveControl(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	op := strings.TrimPrefix(r.URL.Path, "/__talksim/")
	want := http.MethodPost
	if op == "expected" || op == "requests" {
		want = http.MethodGet
	}
	if r.Method != want {
		writeStatus(w, http.StatusMethodNotAllowed)
		return
	}
	var out any
	switch op {
	case "expected":
		out = s.Expected()
	case "requests":
		out = s.Requests()
	case "add_calls":
		n, _ := strconv.Atoi(q.Get("n"))
		out = map[string]any{"ids": s.AddCalls(n)}
	case "update_calls":
		var ids []int64
		for _, f := range strings.Split(q.Get("ids"), ",") {
			if id, err := strconv.ParseInt(strings.TrimSpace(f), 10, 64); err == nil {
				ids = append(ids, id)
			}
		}
		at := s.cfg.Now()
		if v := q.Get("updated_at"); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				writeJSON(w, http.StatusBadRequest, []byte(`{"error":"updated_at must be an RFC 3339 time"}`))
				return
			}
			at = t
		}
		out = map[string]any{"updated": s.UpdateCallsAt(at, ids...)}
	case "settings_revision":
		n, err := strconv.Atoi(q.Get("n"))
		if err != nil {
			writeJSON(w, http.StatusBadRequest, []byte(`{"error":"n must be an integer (the voice settings' revision)"}`))
			return
		}
		s.SetSettingsRevision(n)
		out = map[string]any{"settings_revision": n}
	case "delete":
		var id any = q.Get("id")
		if n, err := strconv.ParseInt(q.Get("id"), 10, 64); err == nil {
			id = n
		}
		if err := s.Delete(q.Get("table"), id); err != nil {
			writeJSON(w, http.StatusNotFound, append(appendStr([]byte(`{"error":`), err.Error()), '}'))
			return
		}
		out = map[string]any{"deleted": true}
	default:
		writeStatus(w, http.StatusNotFound)
		return
	}
	b, _ := json.Marshal(out)
	writeJSON(w, 200, b)
}
