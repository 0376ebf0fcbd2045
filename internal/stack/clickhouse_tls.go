package stack

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// SecureClickHouse is a private ClickHouse serving the native protocol both
// in plaintext and over TLS.
type SecureClickHouse struct {
	*Process
	Addr       string // plaintext native port
	SecureAddr string // TLS native port (tcp_port_secure)
	// User and Password are a second user, besides the password-less
	// default one, that must authenticate (the password is random).
	User, Password string
}

// usersXML is a users.xml with the default user and User, whose password
// is stored as a SHA-256 (ClickHouse 18.16 and current).
const usersXML = `<yandex>
  <profiles><default></default></profiles>
  <users>
    <default><password></password><networks><ip>::/0</ip></networks><profile>default</profile><quota>default</quota></default>
    <%s><password_sha256_hex>%x</password_sha256_hex><networks><ip>::/0</ip></networks><profile>default</profile><quota>default</quota></%s>
  </users>
  <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors><result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
`

// StartClickHouseTLS runs a private ClickHouse like StartClickHouse, plus a
// secure native port (tcp_port_secure) serving certFile/keyFile (PEM). The
// HTTPS port is moved to a free port too, so servers do not collide on 8443.
func StartClickHouseTLS(dir, certFile, keyFile string) (*SecureClickHouse, error) {
	bin := ClickHouseServer()
	if bin == "" {
		return nil, errors.New("clickhouse-server is not installed (Debian: sudo apt-get install -y clickhouse-server clickhouse-client)")
	}
	data := filepath.Join(dir, "data") + "/"
	for _, d := range []string{data + "tmp", data + "user_files", data + "format_schemas", filepath.Join(dir, "log")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, err
		}
	}
	ports := make([]int, 5)
	for i := range ports {
		p, err := FreePort()
		if err != nil {
			return nil, err
		}
		ports[i] = p
	}
	secret := make([]byte, 12)
	if _, err := rand.Read(secret); err != nil {
		return nil, err
	}
	user, password := "talk", "ch-"+hex.EncodeToString(secret)
	users := filepath.Join(dir, "users.xml")
	if err := os.WriteFile(users, fmt.Appendf(nil, usersXML, user, sha256.Sum256([]byte(password)), user), 0o600); err != nil {
		return nil, err
	}
	args := []string{"--config-file=/etc/clickhouse-server/config.xml", "--", "--users_config=" + users,
		"--path=" + data, "--tmp_path=" + data + "tmp/", "--user_files_path=" + data + "user_files/",
		"--format_schema_path=" + data + "format_schemas/",
		"--logger.log=" + filepath.Join(dir, "log", "server.log"),
		"--logger.errorlog=" + filepath.Join(dir, "log", "err.log"), "--logger.console=0",
		fmt.Sprintf("--tcp_port=%d", ports[0]), fmt.Sprintf("--http_port=%d", ports[1]),
		fmt.Sprintf("--interserver_http_port=%d", ports[2]), fmt.Sprintf("--tcp_port_secure=%d", ports[3]),
		fmt.Sprintf("--https_port=%d", ports[4]),
		"--openSSL.server.certificateFile=" + certFile, "--openSSL.server.privateKeyFile=" + keyFile,
		// No Diffie-Hellman parameters file: ECDHE needs none.
		"--openSSL.server.dhParamsFile=",
	}
	p, err := Start("clickhouse-tls", filepath.Join(dir, "log"), bin, nil, args...)
	if err != nil {
		return nil, err
	}
	s := &SecureClickHouse{Process: p, Addr: fmt.Sprintf("127.0.0.1:%d", ports[0]), SecureAddr: fmt.Sprintf("127.0.0.1:%d", ports[3]),
		User: user, Password: password}
	for _, a := range []string{s.Addr, s.SecureAddr} {
		if err := WaitPort(a, p, 30*time.Second); err != nil {
			p.Stop()
			return nil, err
		}
	}
	return s, nil
}
