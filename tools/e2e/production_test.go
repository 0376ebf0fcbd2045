package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"google.golang.org/protobuf/types/known/durationpb"

	"talkwarehouse/internal/chtest"
	"talkwarehouse/internal/stack"
)

// The Temporal programs of the compose stack's images, built from the
// go.temporal.io/server module that tools/go.mod pins (the images'
// version): temporalio/server's temporal-server and admin-tools'
// temporal-sql-tool.
const (
	serverPkg = "go.temporal.io/server/cmd/server"
	sqlPkg    = "go.temporal.io/server/cmd/tools/sql"
)

// TestProductionShape runs the compose stack's Temporal natively, the very
// pieces docker-compose.yml runs: Debian's PostgreSQL as the postgresql
// service (its user and password), the temporal-schema service's own
// script with that service's environment (on databases three schema
// versions old, which it must upgrade; then on new ones, twice: it must be
// safe on every `up`), temporal-server started as the temporalio/server image starts it
// (`temporal-server start`, configured by its embedded template from the
// temporal service's environment, with the mounted dynamic config file
// from the repository), and the namespace the temporal-namespace service
// registers. Hosts and ports are rewritten to local ones. The worker and
// the starter then do a full sync with exact counts, `schedule apply`, and
// a triggered scheduled run that completes; Temporal's persistence and
// visibility are on PostgreSQL.
//
// What needs Docker is not run: the images themselves, the nc healthcheck
// (here: the same TCP check) and create-namespace.sh, which needs the
// temporal CLI (the SDK's namespace client does what it does).
func TestProductionShape(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test skipped in -short mode")
	}
	pgBin, err := stack.PostgresBin()
	if err != nil {
		if os.Getenv("POSTGRES_TEST_REQUIRED") == "1" {
			t.Fatalf("%v (POSTGRES_TEST_REQUIRED=1)", err)
		}
		t.Skipf("%v; scripts/test installs it where apt-get may be used", err)
	}
	t0 := time.Now()
	ctx := context.Background()
	root, err := stack.Root()
	if err != nil {
		t.Fatal(err)
	}
	p := loadComposeFile(t, root)
	bins, err := stack.Build(ctx, filepath.Join(os.TempDir(), "talkwarehouse-temporal-bin"), serverPkg, sqlPkg)
	if err != nil {
		t.Fatal(err)
	}
	modDir := serverModuleDir(t, root)
	tBuild := time.Since(t0)
	dir := t.TempDir()

	// postgresql: the image's superuser and password.
	pgEnv := serviceEnv(t, p, "postgresql")
	pg, err := stack.StartPostgres(dir, pgEnv["POSTGRES_USER"], pgEnv["POSTGRES_PASSWORD"])
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pg.Stop)
	hosts := map[string]string{"postgresql": pg.Host}
	localDB := func(env map[string]string, host, port string) {
		t.Helper()
		h, ok := hosts[env[host]]
		if !ok {
			t.Fatalf("%s=%q is not the postgresql service", host, env[host])
		}
		if env[port] != "5432" {
			t.Fatalf("%s=%q, want the postgresql service's 5432", port, env[port])
		}
		env[host], env[port] = h, strconv.Itoa(pg.Port)
	}

	// temporal-schema: its script, from the repository through its mount,
	// with the schema folder of admin-tools (/etc/temporal/schema, copied
	// from the server's schema/) mapped to the module's copy.
	schemaSvc := p.Services["temporal-schema"]
	if len(schemaSvc.Entrypoint) != 2 || schemaSvc.Entrypoint[0] != "/bin/sh" {
		t.Fatalf("temporal-schema's entrypoint %q, want [/bin/sh SCRIPT]", schemaSvc.Entrypoint)
	}
	script := hostPath(t, schemaSvc, schemaSvc.Entrypoint[1])
	schemaEnv := serviceEnv(t, p, "temporal-schema")
	localDB(schemaEnv, "POSTGRES_SEEDS", "DB_PORT")
	rel, ok := strings.CutPrefix(schemaEnv["TEMPORAL_SCHEMA_DIR"], "/etc/temporal/")
	if !ok {
		t.Fatalf("TEMPORAL_SCHEMA_DIR=%q is not under admin-tools' /etc/temporal/schema", schemaEnv["TEMPORAL_SCHEMA_DIR"])
	}
	schemaEnv["TEMPORAL_SCHEMA_DIR"] = filepath.Join(modDir, rel)
	schemaEnv["TEMPORAL_SQL_TOOL"] = bins[sqlPkg]
	newest := func(sub string) [2]int {
		entries, err := os.ReadDir(filepath.Join(schemaEnv["TEMPORAL_SCHEMA_DIR"], sub, "versioned"))
		if err != nil {
			t.Fatal(err)
		}
		best := [2]int{}
		for _, e := range entries {
			var v [2]int
			if _, err := fmt.Sscanf(e.Name(), "v%d.%d", &v[0], &v[1]); err == nil && (v[0] > best[0] || v[0] == best[0] && v[1] > best[1]) {
				best = v
			}
		}
		return best
	}
	version := func(v [2]int) string { return fmt.Sprintf("%d.%d", v[0], v[1]) }
	psql := func(db, q string) string {
		t.Helper()
		cmd := exec.Command(filepath.Join(pgBin, "psql"), "-h", pg.Host, "-p", strconv.Itoa(pg.Port), "-U", pg.User, "-d", db, "-tAc", q)
		cmd.Env = append(os.Environ(), "PGPASSWORD="+pg.Password)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("psql %s: %v\n%s", q, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	// An existing schema a few versions old (as an older server left it)
	// is upgraded by the same script.
	sqlTool := func(db string, args ...string) {
		t.Helper()
		cmd := exec.Command(bins[sqlPkg], append([]string{"--plugin", "postgres12", "--ep", pg.Host, "-p", strconv.Itoa(pg.Port), "-u", pg.User, "--db", db}, args...)...)
		cmd.Env = append(os.Environ(), "SQL_PASSWORD="+pg.Password)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("temporal-sql-tool --db %s %v: %v\n%s", db, args, err, out)
		}
	}
	old := map[string]string{"old_temporal": "temporal", "old_visibility": "visibility"}
	for db, sub := range old {
		v := newest(sub)
		v[1] -= 3
		sqlTool(db, "create")
		sqlTool(db, "setup-schema", "-v", "0.0")
		sqlTool(db, "update-schema", "-d", filepath.Join(schemaEnv["TEMPORAL_SCHEMA_DIR"], sub, "versioned"), "-v", version(v))
		if got := psql(db, "SELECT curr_version FROM schema_version"); got != version(v) {
			t.Fatalf("%s set up at %s, want %s", db, got, version(v))
		}
	}
	upEnv := maps.Clone(schemaEnv)
	upEnv["DBNAME"], upEnv["VISIBILITY_DBNAME"] = "old_temporal", "old_visibility"
	if out, err := runScript(script, upEnv); err != nil {
		t.Fatalf("setup-postgres.sh on an old schema: %v\n%s", err, out)
	}
	for db, sub := range old {
		if got, want := psql(db, "SELECT curr_version FROM schema_version"), version(newest(sub)); got != want {
			t.Errorf("setup-postgres.sh left %s at schema %s, the newest is %s", db, got, want)
		}
	}
	// A fresh database, then the same again (every `up`).
	for i := range 2 {
		t1 := time.Now()
		out, err := runScript(script, schemaEnv)
		if err != nil || !strings.Contains(out, "both databases are at the newest schema") {
			t.Fatalf("setup-postgres.sh (run %d): %v\n%s", i+1, err, out)
		}
		t.Logf("setup-postgres.sh run %d: %v", i+1, time.Since(t1).Round(time.Millisecond))
	}
	for db, sub := range map[string]string{"temporal": "temporal", "temporal_visibility": "visibility"} {
		if got, want := psql(db, "SELECT curr_version FROM schema_version"), version(newest(sub)); got != want {
			t.Errorf("%s is at schema %s, the newest is %s", db, got, want)
		}
	}

	// temporal: `temporal-server start` (the image's entrypoint) with the
	// service's environment; every name it sets is one the server reads.
	srvSvc := p.Services["temporal"]
	srvEnv := serviceEnv(t, p, "temporal")
	template, err := os.ReadFile(filepath.Join(modDir, "common/config/config_template_embedded.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	help, _ := exec.Command(bins[serverPkg], "--help").CombinedOutput()
	for k := range srvEnv {
		if !bytes.Contains(template, []byte(`(env "`+k+`")`)) && !bytes.Contains(help, []byte("$"+k+"]")) {
			t.Errorf("the temporal service sets %s, which temporal-server does not read", k)
		}
	}
	if srvEnv["DB"] != "postgres12" || srvEnv["BIND_ON_IP"] != "0.0.0.0" {
		t.Errorf("temporal: DB=%q BIND_ON_IP=%q, want postgres12 and 0.0.0.0", srvEnv["DB"], srvEnv["BIND_ON_IP"])
	}
	localDB(srvEnv, "POSTGRES_SEEDS", "DB_PORT")
	srvEnv["BIND_ON_IP"] = "127.0.0.1"
	srvEnv["DYNAMIC_CONFIG_FILE_PATH"] = hostPath(t, srvSvc, srvEnv["DYNAMIC_CONFIG_FILE_PATH"])
	// Known keys and value types (the tool warns, exit status 0).
	if out, err := exec.Command(bins[serverPkg], "validate-dynamic-config", srvEnv["DYNAMIC_CONFIG_FILE_PATH"]).CombinedOutput(); err != nil || bytes.Contains(out, []byte("warning")) {
		t.Errorf("validate-dynamic-config: %v\n%s", err, out)
	}
	// Free ports below 32768 (membership ports are a PostgreSQL smallint).
	var used []int
	for _, k := range []string{"FRONTEND_GRPC_PORT", "FRONTEND_HTTP_PORT", "FRONTEND_MEMBERSHIP_PORT",
		"HISTORY_GRPC_PORT", "HISTORY_MEMBERSHIP_PORT", "MATCHING_GRPC_PORT", "MATCHING_MEMBERSHIP_PORT",
		"WORKER_GRPC_PORT", "WORKER_MEMBERSHIP_PORT", "INTERNAL_FRONTEND_HTTP_PORT"} {
		if _, set := srvEnv[k]; set {
			t.Fatalf("the temporal service sets %s; rewrite it here", k)
		}
		for {
			port, err := stack.FreePort()
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Contains(used, port) && port != pg.Port {
				used = append(used, port)
				srvEnv[k] = strconv.Itoa(port)
				break
			}
		}
	}
	var environ []string
	for k, v := range srvEnv {
		environ = append(environ, k+"="+v)
	}
	t2 := time.Now()
	proc, err := stack.Start("temporal-server", dir, bins[serverPkg], environ, "start")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { t5 := time.Now(); proc.Stop(); t.Logf("temporal-server stopped in %v", time.Since(t5)) })
	frontend := "127.0.0.1:" + srvEnv["FRONTEND_GRPC_PORT"]
	// The healthcheck's `nc -z localhost 7233`.
	if err := stack.WaitPort(frontend, proc, 60*time.Second); err != nil {
		t.Fatal(err)
	}
	tUp := time.Since(t2)

	// temporal-namespace: describe, else create, with retries.
	nsEnv := serviceEnv(t, p, "temporal-namespace")
	ns := nsEnv["TEMPORAL_NAMESPACE"]
	retention, err := time.ParseDuration(nsEnv["NAMESPACE_RETENTION"])
	if err != nil {
		t.Fatalf("NAMESPACE_RETENTION: %v", err)
	}
	if ns != "default" || nsEnv["TEMPORAL_ADDRESS"] != "temporal:7233" {
		t.Fatalf("temporal-namespace: TEMPORAL_NAMESPACE=%q TEMPORAL_ADDRESS=%q", ns, nsEnv["TEMPORAL_ADDRESS"])
	}
	t4 := time.Now()
	registerNamespace(t, frontend, ns, retention, proc)
	t.Logf("namespace %s registered in %v", ns, time.Since(t4).Round(time.Millisecond))

	// The worker and the starter, on that Temporal.
	cfg := smallAccount()
	e := newEnvAt(t, cfg, chtest.Config(t), &stack.Devserver{Process: proc, Frontend: frontend}, nil)
	t3 := time.Now()
	e.mustSync()
	t.Logf("full sync: %v", time.Since(t3).Round(time.Millisecond))
	e.checkCounts()
	if want := e.sim.Expected(); want["calls"] != cfg.Calls || want["call_legs"] != 3*cfg.Calls {
		t.Fatalf("simulator expected %v", want)
	}
	t6 := time.Now()
	defer func() { t.Logf("schedules: %v", time.Since(t6).Round(time.Millisecond)) }()
	out, err := e.starter("schedule", "apply")
	if err != nil || strings.Count(out, "created schedule") != 3 {
		t.Fatalf("schedule apply: %v\n%s", err, out)
	}
	c := e.client()
	// Visibility on PostgreSQL lists the three schedules.
	deadline := time.Now().Add(30 * time.Second)
	for n := 0; n != 3; {
		n = 0
		it, err := c.ScheduleClient().List(ctx, client.ScheduleListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for it.HasNext() {
			if _, err := it.Next(); err != nil {
				t.Fatal(err)
			}
			n++
		}
		if n != 3 && time.Now().After(deadline) {
			t.Fatalf("visibility lists %d schedules, want 3", n)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if out, err := e.starter("schedule", "trigger", "incremental"); err != nil {
		t.Fatalf("schedule trigger: %v\n%s", err, out)
	}
	id := e.scheduledRun(c, "talkwarehouse-incremental")
	res := e.waitSync(id, 2*time.Minute)
	if len(res.Tables) != 2 {
		t.Errorf("the scheduled incremental run synced %d tables, want calls and call_legs", len(res.Tables))
	}
	e.checkCounts()
	if n := e.count("SELECT count() FROM sync_runs FINAL WHERE table_name = 'calls' AND status = 'success'"); n != 2 {
		t.Errorf("sync_runs has %d successful runs of calls, want 2 (the sync and the scheduled one)", n)
	}
	// The runs are in PostgreSQL: executions and their visibility records.
	if n, _ := strconv.Atoi(psql("temporal_visibility", "SELECT count(*) FROM executions_visibility WHERE workflow_id LIKE 'talk-sync-%' OR workflow_id LIKE 'talkwarehouse-incremental%'")); n < 2 {
		t.Errorf("temporal_visibility has %d sync runs, want at least 2", n)
	}
	if n, _ := strconv.Atoi(psql("temporal", "SELECT count(*) FROM executions")); n < 2 {
		t.Errorf("temporal has %d executions, want at least 2", n)
	}
	t.Logf("production shape: %v in all (build %v, Temporal on PostgreSQL up in %v)", time.Since(t0).Round(time.Millisecond), tBuild.Round(time.Millisecond), tUp.Round(time.Millisecond))
}

// registerNamespace is create-namespace.sh through the SDK: describe, else
// register, retried while the new server settles.
func registerNamespace(t *testing.T, frontend, ns string, retention time.Duration, proc *stack.Process) {
	t.Helper()
	nc, err := client.NewNamespaceClient(client.Options{HostPort: frontend, Logger: quiet{}})
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	deadline := time.Now().Add(60 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_, err := nc.Describe(ctx, ns)
		var missing *serviceerror.NamespaceNotFound
		if errors.As(err, &missing) {
			err = nc.Register(ctx, &workflowservice.RegisterNamespaceRequest{Namespace: ns, WorkflowExecutionRetentionPeriod: durationpb.New(retention)})
			var exists *serviceerror.NamespaceAlreadyExists
			if errors.As(err, &exists) {
				err = nil
			}
		}
		cancel()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("namespace %s: %v\ntemporal-server log:\n%s", ns, err, proc.Tail(4000))
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// loadComposeFile loads docker-compose.yml as `docker compose` would, with
// the settings it demands.
func loadComposeFile(t *testing.T, root string) *types.Project {
	t.Helper()
	p, err := loader.LoadWithContext(context.Background(), types.ConfigDetails{
		WorkingDir:  root,
		ConfigFiles: []types.ConfigFile{{Filename: filepath.Join(root, "docker-compose.yml")}},
		Environment: map[string]string{"ZENDESK_SUBDOMAIN": "acme", "ZENDESK_START_DATE": start},
	}, func(o *loader.Options) { o.SetProjectName("talkwarehouse", true) })
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// serviceEnv is a service's environment, every value set.
func serviceEnv(t *testing.T, p *types.Project, name string) map[string]string {
	t.Helper()
	svc, ok := p.Services[name]
	if !ok {
		t.Fatalf("docker-compose.yml has no %s service", name)
	}
	env := map[string]string{}
	for k, v := range svc.Environment {
		if v == nil {
			t.Fatalf("%s: %s has no value", name, k)
		}
		env[k] = *v
	}
	return env
}

// hostPath maps a path inside a service's container to the repository
// file that a bind mount puts there; the file must exist.
func hostPath(t *testing.T, svc types.ServiceConfig, inside string) string {
	t.Helper()
	for _, v := range svc.Volumes {
		if v.Type != types.VolumeTypeBind {
			continue
		}
		if rel, ok := strings.CutPrefix(inside, strings.TrimSuffix(v.Target, "/")+"/"); ok {
			p := filepath.Join(v.Source, rel)
			if _, err := os.Stat(p); err != nil {
				t.Fatalf("%s: %s (mounted from %s): %v", svc.Name, inside, v.Source, err)
			}
			return p
		}
	}
	t.Fatalf("%s: no bind mount holds %s", svc.Name, inside)
	return ""
}

// runScript runs a compose service's shell script with only env (and PATH).
func runScript(script string, env map[string]string) (string, error) {
	cmd := exec.Command("/bin/sh", script)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// serverModuleDir is the module cache's copy of go.temporal.io/server at
// the version tools/go.mod pins.
func serverModuleDir(t *testing.T, root string) string {
	t.Helper()
	cmd := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "go.temporal.io/server")
	cmd.Dir = filepath.Join(root, "tools")
	cmd.Env = append(os.Environ(), "GOTOOLCHAIN=local")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -m go.temporal.io/server: %v", err)
	}
	dir := strings.TrimSpace(string(out))
	if !regexp.MustCompile(`@v1\.\d+\.\d+$`).MatchString(dir) {
		t.Fatalf("go.temporal.io/server is at %s, not a release in the module cache", dir)
	}
	return dir
}
