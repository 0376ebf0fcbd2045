package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"talkwarehouse/config"
	"talkwarehouse/internal/certs"
	"talkwarehouse/internal/connect"
	"talkwarehouse/internal/stack"
	"talkwarehouse/internal/temporalconn"
	"talkwarehouse/talksim"
)

// pki is the throwaway certificate material of a secured stack.
type pki struct {
	ca, other           *certs.CA // other: an authority nobody trusts
	server, client, bad *certs.Pair
}

func newPKI(t *testing.T, dir string) *pki {
	t.Helper()
	var p pki
	var err error
	must := func(e error) {
		if e != nil {
			t.Fatal(e)
		}
	}
	p.ca, err = certs.NewCA(dir, "ca")
	must(err)
	p.other, err = certs.NewCA(dir, "other-ca")
	must(err)
	p.server, err = p.ca.Server(dir, "server", certs.Options{})
	must(err)
	p.client, err = p.ca.Client(dir, "worker", certs.Options{})
	must(err)
	p.bad, err = p.other.Client(dir, "stranger", certs.Options{})
	must(err)
	return &p
}

// newSecureEnv is newEnv with every connection secured: a private
// ClickHouse 18.16 whose secure native port serves a certificate of a
// throwaway CA (the worker and the harness reach it over TLS only), and a
// devserver started with devArgs (--tls-* / --api-key) and its web UI.
// temporalEnv are the TEMPORAL_* settings the worker (and e.secureStarter)
// use.
func newSecureEnv(t *testing.T, p *pki, devArgs []string, temporalEnv ...string) *env {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end test skipped in -short mode")
	}
	if stack.ClickHouseServer() == "" {
		t.Skip("clickhouse-server is not installed: the TLS tests start their own server with a secure port")
	}
	dir := t.TempDir()
	ctx := context.Background()
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	ch, err := stack.StartClickHouseTLS(filepath.Join(dir, "clickhouse"), p.server.CertFile, p.server.KeyFile)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ch.Stop)
	// The worker authenticates as a user with a password, read from a file.
	passwordFile := filepath.Join(dir, "clickhouse-password")
	if err := os.WriteFile(passwordFile, []byte(ch.Password+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, dir: dir, queue: "e2e-tls",
		ch: config.ClickHouse{Addr: ch.SecureAddr, Database: "tls_" + hex.EncodeToString(b), User: ch.User, Password: ch.Password,
			TLS: config.ClickHouseTLS{Secure: true, CAFile: p.ca.CertFile}}}
	e.extra = append([]string{"CLICKHOUSE_SECURE=true", "CLICKHOUSE_CA_FILE=" + p.ca.CertFile,
		"CLICKHOUSE_PASSWORD=", "CLICKHOUSE_PASSWORD_FILE=" + passwordFile}, temporalEnv...)
	bins, err := stack.Build(ctx, filepath.Join(os.TempDir(), "talkwarehouse-e2e-bin"), "./tools/devserver", "./worker", "./starter")
	if err != nil {
		t.Fatal(err)
	}
	e.bins = bins
	cfg := talksim.DefaultConfig()
	cfg.Email, cfg.APIToken = email, apiToken
	e.sim = talksim.New(cfg)
	srv := httptest.NewServer(e.sim.Handler())
	t.Cleanup(srv.Close)
	e.simURL = srv.URL

	e.temp, err = stack.StartDevserverArgs(bins["./tools/devserver"], dir, filepath.Join(dir, "temporal.db"), false, devArgs...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.temp.Stop)
	e.wh, err = connect.Warehouse(ctx, e.ch, config.Analytics{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.wh.Close() })
	e.startWorker()
	return e
}

// secureStarter runs the starter with the given TEMPORAL_* settings (the
// TLS ones cleared first, so nothing leaks in from the test's environment)
// and reports how long it took.
func (e *env) secureStarter(settings []string, args ...string) (string, time.Duration, error) {
	cleared := []string{"TEMPORAL_TLS_CA_FILE=", "TEMPORAL_TLS_CERT_FILE=", "TEMPORAL_TLS_KEY_FILE=",
		"TEMPORAL_TLS_SERVER_NAME=", "TEMPORAL_API_KEY=", "TEMPORAL_API_KEY_FILE="}
	env := append(cleared, settings...)
	started := time.Now()
	cmd := exec.Command(e.bins["./starter"], args...)
	cmd.Env = append(os.Environ(), append([]string{"TEMPORAL_ADDRESS=" + e.temp.Frontend, "TEMPORAL_NAMESPACE=default",
		"TEMPORAL_TASK_QUEUE=" + e.queue}, env...)...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), time.Since(started), err
}

