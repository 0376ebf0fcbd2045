package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"talkwarehouse/internal/certs"
)

func TestTLSSettings(t *testing.T) {
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	dir := t.TempDir()
	ca, err := certs.NewCA(dir, "ca")
	if err != nil {
		t.Fatal(err)
	}
	client, err := ca.Client(dir, "client", certs.Options{})
	if err != nil {
		t.Fatal(err)
	}
	other, err := ca.Client(dir, "other", certs.Options{})
	if err != nil {
		t.Fatal(err)
	}
	write := func(name, content string, mode os.FileMode) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), mode); err != nil {
			t.Fatal(err)
		}
		return p
	}
	apiKeyFile := write("api-key", "key-SECRET-from-file\n", 0o600)
	passFile := write("password", "pw-SECRET-from-file\n", 0o600)
	garbage := write("garbage.pem", "not a certificate", 0o644)
	missing := filepath.Join(dir, "missing.pem")
	clear := map[string]string{
		"CLICKHOUSE_SECURE": "", "CLICKHOUSE_CA_FILE": "", "CLICKHOUSE_TLS_SERVER_NAME": "", "CLICKHOUSE_TLS_SKIP_VERIFY": "",
		"CLICKHOUSE_PASSWORD": "", "CLICKHOUSE_PASSWORD_FILE": "",
		"TEMPORAL_TLS_CA_FILE": "", "TEMPORAL_TLS_CERT_FILE": "", "TEMPORAL_TLS_KEY_FILE": "",
		"TEMPORAL_TLS_SERVER_NAME": "", "TEMPORAL_API_KEY": "", "TEMPORAL_API_KEY_FILE": "",
	}
	with := func(kv map[string]string) map[string]string {
		m := map[string]string{}
		for k, v := range clear {
			m[k] = v
		}
		for k, v := range kv {
			m[k] = v
		}
		return m
	}
	// TEMPORAL_TLS is tri-state: unset differs from empty for env, so
	// unset it explicitly.
	unsetTLS := func() {
		t.Setenv("TEMPORAL_TLS", "")
		os.Unsetenv("TEMPORAL_TLS")
	}

	t.Run("plaintext by default", func(t *testing.T) {
		setenv(t, with(nil))
		unsetTLS()
		w, err := LoadWorker(now)
		if err != nil {
			t.Fatal(err)
		}
		if tc, _ := w.Temporal.TLSConfig(); tc != nil {
			t.Error("Temporal TLS on by default")
		}
		if tc, _ := w.ClickHouse.TLSConfig(); tc != nil {
			t.Error("ClickHouse TLS on by default")
		}
	})

	t.Run("mTLS, API key file, password file", func(t *testing.T) {
		setenv(t, with(map[string]string{
			"TEMPORAL_TLS_CA_FILE": ca.CertFile, "TEMPORAL_TLS_CERT_FILE": client.CertFile, "TEMPORAL_TLS_KEY_FILE": client.KeyFile,
			"TEMPORAL_TLS_SERVER_NAME": "ns.tmprl.cloud", "TEMPORAL_API_KEY_FILE": apiKeyFile,
			"CLICKHOUSE_SECURE": "true", "CLICKHOUSE_CA_FILE": ca.CertFile, "CLICKHOUSE_PASSWORD_FILE": passFile,
		}))
		unsetTLS()
		w, err := LoadWorker(now)
		if err != nil {
			t.Fatal(err)
		}
		if w.Temporal.Security.APIKey != "key-SECRET-from-file" || w.ClickHouse.Password != "pw-SECRET-from-file" {
			t.Fatal("secret files not read (or newline kept)")
		}
		tc, err := w.Temporal.TLSConfig()
		if err != nil || tc == nil || tc.ServerName != "ns.tmprl.cloud" || len(tc.Certificates) != 1 || tc.RootCAs == nil {
			t.Fatalf("Temporal TLS config %+v, %v", tc, err)
		}
		cc, err := w.ClickHouse.TLSConfig()
		if err != nil || cc == nil || cc.RootCAs == nil || cc.InsecureSkipVerify {
			t.Fatalf("ClickHouse TLS config %+v, %v", cc, err)
		}
		for _, s := range []string{w.Temporal.Describe(), w.ClickHouse.String(), w.Zendesk.String(),
			fmt.Sprintf("%v %+v %s", w, w, w.Temporal.Security)} {
			if strings.Contains(s, "SECRET") {
				t.Errorf("description leaks a secret: %s", s)
			}
		}
		if d := w.Temporal.Describe(); !strings.Contains(d, "mtls+api-key") {
			t.Errorf("Describe = %q", d)
		}
	})

	t.Run("an API key alone turns TLS on", func(t *testing.T) {
		setenv(t, with(map[string]string{"TEMPORAL_API_KEY": "k-SECRET"}))
		unsetTLS()
		tcfg, err := LoadTemporal()
		if err != nil {
			t.Fatal(err)
		}
		if tc, _ := tcfg.TLSConfig(); tc == nil {
			t.Fatal("TLS off with an API key")
		}
	})

	for _, c := range []struct {
		name string
		env  map[string]string
		want []string
	}{
		{"cert without key", map[string]string{"TEMPORAL_TLS_CERT_FILE": client.CertFile}, []string{"TEMPORAL_TLS_CLIENT_CERT_PATH (TEMPORAL_TLS_CERT_FILE) is set without TEMPORAL_TLS_CLIENT_KEY_PATH"}},
		{"key without cert", map[string]string{"TEMPORAL_TLS_KEY_FILE": client.KeyFile}, []string{"TEMPORAL_TLS_CLIENT_KEY_PATH (TEMPORAL_TLS_KEY_FILE) is set without TEMPORAL_TLS_CLIENT_CERT_PATH"}},
		{"key of another certificate", map[string]string{"TEMPORAL_TLS_CERT_FILE": client.CertFile, "TEMPORAL_TLS_KEY_FILE": other.KeyFile}, []string{"TEMPORAL_TLS_CERT_FILE/TEMPORAL_TLS_KEY_FILE", "does not match"}},
		{"unreadable CA", map[string]string{"TEMPORAL_TLS_CA_FILE": missing}, []string{"TEMPORAL_TLS_CA_FILE", missing}},
		{"unparsable CA", map[string]string{"TEMPORAL_TLS_CA_FILE": garbage}, []string{"TEMPORAL_TLS_CA_FILE", "no PEM certificate"}},
		{"missing key file", map[string]string{"TEMPORAL_TLS_CERT_FILE": client.CertFile, "TEMPORAL_TLS_KEY_FILE": missing}, []string{"TEMPORAL_TLS_KEY_FILE", missing}},
		{"API key with TLS off", map[string]string{"TEMPORAL_API_KEY": "k-SECRET", "TEMPORAL_TLS": "false"}, []string{"TEMPORAL_API_KEY", "TEMPORAL_TLS=false"}},
		{"both API key settings", map[string]string{"TEMPORAL_API_KEY": "k-SECRET", "TEMPORAL_API_KEY_FILE": apiKeyFile}, []string{"TEMPORAL_API_KEY or TEMPORAL_API_KEY_FILE"}},
		{"missing API key file", map[string]string{"TEMPORAL_API_KEY_FILE": missing}, []string{"TEMPORAL_API_KEY_FILE", missing}},
		{"bad TEMPORAL_TLS", map[string]string{"TEMPORAL_TLS": "yes please"}, []string{"TEMPORAL_TLS: cannot parse, want true or false"}},
		{"CA without CLICKHOUSE_SECURE", map[string]string{"CLICKHOUSE_CA_FILE": ca.CertFile}, []string{"CLICKHOUSE_CA_FILE", "CLICKHOUSE_SECURE"}},
		{"bad CLICKHOUSE_SECURE", map[string]string{"CLICKHOUSE_SECURE": "on"}, []string{"CLICKHOUSE_SECURE: cannot parse"}},
		{"unparsable ClickHouse CA", map[string]string{"CLICKHOUSE_SECURE": "true", "CLICKHOUSE_CA_FILE": garbage}, []string{"CLICKHOUSE_CA_FILE", "no PEM"}},
		{"both password settings", map[string]string{"CLICKHOUSE_PASSWORD": "pw-SECRET", "CLICKHOUSE_PASSWORD_FILE": passFile}, []string{"CLICKHOUSE_PASSWORD or CLICKHOUSE_PASSWORD_FILE"}},
		{"empty password file", map[string]string{"CLICKHOUSE_PASSWORD_FILE": write("empty", "\n", 0o600)}, []string{"CLICKHOUSE_PASSWORD_FILE", "empty"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			setenv(t, with(c.env))
			if _, ok := c.env["TEMPORAL_TLS"]; !ok {
				unsetTLS()
			}
			_, err := LoadWorker(now)
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error does not mention %q: %v", w, err)
				}
			}
			if strings.Contains(err.Error(), "SECRET") {
				t.Errorf("error leaks a secret: %v", err)
			}
		})
	}
}

