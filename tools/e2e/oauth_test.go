package e2e

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"talkwarehouse/talksim"
)

const (
	oauthClientID = "e2e-talkwarehouse"
	oauthSecret   = "e2e-SECRET-client-5b2e"
	oauthRefresh  = "e2e-SECRET-refresh-0c9d"
)

// oauthAccount is an account with a confidential OAuth client issuing
// access tokens that live for lifetime, and a refresh token handed out by
// an authorization-code flow.
func oauthAccount(calls int, lifetime time.Duration) talksim.Config {
	cfg := talksim.DefaultConfig()
	cfg.Calls = calls
	cfg.OAuthClientID, cfg.OAuthClientSecret, cfg.OAuthRefreshToken = oauthClientID, oauthSecret, oauthRefresh
	cfg.TokenLifetime = lifetime
	return cfg
}

// clientCredentials are the worker settings of the client-credentials
// setup (replacing the default API token).
func clientCredentials(secret string) []string {
	return []string{"ZENDESK_EMAIL=", "ZENDESK_API_TOKEN=", "ZENDESK_OAUTH_CLIENT_ID=" + oauthClientID, "ZENDESK_OAUTH_CLIENT_SECRET=" + secret}
}

// A full sync under client credentials with 5-second tokens spans several
// expiries: every table loads exactly, tokens are renewed ahead of expiry
// (one token request per renewal, shared by all activities, at most one
// 401 per expiry), and no secret reaches a log, Temporal's database or
// ClickHouse.
func TestOAuthTokensExpiringMidSync(t *testing.T) {
	e := newEnv(t, oauthAccount(4321, 5*time.Second), clientCredentials(oauthSecret)...)
	slowExports(e, 1500*time.Millisecond) // 18 export pages: a sync of about 25 s
	t0 := time.Now()
	out := e.mustSync()
	took := time.Since(t0)
	e.checkCounts()
	st := e.sim.OAuthStats()
	t.Logf("sync took %v; token endpoint: %+v\n%s", took.Round(time.Millisecond), st, out)
	// Tokens are renewed a second before their 5 s run out: one every 4 s.
	maxRenewals := int(took/(4*time.Second)) + 2
	switch {
	case st.Issued < 4:
		t.Errorf("%d tokens issued over %v: the sync did not span several expiries", st.Issued, took)
	case st.TokenRequests != st.Issued || st.TokenRequests > maxRenewals:
		t.Errorf("%d token requests for %d tokens over %v, want one per renewal (at most %d)", st.TokenRequests, st.Issued, took, maxRenewals)
	case st.Unauthorized > st.Issued-1:
		t.Errorf("%d 401s over %d expiries, want at most one per expiry", st.Unauthorized, st.Issued-1)
	}
	if !strings.Contains(e.worker.Tail(1<<20), "zendesk access token renewed") {
		t.Error("the worker log does not show the renewals")
	}
	e.assertNoSecrets(append(e.sim.IssuedSecrets(), oauthSecret))
}

// With a rotating refresh token, a worker killed right after a rotation
// restarts from the state file and completes the sync; the environment's
// original refresh token, now invalid, is never presented again. A second
// worker on the same state file refuses to start.
func TestOAuthRefreshTokenSurvivesKillAfterRotation(t *testing.T) {
	state := filepath.Join(t.TempDir(), "oauth", "zendesk-oauth.json")
	settings := []string{"ZENDESK_EMAIL=", "ZENDESK_API_TOKEN=", "ZENDESK_OAUTH_CLIENT_ID=" + oauthClientID,
		"ZENDESK_OAUTH_CLIENT_SECRET=" + oauthSecret, "ZENDESK_OAUTH_REFRESH_TOKEN=" + oauthRefresh, "ZENDESK_OAUTH_STATE_FILE=" + state}
	e := newEnv(t, oauthAccount(4321, 5*time.Second), settings...)

	// A second worker on the same state file stops at once, naming it.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	second := exec.CommandContext(ctx, e.bins["./worker"])
	second.Env = e.environ()
	b, err := second.CombinedOutput()
	if exitCode(err) == 0 || !strings.Contains(string(b), state) || !strings.Contains(string(b), "locked") {
		t.Fatalf("second worker: exit %d, want a refusal naming %s:\n%s", exitCode(err), state, b)
	}

	slowExports(e, time.Second)
	id := e.startSync()
	// Kill -9 right after a rotation mid-sync (the second one: the first
	// consumed the environment's token), once the new token is stored.
	deadline := time.Now().Add(90 * time.Second)
	for {
		stored, _ := os.ReadFile(state)
		live := e.sim.LiveRefreshToken()
		if e.sim.OAuthStats().Rotations >= 2 && live != "" && bytes.Contains(stored, []byte(live)) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no second rotation stored within 90 s: %+v\n%s", e.sim.OAuthStats(), e.worker.Tail(3000))
		}
		time.Sleep(20 * time.Millisecond)
	}
	e.worker.Kill()
	before := e.sim.OAuthStats()
	if fi, err := os.Stat(state); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("state file: %v, mode %v, want 0600", err, fi.Mode().Perm())
	}

	e.startWorker() // same settings: the environment still holds the original token
	res := e.waitSync(id, 3*time.Minute)
	e.checkCounts()
	after := e.sim.OAuthStats()
	t.Logf("token endpoint at the kill: %+v; at the end: %+v; tables: %d", before, after, len(res.Tables))
	if after.InvalidGrant != 0 || after.Unauthorized > after.Issued-1 {
		t.Errorf("%+v: a refresh token was refused (the original one used again?) or 401s exceeded one per expiry", after)
	}
	if after.Rotations <= before.Rotations {
		t.Errorf("the restarted worker did not rotate from the state file: %+v then %+v", before, after)
	}
	e.assertNoSecrets(append(e.sim.IssuedSecrets(), oauthSecret, oauthRefresh))
}

