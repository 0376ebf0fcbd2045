package e2e

import (
	"os"
	"path/filepath"
	"testing"
)

// TestSyncOverMTLSWithSDKNames is TestSyncOverMTLS with the Temporal SDK's
// environment configuration instead of the older names: the worker takes
// its client certificate, key and CA from a TOML profile
// (TEMPORAL_CONFIG_FILE, TEMPORAL_PROFILE), the starter from
// TEMPORAL_TLS_CLIENT_CERT_PATH, TEMPORAL_TLS_CLIENT_KEY_PATH and
// TEMPORAL_TLS_SERVER_CA_CERT_PATH; a sync over mTLS completes with the
// exact counts, and without the client certificate the starter is refused.
func TestSyncOverMTLSWithSDKNames(t *testing.T) {
	p := newPKI(t, t.TempDir())
	profile := filepath.Join(t.TempDir(), "temporal.toml")
	toml := "[profile.e2e.tls]\n" +
		"client_cert_path = \"" + p.client.CertFile + "\"\n" +
		"client_key_path = \"" + p.client.KeyFile + "\"\n" +
		"server_ca_cert_path = \"" + p.ca.CertFile + "\"\n"
	if err := os.WriteFile(profile, []byte(toml), 0o600); err != nil {
		t.Fatal(err)
	}
	e := newSecureEnv(t, p, []string{"--tls-cert=" + p.server.CertFile, "--tls-key=" + p.server.KeyFile,
		"--tls-client-ca=" + p.ca.CertFile}, "TEMPORAL_CONFIG_FILE="+profile, "TEMPORAL_PROFILE=e2e")

	sdk := []string{"TEMPORAL_TLS_SERVER_CA_CERT_PATH=" + p.ca.CertFile, "TEMPORAL_TLS_CLIENT_CERT_PATH=" + p.client.CertFile,
		"TEMPORAL_TLS_CLIENT_KEY_PATH=" + p.client.KeyFile}
	out, _, err := e.secureStarter(sdk, "sync", "--wait")
	if err != nil {
		t.Fatalf("sync over mTLS (SDK names): %v\n%s\nworker log:\n%s", err, out, e.worker.Tail(4000))
	}
	e.checkCounts()
	e.refused("no client certificate", []string{"TEMPORAL_TLS_SERVER_CA_CERT_PATH=" + p.ca.CertFile}, "TEMPORAL_TLS_CLIENT_CERT_PATH")
}
