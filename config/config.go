// Package config reads every setting from the environment (caarlos0/env).
// Secrets (API token, OAuth tokens, client secret, refresh token,
// ClickHouse password) live only here, in
// the worker's process: they are never put in workflow inputs, heartbeats,
// logs or errors, and String methods redact them.
package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/caarlos0/env/v11"

	"talkwarehouse/schema"
)

// Zendesk is how to reach and authenticate with the Talk API.
type Zendesk struct {
	Subdomain  string `env:"ZENDESK_SUBDOMAIN"`
	Email      string `env:"ZENDESK_EMAIL"`
	APIToken   string `env:"ZENDESK_API_TOKEN"`
	OAuthToken string `env:"ZENDESK_OAUTH_TOKEN"`
	OAuth      OAuth
	StartDate  time.Time `env:"ZENDESK_START_DATE"`
	// BaseURL overrides https://{subdomain}.zendesk.com (simulators, proxies).
	BaseURL string `env:"ZENDESK_BASE_URL"`
	// ExportRPM is the incremental exports' budget (calls and legs together)
	// and RPM the account-wide one, in requests per rolling minute; 0 = none.
	// Both are ceilings: the client lowers them to the limits Zendesk's
	// answers report (zendesk.Client.Budgets).
	ExportRPM int `env:"ZENDESK_EXPORT_RPM" envDefault:"10"`
	RPM       int `env:"ZENDESK_RPM" envDefault:"200"`
	// ExportLag holds an export's cursor this far behind the moment of its
	// request (the rule: zendesk.Client.Export). At least a minute (Zendesk
	// refuses a younger start_time).
	ExportLag time.Duration `env:"ZENDESK_EXPORT_LAG" envDefault:"5m"`
}

// ClickHouse is the warehouse connection (native protocol).
type ClickHouse struct {
	// Addr is one host:port, or several comma-separated (the replicas of a
	// cluster): connections go to the first that answers (see Addrs).
	Addr     string `env:"CLICKHOUSE_ADDR" envDefault:"127.0.0.1:9000"`
	Database string `env:"CLICKHOUSE_DATABASE" envDefault:"zendesk_talk"`
	User     string `env:"CLICKHOUSE_USER" envDefault:"default"`
	Password string `env:"CLICKHOUSE_PASSWORD"`
	// PasswordFile holds the password instead (Docker/Kubernetes secrets).
	PasswordFile string `env:"CLICKHOUSE_PASSWORD_FILE"`
	TLS          ClickHouseTLS
	// Cluster is a cluster name of the servers' remote_servers: when set,
	// migrations run ON CLUSTER it and tables use the Replicated engines.
	// Empty: a single server.
	Cluster string `env:"CLICKHOUSE_CLUSTER"`
	// ReplicaPath is the ZooKeeper path of each replicated table; {database}
	// and {table} are filled in by the worker, {shard} (and any other macro)
	// by each server from its <macros>.
	ReplicaPath string `env:"CLICKHOUSE_REPLICA_PATH" envDefault:"/clickhouse/tables/{shard}/{database}/{table}"`
}

// Analytics is how the analytics views present the data.
type Analytics struct {
	// Timezone is the IANA zone (e.g. America/New_York) in which the
	// analytics views take days and hours; empty means UTC. Changing it
	// re-creates the views at the worker's next start.
	Timezone string `env:"ANALYTICS_TIMEZONE" envDefault:"UTC"`
}

func (a Analytics) validate() error {
	if err := schema.CheckTimezone(a.Timezone); err != nil {
		return fmt.Errorf("ANALYTICS_TIMEZONE %w", err)
	}
	return nil
}

// Addrs is CLICKHOUSE_ADDR split at commas, blanks trimmed.
func (c ClickHouse) Addrs() []string {
	var out []string
	for _, a := range strings.Split(c.Addr, ",") {
		if a = strings.TrimSpace(a); a != "" {
			out = append(out, a)
		}
	}
	return out
}

// Temporal is where workflows run.
type Temporal struct {
	// Address and Namespace may also come from the SDK's client profile
	// (temporalenv.go); unset, DefaultTemporalAddress and
	// DefaultTemporalNamespace.
	Address   string `env:"TEMPORAL_ADDRESS"`
	Namespace string `env:"TEMPORAL_NAMESPACE"`
	TaskQueue string `env:"TEMPORAL_TASK_QUEUE" envDefault:"talkwarehouse"`
	// UIAddress is only used to print links to the web UI.
	UIAddress string `env:"TEMPORAL_UI_ADDRESS" envDefault:"http://127.0.0.1:8233"`
	// Security is TLS, mTLS and the API key (config/tls.go).
	Security TemporalTLS
}

