package main

import (
	"context"
	"crypto/subtle"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"strings"

	"go.temporal.io/server/common/authorization"
	serverconfig "go.temporal.io/server/common/config"
)

// security is the frontend's TLS and authentication, from the command line.
type security struct {
	CertFile     string // --tls-cert: TLS on the frontend
	KeyFile      string // --tls-key
	ClientCAFile string // --tls-client-ca: client certificates signed by it are mandatory (mTLS)
	APIKey       string // --api-key: every request must carry it as a bearer token
}

// on reports whether anything guards the frontend; the server then runs an
// internal frontend too, for its own system workers and the web UI.
func (s security) on() bool { return s.CertFile != "" || s.APIKey != "" }

// describe is for the ready line, e.g. " (TLS, client certificates required, API key)".
func (s security) describe() string {
	var parts []string
	if s.CertFile != "" {
		parts = append(parts, "TLS")
	}
	if s.ClientCAFile != "" {
		parts = append(parts, "client certificates required")
	}
	if s.APIKey != "" {
		parts = append(parts, "API key")
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

// check refuses wrong combinations and unreadable files before the server
// starts, naming the flag (never the key).
func (s security) check() error {
	switch {
	case (s.CertFile == "") != (s.KeyFile == ""):
		return errors.New("--tls-cert and --tls-key go together")
	case s.ClientCAFile != "" && s.CertFile == "":
		return errors.New("--tls-client-ca needs --tls-cert and --tls-key (mTLS is TLS first)")
	case s.APIKey != "" && s.CertFile == "":
		return errors.New("--api-key needs --tls-cert and --tls-key: API keys travel only over TLS")
	}
	if s.CertFile != "" {
		if _, err := tls.LoadX509KeyPair(s.CertFile, s.KeyFile); err != nil {
			return fmt.Errorf("--tls-cert %s / --tls-key %s: %w", s.CertFile, s.KeyFile, err)
		}
	}
	if s.ClientCAFile != "" {
		b, err := os.ReadFile(s.ClientCAFile)
		if err != nil {
			return fmt.Errorf("--tls-client-ca: %w", err)
		}
		if !x509.NewCertPool().AppendCertsFromPEM(b) {
			return fmt.Errorf("--tls-client-ca %s holds no PEM certificate", s.ClientCAFile)
		}
	}
	return nil
}

// apply sets the frontend's server TLS: the public frontend only. The
// internal frontend (system workers, web UI) stays on the internode
// settings, plaintext on this machine's loopback.
func (s security) apply(conf *serverconfig.Config) {
	if s.CertFile == "" {
		return
	}
	conf.Global.TLS.Frontend.Server = serverconfig.ServerTLS{CertFile: s.CertFile, KeyFile: s.KeyFile}
	if s.ClientCAFile != "" {
		conf.Global.TLS.Frontend.Server.ClientCAFiles = []string{s.ClientCAFile}
		conf.Global.TLS.Frontend.Server.RequireClientAuth = true
	}
}

// apiKeyClaimMapper gives admin claims to requests whose Authorization
// header is "Bearer <key>" (what the SDK's API-key credentials send), and
// no role to anything else. Compared in constant time.
type apiKeyClaimMapper struct{ want []byte }

func (m apiKeyClaimMapper) GetClaims(info *authorization.AuthInfo) (*authorization.Claims, error) {
	if info != nil && subtle.ConstantTimeCompare([]byte(info.AuthToken), m.want) == 1 {
		return &authorization.Claims{Subject: "api-key", System: authorization.RoleAdmin}, nil
	}
	return &authorization.Claims{}, nil
}

// AuthInfoRequired false: called for requests without any header too.
func (apiKeyClaimMapper) AuthInfoRequired() bool { return false }

// adminOnly allows callers with the system admin role: the API key's
// holder, and the internal frontend's callers (the server itself).
type adminOnly struct{}

func (adminOnly) Authorize(_ context.Context, c *authorization.Claims, _ *authorization.CallTarget) (authorization.Result, error) {
	if c != nil && c.System&authorization.RoleAdmin != 0 {
		return authorization.Result{Decision: authorization.DecisionAllow}, nil
	}
	return authorization.Result{Decision: authorization.DecisionDeny, Reason: "missing or wrong API key"}, nil
}
