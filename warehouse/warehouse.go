// Package warehouse is the ClickHouse side: connecting, migrating the
// schema, writing pages of records as batches, and keeping the export
// cursors. Everything here runs on ClickHouse 18.16 and on current
// releases: native protocol only, inserts only through batches with a
// column list, no string-valued settings.
package warehouse

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"talkwarehouse/config"
	"talkwarehouse/schema"
)

// Warehouse is a connection pool to the configured database.
type Warehouse struct {
	conn    driver.Conn
	cfg     config.ClickHouse
	log     *slog.Logger
	cluster clusterState
}

// Open connects, creating the database if it is missing. Errors name the
// settings to check and never include the password.
func Open(ctx context.Context, cfg config.ClickHouse, log *slog.Logger) (*Warehouse, error) {
	if log == nil {
		log = slog.Default()
	}
	boot, err := connect(ctx, cfg, "default")
	if err != nil {
		return nil, err
	}
	defer boot.Close()
	if err := createDatabase(ctx, boot, cfg); err != nil {
		return nil, fmt.Errorf("clickhouse: creating database %s (CLICKHOUSE_DATABASE): %w", cfg.Database, err)
	}
	conn, err := connect(ctx, cfg, cfg.Database)
	if err != nil {
		return nil, err
	}
	return &Warehouse{conn: conn, cfg: cfg, log: log}, nil
}

func connect(ctx context.Context, cfg config.ClickHouse, database string) (driver.Conn, error) {
	conn, err := clickhouse.Open(&clickhouse.Options{
		Protocol: clickhouse.Native,
		Addr:     cfg.Addrs(),
		// Several addresses are the replicas of a cluster: every new
		// connection goes to the first that answers, so a dead replica is
		// skipped (the driver's own failover) and writes stay on one node.
		ConnOpenStrategy: clickhouse.ConnOpenInOrder,
		Auth:             clickhouse.Auth{Database: database, Username: cfg.User, Password: cfg.Password},
		DialTimeout:      5 * time.Second,
		ReadTimeout:      5 * time.Minute,
		MaxOpenConns:     16,
		MaxIdleConns:     4,
		ConnMaxLifetime:  time.Hour,
		Compression:      &clickhouse.Compression{Method: clickhouse.CompressionLZ4},
	})
	if err != nil {
		return nil, fmt.Errorf("clickhouse: %s: %w", cfg, err)
	}
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := conn.Ping(pctx); err != nil {
		conn.Close()
		return nil, fmt.Errorf("clickhouse: cannot reach %s (check CLICKHOUSE_ADDR, CLICKHOUSE_USER, CLICKHOUSE_PASSWORD): %w", cfg, err)
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
// workers starting together do no harm. On a cluster (CLICKHOUSE_CLUSTER)
// each statement runs ON CLUSTER with replicated engines (see cluster.go).
func (w *Warehouse) Migrate(ctx context.Context) error {
	if err := w.createMigrationsTable(ctx); err != nil {
		return fmt.Errorf("clickhouse: creating schema_migrations: %w", err)
	}
	applied := map[uint32]bool{}
	rows, err := w.conn.Query(ctx, "SELECT version FROM schema_migrations")
	if err != nil {
		return fmt.Errorf("clickhouse: reading schema_migrations: %w", err)
	}
	for rows.Next() {
		var v uint32
		if err := rows.Scan(&v); err != nil {
			rows.Close()
			return err
		}
		applied[v] = true
	}
	rows.Close()
	migrations, err := schema.Migrations()
	if err != nil {
		return err
	}
	for _, m := range migrations {
		if applied[m.Version] {
			continue
		}
		for i, stmt := range m.Statements {
			if err := w.execMigration(ctx, stmt); err != nil {
				return fmt.Errorf("clickhouse: migration %s, statement %d: %w", m.Name, i+1, err)
			}
		}
		b, err := w.conn.PrepareBatch(ctx, "INSERT INTO schema_migrations (version, name, applied_at)")
		if err != nil {
			return err
		}
		if err := b.Append(m.Version, m.Name, time.Now().UTC()); err != nil {
			return err
		}
		if err := b.Send(); err != nil {
			return fmt.Errorf("clickhouse: recording migration %s: %w", m.Name, err)
		}
		w.log.Info("applied migration", "migration", m.Name)
	}
	return nil
}
