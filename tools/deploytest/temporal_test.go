package deploytest

import (
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"

	"talkwarehouse/internal/chtest"
)

// TestComposeStartOrder checks how docker-compose.yml brings the stack up:
// PostgreSQL healthy, then the schema job, then temporal-server, then the
// namespace job, then the worker (with ClickHouse healthy); every
// service_healthy dependency has a healthcheck that works in its image,
// and every service_completed_successfully one is a one-shot job.
func TestComposeStartOrder(t *testing.T) {
	p, err := loadCompose(t, map[string]string{"ZENDESK_SUBDOMAIN": "acme", "ZENDESK_START_DATE": "2024-01-01T00:00:00Z"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]map[string]string{
		"clickhouse":         {},
		"postgresql":         {},
		"temporal-schema":    {"postgresql": types.ServiceConditionHealthy},
		"temporal":           {"temporal-schema": types.ServiceConditionCompletedSuccessfully},
		"temporal-namespace": {"temporal": types.ServiceConditionHealthy},
		"temporal-ui":        {"temporal": types.ServiceConditionHealthy},
		"worker":             {"clickhouse": types.ServiceConditionHealthy, "temporal-namespace": types.ServiceConditionCompletedSuccessfully},
	}
	for name := range p.Services {
		if _, ok := want[name]; !ok {
			t.Errorf("service %s: not in this test's start order; add it", name)
		}
	}
	for name, deps := range want {
		svc, ok := p.Services[name]
		if !ok {
			t.Errorf("no %s service", name)
			continue
		}
		got := map[string]string{}
		for dep, d := range svc.DependsOn {
			got[dep] = d.Condition
		}
		if !maps.Equal(got, deps) {
			t.Errorf("service %s depends on %v, want %v", name, got, deps)
		}
		for dep, cond := range got {
			target := p.Services[dep]
			switch cond {
			case types.ServiceConditionHealthy:
				if target.HealthCheck == nil || target.HealthCheck.Disable || len(target.HealthCheck.Test) < 2 {
					t.Errorf("%s waits for %s to be healthy, which has no healthcheck", name, dep)
				}
			case types.ServiceConditionCompletedSuccessfully:
				if r := target.Restart; r == "always" || r == "unless-stopped" {
					t.Errorf("%s waits for %s to complete, which restarts %s", name, dep, r)
				}
			}
		}
	}

	// Healthchecks that run in their images: clickhouse-client and
	// pg_isready are there; temporalio/server has BusyBox nc, no temporal
	// CLI, tctl or curl, and listens where BIND_ON_IP says.
	healthcheck := map[string][]string{
		"clickhouse": {"CMD", "clickhouse-client"},
		"postgresql": {"CMD", "pg_isready"},
		"temporal":   {"CMD", "nc", "-z", "localhost", "7233"},
		"worker":     {"CMD", "/usr/local/bin/worker", "healthcheck"},
	}
	for name, prefix := range healthcheck {
		hc := p.Services[name].HealthCheck
		if hc == nil || len(hc.Test) < len(prefix) || !slices.Equal([]string(hc.Test[:len(prefix)]), prefix) {
			t.Errorf("service %s: healthcheck %+v, want %q…", name, hc, prefix)
		}
	}
	if ip := env(t, p, "temporal", "BIND_ON_IP"); ip != "0.0.0.0" {
		t.Errorf("temporal: BIND_ON_IP=%q, want 0.0.0.0 (the healthcheck dials localhost, the others the service name)", ip)
	}
}

// TestComposeTemporal checks the Temporal services against the code and
// the repository: images at the versions tools/go.mod pins, every file
// they mount or name exists, the scripts parse, and the services agree on
// the database credentials and on the worker's namespace.
func TestComposeTemporal(t *testing.T) {
	shell := map[string]string{"ZENDESK_SUBDOMAIN": "acme", "ZENDESK_START_DATE": "2024-01-01T00:00:00Z", "TEMPORAL_NAMESPACE": "talk-prod"}
	p, err := loadCompose(t, shell)
	if err != nil {
		t.Fatal(err)
	}
	gomod, err := os.ReadFile("../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	version := func(module string) string {
		m := regexp.MustCompile(`(?m)^\s*` + regexp.QuoteMeta(module) + `\s+v(\S+)`).FindSubmatch(gomod)
		if m == nil {
			t.Fatalf("tools/go.mod does not require %s", module)
		}
		return string(m[1])
	}
	server, ui := version("go.temporal.io/server"), version("github.com/temporalio/ui-server/v2")
	images := map[string]string{
		"temporal-schema":    "temporalio/admin-tools:" + server,
		"temporal":           "temporalio/server:" + server,
		"temporal-namespace": "temporalio/admin-tools:" + server,
		"temporal-ui":        "temporalio/ui:" + ui,
		"clickhouse":         chtest.Image,
	}
	for name, img := range images {
		if got := p.Services[name].Image; got != img {
			t.Errorf("service %s runs %s, want %s", name, got, img)
		}
	}
	if img := p.Services["postgresql"].Image; !regexp.MustCompile(`^postgres:16\.\d+$`).MatchString(img) {
		t.Errorf("postgresql runs %s, want postgres:16.N (PostgreSQL 16, a pinned minor)", img)
	}

	// Every bind mount's source is in the repository.
	root, _ := filepath.Abs("../..")
	for name, svc := range p.Services {
		for _, v := range svc.Volumes {
			if v.Type != types.VolumeTypeBind {
				continue
			}
			if !strings.HasPrefix(v.Source, root+string(os.PathSeparator)) {
				t.Errorf("service %s mounts %s, outside the repository", name, v.Source)
			} else if _, err := os.Stat(v.Source); err != nil {
				t.Errorf("service %s mounts %s: %v", name, v.Source, err)
			}
		}
	}
	// The one-shot jobs run scripts of the repository, which parse.
	for _, name := range []string{"temporal-schema", "temporal-namespace"} {
		svc := p.Services[name]
		if len(svc.Entrypoint) != 2 || svc.Entrypoint[0] != "/bin/sh" {
			t.Errorf("service %s: entrypoint %q, want [/bin/sh SCRIPT]", name, svc.Entrypoint)
			continue
		}
		script := inRepo(t, svc, svc.Entrypoint[1])
		if script == "" {
			continue
		}
		if out, err := exec.Command("/bin/sh", "-n", script).CombinedOutput(); err != nil {
			t.Errorf("service %s: %s does not parse: %v\n%s", name, script, err, out)
		}
	}
	// The server's dynamic config file is mounted from the repository (the
	// server refuses to start without it).
	if dc := env(t, p, "temporal", "DYNAMIC_CONFIG_FILE_PATH"); dc == "" {
		t.Error("temporal: DYNAMIC_CONFIG_FILE_PATH is not set")
	} else {
		inRepo(t, p.Services["temporal"], dc)
	}

	// One database user and password across the services.
	user, pw := env(t, p, "postgresql", "POSTGRES_USER"), env(t, p, "postgresql", "POSTGRES_PASSWORD")
	for _, c := range [][3]string{
		{"temporal-schema", "POSTGRES_USER", user}, {"temporal-schema", "SQL_PASSWORD", pw}, {"temporal-schema", "POSTGRES_SEEDS", "postgresql"},
		{"temporal", "POSTGRES_USER", user}, {"temporal", "POSTGRES_PWD", pw}, {"temporal", "POSTGRES_SEEDS", "postgresql"},
		{"temporal", "DB", "postgres12"}, {"temporal-namespace", "TEMPORAL_ADDRESS", "temporal:7233"},
		{"temporal-ui", "TEMPORAL_ADDRESS", "temporal:7233"},
		// The namespace job registers the worker's namespace.
		{"temporal-namespace", "TEMPORAL_NAMESPACE", "talk-prod"}, {"worker", "TEMPORAL_NAMESPACE", "talk-prod"},
	} {
		if got := env(t, p, c[0], c[1]); got != c[2] {
			t.Errorf("service %s: %s=%q, want %q", c[0], c[1], got, c[2])
		}
	}
}

// inRepo maps a path inside a service's container to the repository file a
// bind mount puts there, and reports (naming it) a file that is missing.
func inRepo(t *testing.T, svc types.ServiceConfig, inside string) string {
	t.Helper()
	for _, v := range svc.Volumes {
		if v.Type != types.VolumeTypeBind {
			continue
		}
		if rel, ok := strings.CutPrefix(inside, strings.TrimSuffix(v.Target, "/")+"/"); ok {
			p := filepath.Join(v.Source, rel)
			if _, err := os.Stat(p); err != nil {
				t.Errorf("service %s: %s is not in the repository (%s mounted at %s): %v", svc.Name, inside, v.Source, v.Target, err)
				return ""
			}
			return p
		}
	}
	t.Errorf("service %s: no bind mount from the repository holds %s", svc.Name, inside)
	return ""
}

// env is one setting of a service ("" when unset).
func env(t *testing.T, p *types.Project, service, key string) string {
	t.Helper()
	svc, ok := p.Services[service]
	if !ok {
		t.Fatalf("no %s service", service)
	}
	if v := svc.Environment[key]; v != nil {
		return *v
	}
	return ""
}
