package e2e

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"talkwarehouse/zendesk"
)

// authorize runs `starter authorize` with the worker's settings and plays
// the browser: it reads the URL printed on a line of its own, GETs it and
// follows Zendesk's redirect to the loopback listener. It returns what the
// command printed and what the browser was shown.
func (e *env) authorize() (out, page string) {
	e.t.Helper()
	cmd := exec.Command(e.bins["./starter"], "authorize", "-timeout", "60s")
	cmd.Env = e.environ()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	pipe, err := cmd.StdoutPipe()
	if err != nil {
		e.t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		e.t.Fatal(err)
	}
	browsed := make(chan string, 1)
	var lines []string
	sc := bufio.NewScanner(pipe)
	for sc.Scan() {
		l := sc.Text()
		lines = append(lines, l)
		if strings.HasPrefix(l, e.simURL+"/oauth/authorizations/new?") {
			go func(u string) {
				resp, err := http.Get(u) // follows the 302 to the loopback listener
				if err != nil {
					browsed <- err.Error()
					return
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				browsed <- strconv.Itoa(resp.StatusCode) + " " + string(b)
			}(l)
		}
	}
	err = cmd.Wait()
	out = strings.Join(lines, "\n") + "\n" + stderr.String()
	if err != nil {
		e.t.Fatalf("starter authorize: %v\n%s", err, out)
	}
	select {
	case page = <-browsed:
	case <-time.After(10 * time.Second):
		e.t.Fatalf("the browser got no answer\n%s", out)
	}
	return out, page
}

// The whole authorization-code flow, then a sync on the resulting state
// file: `starter authorize` prints the URL, the browser's redirect brings
// the code, the refresh token lands in ZENDESK_OAUTH_STATE_FILE, and the
// worker, with the client id, secret and state file alone, syncs every
// table rotating that chain (never client credentials). The worker exposes
// the refresh token's remaining lifetime; no secret reaches a log, Temporal
// or ClickHouse.
func TestOAuthAuthorizeThenSync(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	redirect := "http://" + ln.Addr().String() + "/callback"
	ln.Close()
	state := filepath.Join(t.TempDir(), "oauth", "zendesk-oauth.json")
	cfg := oauthAccount(1500, 5*time.Second)
	cfg.OAuthRefreshToken = "" // the chain comes from the authorization alone
	cfg.OAuthRedirectURIs = []string{redirect}
	settings := []string{"ZENDESK_EMAIL=", "ZENDESK_API_TOKEN=", "ZENDESK_OAUTH_CLIENT_ID=" + oauthClientID,
		"ZENDESK_OAUTH_CLIENT_SECRET=" + oauthSecret, "ZENDESK_OAUTH_REFRESH_TOKEN=", "ZENDESK_OAUTH_STATE_FILE=" + state,
		"ZENDESK_OAUTH_REDIRECT_URL=" + redirect}
	var out, page string
	e := newEnvWith(t, cfg, func(e *env) { out, page = e.authorize() }, settings...)
	t.Logf("starter authorize:\n%s\nbrowser: %s", out, page)
	if !strings.HasPrefix(page, "200 ") || !strings.Contains(page, "authorized") || !strings.Contains(out, "authorized: the refresh token is stored in "+state) {
		t.Fatalf("authorization did not complete")
	}
	if log := e.worker.Tail(1 << 20); !strings.Contains(log, "from_environment=false") || !strings.Contains(log, state) {
		t.Errorf("the worker did not take the state file's chain:\n%s", e.worker.Tail(3000))
	}
	slowExports(e, 1500*time.Millisecond) // a sync of several 5 s tokens
	e.mustSync()
	e.checkCounts()
	st := e.sim.OAuthStats()
	t.Logf("token endpoint: %+v", st)
	// One access token came with the code; every other from a rotation.
	if st.CodeGrants != 1 || st.Rotations < 2 || st.Issued != st.Rotations+1 || st.InvalidGrant != 0 {
		t.Errorf("%+v: want one code grant, then only refresh_token grants, none refused", st)
	}

	m := regexp.MustCompile(`metrics=(http://\S+/metrics)`).FindStringSubmatch(e.worker.Tail(1 << 20))
	if m == nil {
		t.Fatal("worker log names no metrics URL")
	}
	resp, err := http.Get(m[1])
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	value := func(name string) (float64, bool) {
		v := regexp.MustCompile(`(?m)^` + name + ` (\S+)$`).FindSubmatch(b)
		if v == nil {
			return 0, false
		}
		f, err := strconv.ParseFloat(string(v[1]), 64)
		return f, err == nil
	}
	// The sim's refresh tokens live 30 days; the access tokens 5 s (the
	// last one may have expired since the sync ended: renewed on demand).
	if r, ok := value("talkwarehouse_oauth_refresh_token_expires_in_seconds"); !ok || r > 30*86400 || r < 30*86400-600 {
		t.Errorf("refresh token gauge %v (%v), want about 30 days", r, ok)
	}
	if a, ok := value("talkwarehouse_oauth_access_token_expires_in_seconds"); !ok || a > 5 {
		t.Errorf("access token gauge %v (%v), want at most 5 s", a, ok)
	}
	for _, s := range append(e.sim.IssuedSecrets(), oauthSecret) {
		if strings.Contains(out, s) || strings.Contains(page, s) {
			t.Errorf("starter authorize's output or page holds a secret (%.12s…)", s)
		}
	}
	e.assertNoSecrets(append(e.sim.IssuedSecrets(), oauthSecret))
}

// A state file whose refresh token has expired: the worker starts and logs
// the error, and a sync fails within seconds saying to authorize again
// with `starter authorize`, without a single token request (no retries).
func TestOAuthExpiredRefreshTokenFailsFast(t *testing.T) {
	state := filepath.Join(t.TempDir(), "oauth", "zendesk-oauth.json")
	const expired = "e2e-SECRET-expired-refresh-4a7b"
	cfg := oauthAccount(200, time.Hour)
	cfg.OAuthRefreshToken = ""
	settings := []string{"ZENDESK_EMAIL=", "ZENDESK_API_TOKEN=", "ZENDESK_OAUTH_CLIENT_ID=" + oauthClientID,
		"ZENDESK_OAUTH_CLIENT_SECRET=" + oauthSecret, "ZENDESK_OAUTH_REFRESH_TOKEN=", "ZENDESK_OAUTH_STATE_FILE=" + state}
	e := newEnvWith(t, cfg, func(*env) {
		st, err := zendesk.LockStateFile(state, zendesk.Names{})
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		if err := st.StartChain(expired, time.Now().Add(-time.Hour)); err != nil {
			t.Fatal(err)
		}
	}, settings...)
	if log := e.worker.Tail(1 << 20); !strings.Contains(log, "level=ERROR") || !strings.Contains(log, "starter authorize") {
		t.Errorf("the worker did not log the expiry at start:\n%s", e.worker.Tail(3000))
	}
	t0 := time.Now()
	out, err := e.starter("sync", "--wait")
	took := time.Since(t0)
	t.Logf("sync took %v:\n%s", took.Round(time.Millisecond), out)
	if err == nil {
		t.Fatal("the sync succeeded")
	}
	for _, want := range []string{"expired at", "authorize again", "`starter authorize`", state} {
		if !strings.Contains(out, want) {
			t.Errorf("the sync's output does not say %q", want)
		}
	}
	if took > 20*time.Second {
		t.Errorf("failing took %v, want seconds", took)
	}
	if st := e.sim.OAuthStats(); st.TokenRequests != 0 {
		t.Errorf("token endpoint %+v: want no request", st)
	}
	e.assertNoSecrets([]string{expired, oauthSecret})
}
