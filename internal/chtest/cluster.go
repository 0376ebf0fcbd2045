package chtest

import (
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"

	"talkwarehouse/config"
	"talkwarehouse/internal/stack"
)

// ClusterName is the cluster the test clusters declare in remote_servers.
const ClusterName = "talk_cluster"

// StartCluster starts ZooKeeper and two ClickHouse replicas of one shard
// on free loopback ports in a temporary folder, stopped when the test
// ends. It skips the test when Debian's zookeeper or clickhouse-server is
// missing, or fails it when CLUSTER_TEST_REQUIRED=1 (CI sets it).
func StartCluster(t testing.TB) *stack.Cluster {
	t.Helper()
	if testing.Short() {
		t.Skip("cluster test skipped in -short mode")
	}
	if err := stack.ZooKeeperInstalled(); err != nil {
		if os.Getenv("CLUSTER_TEST_REQUIRED") == "1" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	c, err := stack.StartCluster(t.TempDir(), ClusterName, 2)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Stop)
	return c
}

// ClusterConfig is a warehouse configuration on the cluster with the
// given addresses (CLICKHOUSE_ADDR) and a fresh database.
func ClusterConfig(addrs string) config.ClickHouse {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return config.ClickHouse{
		Addr: addrs, Database: "test_" + hex.EncodeToString(b), User: "default",
		Cluster: ClusterName, ReplicaPath: "/clickhouse/tables/{shard}/{database}/{table}",
	}
}
