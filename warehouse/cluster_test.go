package warehouse_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"talkwarehouse/config"
	"talkwarehouse/internal/chtest"
	"talkwarehouse/internal/connect"
	"talkwarehouse/schema"
	"talkwarehouse/tables"
	"talkwarehouse/warehouse"
)

// nodeConn is a warehouse connection to one node only.
func nodeConn(t *testing.T, cfg config.ClickHouse, addr string) *warehouse.Warehouse {
	t.Helper()
	cfg.Addr = addr
	cfg.Cluster = "" // a plain connection: Open must not create anything
	w, err := connect.Warehouse(context.Background(), cfg, config.Analytics{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return w
}

// objectsOn lists the tables and views of the database on one node, with
// their engines.
func objectsOn(t *testing.T, w *warehouse.Warehouse) map[string]string {
	t.Helper()
	rows, err := w.Conn().Query(context.Background(), "SELECT name, engine FROM system.tables WHERE database = ?", w.Database())
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var name, engine string
		if err := rows.Scan(&name, &engine); err != nil {
			t.Fatal(err)
		}
		out[name] = engine
	}
	return out
}

// On a cluster, two workers migrating at once create every table on both
// replicas with a Replicated engine and every view on both; a third run
// changes nothing; rows written through either replica are on both.
func TestMigrateOnCluster(t *testing.T) {
	c := chtest.StartCluster(t)
	ctx := context.Background()
	cfg := chtest.ClusterConfig(c.Addrs())
	reversed := cfg
	reversed.Addr = c.Nodes[1].Addr + "," + c.Nodes[0].Addr

	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, cf := range []config.ClickHouse{cfg, reversed} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w, err := connect.Warehouse(ctx, cf, config.Analytics{}, nil)
			if err != nil {
				errs[i] = err
				return
			}
			defer w.Close()
			errs[i] = w.Migrate(ctx)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("worker %d: %v", i+1, err)
		}
	}
	ms, err := schema.Migrations()
	if err != nil {
		t.Fatal(err)
	}
	want := schema.Objects(ms)
	n1, n2 := nodeConn(t, cfg, c.Nodes[0].Addr), nodeConn(t, cfg, c.Nodes[1].Addr)
	for i, n := range []*warehouse.Warehouse{n1, n2} {
		// A node slower than the DDL wait (a loaded machine) applies the
		// rest of the queue in the background.
		got := objectsOn(t, n)
		for deadline := time.Now().Add(time.Minute); len(got) < len(want) && time.Now().Before(deadline); got = objectsOn(t, n) {
			time.Sleep(200 * time.Millisecond)
		}
		for name := range want {
			engine, ok := got[name]
			switch {
			case !ok:
				t.Errorf("replica %d has no %s", i+1, name)
			case engine != "View" && !strings.HasPrefix(engine, "Replicated"):
				t.Errorf("replica %d: %s has engine %s, want a Replicated one", i+1, name, engine)
			}
		}
		if len(got) != len(want) {
			t.Errorf("replica %d has %d tables and views, want %d", i+1, len(got), len(want))
		}
	}

	// A third worker finds everything applied: no DDL at all.
	w, err := connect.Warehouse(ctx, cfg, config.Analytics{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if err := w.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	syncReplica(t, n1, "schema_migrations")
	syncReplica(t, n2, "schema_migrations")
	for i, n := range []*warehouse.Warehouse{n1, n2} {
		if got := count(t, n, "SELECT count() FROM schema_migrations FINAL"); got != uint64(len(ms)) {
			t.Errorf("replica %d: schema_migrations has %d migrations under FINAL, want %d", i+1, got, len(ms))
		}
	}

	// A page written through replica 1, the same page again through
	// replica 2 (an insert retried elsewhere): one row per id on both.
	calls := tables.MustGet("calls")
	var page []json.RawMessage
	for i := 1; i <= 50; i++ {
		page = append(page, json.RawMessage(fmt.Sprintf(`{"id":%d,"direction":"inbound","created_at":"2024-01-01T10:00:00Z"}`, i)))
	}
	st := warehouse.NewStamp(time.Now())
	if _, err := n1.WritePage(ctx, calls, page, st); err != nil {
		t.Fatal(err)
	}
	if _, err := n2.WritePage(ctx, calls, page, st); err != nil {
		t.Fatal(err)
	}
	for i, n := range []*warehouse.Warehouse{n1, n2} {
		syncReplica(t, n, "calls")
		if got := count(t, n, "SELECT count() FROM calls FINAL"); got != 50 {
			t.Errorf("replica %d: %d calls under FINAL, want 50", i+1, got)
		}
		// The same block inserted twice is dropped by the replicated
		// engine's block deduplication, before FINAL.
		if got := count(t, n, "SELECT count() FROM calls"); got != 50 {
			t.Errorf("replica %d: %d stored rows, want 50 (the retried block deduplicated)", i+1, got)
		}
		if got := count(t, n, "SELECT count() FROM calls_live"); got != 50 {
			t.Errorf("replica %d: calls_live has %d rows, want 50", i+1, got)
		}
	}
}

// A node down while a new database is migrated: the migration completes
// on the live node without waiting for it, and the node applies every
// statement from the distributed DDL queue when it is back.
func TestMigrateOnClusterWithANodeDown(t *testing.T) {
	c := chtest.StartCluster(t)
	ctx := context.Background()
	cfg := chtest.ClusterConfig(c.Addrs())
	// The database first (its DDL waits for every node).
	w, err := connect.Warehouse(ctx, cfg, config.Analytics{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	w.Close()
	c.Kill(1)
	began := time.Now()
	w, err = connect.Warehouse(ctx, cfg, config.Analytics{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if err := w.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	t.Logf("migrated with replica 2 down in %v", time.Since(began).Round(time.Millisecond))
	ms, _ := schema.Migrations()
	want := len(schema.Objects(ms))
	if got := len(objectsOn(t, nodeConn(t, cfg, c.Nodes[0].Addr))); got != want {
		t.Fatalf("replica 1 has %d tables and views, want %d", got, want)
	}
	if err := c.Start(1); err != nil {
		t.Fatal(err)
	}
	n2 := nodeConn(t, cfg, c.Nodes[1].Addr)
	// The node works through the queued statements one by one (a
	// replicated table's creation is several ZooKeeper round trips): about
	// 60 statements for the schema so far.
	restarted := time.Now()
	deadline := restarted.Add(time.Minute)
	for len(objectsOn(t, n2)) < want && time.Now().Before(deadline) {
		time.Sleep(200 * time.Millisecond)
	}
	if got := objectsOn(t, n2); len(got) != want {
		var missing []string
		for name := range objectsOn(t, nodeConn(t, cfg, c.Nodes[0].Addr)) {
			if _, ok := got[name]; !ok {
				missing = append(missing, name)
			}
		}
		t.Fatalf("replica 2 has %d tables and views %v after its restart, want %d; missing %v", len(got), time.Since(restarted).Round(time.Second), want, missing)
	}
	t.Logf("replica 2 caught up with the DDL queue %v after its restart", time.Since(restarted).Round(time.Millisecond))
	syncReplica(t, n2, "schema_migrations")
	if got := count(t, n2, "SELECT count() FROM schema_migrations FINAL"); got != uint64(len(ms)) {
		t.Errorf("replica 2: %d migrations recorded, want %d", got, len(ms))
	}
}

func syncReplica(t *testing.T, w *warehouse.Warehouse, table string) {
	t.Helper()
	if err := w.Conn().Exec(context.Background(), "SYSTEM SYNC REPLICA "+w.Database()+"."+table); err != nil {
		t.Fatal(err)
	}
}