// An empty TEMPORAL_TLS (as docker compose passes ${TEMPORAL_TLS:-}) is
// unset, not an error.
func TestEmptyTemporalTLSIsUnset(t *testing.T) {
	t.Setenv("TEMPORAL_TLS", "")
	t.Setenv("TEMPORAL_API_KEY", "")
	t.Setenv("TEMPORAL_TLS_CA_FILE", "")
	c, err := LoadTemporal()
	if err != nil {
		t.Fatal(err)
	}
	if c.Security.TLS != nil || c.Security.Enabled() {
		t.Fatalf("empty TEMPORAL_TLS read as %v", *c.Security.TLS)
	}
}

// TestClickHouseExplain: warehouse.Open's failures, as the driver and
// crypto/tls word them, gain the settings to check.
func TestClickHouseExplain(t *testing.T) {
	secure := ClickHouse{TLS: ClickHouseTLS{Secure: true}}
	for _, c := range []struct {
		ch   ClickHouse
		msg  string
		want string
	}{
		{secure, "clickhouse: cannot reach x: tls: failed to verify certificate: x509: certificate signed by unknown authority", "CLICKHOUSE_CA_FILE"},
		{secure, "clickhouse: cannot reach x: x509: certificate is valid for localhost, not ch.example.com", "CLICKHOUSE_TLS_SERVER_NAME"},
		{secure, "clickhouse: cannot reach x: tls: first record does not look like a TLS handshake", "unset CLICKHOUSE_SECURE"},
		{secure, "clickhouse: cannot reach x: code: 193, message: Wrong password for user talk", "CLICKHOUSE_PASSWORD"},
		{ClickHouse{}, "clickhouse: cannot reach x: read: connection reset by peer", "CLICKHOUSE_SECURE=true"},
		{ClickHouse{}, "clickhouse: creating database db: code: 497, message: Not enough privileges", "CLICKHOUSE_DATABASE"},
		{ClickHouse{}, "clickhouse: cannot reach x: dial tcp: connection refused", "CLICKHOUSE_ADDR"},
	} {
		base := errors.New(c.msg)
		err := c.ch.Explain(base)
		if !errors.Is(err, base) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: %v, want %s", c.msg, err, c.want)
		}
	}
	if (ClickHouse{}).Explain(nil) != nil {
		t.Error("Explain(nil) is not nil")
	}
}
