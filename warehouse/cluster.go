package warehouse

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"talkwarehouse/schema"
)

// On a cluster (Options.Cluster), every migration statement runs ON
// CLUSTER through ClickHouse's distributed DDL queue: it is queued once in
// ZooKeeper and each node applies the queue in order, a node that was down
// as soon as it is back. Statements are idempotent (IF NOT EXISTS), so a
// migration re-run after a crash, or run by two workers starting at once,
// applies nothing twice; schema_migrations is itself replicated, so every
// node and every worker sees the same record.

// How long an ON CLUSTER statement waits for every node to apply it
// (distributed_ddl_task_timeout, seconds): ddlTimeout normally, and
// ddlTimeoutAfterMiss once a node is known to be down (an address of
// Options.Addrs refuses connections, or a node missed a statement):
// waiting the server's default (180 s) for it at each statement would
// hold the worker for many minutes. The queue brings that node up to date
// when it returns.
const (
	ddlTimeout          = 30
	ddlTimeoutAfterMiss = 2
)

// codeTimeoutExceeded is ClickHouse's TIMEOUT_EXCEEDED: an ON CLUSTER
// statement some node did not finish within distributed_ddl_task_timeout
// (it stays queued for that node).
const codeTimeoutExceeded = 159

// clusterState is what one Warehouse learned about its cluster while
// migrating.
type clusterState struct {
	mu     sync.Mutex
	missed bool // a node missed a statement: later ones do not wait long
}

// Cluster is the migrations' cluster description, or ok false on a single
// server.
func (w *Warehouse) Cluster() (c schema.Cluster, ok bool) {
	if w.cfg.Cluster == "" {
		return c, false
	}
	return schema.Cluster{Name: w.cfg.Cluster, Database: w.cfg.Database, ReplicaPath: w.cfg.ReplicaPath}, true
}

// createDatabase creates the database, on every node of a cluster. On a
// cluster the DDL is skipped when the database is there already, so a
// worker starts while a node is down.
func createDatabase(ctx context.Context, conn driver.Conn, cfg Options) error {
	if cfg.Cluster == "" {
		return conn.Exec(ctx, "CREATE DATABASE IF NOT EXISTS "+cfg.Database)
	}
	if ok, err := exists(ctx, conn, "SELECT count() FROM system.databases WHERE name = ?", cfg.Database); err != nil || ok {
		return err
	}
	err := conn.Exec(clickhouse.Context(ctx, clickhouse.WithSettings(clickhouse.Settings{"distributed_ddl_task_timeout": ddlTimeout})),
		"CREATE DATABASE IF NOT EXISTS `"+cfg.Database+"` ON CLUSTER `"+cfg.Cluster+"`")
	var ex *clickhouse.Exception
	if errors.As(err, &ex) && ex.Code == codeTimeoutExceeded {
		return nil // created where it could be; queued for the node that is down
	}
	return err
}

const migrationsTable = `CREATE TABLE IF NOT EXISTS schema_migrations
(
    version UInt32,
    name String,
    applied_at DateTime
)
ENGINE = ReplacingMergeTree
ORDER BY version`

// createMigrationsTable creates schema_migrations (replicated on a
// cluster, and only when missing, like the database).
func (w *Warehouse) createMigrationsTable(ctx context.Context) error {
	if _, ok := w.Cluster(); !ok {
		return w.conn.Exec(ctx, migrationsTable)
	}
	w.probeNodes(ctx)
	if ok, err := exists(ctx, w.conn, "SELECT count() FROM system.tables WHERE database = ? AND name = 'schema_migrations'", w.cfg.Database); err != nil || ok {
		return err
	}
	return w.execMigration(ctx, migrationsTable)
}

// execMigration runs one migration statement; on a cluster, in its ON
// CLUSTER form. A node that does not answer in time (it is down) is
// logged, not an error: the statement waits in the queue for it.
func (w *Warehouse) execMigration(ctx context.Context, stmt string) error {
	c, ok := w.Cluster()
	if !ok {
		return w.conn.Exec(ctx, stmt)
	}
	ms, err := schema.Migrations()
	if err != nil {
		return err
	}
	stmt, err = c.OnCluster(stmt, schema.Objects(ms))
	if err != nil {
		return err
	}
	w.cluster.mu.Lock()
	timeout := ddlTimeout
	if w.cluster.missed {
		timeout = ddlTimeoutAfterMiss
	}
	w.cluster.mu.Unlock()
	err = w.conn.Exec(clickhouse.Context(ctx, clickhouse.WithSettings(clickhouse.Settings{"distributed_ddl_task_timeout": timeout})), stmt)
	var ex *clickhouse.Exception
	if errors.As(err, &ex) && ex.Code == codeTimeoutExceeded {
		w.cluster.mu.Lock()
		if !w.cluster.missed {
			w.log.Warn("a cluster node has not applied a migration statement yet (is it down?); this and later statements stay queued for it",
				"cluster", c.Name, "error", ex.Message)
		}
		w.cluster.missed = true
		w.cluster.mu.Unlock()
		return nil
	}
	return err
}

// probeNodes notes a node of Options.Addrs that refuses connections, so
// that migrations do not wait for it.
func (w *Warehouse) probeNodes(ctx context.Context) {
	for _, a := range w.cfg.Addrs {
		d := net.Dialer{Timeout: 2 * time.Second}
		conn, err := d.DialContext(ctx, "tcp", a)
		if err != nil {
			w.log.Warn("a ClickHouse node does not answer; schema changes are queued for it", "addr", a)
			w.cluster.mu.Lock()
			w.cluster.missed = true
			w.cluster.mu.Unlock()
			continue
		}
		conn.Close()
	}
}

func exists(ctx context.Context, conn driver.Conn, q string, args ...any) (bool, error) {
	var n uint64
	if err := conn.QueryRow(ctx, q, args...).Scan(&n); err != nil {
		return false, fmt.Errorf("clickhouse: %w", err)
	}
	return n > 0, nil
}

// insertQuorumTimeout bounds how long an insert waits for the other live
// replicas (insert_quorum_timeout, ms): a replica dying meanwhile fails the
// insert, and the activity's retry writes again through a live one.
const insertQuorumTimeout = 30_000

// quorumContext makes an insert into a table wait until every live replica
// has it (insert_quorum = the table's active replicas), so that a cursor
// stored after it never covers rows that only one replica holds: if that
// replica dies, the others have them. A replica that is down does not
// count (its ZooKeeper session has ended), so inserts go on while it is.
// Only the data tables' inserts: each has one writer at a time (18.16
// refuses a quorum insert while the table's previous one is unfinished).
// On a single server, or when the count cannot be read, ctx as is.
func (w *Warehouse) quorumContext(ctx context.Context, table string) context.Context {
	if w.cfg.Cluster == "" {
		return ctx
	}
	var active uint8
	if err := w.conn.QueryRow(ctx, "SELECT active_replicas FROM system.replicas WHERE database = ? AND table = ?",
		w.cfg.Database, table).Scan(&active); err != nil || active < 2 {
		return ctx
	}
	return clickhouse.Context(ctx, clickhouse.WithSettings(clickhouse.Settings{
		"insert_quorum": int(active), "insert_quorum_timeout": insertQuorumTimeout,
	}))
}
