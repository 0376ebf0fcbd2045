package connect

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"talkwarehouse/config"
	"talkwarehouse/internal/certs"
)

// TestWarehouseOptions: every ClickHouse and analytics setting reaches its
// warehouse option; TLS only with CLICKHOUSE_SECURE, trusting the CA file;
// an unreadable CA file is config's error, naming CLICKHOUSE_CA_FILE.
func TestWarehouseOptions(t *testing.T) {
	dir := t.TempDir()
	ca, err := certs.NewCA(dir, "ca")
	if err != nil {
		t.Fatal(err)
	}
	c := config.ClickHouse{Addr: " ch1:9440, ch2:9440 ", Database: "db", User: "u", Password: "SECRET",
		TLS:     config.ClickHouseTLS{Secure: true, CAFile: ca.CertFile, ServerName: "ch.example.com"},
		Cluster: "c", ReplicaPath: "/p/{table}"}
	o, err := WarehouseOptions(c, config.Analytics{Timezone: "Europe/Paris"})
	if err != nil {
		t.Fatal(err)
	}
	if len(o.Addrs) != 2 || o.Addrs[0] != "ch1:9440" || o.Addrs[1] != "ch2:9440" || o.Database != "db" || o.User != "u" ||
		o.Password != "SECRET" || o.Cluster != "c" || o.ReplicaPath != "/p/{table}" || o.AnalyticsTimezone != "Europe/Paris" {
		t.Fatalf("options %+v", o)
	}
	if o.TLS == nil || o.TLS.RootCAs == nil || o.TLS.ServerName != "ch.example.com" || o.TLS.InsecureSkipVerify {
		t.Fatalf("TLS %+v", o.TLS)
	}
	if s := o.String(); strings.Contains(s, "SECRET") || !strings.Contains(s, "(tls)") || !strings.Contains(s, "(cluster c)") {
		t.Fatalf("String() = %s", s)
	}

	c.TLS = config.ClickHouseTLS{}
	if o, err := WarehouseOptions(c, config.Analytics{}); err != nil || o.TLS != nil || o.AnalyticsTimezone != "" {
		t.Fatalf("plaintext: %+v %v", o, err)
	}

	bad := filepath.Join(dir, "not-pem")
	if err := os.WriteFile(bad, []byte("nothing"), 0o600); err != nil {
		t.Fatal(err)
	}
	c.TLS = config.ClickHouseTLS{Secure: true, CAFile: bad}
	if _, err := WarehouseOptions(c, config.Analytics{}); err == nil || !strings.Contains(err.Error(), "CLICKHOUSE_CA_FILE") {
		t.Fatalf("unreadable CA: %v", err)
	}
}
