// Package deploytest checks the deployment files users run (docker-compose.yml)
// against the code: images pinned, dependencies real, every setting passed.
package deploytest

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"

	"talkwarehouse/config"
)

// loadCompose loads docker-compose.yml the way `docker compose` does
// (interpolation, validation against the Compose schema, normalization),
// with env as the shell's environment.
func loadCompose(t *testing.T, env map[string]string) (*types.Project, error) {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	return loader.LoadWithContext(context.Background(), types.ConfigDetails{
		WorkingDir:  root,
		ConfigFiles: []types.ConfigFile{{Filename: filepath.Join(root, "docker-compose.yml")}},
		Environment: env,
	}, func(o *loader.Options) { o.SetProjectName("talkwarehouse", true) })
}

// TestComposeFile checks docker-compose.yml without a compose engine: it
// loads with compose-go; every service resolves (images or a build with a
// Dockerfile, dependencies that exist); images are pinned to a version; the
// worker gets every setting the worker and the starter read, so any of
// them can be set from the shell or .env; and the required Zendesk
// settings are demanded.
func TestComposeFile(t *testing.T) {
	shell := map[string]string{"ZENDESK_SUBDOMAIN": "acme", "ZENDESK_START_DATE": "2024-01-01T00:00:00Z",
		"TEMPORAL_API_KEY_FILE": "/run/secrets/temporal_api_key", "CLICKHOUSE_SECURE": "true"}
	p, err := loadCompose(t, shell)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Services) < 4 {
		t.Fatalf("%d services: %v", len(p.Services), p.ServiceNames())
	}
	for name, svc := range p.Services {
		switch {
		case svc.Build != nil:
			if _, err := os.Stat(filepath.Join(svc.Build.Context, svc.Build.Dockerfile)); err != nil {
				t.Errorf("service %s: build: %v", name, err)
			}
		case svc.Image == "":
			t.Errorf("service %s has neither image nor build", name)
		default:
			ref := svc.Image[strings.LastIndex(svc.Image, "/")+1:]
			_, tag, hasTag := strings.Cut(ref, ":")
			if !hasTag && !strings.Contains(svc.Image, "@sha256:") || tag == "latest" || !strings.ContainsAny(tag, "0123456789") {
				t.Errorf("service %s: image %s is not pinned to a version", name, svc.Image)
			}
		}
		for dep := range svc.DependsOn {
			if _, ok := p.Services[dep]; !ok {
				t.Errorf("service %s depends on %s, which does not exist", name, dep)
			}
		}
	}

	worker, ok := p.Services["worker"]
	if !ok {
		t.Fatal("no worker service")
	}
	var code []string
	for _, p := range config.Settings() {
		code = append(code, p.Key)
	}
	for _, name := range code {
		v, ok := worker.Environment[name]
		if !ok || v == nil {
			t.Errorf("the worker service does not pass %s through", name)
			continue
		}
		if want, set := shell[name]; set && *v != want {
			t.Errorf("worker's %s = %q, the shell's %q is not passed through", name, *v, want)
		}
	}
	// Nothing stale: the worker gets no setting the code does not read.
	for name := range worker.Environment {
		if !slices.Contains(code, name) {
			t.Errorf("the worker service sets %s, which the code does not read", name)
		}
	}

	// Under an orchestrator: compose learns readiness from `worker
	// healthcheck` (the image has no curl), and a stop gives running
	// activities WORKER_STOP_TIMEOUT before SIGKILL.
	if hc := worker.HealthCheck; hc == nil || hc.Disable || !slices.Equal(hc.Test, types.HealthCheckTest{"CMD", "/usr/local/bin/worker", "healthcheck"}) {
		t.Errorf("the worker's healthcheck is %+v, want it to run `worker healthcheck`", hc)
	}
	var stopTimeout time.Duration
	for _, p := range config.Settings() {
		if p.Key == "WORKER_STOP_TIMEOUT" {
			d, err := time.ParseDuration(p.DefaultValue)
			if err != nil {
				t.Fatalf("WORKER_STOP_TIMEOUT default %q: %v", p.DefaultValue, err)
			}
			stopTimeout = d
		}
	}
	if v := worker.Environment["WORKER_STOP_TIMEOUT"]; v != nil {
		if d, err := time.ParseDuration(*v); err == nil && d > stopTimeout {
			stopTimeout = d
		}
	}
	if stopTimeout == 0 {
		t.Error("no WORKER_STOP_TIMEOUT default in config.Settings")
	}
	if worker.StopGracePeriod == nil || time.Duration(*worker.StopGracePeriod) <= stopTimeout {
		t.Errorf("the worker's stop_grace_period %v is not longer than WORKER_STOP_TIMEOUT %v", worker.StopGracePeriod, stopTimeout)
	}

	// Without the required Zendesk settings, compose refuses, naming them.
	if _, err := loadCompose(t, map[string]string{"ZENDESK_START_DATE": "2024-01-01T00:00:00Z"}); err == nil || !strings.Contains(err.Error(), "ZENDESK_SUBDOMAIN") {
		t.Errorf("compose without ZENDESK_SUBDOMAIN: %v", err)
	}
}