// refused checks that the starter failed within seconds with a message
// naming the address and each of want.
func (e *env) refused(name string, settings []string, want ...string) {
	e.t.Helper()
	out, took, err := e.secureStarter(settings, "schedule", "list")
	if err == nil {
		e.t.Errorf("%s: starter succeeded:\n%s", name, out)
		return
	}
	for _, w := range append(want, e.temp.Frontend) {
		if !strings.Contains(out, w) {
			e.t.Errorf("%s: message does not name %q:\n%s", name, w, out)
		}
	}
	// The SDK's first call fails as soon as the handshake or the
	// authorizer does; temporalconn.DialTimeout would mean it hung.
	if took > temporalconn.DialTimeout {
		e.t.Errorf("%s: took %v", name, took)
	}
	e.t.Logf("%s: refused in %v: %s", name, took.Round(time.Millisecond), strings.TrimSpace(out))
}

// uiListsWorkflow asks the web UI's API (what the browser calls) for the
// workflow: the UI reaches the server although the frontend demands TLS,
// a client certificate or a key.
func (e *env) uiListsWorkflow(id string) {
	e.t.Helper()
	q := url.Values{"query": {"WorkflowId = '" + id + "'"}}
	var last string
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		resp, err := http.Get(e.temp.UI + "/api/v1/namespaces/default/workflows?" + q.Encode())
		if err != nil {
			e.t.Fatal(err)
		}
		var body struct {
			Executions []struct {
				Execution struct{ WorkflowID string } `json:"execution"`
				Status    string                      `json:"status"`
			} `json:"executions"`
		}
		err = json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != 200 {
			e.t.Fatalf("web UI API: status %d, %v", resp.StatusCode, err)
		}
		if len(body.Executions) == 1 && body.Executions[0].Execution.WorkflowID == id &&
			body.Executions[0].Status == "WORKFLOW_EXECUTION_STATUS_COMPLETED" {
			return
		}
		last = fmt.Sprintf("%+v", body.Executions)
	}
	e.t.Fatalf("web UI does not list %s as completed: %s", id, last)
}

// TestSyncOverMTLS: ClickHouse over TLS and Temporal over mTLS (the
// devserver requires client certificates of the test CA). A full sync loads
// exactly; starter status reads ClickHouse over TLS; the web UI keeps
// working; a missing client certificate, one of another authority, an
// untrusted server CA and plaintext each fail within seconds naming the
// setting; a worker not trusting ClickHouse's CA is refused naming
// CLICKHOUSE_CA_FILE.
func TestSyncOverMTLS(t *testing.T) {
	p := newPKI(t, t.TempDir())
	mtls := []string{"TEMPORAL_TLS_CA_FILE=" + p.ca.CertFile, "TEMPORAL_TLS_CERT_FILE=" + p.client.CertFile,
		"TEMPORAL_TLS_KEY_FILE=" + p.client.KeyFile}
	e := newSecureEnv(t, p, []string{"--tls-cert=" + p.server.CertFile, "--tls-key=" + p.server.KeyFile,
		"--tls-client-ca=" + p.ca.CertFile}, mtls...)

	out, _, err := e.secureStarter(mtls, "sync", "--wait")
	if err != nil {
		t.Fatalf("sync over mTLS: %v\n%s\nworker log:\n%s", err, out, e.worker.Tail(4000))
	}
	e.checkCounts()
	e.uiListsWorkflow(syncID(t, out))

	// starter status: the same CLICKHOUSE_* TLS settings as the worker.
	cmd := exec.Command(e.bins["./starter"], "status")
	cmd.Env = append(os.Environ(), "CLICKHOUSE_ADDR="+e.ch.Addr, "CLICKHOUSE_DATABASE="+e.ch.Database,
		"CLICKHOUSE_USER="+e.ch.User, "CLICKHOUSE_PASSWORD="+e.ch.Password,
		"CLICKHOUSE_SECURE=true", "CLICKHOUSE_CA_FILE="+e.ch.TLS.CAFile)
	st, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(st), "calls") || strings.Contains(string(st), "never") {
		t.Errorf("starter status over TLS: %v\n%s", err, st)
	}

	e.refused("no client certificate", []string{"TEMPORAL_TLS_CA_FILE=" + p.ca.CertFile}, "TEMPORAL_TLS_CERT_FILE")
	e.refused("client certificate of another authority", []string{"TEMPORAL_TLS_CA_FILE=" + p.ca.CertFile,
		"TEMPORAL_TLS_CERT_FILE=" + p.bad.CertFile, "TEMPORAL_TLS_KEY_FILE=" + p.bad.KeyFile}, "TEMPORAL_TLS_CERT_FILE")
	e.refused("server CA not trusted", []string{"TEMPORAL_TLS_CERT_FILE=" + p.client.CertFile,
		"TEMPORAL_TLS_KEY_FILE=" + p.client.KeyFile}, "TEMPORAL_TLS_CA_FILE")
	e.refused("plaintext", nil, "TEMPORAL_TLS=true")

	// A worker that does not trust ClickHouse's CA stops at once.
	started := time.Now()
	w := exec.Command(e.bins["./worker"])
	w.Env = append(append(os.Environ(), e.environ()...), "CLICKHOUSE_CA_FILE=")
	wout, err := w.CombinedOutput()
	took := time.Since(started)
	if err == nil || !strings.Contains(string(wout), "CLICKHOUSE_CA_FILE") || !strings.Contains(string(wout), e.ch.Addr) || took > 10*time.Second {
		t.Errorf("worker without the CA: %v after %v:\n%s", err, took, wout)
	}
	t.Logf("worker without ClickHouse's CA refused in %v: %s", took.Round(time.Millisecond), strings.TrimSpace(string(wout)))
}

