package zendesk

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"talkwarehouse/talksim"
)

// freeRedirect is a loopback redirect URL on a port free just now.
func freeRedirect(t *testing.T) *url.URL {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	u, _ := url.Parse("http://" + addr + "/callback")
	return u
}

// authFlow is one authorization against the simulator, with a browser
// that opens the printed URL and follows its redirect.
type authFlow struct {
	sim      *talksim.Sim
	srv      *httptest.Server
	a        Authorization
	st       *StateFile
	path     string
	authURL  string
	page     string // what the browser showed at the end
	pageCode int
}

func newAuthFlow(t *testing.T, mutate func(*talksim.Config)) *authFlow {
	t.Helper()
	redirect := freeRedirect(t)
	cfg := talksim.DefaultConfig()
	cfg.Calls = 20
	cfg.OAuthClientID, cfg.OAuthClientSecret = clientID, clientSecret
	cfg.OAuthRedirectURIs = []string{redirect.String()}
	cfg.TokenLifetime = time.Hour
	if mutate != nil {
		mutate(&cfg)
	}
	f := &authFlow{sim: talksim.New(cfg), path: filepath.Join(t.TempDir(), "oauth", "state.json")}
	f.srv = httptest.NewServer(f.sim.Handler())
	t.Cleanup(f.srv.Close)
	f.a = Authorization{AuthorizeURL: f.srv.URL + "/oauth/authorizations/new", TokenURL: f.srv.URL + "/oauth/tokens",
		ClientID: clientID, ClientSecret: clientSecret, Scope: "read", RedirectURL: redirect, Timeout: 10 * time.Second}
	st, err := LockStateFile(f.path, Names{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f.st = st
	return f
}

// run authorizes; browse, when set, plays the browser with the URL.
func (f *authFlow) run(t *testing.T, browse func(authURL string) (*http.Response, error)) (time.Time, error) {
	t.Helper()
	done := make(chan struct{})
	exp, err := f.a.Authorize(context.Background(), f.st, func(u string) {
		f.authURL = u
		if browse == nil {
			close(done)
			return
		}
		go func() {
			defer close(done)
			resp, err := browse(u)
			if err != nil {
				f.page = err.Error()
				return
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			f.page, f.pageCode = string(b), resp.StatusCode
		}()
	})
	<-done
	return exp, err
}

func openURL(u string) (*http.Response, error) { return http.Get(u) }

// The whole flow: the URL carries every parameter Zendesk asks for, the
// browser's redirect hands over the code, the code is exchanged with PKCE,
// and the refresh token lands in the state file as a new chain that a
// client then uses with no refresh token in its settings.
func TestAuthorizeStoresANewChain(t *testing.T) {
	f := newAuthFlow(t, nil)
	t0 := time.Now()
	exp, err := f.run(t, openURL)
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(f.authURL)
	if err != nil || u.Path != "/oauth/authorizations/new" {
		t.Fatalf("URL %q: %v", f.authURL, err)
	}
	q := u.Query()
	for k, want := range map[string]string{"response_type": "code", "client_id": clientID, "redirect_uri": f.a.RedirectURL.String(),
		"scope": "read", "code_challenge_method": "S256"} {
		if q.Get(k) != want {
			t.Errorf("%s = %q, want %q", k, q.Get(k), want)
		}
	}
	if len(q.Get("state")) < 16 || len(q.Get("code_challenge")) != 43 {
		t.Errorf("state %q, code_challenge %q", q.Get("state"), q.Get("code_challenge"))
	}
	if f.pageCode != 200 || !strings.Contains(f.page, "authorized") {
		t.Errorf("browser page %d %q", f.pageCode, f.page)
	}
	if d := exp.Sub(t0.Add(30 * 24 * time.Hour)); d < -2*time.Second || d > 2*time.Second {
		t.Errorf("expiry %v, want 30 days from now", exp)
	}
	live := f.sim.LiveRefreshToken()
	if f.st.RefreshToken() != live || live == "" {
		t.Fatal("the state file does not hold the issued refresh token")
	}
	for _, s := range append(f.sim.IssuedSecrets(), clientSecret) {
		if strings.Contains(f.page, s) || strings.Contains(f.authURL, s) {
			t.Error("the page or the URL holds a secret")
		}
	}
	if s := f.sim.OAuthStats(); s.Authorizations != 1 || s.CodeGrants != 1 || s.TokenRequests != 1 {
		t.Errorf("%+v", s)
	}
	// The worker's way in: the file alone, no ZENDESK_OAUTH_REFRESH_TOKEN.
	f.st.Close()
	st, err := OpenStateFile(f.path, "", Names{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := fetchAddresses(oauthClient(t, f.srv, clientSecret, st, nil)); err != nil {
		t.Fatal(err)
	}
	if s := f.sim.OAuthStats(); s.Rotations != 1 || s.InvalidGrant != 0 {
		t.Errorf("after a fetch from the file's chain: %+v", s)
	}
	if fi, err := os.Stat(f.path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("state file %v %v", err, fi.Mode().Perm())
	}
}

// Each failure says what to fix, writes no state file and leaks nothing.
func TestAuthorizeFailures(t *testing.T) {
	for _, c := range []struct {
		name   string
		mutate func(*talksim.Config)
		secret string
		browse func(f *authFlow) func(string) (*http.Response, error)
		want   []string
	}{
		{name: "denied", mutate: func(c *talksim.Config) { c.DenyAuthorization = true },
			browse: func(*authFlow) func(string) (*http.Response, error) { return openURL },
			want:   []string{"access_denied", "click Allow", "starter authorize"}},
		{name: "state mismatch",
			browse: func(f *authFlow) func(string) (*http.Response, error) {
				return func(string) (*http.Response, error) {
					return http.Get(f.a.RedirectURL.String() + "?code=forged&state=not-ours")
				}
			},
			want: []string{"state does not match", "starter authorize"}},
		{name: "invalid client", secret: "cs-WRONG-77",
			browse: func(*authFlow) func(string) (*http.Response, error) { return openURL },
			want:   []string{"invalid_client", "OAuth.ClientID", "OAuth.ClientSecret"}},
		{name: "redirect not registered", mutate: func(c *talksim.Config) { c.OAuthRedirectURIs = []string{"http://127.0.0.1:1/elsewhere"} },
			browse: func(*authFlow) func(string) (*http.Response, error) { return openURL },
			want:   []string{"no callback", "within 1s", "invalid_redirect_uri", "Authorization.RedirectURL", "-timeout"}},
		{name: "no browser", want: []string{"no callback", "within 1s"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newAuthFlow(t, c.mutate)
			f.a.Timeout = time.Second
			if c.secret != "" {
				f.a.ClientSecret = c.secret
			}
			var browse func(string) (*http.Response, error)
			if c.browse != nil {
				browse = c.browse(f)
			}
			t0 := time.Now()
			_, err := f.run(t, browse)
			if err == nil {
				t.Fatal("authorized")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error does not say %q: %v", w, err)
				}
			}
			if time.Since(t0) > 5*time.Second {
				t.Errorf("took %v", time.Since(t0))
			}
			for _, s := range append(f.sim.IssuedSecrets(), clientSecret, c.secret) {
				if s != "" && (strings.Contains(err.Error(), s) || strings.Contains(f.page, s)) {
					t.Errorf("error or page leaks %.10s…", s)
				}
			}
			if _, serr := os.Stat(f.path); serr == nil {
				t.Error("a state file was written")
			}
			switch c.name {
			case "state mismatch":
				if s := f.sim.OAuthStats(); s.TokenRequests != 0 {
					t.Errorf("the forged code was exchanged: %+v", s)
				}
			case "redirect not registered":
				if f.pageCode != 400 || !strings.Contains(f.page, "invalid_redirect_uri") {
					t.Errorf("the browser saw %d %q", f.pageCode, f.page)
				}
			}
			t.Log(fmt.Sprint(err))
		})
	}
}
