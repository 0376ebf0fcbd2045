// Package warehouse is the ClickHouse side: connecting, migrating the
// schema, writing pages of records as batches, and keeping the export
// cursors. Everything here runs on ClickHouse 18.16 and on current
// releases: native protocol only, inserts only through batches with a
// column list, no string-valued settings.
package warehouse

import (
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"talkwarehouse/schema"
)

// Options is how to reach the warehouse and how to lay it out. The worker
// builds them from its settings (internal/connect).
type Options struct {
	// Addrs are host:port of ClickHouse's native protocol; several are the
	// replicas of one cluster.
	Addrs []string
	// Database is created if missing; a plain name (it is written into
	// statements unquoted).
	Database       string
	User, Password string
	// TLS turns TLS on (the secure native port) when not nil.
	TLS *tls.Config
	// Cluster is a cluster name of the servers' remote_servers: migrations
	// run ON CLUSTER it with Replicated engines. Empty: a single server.
	Cluster string
	// ReplicaPath is each replicated table's ZooKeeper path (with Cluster),
	// see schema.Cluster.
	ReplicaPath string
	// AnalyticsTimezone is the IANA zone in which the analytics views take
	// days and hours; "" is UTC (schema.CheckTimezone).
	AnalyticsTimezone string
}

// String describes the connection without the password, e.g.
// clickhouse://default@ch1:9000,ch2:9000/zendesk_talk (tls) (cluster c).
func (o Options) String() string {
	s := fmt.Sprintf("clickhouse://%s@%s/%s", o.User, strings.Join(o.Addrs, ","), o.Database)
	if o.TLS != nil {
		s += " (tls)"
	}
	if o.Cluster != "" {
		s += " (cluster " + o.Cluster + ")"
	}
	return s
}

// Warehouse is a connection pool to the configured database.
type Warehouse struct {
	conn    driver.Conn
	cfg     Options
	log     *slog.Logger
	cluster clusterState
}

// Open connects, creating the database if it is missing. A failure to
// connect says which server and what the driver (or crypto/tls) answered;
// no error includes the password.
func Open(ctx context.Context, o Options, log *slog.Logger) (*Warehouse, error) {
	if log == nil {
		log = slog.Default()
	}
	boot, err := connect(ctx, o, "default")
	if err != nil {
		return nil, err
	}
	defer boot.Close()
	if err := createDatabase(ctx, boot, o); err != nil {
		return nil, fmt.Errorf("clickhouse: creating database %s: %w", o.Database, err)
	}
	conn, err := connect(ctx, o, o.Database)
	if err != nil {
		return nil, err
	}
	return &Warehouse{conn: conn, cfg: o, log: log}, nil
}

func connect(ctx context.Context, o Options, database string) (driver.Conn, error) {
	conn, err := clickhouse.Open(&clickhouse.Options{
		TLS:      o.TLS,
		Protocol: clickhouse.Native,
		Addr:     o.Addrs,
		// Several addresses are the replicas of a cluster: every new
		// connection goes to the first that answers, so a dead replica is
		// skipped (the driver's own failover) and writes stay on one node.
		ConnOpenStrategy: clickhouse.ConnOpenInOrder,
		Auth:             clickhouse.Auth{Database: database, Username: o.User, Password: o.Password},
		DialTimeout:      5 * time.Second,
		ReadTimeout:      5 * time.Minute,
		MaxOpenConns:     16,
		MaxIdleConns:     4,
		ConnMaxLifetime:  time.Hour,
		Compression:      &clickhouse.Compression{Method: clickhouse.CompressionLZ4},
	})
	if err != nil {
		return nil, fmt.Errorf("clickhouse: %s: %w", o, err)
	}
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := conn.Ping(pctx); err != nil {
		conn.Close()
		return nil, fmt.Errorf("clickhouse: cannot reach %s: %w", o, err)
	}
	return conn, nil
}

// Close releases the connections.
func (w *Warehouse) Close() error { return w.conn.Close() }

// Conn exposes the driver for queries (tests, analytics).
func (w *Warehouse) Conn() driver.Conn { return w.conn }

// Database is the configured database name.
func (w *Warehouse) Database() string { return w.cfg.Database }

// Migrate applies, in order, every migration of schema/ that the database
// has not recorded yet. Statements are idempotent (IF NOT EXISTS), so two
// workers starting together do no harm. On a cluster (Options.Cluster)
// each statement runs ON CLUSTER with replicated engines (see cluster.go).
//
// Migrations that use the analytics time zone (schema.Migration.Timezone)
// are recorded with the zone in their name; when Options.AnalyticsTimezone
// differs from the zone of their newest record they
// are applied again (their views re-created) and recorded once more, so a
// change of zone takes effect exactly once, at the next start, and
// schema_migrations shows when.
func (w *Warehouse) Migrate(ctx context.Context) error {
	tz := w.cfg.AnalyticsTimezone
	if err := schema.CheckTimezone(tz); err != nil {
		return fmt.Errorf("clickhouse: the analytics time zone %w", err)
	}
	if err := w.createMigrationsTable(ctx); err != nil {
		return fmt.Errorf("clickhouse: creating schema_migrations: %w", err)
	}
	// The newest record per version: a time-zone migration has one row
	// per zone it was applied in (until merges keep only the last).
	applied := map[uint32]string{}
	last := map[uint32]time.Time{}
	rows, err := w.conn.Query(ctx, "SELECT version, argMax(name, applied_at), max(applied_at) FROM schema_migrations GROUP BY version")
	if err != nil {
		return fmt.Errorf("clickhouse: reading schema_migrations: %w", err)
	}
	for rows.Next() {
		var v uint32
		var name string
		var at time.Time
		if err := rows.Scan(&v, &name, &at); err != nil {
			rows.Close()
			return err
		}
		applied[v], last[v] = name, at
	}
	rows.Close()
	migrations, err := schema.Migrations()
	if err != nil {
		return err
	}
	for _, m := range migrations {
		name, done := applied[m.Version]
		if done && (!m.Timezone || name == m.RecordName(tz)) {
			continue
		}
		for i, stmt := range m.In(tz).Statements {
			if done, err := w.columnAdded(ctx, stmt); err != nil {
				return fmt.Errorf("clickhouse: migration %s, statement %d: %w", m.Name, i+1, err)
			} else if done {
				continue
			}
			if err := w.execMigration(ctx, stmt); err != nil {
				// Another worker added the column between the check and
				// this statement (on a cluster, the error comes from the
				// node that ran the other's DDL first).
				if done, cerr := w.columnAdded(ctx, stmt); cerr == nil && done {
					continue
				}
				if m.Timezone {
					return fmt.Errorf("clickhouse: migration %s (views in the analytics time zone), statement %d: %w", m.Name, i+1, err)
				}
				return fmt.Errorf("clickhouse: migration %s, statement %d: %w", m.Name, i+1, err)
			}
		}
		b, err := w.conn.PrepareBatch(ctx, "INSERT INTO schema_migrations (version, name, applied_at)")
		if err != nil {
			return err
		}
		// applied_at orders the records of one version: a re-application
		// within the same second as the previous one must still sort last.
		at := time.Now().UTC().Truncate(time.Second)
		if done && !at.After(last[m.Version]) {
			at = last[m.Version].Add(time.Second)
		}
		if err := b.Append(m.Version, m.RecordName(tz), at); err != nil {
			return err
		}
		if err := b.Send(); err != nil {
			return fmt.Errorf("clickhouse: recording migration %s: %w", m.Name, err)
		}
		w.log.Info("applied migration", "migration", m.RecordName(tz))
	}
	return nil
}