// Schedules are the specs of the three Temporal schedules `starter schedule
// apply` manages. A spec is a Go duration ("15m": an interval) or a cron
// expression ("0 3 * * *", UTC).
type Schedules struct {
	Incremental string `env:"SCHEDULE_INCREMENTAL" envDefault:"15m"`
	Snapshot    string `env:"SCHEDULE_SNAPSHOT" envDefault:"24h"`
	// Stats syncs only the four statistics tables and voice_settings (a row
	// per change: a read of unchanged settings costs a request, no row):
	// its interval is the resolution of the queue and agent-state time
	// series.
	Stats         string        `env:"SCHEDULE_STATS" envDefault:"5m"`
	CatchupWindow time.Duration `env:"SCHEDULE_CATCHUP_WINDOW" envDefault:"1h"`
}

// LoadSchedules reads the schedule settings.
func LoadSchedules() (Schedules, error) {
	var s Schedules
	if err := env.Parse(&s); err != nil {
		return s, explain(err)
	}
	var errs []error
	for name, spec := range map[string]string{"SCHEDULE_INCREMENTAL": s.Incremental, "SCHEDULE_SNAPSHOT": s.Snapshot, "SCHEDULE_STATS": s.Stats} {
		if d, err := time.ParseDuration(spec); err == nil && d < time.Minute {
			errs = append(errs, fmt.Errorf("%s: an interval of at least 1m, or a cron expression", name))
		} else if err != nil && len(strings.Fields(spec)) != 5 && !strings.HasPrefix(spec, "@") {
			errs = append(errs, fmt.Errorf("%s: %q is neither a duration (15m) nor a 5-field cron expression", name, spec))
		}
	}
	return s, errors.Join(errs...)
}

// Worker is everything the worker needs.
type Worker struct {
	Zendesk    Zendesk
	ClickHouse ClickHouse
	Analytics  Analytics
	Temporal   Temporal
	Endpoints
	Loading Loading
	// ServeExports lets the worker take the exports role: the one worker
	// at a time that polls the exports' task queue (TEMPORAL_TASK_QUEUE +
	// "-exports"), so the export budget holds account-wide.
	ServeExports bool `env:"WORKER_SERVE_EXPORTS" envDefault:"true"`
	// StopTimeout is how long a stopping worker (SIGTERM, SIGINT) lets its
	// running activities finish before cancelling them.
	StopTimeout time.Duration `env:"WORKER_STOP_TIMEOUT" envDefault:"30s"`
}

// Loading is how an export's rows are gathered into ClickHouse INSERTs:
// one INSERT per table, closed after InsertRows rows or once open for
// InsertInterval, whichever comes first. The cursor is stored after each,
// so they also bound what a crashed worker fetches again.
type Loading struct {
	InsertRows     int           `env:"CLICKHOUSE_INSERT_ROWS" envDefault:"100000"`
	InsertInterval time.Duration `env:"CLICKHOUSE_INSERT_INTERVAL" envDefault:"10s"`
}

// maxInsertInterval stays under ClickHouse's receive_timeout (300 s by
// default), which ends an INSERT whose client sends nothing for that long.
const maxInsertInterval = 4 * time.Minute

func (l Loading) validate() error {
	var errs []error
	if l.InsertRows < 1 {
		errs = append(errs, errors.New("CLICKHOUSE_INSERT_ROWS must be 1 or more (rows per INSERT)"))
	}
	if l.InsertInterval <= 0 || l.InsertInterval > maxInsertInterval {
		errs = append(errs, fmt.Errorf("CLICKHOUSE_INSERT_INTERVAL must be above 0 and at most %s (ClickHouse's receive_timeout ends an idle INSERT after 300s)", maxInsertInterval))
	}
	return errors.Join(errs...)
}

// Endpoints is where the worker serves its HTTP endpoints: Prometheus
// /metrics, /healthz and /readyz. Its own type so that `worker healthcheck`
// reads it alone (LoadMetricsAddr).
type Endpoints struct {
	// MetricsAddr is host:port; port 0 picks a free one.
	MetricsAddr string `env:"WORKER_METRICS_ADDR" envDefault:"127.0.0.1:9090"`
}

