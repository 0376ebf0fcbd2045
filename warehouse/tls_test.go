package warehouse_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"talkwarehouse/config"
	"talkwarehouse/internal/certs"
	"talkwarehouse/internal/connect"
	"talkwarehouse/internal/stack"
)

// secureClickHouse starts a private ClickHouse (Debian's 18.16 here) with a
// secure native port serving a certificate of a throwaway CA.
func secureClickHouse(t *testing.T) (*stack.SecureClickHouse, *certs.CA) {
	t.Helper()
	if stack.ClickHouseServer() == "" {
		t.Skip("clickhouse-server is not installed: the TLS test starts its own server")
	}
	dir := t.TempDir()
	ca, err := certs.NewCA(dir, "ca")
	if err != nil {
		t.Fatal(err)
	}
	srv, err := ca.Server(dir, "clickhouse", certs.Options{Hosts: []string{"127.0.0.1", "localhost"}})
	if err != nil {
		t.Fatal(err)
	}
	ch, err := stack.StartClickHouseTLS(filepath.Join(dir, "ch"), srv.CertFile, srv.KeyFile)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ch.Stop)
	return ch, ca
}

// TestOpenOverTLS: clickhouse-go's TLS handshake against ClickHouse's
// secure native port, a migration and a batch insert over it, and each
// wrong setting refused within seconds with a message naming the setting
// and the address.
func TestOpenOverTLS(t *testing.T) {
	ch, ca := secureClickHouse(t)
	ctx := context.Background()
	cfg := config.ClickHouse{Addr: ch.SecureAddr, Database: "tls_test", User: "default",
		TLS: config.ClickHouseTLS{Secure: true, CAFile: ca.CertFile}}

	wh, err := connect.Warehouse(ctx, cfg, config.Analytics{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer wh.Close()
	if err := wh.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	var version string
	if err := wh.Conn().QueryRow(ctx, "SELECT version()").Scan(&version); err != nil {
		t.Fatal(err)
	}
	var n uint64
	if err := wh.Conn().QueryRow(ctx, "SELECT count() FROM schema_migrations").Scan(&n); err != nil || n == 0 {
		t.Fatalf("schema_migrations over TLS: %d rows, %v", n, err)
	}
	t.Logf("ClickHouse %s over TLS at %s: migrated, %d migrations recorded", version, ch.SecureAddr, n)

	other, err := certs.NewCA(t.TempDir(), "other")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name   string
		mutate func(*config.ClickHouse)
		want   []string
	}{
		{"untrusted CA (system roots)", func(c *config.ClickHouse) { c.TLS.CAFile = "" }, []string{"CLICKHOUSE_CA_FILE", ch.SecureAddr}},
		{"another CA", func(c *config.ClickHouse) { c.TLS.CAFile = other.CertFile }, []string{"CLICKHOUSE_CA_FILE", ch.SecureAddr}},
		{"wrong server name", func(c *config.ClickHouse) { c.TLS.ServerName = "clickhouse.example.com" }, []string{"CLICKHOUSE_TLS_SERVER_NAME", ch.SecureAddr}},
		{"TLS to the plaintext port", func(c *config.ClickHouse) { c.Addr = ch.Addr }, []string{"CLICKHOUSE_SECURE", ch.Addr}},
		{"plaintext to the secure port", func(c *config.ClickHouse) { c.TLS = config.ClickHouseTLS{} }, []string{"CLICKHOUSE_SECURE=true", ch.SecureAddr}},
		{"wrong password", func(c *config.ClickHouse) { c.User, c.Password = ch.User, "wrong-SECRET" }, []string{"CLICKHOUSE_PASSWORD", ch.SecureAddr}},
	} {
		t.Run(c.name, func(t *testing.T) {
			bad := cfg
			c.mutate(&bad)
			started := time.Now()
			_, err := connect.Warehouse(ctx, bad, config.Analytics{}, nil)
			took := time.Since(started)
			if err == nil {
				t.Fatal("connected")
			}
			if strings.Contains(err.Error(), "SECRET") || strings.Contains(err.Error(), ch.Password) {
				t.Errorf("error shows the password: %v", err)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error does not mention %q: %v", w, err)
				}
			}
			// Refused by the handshake, not by the 5 s dial or 10 s ping timeout.
			if took > 5*time.Second {
				t.Errorf("took %v to fail", took)
			}
			t.Logf("%v: %v", took.Round(time.Millisecond), err)
		})
	}

	t.Run("user with a password", func(t *testing.T) {
		auth := cfg
		auth.User, auth.Password = ch.User, ch.Password
		wh, err := connect.Warehouse(ctx, auth, config.Analytics{}, nil)
		if err != nil {
			t.Fatal(err)
		}
		wh.Close()
	})
	t.Run("skip verify", func(t *testing.T) {
		skip := cfg
		skip.TLS = config.ClickHouseTLS{Secure: true, SkipVerify: true}
		wh, err := connect.Warehouse(ctx, skip, config.Analytics{}, nil)
		if err != nil {
			t.Fatal(err)
		}
		wh.Close()
	})
	_ = wh.Conn().Exec(ctx, "DROP DATABASE IF EXISTS tls_test")
}
