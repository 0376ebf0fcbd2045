package e2e

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"google.golang.org/protobuf/types/known/durationpb"

	"talkwarehouse/internal/stack"
)

// endpointsAddr is where a worker serves /readyz, from its log.
var endpointsAddr = regexp.MustCompile(`serving /metrics, /healthz and /readyz"? addr=(\S+)`)

// startExtraWorker starts one more worker process with env overrides and
// returns it with the address of its endpoints, without waiting for it to
// be ready.
func (e *env) startExtraWorker(name string, env ...string) (*stack.Process, string) {
	e.t.Helper()
	p, m := e.launchWorker(name, endpointsAddr, env...)
	return p, m[1]
}

// readyz is /readyz's status and body.
func readyz(addr string) (int, string) {
	resp, err := http.Get("http://" + addr + "/readyz")
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, strings.TrimSpace(string(b))
}

// waitReadyz waits until /readyz answers want and its body contains each
// of says.
func waitReadyz(t *testing.T, p *stack.Process, addr string, want int, timeout time.Duration, says ...string) string {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var code int
	var body string
	for time.Now().Before(deadline) {
		code, body = readyz(addr)
		ok := code == want
		for _, s := range says {
			ok = ok && strings.Contains(body, s)
		}
		if ok {
			return body
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("/readyz: %d %q, want %d saying %q, in %v:\n%s", code, body, want, says, timeout, p.Tail(3000))
	return ""
}

// ClickHouse down when the worker starts: not ready, saying which address,
// and ready by itself once ClickHouse answers; then it syncs.
func TestWorkerWaitsForClickHouseAtStart(t *testing.T) {
	proxy := newProxy(t)
	e := newEnvWith(t, smallAccount(), func(e *env) { proxy.target = e.ch.Addr }, "CLICKHOUSE_ADDR="+proxy.addr)
	e.worker.Stop()
	proxy.down(8 * time.Second)
	w, addr := e.startExtraWorker("worker-late-clickhouse")
	body := waitReadyz(t, w, addr, http.StatusServiceUnavailable, 5*time.Second, "CLICKHOUSE_ADDR", proxy.addr)
	t.Logf("while ClickHouse is down: %s", body)
	waitReadyz(t, w, addr, http.StatusOK, 40*time.Second)
	e.worker = w
	e.waitSync(e.startSync(), 3*time.Minute)
	e.checkCounts()
}

// A namespace that does not exist: not ready, naming TEMPORAL_NAMESPACE and
// the address; ready by itself once the namespace is created.
func TestWorkerWaitsForItsNamespace(t *testing.T) {
	e := newEnv(t, smallAccount())
	ns := fmt.Sprintf("late-%d", time.Now().UnixNano())
	w, addr := e.startExtraWorker("worker-late-namespace", "TEMPORAL_NAMESPACE="+ns)
	body := waitReadyz(t, w, addr, http.StatusServiceUnavailable, 20*time.Second, "TEMPORAL_NAMESPACE", ns, e.temp.Frontend)
	t.Logf("before the namespace exists: %s", body)
	nc, err := client.NewNamespaceClient(client.Options{HostPort: e.temp.Frontend, Logger: quiet{}})
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	if err := nc.Register(context.Background(), &workflowservice.RegisterNamespaceRequest{
		Namespace: ns, WorkflowExecutionRetentionPeriod: durationpb.New(24 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	waitReadyz(t, w, addr, http.StatusOK, 60*time.Second)
}