// TestSyncWithAPIKey: the devserver's frontend over TLS demands an API key
// (its authorizer and claim mapper). The worker reads the key from a file
// (TEMPORAL_API_KEY_FILE), the starter from TEMPORAL_API_KEY; a sync
// completes; a wrong key and no key are refused within seconds naming
// TEMPORAL_API_KEY; the key appears in no log and nowhere in Temporal's
// database.
func TestSyncWithAPIKey(t *testing.T) {
	dir := t.TempDir()
	p := newPKI(t, dir)
	key := "tw-api-key-" + hex.EncodeToString([]byte(time.Now().String()))[:24]
	keyFile := filepath.Join(dir, "temporal-api-key")
	if err := os.WriteFile(keyFile, []byte(key+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	e := newSecureEnv(t, p, []string{"--tls-cert=" + p.server.CertFile, "--tls-key=" + p.server.KeyFile, "--api-key=" + key},
		"TEMPORAL_TLS_CA_FILE="+p.ca.CertFile, "TEMPORAL_API_KEY_FILE="+keyFile)

	withKey := []string{"TEMPORAL_TLS_CA_FILE=" + p.ca.CertFile, "TEMPORAL_API_KEY=" + key}
	out, _, err := e.secureStarter(withKey, "sync", "--wait")
	if err != nil {
		t.Fatalf("sync with the API key: %v\n%s\nworker log:\n%s", err, out, e.worker.Tail(4000))
	}
	e.checkCounts()
	e.uiListsWorkflow(syncID(t, out))
	// Schedules run in the server's own system worker, which reaches the
	// server through the internal frontend: a triggered run still happens.
	runs := e.count("SELECT count() FROM sync_runs")
	for _, args := range [][]string{{"schedule", "apply", "incremental"}, {"schedule", "trigger", "incremental"}} {
		if out, _, err := e.secureStarter(withKey, args...); err != nil {
			t.Fatalf("%v with the API key: %v\n%s", args, err, out)
		}
	}
	for deadline := time.Now().Add(60 * time.Second); e.count("SELECT count() FROM sync_runs") == runs; time.Sleep(500 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the triggered schedule started no sync within 60 s; devserver log:\n%s", e.temp.Tail(3000))
		}
	}

	e.refused("wrong API key", []string{"TEMPORAL_TLS_CA_FILE=" + p.ca.CertFile, "TEMPORAL_API_KEY=not-the-key"}, "TEMPORAL_API_KEY")
	e.refused("no API key", []string{"TEMPORAL_TLS_CA_FILE=" + p.ca.CertFile}, "TEMPORAL_API_KEY")

	// The key, and the private keys, are nowhere: not in the processes'
	// logs, not in Temporal's database (histories, visibility, schedules).
	e.temp.Stop()
	e.worker.Stop()
	clientKey, _ := os.ReadFile(p.client.KeyFile)
	secrets := map[string][]byte{"API key": []byte(key), "Zendesk API token": []byte(apiToken), "ClickHouse password": []byte(e.ch.Password),
		"a private key": clientKey[len("-----BEGIN PRIVATE KEY-----\n") : len("-----BEGIN PRIVATE KEY-----\n")+40]}
	files, _ := filepath.Glob(filepath.Join(e.dir, "*"))
	checked := 0
	for _, f := range files {
		if !strings.HasSuffix(f, ".log") && !strings.Contains(filepath.Base(f), "temporal.db") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		checked++
		for what, s := range secrets {
			if bytes.Contains(b, s) {
				t.Errorf("%s appears in %s", what, f)
			}
		}
	}
	if checked < 3 {
		t.Errorf("checked only %d files (%v)", checked, files)
	}
}
