package stack

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"text/template"
	"time"
)

// Cluster is a replicated ClickHouse cluster on one machine: one ZooKeeper
// and one shard of N ClickHouse servers (Debian's 18.16 here), each with
// its own data folder, free loopback ports, the macros {shard} and
// {replica}, and remote_servers naming the cluster. For the tests and the
// cluster recipe of docs/scaling.md.
type Cluster struct {
	Name   string // the cluster's name in remote_servers
	ZK     *Process
	ZKAddr string
	Nodes  []*Node
	dir    string
}

// Node is one ClickHouse server of a Cluster.
type Node struct {
	Replica string // its {replica} macro
	Addr    string // host:port of its native protocol
	Dir     string
	Proc    *Process
	config  string
}

// ZooKeeperClasspath is where Debian's zookeeper package puts its jars.
const ZooKeeperClasspath = "/usr/share/java/*"

// ZooKeeperInstalled reports whether Debian's zookeeper and a java are there.
func ZooKeeperInstalled() error {
	if _, err := exec.LookPath("java"); err != nil {
		return errors.New("java is not installed (Debian: sudo apt-get install -y zookeeper, which brings a Java runtime)")
	}
	if _, err := os.Stat("/usr/share/java/zookeeper.jar"); err != nil {
		return errors.New("ZooKeeper is not installed (Debian: sudo apt-get install -y zookeeper)")
	}
	if ClickHouseServer() == "" {
		return errors.New("clickhouse-server is not installed (Debian: sudo apt-get install -y clickhouse-server clickhouse-client)")
	}
	return nil
}

// StartCluster starts ZooKeeper and n ClickHouse replicas of one shard in
// dir. Stop it with Stop.
func StartCluster(dir, name string, n int) (*Cluster, error) {
	if err := ZooKeeperInstalled(); err != nil {
		return nil, err
	}
	c := &Cluster{Name: name, dir: dir}
	if err := c.startZooKeeper(); err != nil {
		c.Stop()
		return nil, err
	}
	var ports [][3]int
	for i := 0; i < n; i++ {
		var p [3]int
		for j := range p {
			port, err := FreePort()
			if err != nil {
				return nil, err
			}
			p[j] = port
		}
		ports = append(ports, p)
	}
	var replicas []string
	for i := range ports {
		replicas = append(replicas, fmt.Sprintf("127.0.0.1:%d", ports[i][0]))
	}
	for i, p := range ports {
		nd := &Node{Replica: fmt.Sprintf("replica%d", i+1), Addr: replicas[i], Dir: filepath.Join(dir, fmt.Sprintf("ch%d", i+1))}
		if err := writeNodeConfig(nd, p, c.ZKAddr, name, replicas); err != nil {
			c.Stop()
			return nil, err
		}
		c.Nodes = append(c.Nodes, nd)
	}
	for i := range c.Nodes {
		if err := c.Start(i); err != nil {
			c.Stop()
			return nil, err
		}
	}
	return c, nil
}

// Addrs is every node's native address, comma-separated (CLICKHOUSE_ADDR).
func (c *Cluster) Addrs() string {
	var out []string
	for _, n := range c.Nodes {
		out = append(out, n.Addr)
	}
	return strings.Join(out, ",")
}

// Start (re)starts node i on its own data and ports.
func (c *Cluster) Start(i int) error {
	nd := c.Nodes[i]
	p, err := Start(nd.Replica, nd.Dir, ClickHouseServer(), nil, "--config-file="+nd.config)
	if err != nil {
		return err
	}
	nd.Proc = p
	if err := WaitPort(nd.Addr, p, 60*time.Second); err != nil {
		p.Stop()
		return fmt.Errorf("%s: %w\n%s", nd.Replica, err, tail(filepath.Join(nd.Dir, "log", "err.log"), 2000))
	}
	return nil
}

// Kill is kill -9 of node i.
func (c *Cluster) Kill(i int) { c.Nodes[i].Proc.Kill() }

// Stop stops every ClickHouse server, then ZooKeeper.
func (c *Cluster) Stop() {
	for _, n := range c.Nodes {
		n.Proc.Stop()
	}
	c.ZK.Stop()
}

