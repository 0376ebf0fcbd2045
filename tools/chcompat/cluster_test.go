package chcompat_test

import (
	"regexp"
	"strings"
	"testing"

	"talkwarehouse/schema"
)

// The cluster form of every migration statement (ON CLUSTER, Replicated
// engines, names qualified with the database) on a current ClickHouse, as
// far as chDB can take it. chDB is one process with no server
// configuration: no remote_servers ("Requested cluster 'talk_cluster' not
// found"), no <macros> ("No macro 'replica' in config") and no ZooKeeper,
// so it cannot execute ON CLUSTER or create a Replicated table. It checks
// instead that (1) every cluster statement
// parses (EXPLAIN AST), and (2) the same statements without ON CLUSTER and
// with the plain engine, but with their qualified names, run, and every
// view answers: what the replicas of a current cluster would execute,
// short of replication. The real cluster run is the 18.16 tests
// (warehouse.TestMigrateOnCluster, e2e.TestCluster*).
func TestClusterMigrationsOnCurrentClickHouse(t *testing.T) {
	e, q := openEngine(t)
	q("CREATE DATABASE cluster_db")
	// Run from another database, as a node's distributed DDL worker does:
	// an unqualified name would land in (or read from) the wrong one.
	q("CREATE DATABASE elsewhere")
	q("USE elsewhere")

	ms, err := schema.Migrations()
	if err != nil {
		t.Fatal(err)
	}
	c := schema.Cluster{Name: "talk_cluster", Database: "cluster_db", ReplicaPath: "/clickhouse/tables/{shard}/{database}/{table}"}
	objects := schema.Objects(ms)
	onCluster := regexp.MustCompile(" ON CLUSTER `talk_cluster`")
	replicated := regexp.MustCompile(`Replicated(\w*)MergeTree\('[^']*', '\{replica\}'(, )?`)
	stmts := []string{}
	for _, m := range ms {
		stmts = append(stmts, m.In("UTC").Statements...)
	}
	for i, s := range stmts {
		if columnExists(q, "'cluster_db'", s) {
			continue // as the migration runner does
		}
		cs, err := c.OnCluster(s, objects)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.Query("EXPLAIN AST "+cs, ""); err != nil {
			t.Fatalf("statement %d does not parse on a current ClickHouse:\n%s\n-> %v", i+1, cs, err)
		}
		local := replicated.ReplaceAllString(onCluster.ReplaceAllString(cs, ""), "${1}MergeTree(")
		if _, err := e.Query(local, ""); err != nil {
			t.Fatalf("statement %d:\n%s\n-> %v", i+1, local, err)
		}
	}
	if n := q("SELECT count() FROM system.tables WHERE database = 'elsewhere'"); n != "0" {
		t.Fatalf("%s objects created outside the warehouse's database", n)
	}
	views := strings.Fields(q("SELECT arrayStringConcat(groupArray(name), ' ') FROM system.tables WHERE database = 'cluster_db' AND engine = 'View'"))
	if len(views) < 10 {
		t.Fatalf("only %d views", len(views))
	}
	for _, v := range views {
		q("SELECT * FROM cluster_db." + v + " FORMAT Null")
	}
}
