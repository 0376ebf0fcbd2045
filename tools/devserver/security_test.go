package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.temporal.io/server/common/authorization"

	"talkwarehouse/internal/certs"
)

func TestSecurityFlags(t *testing.T) {
	dir := t.TempDir()
	ca, err := certs.NewCA(dir, "ca")
	if err != nil {
		t.Fatal(err)
	}
	srv, err := ca.Server(dir, "server", certs.Options{})
	if err != nil {
		t.Fatal(err)
	}
	other, err := ca.Server(dir, "other", certs.Options{})
	if err != nil {
		t.Fatal(err)
	}
	garbage := filepath.Join(dir, "garbage.pem")
	if err := os.WriteFile(garbage, []byte("nope"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		s    security
		want string // "" = accepted
	}{
		{security{}, ""},
		{security{CertFile: srv.CertFile, KeyFile: srv.KeyFile}, ""},
		{security{CertFile: srv.CertFile, KeyFile: srv.KeyFile, ClientCAFile: ca.CertFile, APIKey: "k"}, ""},
		{security{CertFile: srv.CertFile}, "--tls-cert and --tls-key go together"},
		{security{KeyFile: srv.KeyFile}, "--tls-cert and --tls-key go together"},
		{security{ClientCAFile: ca.CertFile}, "--tls-client-ca needs --tls-cert"},
		{security{APIKey: "SECRET"}, "--api-key needs --tls-cert"},
		{security{CertFile: srv.CertFile, KeyFile: other.KeyFile}, "does not match"},
		{security{CertFile: srv.CertFile, KeyFile: srv.KeyFile, ClientCAFile: garbage}, "--tls-client-ca " + garbage + " holds no PEM certificate"},
		{security{CertFile: srv.CertFile, KeyFile: srv.KeyFile, ClientCAFile: filepath.Join(dir, "missing")}, "--tls-client-ca"},
	} {
		err := c.s.check()
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%+v refused: %v", c.s, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%+v: %v, want %q", c.s, err, c.want)
		case err != nil && strings.Contains(err.Error(), "SECRET"):
			t.Errorf("error shows the key: %v", err)
		}
	}
}

func TestAPIKeyAuthorization(t *testing.T) {
	m := apiKeyClaimMapper{want: []byte("Bearer right")}
	var a adminOnly
	for _, c := range []struct {
		info  *authorization.AuthInfo
		allow bool
	}{
		{&authorization.AuthInfo{AuthToken: "Bearer right"}, true},
		{&authorization.AuthInfo{AuthToken: "Bearer wrong"}, false},
		{&authorization.AuthInfo{AuthToken: "right"}, false},
		{&authorization.AuthInfo{}, false},
		{nil, false},
	} {
		claims, err := m.GetClaims(c.info)
		if err != nil {
			t.Fatal(err)
		}
		res, err := a.Authorize(context.Background(), claims, &authorization.CallTarget{APIName: "/temporal.api.workflowservice.v1.WorkflowService/StartWorkflowExecution"})
		if err != nil {
			t.Fatal(err)
		}
		if got := res.Decision == authorization.DecisionAllow; got != c.allow {
			t.Errorf("%+v: allowed %v", c.info, got)
		}
	}
	// The internal frontend's callers (the server's own system workers).
	internal, _ := authorization.NewInternalClaimMapper().GetClaims(nil)
	if res, _ := a.Authorize(context.Background(), internal, &authorization.CallTarget{}); res.Decision != authorization.DecisionAllow {
		t.Error("internal frontend callers denied")
	}
	// No auth info at all reaches the authorizer as nil claims.
	if res, _ := a.Authorize(context.Background(), nil, &authorization.CallTarget{}); res.Decision != authorization.DecisionDeny {
		t.Error("nil claims allowed")
	}
}