// LoadMetricsAddr reads only WORKER_METRICS_ADDR, as LoadWorker does (for
// `worker healthcheck`, which must not need the other settings).
func LoadMetricsAddr() (string, error) {
	var e Endpoints
	if err := env.Parse(&e); err != nil {
		return "", explain(err)
	}
	return e.MetricsAddr, nil
}

// Settings is every environment variable the commands read (the worker's
// settings and the schedules'), as the loaders see them: name, default, and
// whether it is required or read from a file. config's tests check that no
// env tag in this package is left out.
func Settings() []env.FieldParams {
	var out []env.FieldParams
	for _, v := range []any{&Worker{}, &Schedules{}} {
		params, err := env.GetFieldParams(v)
		if err != nil {
			panic(err) // the tags are constants: a test catches a malformed one
		}
		out = append(out, params...)
	}
	return out
}

// LoadTemporal reads only the Temporal settings (the starter needs no
// secrets at all).
func LoadTemporal() (Temporal, error) {
	var t Temporal
	if err := env.Parse(&t); err != nil {
		return t, explain(err)
	}
	if err := t.applyProfile(); err != nil {
		return t, err
	}
	return t, errors.Join(t.validate(), t.loadSecrets())
}

// LoadWorker reads and checks every worker setting. A missing or malformed
// setting is an error that names the variable.
func LoadWorker(now time.Time) (Worker, error) {
	var w Worker
	if err := env.Parse(&w); err != nil {
		return w, explain(err)
	}
	var errs []error
	// The profile first: it fills the Temporal settings validate checks.
	if err := w.Temporal.applyProfile(); err != nil {
		return w, err
	}
	errs = append(errs, w.Zendesk.validate(now), w.ClickHouse.validate(), w.Analytics.validate(), w.Temporal.validate(),
		w.ClickHouse.loadSecrets(), w.Temporal.loadSecrets(), w.Loading.validate())
	if w.StopTimeout < 0 {
		errs = append(errs, errors.New("WORKER_STOP_TIMEOUT must be 0 (cancel at once) or more"))
	}
	return w, errors.Join(errs...)
}

// LoadClickHouse reads only the warehouse settings.
func LoadClickHouse() (ClickHouse, error) {
	var c ClickHouse
	if err := env.Parse(&c); err != nil {
		return c, explain(err)
	}
	return c, errors.Join(c.validate(), c.loadSecrets())
}

// explain turns env's parse errors (which may quote the offending value)
// into messages that name the variable without echoing values.
func explain(err error) error {
	var agg env.AggregateError
	if !errors.As(err, &agg) {
		return err
	}
	var out []error
	for _, e := range agg.Errors {
		var pe env.ParseError
		if errors.As(e, &pe) {
			want := "a whole number"
			switch pe.Type.String() {
			case "time.Time":
				want = "an RFC 3339 UTC time, e.g. 2017-01-25T00:00:00Z"
			case "bool", "*bool":
				want = "true or false"
			case "time.Duration":
				want = "a duration such as 5m or 90s"
			}
			out = append(out, fmt.Errorf("%s: cannot parse, want %s", envName(pe.Name), want))
			continue
		}
		out = append(out, e)
	}
	return errors.Join(out...)
}

var fieldEnv = map[string]string{
	"CatchupWindow": "SCHEDULE_CATCHUP_WINDOW",
	"StartDate":     "ZENDESK_START_DATE", "ExportRPM": "ZENDESK_EXPORT_RPM", "RPM": "ZENDESK_RPM",
	"ServeExports": "WORKER_SERVE_EXPORTS",
	"ExportLag":    "ZENDESK_EXPORT_LAG",
	"StopTimeout":  "WORKER_STOP_TIMEOUT",
}

func envName(field string) string {
	if n, ok := fieldEnv[field]; ok {
		return n
	}
	return field
}

