package deploytest

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/kustomize/api/krusty"
	ktypes "sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/yaml"

	"talkwarehouse/config"
	"talkwarehouse/internal/certs"
	"talkwarehouse/metrics"
)

// kubeDir is the kustomize base; overlays/ and components/ are inside it.
const kubeDir = "../../deploy/kubernetes"

// typeFor is an empty Kubernetes (or kustomize) object of the kind a
// manifest names, for strict decoding; nil for a kind the test does not know
// (an error: every kind shipped is checked).
func typeFor(kind string) any {
	switch kind {
	case "Deployment":
		return &appsv1.Deployment{}
	case "Job":
		return &batchv1.Job{}
	case "ConfigMap":
		return &corev1.ConfigMap{}
	case "Service":
		return &corev1.Service{}
	case "ServiceAccount":
		return &corev1.ServiceAccount{}
	case "PersistentVolumeClaim":
		return &corev1.PersistentVolumeClaim{}
	case "Kustomization", "Component":
		return &ktypes.Kustomization{}
	}
	return nil
}

// decodeStrict decodes one YAML document into the API type of its kind,
// refusing unknown and duplicate fields (a misspelt or misplaced field
// would otherwise be dropped by the API server without a word).
func decodeStrict(doc []byte) (any, error) {
	var meta struct {
		Kind string `json:"kind"`
	}
	if err := yaml.Unmarshal(doc, &meta); err != nil {
		return nil, err
	}
	obj := typeFor(meta.Kind)
	if obj == nil {
		return nil, fmt.Errorf("kind %q: no API type known to this test", meta.Kind)
	}
	if err := yaml.UnmarshalStrict(doc, obj); err != nil {
		return nil, fmt.Errorf("%s: %w", meta.Kind, err)
	}
	return obj, nil
}

// jsonPatchOp is one operation of a JSON 6902 patch file.
type jsonPatchOp struct {
	Op    string `json:"op"`
	Path  string `json:"path"`
	Value any    `json:"value"`
}

// decodeJSONPatch decodes a JSON 6902 patch strictly, and each added value
// strictly into the API type its path adds to.
func decodeJSONPatch(doc []byte) error {
	var ops []jsonPatchOp
	if err := yaml.UnmarshalStrict(doc, &ops); err != nil {
		return err
	}
	if len(ops) == 0 {
		return fmt.Errorf("an empty patch")
	}
	for _, op := range ops {
		if op.Op != "add" {
			return fmt.Errorf("%s %s: only add is used here", op.Op, op.Path)
		}
		var into any
		switch {
		case strings.HasSuffix(op.Path, "/volumes/-"):
			into = &corev1.Volume{}
		case strings.HasSuffix(op.Path, "/volumeMounts/-"):
			into = &corev1.VolumeMount{}
		case strings.HasSuffix(op.Path, "/env/-"):
			into = &corev1.EnvVar{}
		default:
			return fmt.Errorf("add %s: a path this test does not know", op.Path)
		}
		b, err := yaml.Marshal(op.Value)
		if err != nil {
			return err
		}
		if err := yaml.UnmarshalStrict(b, into); err != nil {
			return fmt.Errorf("add %s: %w", op.Path, err)
		}
	}
	return nil
}

