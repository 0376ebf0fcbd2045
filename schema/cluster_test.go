package schema

import (
	"regexp"
	"strings"
	"testing"
)

func TestOnClusterRewritesEveryMigration(t *testing.T) {
	ms, err := Migrations()
	if err != nil {
		t.Fatal(err)
	}
	c := Cluster{Name: "talk", Database: "zt", ReplicaPath: "/clickhouse/tables/{shard}/{database}/{table}"}
	objects := Objects(ms)
	bare := regexp.MustCompile(`(?i)\b(FROM|JOIN)\s+(\w+)\b`)
	for _, m := range ms {
		for i, s := range m.Statements {
			out, err := c.OnCluster(s, objects)
			if err != nil {
				t.Fatalf("%s statement %d: %v", m.Name, i+1, err)
			}
			if !strings.Contains(out, " ON CLUSTER `talk`") && !strings.HasPrefix(out, "INSERT") {
				t.Errorf("%s statement %d has no ON CLUSTER:\n%s", m.Name, i+1, out)
			}
			if strings.Contains(out, "ENGINE") && !strings.Contains(out, "ENGINE = Replicated") {
				t.Errorf("%s statement %d keeps an engine that is not replicated:\n%s", m.Name, i+1, out)
			}
			for _, g := range bare.FindAllStringSubmatch(out, -1) {
				if objects[g[2]] {
					t.Errorf("%s statement %d reads %s without its database:\n%s", m.Name, i+1, g[2], out)
				}
			}
		}
	}
}

func TestOnClusterForms(t *testing.T) {
	c := Cluster{Name: "talk", Database: "zt", ReplicaPath: "/ch/{shard}/{database}/{table}"}
	obj := map[string]bool{"calls": true, "calls_live": true, "agents_activity": true}
	for _, tc := range []struct{ in, want string }{
		{"CREATE TABLE IF NOT EXISTS calls\n(id Int64, _version UInt64)\nENGINE = ReplacingMergeTree(_version)\nORDER BY (id)",
			"CREATE TABLE IF NOT EXISTS `zt`.calls ON CLUSTER `talk`\n(id Int64, _version UInt64)\nENGINE = ReplicatedReplacingMergeTree('/ch/{shard}/zt/calls', '{replica}', _version)\nORDER BY (id)"},
		{"CREATE TABLE x (a UInt8) ENGINE = ReplacingMergeTree ORDER BY a",
			"CREATE TABLE `zt`.x ON CLUSTER `talk` (a UInt8) ENGINE = ReplicatedReplacingMergeTree('/ch/{shard}/zt/x', '{replica}') ORDER BY a"},
		{"CREATE TABLE y (a UInt8) ENGINE = MergeTree() ORDER BY a",
			"CREATE TABLE `zt`.y ON CLUSTER `talk` (a UInt8) ENGINE = ReplicatedMergeTree('/ch/{shard}/zt/y', '{replica}') ORDER BY a"},
		{"create view if not exists calls_live as\nSELECT * FROM calls FINAL WHERE _deleted = 0",
			"CREATE VIEW IF NOT EXISTS `zt`.calls_live ON CLUSTER `talk` as\nSELECT * FROM `zt`.calls FINAL WHERE _deleted = 0"},
		{"CREATE VIEW v AS SELECT a FROM (SELECT 1 AS a FROM calls) JOIN agents_activity USING a WHERE x = (SELECT max(_synced_at) FROM agents_activity)",
			"CREATE VIEW `zt`.v ON CLUSTER `talk` AS SELECT a FROM (SELECT 1 AS a FROM `zt`.calls) JOIN `zt`.agents_activity USING a WHERE x = (SELECT max(_synced_at) FROM `zt`.agents_activity)"},
		{"DROP VIEW IF EXISTS calls_live", "DROP VIEW IF EXISTS `zt`.calls_live ON CLUSTER `talk`"},
		{"ALTER TABLE calls ADD COLUMN transferred_from Nullable(Int64)",
			"ALTER TABLE `zt`.calls ON CLUSTER `talk` ADD COLUMN transferred_from Nullable(Int64)"},
		{"RENAME TABLE a TO b", "RENAME TABLE `zt`.a TO `zt`.b ON CLUSTER `talk`"},
		{"INSERT INTO calls (id) SELECT id FROM calls_live", "INSERT INTO `zt`.calls (id) SELECT id FROM `zt`.calls_live"},
	} {
		got, err := c.OnCluster(tc.in, obj)
		if err != nil || got != tc.want {
			t.Errorf("%s\n got %s (%v)\nwant %s", tc.in, got, err, tc.want)
		}
	}
	if _, err := c.OnCluster("OPTIMIZE TABLE calls FINAL", obj); err == nil {
		t.Error("OPTIMIZE accepted")
	}
}