func (z Zendesk) validate(now time.Time) error {
	var errs []error
	if z.Subdomain == "" && z.BaseURL == "" {
		errs = append(errs, errors.New("ZENDESK_SUBDOMAIN is not set (your account is https://SUBDOMAIN.zendesk.com)"))
	}
	if z.Subdomain != "" && strings.ContainsAny(z.Subdomain, "./: ") {
		errs = append(errs, errors.New("ZENDESK_SUBDOMAIN must be the bare subdomain, e.g. acme for https://acme.zendesk.com"))
	}
	if z.BaseURL != "" {
		if u, err := url.Parse(z.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, errors.New("ZENDESK_BASE_URL must be an absolute http(s) URL, e.g. http://127.0.0.1:8089"))
		}
	}
	errs = append(errs, z.validateAuth())
	if z.StartDate.IsZero() {
		errs = append(errs, errors.New("ZENDESK_START_DATE is not set (RFC 3339 UTC, e.g. 2017-01-25T00:00:00Z)"))
	} else if z.StartDate.After(now) {
		errs = append(errs, fmt.Errorf("ZENDESK_START_DATE %s is in the future", z.StartDate.UTC().Format(time.RFC3339)))
	}
	if z.ExportRPM < 0 {
		errs = append(errs, errors.New("ZENDESK_EXPORT_RPM must be 0 (no limit) or more"))
	}
	if z.RPM < 0 {
		errs = append(errs, errors.New("ZENDESK_RPM must be 0 (no limit) or more"))
	}
	if z.ExportLag < time.Minute {
		errs = append(errs, errors.New("ZENDESK_EXPORT_LAG must be at least 1m: Zendesk refuses an export start_time younger than a minute"))
	}
	return errors.Join(errs...)
}

// APIBase is the Talk API root, e.g. https://acme.zendesk.com/api/v2/channels/voice.
func (z Zendesk) APIBase() string {
	return z.root() + "/api/v2/channels/voice"
}

// String describes the settings without secrets.
func (z Zendesk) String() string {
	auth := z.authString()
	return fmt.Sprintf("%s (%s, start %s, export %d rpm, account %d rpm)",
		z.APIBase(), auth, z.StartDate.UTC().Format(time.RFC3339), z.ExportRPM, z.RPM)
}

func (c ClickHouse) validate() error {
	var errs []error
	addrs := c.Addrs()
	if len(addrs) == 0 {
		errs = append(errs, errors.New("CLICKHOUSE_ADDR must be host:port of the native protocol, e.g. 127.0.0.1:9000 (several: comma-separated)"))
	}
	for _, a := range addrs {
		if _, _, err := net.SplitHostPort(a); err != nil {
			errs = append(errs, errors.New("CLICKHOUSE_ADDR must be host:port of the native protocol, e.g. 127.0.0.1:9000 (several: comma-separated)"))
			break
		}
	}
	if c.Database == "" || strings.ContainsAny(c.Database, " `.;'\"") {
		errs = append(errs, errors.New("CLICKHOUSE_DATABASE must be a plain database name"))
	}
	if c.Cluster != "" && !plainName(c.Cluster) {
		errs = append(errs, errors.New("CLICKHOUSE_CLUSTER must be a cluster name of the servers' remote_servers (letters, digits, _ or -)"))
	}
	if c.Cluster != "" && (!strings.Contains(c.ReplicaPath, "{table}") || !strings.HasPrefix(c.ReplicaPath, "/") ||
		strings.ContainsAny(c.ReplicaPath, "'\\ ")) {
		errs = append(errs, errors.New("CLICKHOUSE_REPLICA_PATH must be a ZooKeeper path starting with / and containing {table}, e.g. /clickhouse/tables/{shard}/{database}/{table}"))
	}
	return errors.Join(errs...)
}

func plainName(s string) bool {
	for _, r := range s {
		if !(r == '_' || r == '-' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return s != ""
}

// String describes the connection without the password.
func (c ClickHouse) String() string {
	tls := ""
	if c.TLS.Secure {
		tls = " (tls)"
	}
	s := fmt.Sprintf("clickhouse://%s@%s/%s%s", c.User, strings.Join(c.Addrs(), ","), c.Database, tls)
	if c.Cluster != "" {
		s += " (cluster " + c.Cluster + ")"
	}
	return s
}

func (t Temporal) validate() error {
	var errs []error
	if _, _, err := net.SplitHostPort(t.Address); err != nil {
		errs = append(errs, errors.New("TEMPORAL_ADDRESS must be host:port, e.g. 127.0.0.1:7233"))
	}
	if t.Namespace == "" {
		errs = append(errs, errors.New("TEMPORAL_NAMESPACE must not be empty"))
	}
	if t.TaskQueue == "" {
		errs = append(errs, errors.New("TEMPORAL_TASK_QUEUE must not be empty"))
	}
	return errors.Join(errs...)
}
