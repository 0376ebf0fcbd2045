package warehouse

import (
	"strings"

	"talkwarehouse/config"
)

// connectHint names the settings to check for a failed connection, from
// the driver's (or crypto/tls's) message. It never quotes a secret.
func connectHint(cfg config.ClickHouse, err error) string {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "unknown authority"):
		return "the server's certificate is not signed by a trusted authority: set CLICKHOUSE_CA_FILE to its CA bundle"
	case strings.Contains(msg, "certificate is valid for"), strings.Contains(msg, "not valid for any names"):
		return "the server's certificate is for another name: check CLICKHOUSE_TLS_SERVER_NAME and CLICKHOUSE_ADDR"
	case strings.Contains(msg, "expired"), strings.Contains(msg, "not yet valid"):
		return "the server's certificate has expired or is not yet valid"
	case strings.Contains(msg, "does not look like a TLS handshake"):
		return "the server does not speak TLS on this port: use the secure native port (9440 by default) in CLICKHOUSE_ADDR, or unset CLICKHOUSE_SECURE"
	case strings.Contains(msg, "Authentication failed"), strings.Contains(msg, "password is incorrect"), strings.Contains(msg, "code: 516"), strings.Contains(msg, "code: 192"), strings.Contains(msg, "code: 193"):
		return "the server refused the user or password: check CLICKHOUSE_USER and CLICKHOUSE_PASSWORD (or CLICKHOUSE_PASSWORD_FILE)"
	case !cfg.TLS.Secure && (strings.Contains(msg, "EOF") || strings.Contains(msg, "connection reset") || strings.Contains(msg, "i/o timeout") || strings.Contains(msg, "unexpected packet")):
		return "if this is a secure native port (ClickHouse Cloud: 9440), set CLICKHOUSE_SECURE=true; otherwise check CLICKHOUSE_ADDR"
	}
	return "check CLICKHOUSE_ADDR, CLICKHOUSE_USER, CLICKHOUSE_PASSWORD and the CLICKHOUSE_SECURE/CLICKHOUSE_CA_FILE settings"
}