func (c *Cluster) startZooKeeper() error {
	port, err := FreePort()
	if err != nil {
		return err
	}
	zdir := filepath.Join(c.dir, "zookeeper")
	if err := os.MkdirAll(filepath.Join(zdir, "data"), 0o755); err != nil {
		return err
	}
	cfg := filepath.Join(zdir, "zoo.cfg")
	body := fmt.Sprintf("tickTime=500\ninitLimit=10\nsyncLimit=5\ndataDir=%s\nclientPort=%d\nclientPortAddress=127.0.0.1\nadmin.enableServer=false\n4lw.commands.whitelist=ruok\nmaxSessionTimeout=60000\n",
		filepath.Join(zdir, "data"), port)
	if err := os.WriteFile(cfg, []byte(body), 0o644); err != nil {
		return err
	}
	p, err := Start("zookeeper", zdir, "java", []string{"ZOO_LOG_DIR=" + zdir},
		"-Xmx256m", "-XX:+UseSerialGC", "-Dzookeeper.log.dir="+zdir,
		"-cp", ZooKeeperClasspath, "org.apache.zookeeper.server.quorum.QuorumPeerMain", cfg)
	if err != nil {
		return err
	}
	c.ZK, c.ZKAddr = p, fmt.Sprintf("127.0.0.1:%d", port)
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if ruok(c.ZKAddr) {
			return nil
		}
		if done, err := p.Exited(); done {
			return fmt.Errorf("zookeeper exited (%v):\n%s", err, p.Tail(2000))
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("zookeeper not ready on %s after 60s:\n%s", c.ZKAddr, p.Tail(2000))
}

// ruok is ZooKeeper's four-letter health check.
func ruok(addr string) bool {
	conn, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
	if err != nil {
		return false
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(time.Second))
	if _, err := conn.Write([]byte("ruok")); err != nil {
		return false
	}
	line, _ := bufio.NewReader(conn).ReadString('\n')
	return strings.HasPrefix(line, "imok")
}

func tail(path string, n int) string {
	b, _ := os.ReadFile(path)
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}

// nodeConfig is a whole server configuration: 18.16 reads no defaults
// from elsewhere, so everything a node needs is here.
var nodeConfig = template.Must(template.New("config.xml").Parse(`<?xml version="1.0"?>
<yandex>
    <logger>
        <level>information</level>
        <log>{{.Dir}}/log/server.log</log>
        <errorlog>{{.Dir}}/log/err.log</errorlog>
        <size>100M</size>
        <count>2</count>
        <console>0</console>
    </logger>
    <listen_host>127.0.0.1</listen_host>
    <tcp_port>{{.TCP}}</tcp_port>
    <http_port>{{.HTTP}}</http_port>
    <interserver_http_port>{{.Interserver}}</interserver_http_port>
    <interserver_http_host>127.0.0.1</interserver_http_host>
    <max_connections>1024</max_connections>
    <keep_alive_timeout>3</keep_alive_timeout>
    <max_concurrent_queries>100</max_concurrent_queries>
    <uncompressed_cache_size>268435456</uncompressed_cache_size>
    <mark_cache_size>268435456</mark_cache_size>
    <path>{{.Dir}}/data/</path>
    <tmp_path>{{.Dir}}/data/tmp/</tmp_path>
    <user_files_path>{{.Dir}}/data/user_files/</user_files_path>
    <format_schema_path>{{.Dir}}/data/format_schemas/</format_schema_path>
    <users_config>/etc/clickhouse-server/users.xml</users_config>
    <default_profile>default</default_profile>
    <default_database>default</default_database>
    <mlock_executable>false</mlock_executable>
    <zookeeper>
        <node><host>{{.ZKHost}}</host><port>{{.ZKPort}}</port></node>
        <session_timeout_ms>10000</session_timeout_ms>
    </zookeeper>
    <macros>
        <shard>01</shard>
        <replica>{{.Replica}}</replica>
    </macros>
    <remote_servers>
        <{{.Cluster}}>
            <shard>
                <internal_replication>true</internal_replication>
{{- range .Replicas}}
                <replica><host>{{.Host}}</host><port>{{.Port}}</port></replica>
{{- end}}
            </shard>
        </{{.Cluster}}>
    </remote_servers>
    <distributed_ddl>
        <path>/clickhouse/task_queue/ddl</path>
    </distributed_ddl>
</yandex>
`))

type hostPort struct{ Host, Port string }

func writeNodeConfig(nd *Node, ports [3]int, zk, cluster string, replicas []string) error {
	for _, d := range []string{"data/tmp", "data/user_files", "data/format_schemas", "log"} {
		if err := os.MkdirAll(filepath.Join(nd.Dir, d), 0o755); err != nil {
			return err
		}
	}
	zkHost, zkPort, _ := net.SplitHostPort(zk)
	var reps []hostPort
	for _, r := range replicas {
		h, p, _ := net.SplitHostPort(r)
		reps = append(reps, hostPort{h, p})
	}
	nd.config = filepath.Join(nd.Dir, "config.xml")
	f, err := os.Create(nd.config)
	if err != nil {
		return err
	}
	defer f.Close()
	return nodeConfig.Execute(f, map[string]any{
		"Dir": nd.Dir, "TCP": ports[0], "HTTP": ports[1], "Interserver": ports[2],
		"ZKHost": zkHost, "ZKPort": zkPort, "Replica": nd.Replica, "Cluster": cluster, "Replicas": reps,
	})
}