// TestKubernetesManifestsDecodeStrictly: every YAML file under
// deploy/kubernetes (resources, patches, kustomizations and components)
// decodes into its Kubernetes or kustomize type with no unknown field.
func TestKubernetesManifestsDecodeStrictly(t *testing.T) {
	var n int
	err := filepath.WalkDir(kubeDir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".yaml") {
			return err
		}
		n++
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if bytes.HasPrefix(bytes.TrimSpace(stripComments(b)), []byte("- ")) {
			if err := decodeJSONPatch(b); err != nil {
				t.Errorf("%s: %v", path, err)
			}
			return nil
		}
		if _, err := decodeStrict(b); err != nil {
			t.Errorf("%s: %v", path, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 10 {
		t.Fatalf("only %d manifests under %s", n, kubeDir)
	}
}

func stripComments(b []byte) []byte {
	return regexp.MustCompile(`(?m)^\s*#.*$`).ReplaceAll(b, nil)
}

// rendered is the output of one kustomization, decoded strictly.
type rendered struct {
	deployments map[string]*appsv1.Deployment
	jobs        map[string]*batchv1.Job
	configMaps  map[string]*corev1.ConfigMap
	pvcs        map[string]*corev1.PersistentVolumeClaim
	services    map[string]*corev1.Service
}

// render runs kustomize (the library kubectl apply -k embeds) on dir, from
// the disk, and decodes every resource strictly.
func render(t *testing.T, dir string) rendered {
	t.Helper()
	k := krusty.MakeKustomizer(krusty.MakeDefaultOptions())
	rm, err := k.Run(filesys.MakeFsOnDisk(), dir)
	if err != nil {
		t.Fatalf("kustomize build %s: %v", dir, err)
	}
	out := rendered{deployments: map[string]*appsv1.Deployment{}, jobs: map[string]*batchv1.Job{},
		configMaps: map[string]*corev1.ConfigMap{}, pvcs: map[string]*corev1.PersistentVolumeClaim{}, services: map[string]*corev1.Service{}}
	for _, r := range rm.Resources() {
		b, err := r.AsYAML()
		if err != nil {
			t.Fatal(err)
		}
		obj, err := decodeStrict(b)
		if err != nil {
			t.Errorf("%s: rendered %s: %v", dir, r.CurId(), err)
			continue
		}
		switch o := obj.(type) {
		case *appsv1.Deployment:
			out.deployments[o.Name] = o
		case *batchv1.Job:
			out.jobs[o.Name] = o
		case *corev1.ConfigMap:
			out.configMaps[o.Name] = o
		case *corev1.PersistentVolumeClaim:
			out.pvcs[o.Name] = o
		case *corev1.Service:
			out.services[o.Name] = o
		}
	}
	return out
}

// settings is config.Settings() by name.
func settings() map[string]string {
	out := map[string]string{}
	for _, p := range config.Settings() {
		out[p.Key] = p.DefaultValue
	}
	return out
}

// envOf is the environment a container gets: its ConfigMaps' keys (envFrom)
// and its env entries, the latter winning. Secret references are "<secret>".
func envOf(t *testing.T, where string, r rendered, c corev1.Container) map[string]string {
	t.Helper()
	env := map[string]string{}
	for _, from := range c.EnvFrom {
		if from.Prefix != "" || from.SecretRef != nil || from.ConfigMapRef == nil {
			t.Errorf("%s: envFrom %+v: only whole ConfigMaps without a prefix, so every key is a setting's name", where, from)
			continue
		}
		cm, ok := r.configMaps[from.ConfigMapRef.Name]
		if !ok {
			t.Errorf("%s: envFrom names ConfigMap %s, which is not rendered", where, from.ConfigMapRef.Name)
			continue
		}
		for k, v := range cm.Data {
			env[k] = v
		}
	}
	for _, e := range c.Env {
		switch {
		case e.ValueFrom == nil:
			env[e.Name] = e.Value
		case e.ValueFrom.SecretKeyRef != nil:
			env[e.Name] = "<secret>"
		default:
			t.Errorf("%s: %s: only values and Secret keys are used", where, e.Name)
		}
	}
	return env
}

// checkPod checks what the Deployment and the Job share: a real setting in
// every variable, secrets as files where a *_FILE setting exists, the
// image's non-root user, a read-only root filesystem; it returns the
// container's environment.
func checkPod(t *testing.T, where string, r rendered, spec corev1.PodSpec, uid int64) map[string]string {
	t.Helper()
	if len(spec.Containers) != 1 {
		t.Fatalf("%s: %d containers, want 1", where, len(spec.Containers))
	}
	c := spec.Containers[0]
	known := settings()
	env := envOf(t, where, r, c)
	for name := range env {
		if _, ok := known[name]; !ok {
			t.Errorf("%s sets %s, which is not a setting (config.Settings)", where, name)
		}
	}
	for _, e := range c.Env {
		if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil {
			if _, ok := known[e.Name+"_FILE"]; ok {
				t.Errorf("%s: %s comes from a Secret key in the environment; mount it and set %s_FILE", where, e.Name, e.Name)
			}
		}
	}
	// Every file setting names a file on a mounted Secret (or volume).
	volumes := map[string]corev1.Volume{}
	for _, v := range spec.Volumes {
		volumes[v.Name] = v
	}
	for name, path := range env {
		if !isFileSetting(name) || path == "" {
			continue
		}
		m, ok := mountOf(c, path)
		if !ok {
			t.Errorf("%s: %s=%s is on no volume mount (the root filesystem is the image's)", where, name, path)
			continue
		}
		v, ok := volumes[m.Name]
		if !ok {
			t.Errorf("%s: mount %s names no volume", where, m.Name)
			continue
		}
		rel := strings.TrimPrefix(path, m.MountPath+"/")
		switch {
		case v.Secret != nil && name != "ZENDESK_OAUTH_STATE_FILE":
			if len(v.Secret.Items) > 0 && !slices.ContainsFunc(v.Secret.Items, func(k corev1.KeyToPath) bool { return k.Path == rel }) {
				t.Errorf("%s: %s=%s: Secret %s's items do not put a file at %s", where, name, path, v.Secret.SecretName, rel)
			}
		case v.PersistentVolumeClaim != nil && name == "ZENDESK_OAUTH_STATE_FILE":
			if _, ok := r.pvcs[v.PersistentVolumeClaim.ClaimName]; !ok {
				t.Errorf("%s: the state file's claim %s is not rendered", where, v.PersistentVolumeClaim.ClaimName)
			}
			if m.ReadOnly {
				t.Errorf("%s: the state file's mount is read-only; the worker rewrites the file", where)
			}
		default:
			t.Errorf("%s: %s is on volume %s, want a Secret (or for the OAuth state file a PersistentVolumeClaim)", where, name, m.Name)
		}
	}
	// The image's user and a read-only root filesystem.
	psc := spec.SecurityContext
	if psc == nil || psc.RunAsNonRoot == nil || !*psc.RunAsNonRoot || psc.RunAsUser == nil || *psc.RunAsUser != uid {
		t.Errorf("%s: pod securityContext %+v: want runAsNonRoot and runAsUser %d (the Dockerfile's user)", where, psc, uid)
	}
	// The Pod Security Standards' "restricted" profile also asks for a
	// seccomp profile.
	if psc == nil || psc.SeccompProfile == nil || psc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
		t.Errorf("%s: want the pod's seccompProfile RuntimeDefault (Pod Security Standards, restricted)", where)
	}
	sc := c.SecurityContext
	if sc == nil || sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem ||
		sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation || sc.Capabilities == nil || !slices.Contains(sc.Capabilities.Drop, "ALL") {
		t.Errorf("%s: container securityContext %+v: want a read-only root filesystem, no privilege escalation, capabilities ALL dropped", where, sc)
	}
	if c.Resources.Requests.Memory().IsZero() || c.Resources.Limits.Memory().IsZero() {
		t.Errorf("%s: want memory requests and limits", where)
	}
	if _, tag, ok := strings.Cut(c.Image[strings.LastIndex(c.Image, "/")+1:], ":"); !ok || tag == "latest" {
		t.Errorf("%s: image %s is not pinned to a tag", where, c.Image)
	}
	return env
}

// isFileSetting: the setting names a file the container must find (the
// *_FILE settings, the SDK's *_PATH names and its TOML profile).
func isFileSetting(name string) bool {
	return strings.HasSuffix(name, "_FILE") || strings.HasSuffix(name, "_PATH")
}

// mountOf is the container's volume mount holding path.
func mountOf(c corev1.Container, path string) (corev1.VolumeMount, bool) {
	for _, m := range c.VolumeMounts {
		if strings.HasPrefix(path, strings.TrimRight(m.MountPath, "/")+"/") {
			return m, true
		}
	}
	return corev1.VolumeMount{}, false
}

// dockerfileUser is the uid the image runs as: the Dockerfile's USER
// (distroless's nonroot is 65532, the owner it gives the state folder).
func dockerfileUser(t *testing.T) (uid int64, stateDir string) {
	t.Helper()
	b, err := os.ReadFile("../../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`(?m)^USER nonroot$`).Match(b) {
		t.Fatal("Dockerfile: no USER nonroot (update this test with the image's user)")
	}
	m := regexp.MustCompile(`(?m)^COPY .*--chown=(\d+):\d+ \S+ (\S+)$`).FindSubmatch(b)
	if m == nil {
		t.Fatal("Dockerfile: no COPY --chown=UID:GID of the state folder")
	}
	uid, _ = strconv.ParseInt(string(m[1]), 10, 64)
	// The Job runs /usr/local/bin/starter; the Deployment the ENTRYPOINT.
	if !regexp.MustCompile(`(?m)^COPY --from=build .*/starter .*/usr/local/bin/$`).Match(b) ||
		!regexp.MustCompile(`(?m)^ENTRYPOINT \["/usr/local/bin/worker"\]$`).Match(b) {
		t.Fatal("Dockerfile: want the starter copied to /usr/local/bin/ and ENTRYPOINT [\"/usr/local/bin/worker\"] (the manifests' paths)")
	}
	return uid, string(m[2])
}

// loadAs sets exactly env (secrets and files made up in a temporary
// folder) and runs load: the rendered settings must pass the commands' own
// validation.
func loadAs(t *testing.T, where string, c corev1.Container, env map[string]string, load func() error) {
	t.Helper()
	for name := range settings() {
		t.Setenv(name, "")
		os.Unsetenv(name)
	}
	// No temporal.toml of the developer's own (the SDK's default profile file).
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	dir := t.TempDir()
	ca, err := certs.NewCA(dir, "test CA")
	if err != nil {
		t.Fatal(err)
	}
	client, err := ca.Client(dir, "talkwarehouse", certs.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for name, v := range env {
		if v == "<secret>" {
			v = "made-up-secret"
		}
		if m, ok := mountOf(c, v); ok && isFileSetting(name) {
			local := filepath.Join(dir, m.Name, strings.TrimPrefix(v, m.MountPath))
			if err := os.MkdirAll(filepath.Dir(local), 0o755); err != nil {
				t.Fatal(err)
			}
			content := []byte("made-up-secret\n")
			switch name {
			case "TEMPORAL_TLS_CERT_FILE", "TEMPORAL_TLS_CLIENT_CERT_PATH", "CLICKHOUSE_CA_FILE", "TEMPORAL_TLS_CA_FILE", "TEMPORAL_TLS_SERVER_CA_CERT_PATH":
				content, err = os.ReadFile(client.CertFile)
			case "TEMPORAL_TLS_KEY_FILE", "TEMPORAL_TLS_CLIENT_KEY_PATH":
				content, err = os.ReadFile(client.KeyFile)
			}
			if err != nil {
				t.Fatal(err)
			}
			if name != "ZENDESK_OAUTH_STATE_FILE" {
				if err := os.WriteFile(local, content, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			v = local
		}
		t.Setenv(name, v)
	}
	if err := load(); err != nil {
		t.Errorf("%s: the rendered settings are refused:\n%v", where, err)
	}
}

// settingOr is env[name], or the setting's default.
func settingOr(env map[string]string, name string) string {
	if v, ok := env[name]; ok {
		return v
	}
	return settings()[name]
}

// TestKubernetesKustomizations renders deploy/kubernetes, its base and
// every overlay (every component is used by one), and checks the worker
// and the schedules Job against the code: settings, secrets as files,
// probes on the real paths and port, a grace period above the stop
// timeout, the image's user.
func TestKubernetesKustomizations(t *testing.T) {
	uid, stateDir := dockerfileUser(t)
	overlays, _ := filepath.Glob(filepath.Join(kubeDir, "overlays", "*"))
	components, _ := filepath.Glob(filepath.Join(kubeDir, "components", "*"))
	if len(overlays) < 3 || len(components) < 3 {
		t.Fatalf("overlays %v, components %v", overlays, components)
	}
	used := map[string]bool{}
	for _, o := range overlays {
		var k ktypes.Kustomization
		b, err := os.ReadFile(filepath.Join(o, "kustomization.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		if err := yaml.UnmarshalStrict(b, &k); err != nil {
			t.Fatalf("%s: %v", o, err)
		}
		for _, c := range k.Components {
			used[filepath.Clean(filepath.Join(o, c))] = true
		}
	}
	for _, c := range components {
		if !used[filepath.Clean(c)] {
			t.Errorf("component %s is used by no overlay, so no test renders it", c)
		}
	}
	dirs := append([]string{kubeDir, filepath.Join(kubeDir, "base")}, overlays...)
	for _, dir := range dirs {
		name := strings.TrimPrefix(strings.TrimPrefix(dir, kubeDir), "/")
		if name == "" {
			name = "deploy_kubernetes"
		}
		cloud := strings.HasPrefix(filepath.Base(dir), "cloud")
		t.Run(strings.ReplaceAll(name, "/", "_"), func(t *testing.T) {
			r := render(t, dir)
			d, ok := r.deployments["talkwarehouse-worker"]
			if !ok {
				t.Fatal("no Deployment talkwarehouse-worker")
			}
			job, ok := r.jobs["talkwarehouse-schedules"]
			if !ok {
				t.Fatal("no Job talkwarehouse-schedules")
			}
			spec := d.Spec.Template.Spec
			env := checkPod(t, "worker", r, spec, uid)
			jobEnv := checkPod(t, "schedules job", r, job.Spec.Template.Spec, uid)
			c := spec.Containers[0]

			// Probes: the paths the worker serves, on the port of
			// WORKER_METRICS_ADDR, which listens beyond loopback.
			host, port, err := net.SplitHostPort(settingOr(env, "WORKER_METRICS_ADDR"))
			if err != nil {
				t.Fatalf("WORKER_METRICS_ADDR: %v", err)
			}
			if ip := net.ParseIP(host); host == "localhost" || ip != nil && ip.IsLoopback() {
				t.Errorf("WORKER_METRICS_ADDR %s:%s listens on loopback: the kubelet's probes cannot reach it", host, port)
			}
			checkProbe(t, "readinessProbe", c, c.ReadinessProbe, "/readyz", port)
			checkProbe(t, "livenessProbe", c, c.LivenessProbe, "/healthz", port)
			if c.StartupProbe != nil {
				checkProbe(t, "startupProbe", c, c.StartupProbe, "/healthz", port)
			}
			for _, svc := range r.services {
				for _, p := range svc.Spec.Ports {
					if p.TargetPort.String() != "http" && p.TargetPort.String() != port {
						t.Errorf("Service %s targets port %s, not the worker's %s", svc.Name, p.TargetPort.String(), port)
					}
				}
			}

			// The kubelet's SIGKILL comes after the stop timeout.
			stop, err := time.ParseDuration(settingOr(env, "WORKER_STOP_TIMEOUT"))
			if err != nil {
				t.Fatalf("WORKER_STOP_TIMEOUT: %v", err)
			}
			if g := spec.TerminationGracePeriodSeconds; g == nil || time.Duration(*g)*time.Second <= stop {
				t.Errorf("terminationGracePeriodSeconds %s is not above WORKER_STOP_TIMEOUT %v", show(g), stop)
			}

			// The refresh token's state file: on its claim, in the
			// image's state folder, one replica replaced by Recreate.
			if _, ok := env["ZENDESK_OAUTH_REFRESH_TOKEN"]; ok {
				f := env["ZENDESK_OAUTH_STATE_FILE"]
				if m, ok := mountOf(c, f); !ok || m.MountPath != strings.TrimRight(stateDir, "/") {
					t.Errorf("ZENDESK_OAUTH_STATE_FILE=%s: want it on a volume mounted at the image's %s", f, stateDir)
				}
				if d.Spec.Replicas == nil || *d.Spec.Replicas != 1 || d.Spec.Strategy.Type != appsv1.RecreateDeploymentStrategyType {
					t.Errorf("with a refresh token: replicas %s, strategy %q; want 1 and Recreate (the state file is locked)", show(d.Spec.Replicas), d.Spec.Strategy.Type)
				}
			}

			// The Job applies the schedules with the image's starter.
			jc := job.Spec.Template.Spec.Containers[0]
			if !slices.Equal(jc.Command, []string{"/usr/local/bin/starter"}) || !slices.Equal(jc.Args, []string{"schedule", "apply"}) {
				t.Errorf("schedules job runs %v %v, want /usr/local/bin/starter schedule apply", jc.Command, jc.Args)
			}
			if jc.Image != c.Image {
				t.Errorf("schedules job's image %s is not the worker's %s", jc.Image, c.Image)
			}
			for _, name := range []string{"TEMPORAL_ADDRESS", "TEMPORAL_NAMESPACE", "TEMPORAL_API_KEY_FILE", "TEMPORAL_TLS_CERT_FILE", "TEMPORAL_TLS_CLIENT_CERT_PATH", "TEMPORAL_CONFIG_FILE"} {
				if env[name] != jobEnv[name] {
					t.Errorf("%s: the worker has %q, the schedules job %q", name, env[name], jobEnv[name])
				}
			}

			// Temporal Cloud and ClickHouse Cloud: TLS everywhere.
			if cloud {
				if _, p, _ := net.SplitHostPort(env["CLICKHOUSE_ADDR"]); env["CLICKHOUSE_SECURE"] != "true" || p != "9440" {
					t.Errorf("ClickHouse Cloud: CLICKHOUSE_ADDR %s, CLICKHOUSE_SECURE %q; want the secure native port 9440 and true", env["CLICKHOUSE_ADDR"], env["CLICKHOUSE_SECURE"])
				}
				if env["TEMPORAL_API_KEY_FILE"] == "" && env["TEMPORAL_TLS_CLIENT_CERT_PATH"] == "" && env["TEMPORAL_TLS_CERT_FILE"] == "" {
					t.Error("Temporal Cloud: none of TEMPORAL_API_KEY_FILE, TEMPORAL_TLS_CLIENT_CERT_PATH, TEMPORAL_TLS_CERT_FILE is set")
				}
			}

			// The settings pass the commands' own checks.
			loadAs(t, "worker", c, env, func() error { _, err := config.LoadWorker(time.Now()); return err })
			loadAs(t, "schedules job", jc, jobEnv, func() error {
				_, err := config.LoadTemporal()
				_, serr := config.LoadSchedules()
				if err == nil {
					err = serr
				}
				return err
			})
		})
	}
}

// show is *p, or "unset".
func show[T any](p *T) string {
	if p == nil {
		return "unset"
	}
	return fmt.Sprint(*p)
}

// checkProbe: an HTTP GET of path on the container port that is port.
func checkProbe(t *testing.T, which string, c corev1.Container, p *corev1.Probe, path, port string) {
	t.Helper()
	if p == nil || p.HTTPGet == nil {
		t.Errorf("%s: want an httpGet probe of %s", which, path)
		return
	}
	if p.HTTPGet.Path != path {
		t.Errorf("%s: path %s, want %s", which, p.HTTPGet.Path, path)
	}
	got := p.HTTPGet.Port.String()
	for _, cp := range c.Ports {
		if cp.Name == got {
			got = strconv.Itoa(int(cp.ContainerPort))
		}
	}
	if got != port {
		t.Errorf("%s: port %s, want WORKER_METRICS_ADDR's %s", which, p.HTTPGet.Port.String(), port)
	}
}

// TestKubernetesProbePathsServed: the paths the Deployment probes are the
// worker's own (metrics.Start serves them): /healthz answers 200 at once,
// /readyz 503 until the worker is ready, then 200.
func TestKubernetesProbePathsServed(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(kubeDir, "base", "deployment.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	obj, err := decodeStrict(b)
	if err != nil {
		t.Fatal(err)
	}
	c := obj.(*appsv1.Deployment).Spec.Template.Spec.Containers[0]
	h := metrics.NewHealth()
	s, err := metrics.Start("127.0.0.1:0", h, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	get := func(p *corev1.Probe) int {
		resp, err := http.Get("http://" + s.Addr + p.HTTPGet.Path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := get(c.LivenessProbe); got != 200 {
		t.Errorf("liveness %s: %d, want 200", c.LivenessProbe.HTTPGet.Path, got)
	}
	if got := get(c.ReadinessProbe); got != 503 {
		t.Errorf("readiness %s before ready: %d, want 503", c.ReadinessProbe.HTTPGet.Path, got)
	}
	h.Ready()
	if got := get(c.ReadinessProbe); got != 200 {
		t.Errorf("readiness %s once ready: %d, want 200", c.ReadinessProbe.HTTPGet.Path, got)
	}
}
