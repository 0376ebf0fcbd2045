package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"talkwarehouse/internal/certs"
)

// cleanTemporalEnv unsets every TEMPORAL_* setting and points the default
// profile file at an empty folder, so that neither the shell nor a
// developer's own temporal.toml leaks in.
func cleanTemporalEnv(t *testing.T) {
	t.Helper()
	for _, p := range Settings() {
		if strings.HasPrefix(p.Key, "TEMPORAL_") {
			t.Setenv(p.Key, "")
			os.Unsetenv(p.Key)
		}
	}
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv("HOME", t.TempDir())
}

// Both spellings of each TLS file work (the SDK's environment
// configuration and the older names), alone or set to the same file; set to
// different files they are refused naming both.
func TestTemporalSDKSpellings(t *testing.T) {
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
	sdkNames := map[string]string{"TEMPORAL_TLS_CLIENT_CERT_PATH": client.CertFile, "TEMPORAL_TLS_CLIENT_KEY_PATH": client.KeyFile, "TEMPORAL_TLS_SERVER_CA_CERT_PATH": ca.CertFile}
	oldNames := map[string]string{"TEMPORAL_TLS_CERT_FILE": client.CertFile, "TEMPORAL_TLS_KEY_FILE": client.KeyFile, "TEMPORAL_TLS_CA_FILE": ca.CertFile}
	both := map[string]string{}
	for k, v := range sdkNames {
		both[k] = v
	}
	for k, v := range oldNames {
		both[k] = v
	}
	for name, env := range map[string]map[string]string{"sdk names": sdkNames, "older names": oldNames, "both, same files": both} {
		t.Run(name, func(t *testing.T) {
			cleanTemporalEnv(t)
			for k, v := range env {
				t.Setenv(k, v)
			}
			c, err := LoadTemporal()
			if err != nil {
				t.Fatal(err)
			}
			s := c.Security
			if s.CertFile != client.CertFile || s.KeyFile != client.KeyFile || s.CAFile != ca.CertFile || !s.Enabled() {
				t.Fatalf("cert %q key %q ca %q tls %v", s.CertFile, s.KeyFile, s.CAFile, s.Enabled())
			}
			if conf, err := c.TLSConfig(); err != nil || len(conf.Certificates) != 1 || conf.RootCAs == nil {
				t.Fatalf("TLSConfig: %v", err)
			}
			if c.Address != DefaultTemporalAddress || c.Namespace != DefaultTemporalNamespace || c.Security.String() != "mtls" {
				t.Fatalf("%s", c.Describe())
			}
		})
	}
	for _, pair := range [][2]string{
		{"TEMPORAL_TLS_CERT_FILE", "TEMPORAL_TLS_CLIENT_CERT_PATH"},
		{"TEMPORAL_TLS_KEY_FILE", "TEMPORAL_TLS_CLIENT_KEY_PATH"},
		{"TEMPORAL_TLS_CA_FILE", "TEMPORAL_TLS_SERVER_CA_CERT_PATH"},
	} {
		t.Run("conflict "+pair[1], func(t *testing.T) {
			cleanTemporalEnv(t)
			for k, v := range both {
				t.Setenv(k, v)
			}
			switch pair[1] {
			case "TEMPORAL_TLS_CLIENT_CERT_PATH":
				t.Setenv(pair[1], other.CertFile)
			case "TEMPORAL_TLS_CLIENT_KEY_PATH":
				t.Setenv(pair[1], other.KeyFile)
			default:
				t.Setenv(pair[1], other.CertFile)
			}
			_, err := LoadTemporal()
			if err == nil || !strings.Contains(err.Error(), pair[0]) || !strings.Contains(err.Error(), pair[1]) {
				t.Fatalf("want an error naming %s and %s, got %v", pair[0], pair[1], err)
			}
			// The worker's loader says the same.
			if _, err := LoadWorker(testNow); err == nil || !strings.Contains(err.Error(), pair[0]+" and "+pair[1]) {
				t.Fatalf("LoadWorker: %v", err)
			}
		})
	}
}

