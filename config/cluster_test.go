package config

import (
	"strings"
	"testing"
	"time"
)

func TestClusterSettings(t *testing.T) {
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	setenv(t, map[string]string{"CLICKHOUSE_ADDR": " ch1:9000, ch2:9000 ", "CLICKHOUSE_CLUSTER": "talk"})
	w, err := LoadWorker(now)
	if err != nil {
		t.Fatal(err)
	}
	if a := w.ClickHouse.Addrs(); len(a) != 2 || a[0] != "ch1:9000" || a[1] != "ch2:9000" {
		t.Fatalf("addrs %q", a)
	}
	if w.ClickHouse.ReplicaPath != "/clickhouse/tables/{shard}/{database}/{table}" {
		t.Fatalf("replica path default %q", w.ClickHouse.ReplicaPath)
	}
	if s := w.ClickHouse.String(); s != "clickhouse://default@ch1:9000,ch2:9000/zendesk_talk (cluster talk)" {
		t.Fatalf("String %q", s)
	}
	for _, c := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"CLICKHOUSE_ADDR": "ch1:9000,ch2"}, "CLICKHOUSE_ADDR"},
		{map[string]string{"CLICKHOUSE_ADDR": " , "}, "CLICKHOUSE_ADDR"},
		{map[string]string{"CLICKHOUSE_CLUSTER": "talk; DROP"}, "CLICKHOUSE_CLUSTER"},
		{map[string]string{"CLICKHOUSE_CLUSTER": "talk", "CLICKHOUSE_REPLICA_PATH": "/clickhouse/tables/{shard}"}, "CLICKHOUSE_REPLICA_PATH"},
		{map[string]string{"CLICKHOUSE_CLUSTER": "talk", "CLICKHOUSE_REPLICA_PATH": "/x/'{table}"}, "CLICKHOUSE_REPLICA_PATH"},
	} {
		setenv(t, c.env)
		_, err := LoadWorker(now)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: err %v, want it to mention %q", c.env, err, c.want)
		}
	}
}