// A wrong client secret fails the sync within seconds naming the settings,
// with at most two token requests per table; `starter check` with the
// right settings reports the plan-gated IVR table as forbidden and exits
// 0, and with the wrong secret exits 1 naming the settings.
func TestOAuthWrongSecretAndStarterCheck(t *testing.T) {
	cfg := oauthAccount(1500, time.Hour)
	cfg.Forbidden = []string{"/ivr"}
	const wrong = "e2e-WRONG-secret-31aa"
	e := newEnv(t, cfg, clientCredentials(wrong)...)

	t0 := time.Now()
	out, err := e.starter("sync", "--wait")
	took := time.Since(t0)
	if err == nil {
		t.Fatalf("sync with a wrong secret succeeded:\n%s", out)
	}
	for _, want := range []string{"ZENDESK_OAUTH_CLIENT_ID", "ZENDESK_OAUTH_CLIENT_SECRET", "invalid_client"} {
		if !strings.Contains(out, want) {
			t.Errorf("output does not name %s:\n%s", want, out)
		}
	}
	if took > 20*time.Second {
		t.Errorf("failing took %v, want seconds", took)
	}
	if st := e.sim.OAuthStats(); st.TokenRequests > 2*11 || st.Issued != 0 {
		t.Errorf("token endpoint %+v: want at most 2 requests per table", st)
	}

	check := func(secret string) (string, int) {
		cmd := exec.Command(e.bins["./starter"], "check")
		cmd.Env = append(e.environ(), "ZENDESK_OAUTH_CLIENT_SECRET="+secret)
		b, err := cmd.CombinedOutput()
		return string(b), exitCode(err)
	}
	e.sim.ResetRequests()
	out, code := check(oauthSecret)
	t.Logf("starter check:\n%s", out)
	if code != 0 || !strings.Contains(out, "access token obtained") {
		t.Fatalf("check with the right secret: exit %d\n%s", code, out)
	}
	lines := map[string]string{}
	for _, l := range strings.Split(out, "\n") {
		if f := strings.Fields(l); len(f) > 1 {
			lines[f[0]] = l
		}
	}
	for _, name := range []string{"calls", "call_legs", "addresses", "greetings", "greeting_categories", "phone_numbers",
		"account_overview", "agents_overview", "current_queue_activity", "agents_activity"} {
		if !strings.Contains(lines[name], "reachable") {
			t.Errorf("%s not reported reachable: %q", name, lines[name])
		}
	}
	if l := lines["ivrs"]; !strings.Contains(l, "forbidden") || !strings.Contains(l, "IVR needs Talk Professional") {
		t.Errorf("ivrs not reported forbidden with the reason: %q", l)
	}
	for path, n := range e.sim.Requests() {
		if n > 1 {
			t.Errorf("check made %d requests to %s, want at most one per table", n, path)
		}
	}
	out, code = check(wrong)
	if code != 1 || !strings.Contains(out, "ZENDESK_OAUTH_CLIENT_SECRET") || strings.Contains(out, wrong) {
		t.Errorf("check with a wrong secret: exit %d, want 1 naming ZENDESK_OAUTH_CLIENT_SECRET without its value:\n%s", code, out)
	}
	if strings.Contains(e.worker.Tail(1<<20), wrong) {
		t.Error("the worker log contains the secret")
	}
}

// assertNoSecrets checks the worker's and Temporal's logs, Temporal's
// database and every text column of every ClickHouse table for secrets.
// It stops the devserver (so its database is complete on disk).
func (e *env) assertNoSecrets(secrets []string) {
	e.t.Helper()
	e.temp.Stop()
	files, _ := filepath.Glob(filepath.Join(e.dir, "temporal.db*"))
	files = append(files, e.worker.Log, e.temp.Log)
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			e.t.Fatal(err)
		}
		for _, s := range secrets {
			if bytes.Contains(b, []byte(s)) {
				e.t.Errorf("%s contains a secret (%.12s…)", f, s)
			}
		}
	}
	ctx := context.Background()
	rows, err := e.wh.Conn().Query(ctx, `SELECT c.table, c.name FROM system.columns AS c
		WHERE c.database = ? AND c.type IN ('String', 'Nullable(String)')
		AND c.table IN (SELECT name FROM system.tables WHERE database = ? AND engine NOT LIKE '%View')`, e.ch.Database, e.ch.Database)
	if err != nil {
		e.t.Fatal(err)
	}
	cols := map[string][]string{}
	for rows.Next() {
		var tb, col string
		if err := rows.Scan(&tb, &col); err != nil {
			e.t.Fatal(err)
		}
		cols[tb] = append(cols[tb], col)
	}
	rows.Close()
	if len(cols) < 13 {
		e.t.Fatalf("only %d tables with text columns in %s", len(cols), e.ch.Database)
	}
	for tb, cs := range cols {
		var conds []string
		for _, c := range cs {
			for _, s := range secrets {
				conds = append(conds, "position(ifNull(`"+c+"`, ''), '"+s+"') > 0")
			}
		}
		if n := e.count("SELECT count() FROM `" + tb + "` WHERE " + strings.Join(conds, " OR ")); n != 0 {
			e.t.Errorf("ClickHouse table %s has %d rows holding a secret", tb, n)
		}
	}
}