// testNow is a moment after any start date the tests set.
var testNow = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// A TOML profile (TEMPORAL_CONFIG_FILE, TEMPORAL_PROFILE) gives the address,
// namespace, API key and TLS; variables win over it; a missing profile or
// file, and what the project does not support, are refused naming them.
func TestTemporalProfile(t *testing.T) {
	dir := t.TempDir()
	ca, err := certs.NewCA(dir, "ca")
	if err != nil {
		t.Fatal(err)
	}
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	file := write("temporal.toml", `
[profile.default]
address = "localhost:7233"

[profile.cloud]
address = "talk.a1b2c.tmprl.cloud:7233"
namespace = "talk.a1b2c"
api_key = "key-SECRET-in-toml"
[profile.cloud.tls]
server_ca_cert_path = "`+ca.CertFile+`"
server_name = "frontend.example"

[profile.off]
address = "plain:7233"
[profile.off.tls]
disabled = true

[profile.data]
[profile.data.tls]
client_cert_data = "-----BEGIN CERTIFICATE-----"
`)
	t.Run("named profile", func(t *testing.T) {
		cleanTemporalEnv(t)
		t.Setenv("TEMPORAL_CONFIG_FILE", file)
		t.Setenv("TEMPORAL_PROFILE", "cloud")
		c, err := LoadTemporal()
		if err != nil {
			t.Fatal(err)
		}
		s := c.Security
		if c.Address != "talk.a1b2c.tmprl.cloud:7233" || c.Namespace != "talk.a1b2c" || s.APIKey != "key-SECRET-in-toml" ||
			s.CAFile != ca.CertFile || s.ServerName != "frontend.example" || !s.Enabled() {
			t.Fatalf("%s, ca %q, server name %q", c.Describe(), s.CAFile, s.ServerName)
		}
		if strings.Contains(c.Describe(), "SECRET") {
			t.Fatalf("Describe shows the key: %s", c.Describe())
		}
		// Variables win over the file, under either name.
		t.Setenv("TEMPORAL_NAMESPACE", "other")
		t.Setenv("TEMPORAL_TLS_CA_FILE", "")
		os.Unsetenv("TEMPORAL_TLS_CA_FILE")
		other, err := ca.Client(dir, "x", certs.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Setenv("TEMPORAL_TLS_CA_FILE", other.CertFile)
		keyFile := write("api-key", "key-SECRET-from-file\n")
		t.Setenv("TEMPORAL_API_KEY_FILE", keyFile)
		c, err = LoadTemporal()
		if err != nil {
			t.Fatal(err)
		}
		if c.Namespace != "other" || c.Security.CAFile != other.CertFile || c.Security.APIKey != "key-SECRET-from-file" {
			t.Fatalf("variables did not win: %s, ca %s", c.Describe(), c.Security.CAFile)
		}
	})
	t.Run("default profile", func(t *testing.T) {
		cleanTemporalEnv(t)
		t.Setenv("TEMPORAL_CONFIG_FILE", file)
		c, err := LoadTemporal()
		if err != nil {
			t.Fatal(err)
		}
		if c.Address != "localhost:7233" || c.Namespace != DefaultTemporalNamespace || c.Security.Enabled() {
			t.Fatalf("%s", c.Describe())
		}
	})
	t.Run("default file", func(t *testing.T) {
		cleanTemporalEnv(t)
		xdg := t.TempDir()
		t.Setenv("XDG_CONFIG_HOME", xdg)
		if err := os.MkdirAll(filepath.Join(xdg, "temporalio"), 0o755); err != nil {
			t.Fatal(err)
		}
		b, _ := os.ReadFile(file)
		if err := os.WriteFile(filepath.Join(xdg, "temporalio", "temporal.toml"), b, 0o600); err != nil {
			t.Fatal(err)
		}
		t.Setenv("TEMPORAL_PROFILE", "cloud")
		c, err := LoadTemporal()
		if err != nil {
			t.Fatal(err)
		}
		if c.Namespace != "talk.a1b2c" {
			t.Fatalf("%s", c.Describe())
		}
	})
	t.Run("tls disabled with an api key", func(t *testing.T) {
		cleanTemporalEnv(t)
		t.Setenv("TEMPORAL_CONFIG_FILE", file)
		t.Setenv("TEMPORAL_PROFILE", "off")
		t.Setenv("TEMPORAL_API_KEY", "key-SECRET")
		_, err := LoadTemporal()
		if err == nil || !strings.Contains(err.Error(), "TEMPORAL_TLS=false") || strings.Contains(err.Error(), "SECRET") {
			t.Fatalf("want TLS-off refused without the key, got %v", err)
		}
	})
	for name, c := range map[string]struct {
		env  map[string]string
		want string
	}{
		"missing profile": {map[string]string{"TEMPORAL_CONFIG_FILE": file, "TEMPORAL_PROFILE": "nope"}, "TEMPORAL_PROFILE"},
		"missing file":    {map[string]string{"TEMPORAL_CONFIG_FILE": filepath.Join(dir, "none.toml")}, "TEMPORAL_CONFIG_FILE"},
		"unknown key":     {map[string]string{"TEMPORAL_CONFIG_FILE": write("bad.toml", "[profile.default]\nadress = \"x:1\"\n")}, "TEMPORAL_CONFIG_FILE"},
		"cert data":       {map[string]string{"TEMPORAL_CONFIG_FILE": file, "TEMPORAL_PROFILE": "data"}, "TEMPORAL_TLS_CLIENT_CERT_PATH"},
		"grpc meta":       {map[string]string{"TEMPORAL_GRPC_META_X_TENANT": "a"}, "TEMPORAL_GRPC_META_"},
	} {
		t.Run(name, func(t *testing.T) {
			cleanTemporalEnv(t)
			for k, v := range c.env {
				t.Setenv(k, v)
			}
			if _, err := LoadTemporal(); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("want an error naming %s, got %v", c.want, err)
			}
		})
	}
}

// docker compose passes unset settings as empty strings: an empty SDK name
// is unset (envconfig alone would turn TLS on for a set-but-empty path).
func TestEmptySDKNamesAreUnset(t *testing.T) {
	cleanTemporalEnv(t)
	for _, k := range []string{"TEMPORAL_TLS_CLIENT_CERT_PATH", "TEMPORAL_TLS_CLIENT_KEY_PATH", "TEMPORAL_TLS_SERVER_CA_CERT_PATH",
		"TEMPORAL_TLS_SERVER_NAME", "TEMPORAL_PROFILE", "TEMPORAL_CONFIG_FILE", "TEMPORAL_ADDRESS", "TEMPORAL_NAMESPACE"} {
		t.Setenv(k, "")
	}
	c, err := LoadTemporal()
	if err != nil {
		t.Fatal(err)
	}
	if c.Security.Enabled() || c.Address != DefaultTemporalAddress || c.Namespace != DefaultTemporalNamespace {
		t.Fatalf("%s", c.Describe())
	}
}
