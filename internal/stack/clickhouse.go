package stack

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

// ClickHouseServer is the path of Debian's clickhouse-server, or "".
func ClickHouseServer() string {
	for _, name := range []string{"clickhouse-server", "/usr/bin/clickhouse-server"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// StartClickHouse runs a private ClickHouse server with its data in dir,
// on free ports, and returns it with its native address. It needs the
// clickhouse-server package (Debian: apt-get install clickhouse-server).
func StartClickHouse(dir string) (*Process, string, error) {
	bin := ClickHouseServer()
	if bin == "" {
		return nil, "", errors.New("clickhouse-server is not installed (Debian: sudo apt-get install -y clickhouse-server clickhouse-client), or set CLICKHOUSE_ADDR to a running server")
	}
	data := filepath.Join(dir, "data") + "/"
	for _, d := range []string{data + "tmp", data + "user_files", data + "format_schemas", filepath.Join(dir, "log")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, "", err
		}
	}
	ports := make([]int, 3)
	for i := range ports {
		p, err := FreePort()
		if err != nil {
			return nil, "", err
		}
		ports[i] = p
	}
	config := "/etc/clickhouse-server/config.xml"
	args := []string{"--config-file=" + config, "--",
		"--path=" + data, "--tmp_path=" + data + "tmp/", "--user_files_path=" + data + "user_files/",
		"--format_schema_path=" + data + "format_schemas/",
		"--logger.log=" + filepath.Join(dir, "log", "server.log"),
		"--logger.errorlog=" + filepath.Join(dir, "log", "err.log"), "--logger.console=0",
		fmt.Sprintf("--tcp_port=%d", ports[0]), fmt.Sprintf("--http_port=%d", ports[1]),
		fmt.Sprintf("--interserver_http_port=%d", ports[2]),
	}
	p, err := Start("clickhouse", filepath.Join(dir, "log"), bin, nil, args...)
	if err != nil {
		return nil, "", err
	}
	addr := fmt.Sprintf("127.0.0.1:%d", ports[0])
	if err := WaitPort(addr, p, 30*time.Second); err != nil {
		p.Stop()
		return nil, "", err
	}
	return p, addr, nil
}
