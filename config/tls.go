package config

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
)

// ClickHouseTLS is TLS on ClickHouse's native protocol (the secure native
// port, 9440 by default; ClickHouse Cloud accepts nothing else).
type ClickHouseTLS struct {
	// Secure turns TLS on. The other fields need it.
	Secure bool `env:"CLICKHOUSE_SECURE"`
	// CAFile is a PEM bundle of the authorities to trust; the system roots
	// when empty.
	CAFile string `env:"CLICKHOUSE_CA_FILE"`
	// ServerName is the name the server's certificate must carry (default:
	// the host of CLICKHOUSE_ADDR).
	ServerName string `env:"CLICKHOUSE_TLS_SERVER_NAME"`
	// SkipVerify accepts any server certificate: for tests only; the
	// worker logs a warning when it is on.
	SkipVerify bool `env:"CLICKHOUSE_TLS_SKIP_VERIFY"`
}

// TemporalTLS is how the worker and the starter authenticate to Temporal:
// TLS, an mTLS client certificate (self-hosted clusters, Temporal Cloud)
// and/or an API key (Temporal Cloud).
type TemporalTLS struct {
	// TLS is TEMPORAL_TLS: nil when unset, in which case TLS is on when any
	// other field is set.
	TLS        *bool  `env:"TEMPORAL_TLS"`
	CAFile     string `env:"TEMPORAL_TLS_CA_FILE"`
	CertFile   string `env:"TEMPORAL_TLS_CERT_FILE"`
	KeyFile    string `env:"TEMPORAL_TLS_KEY_FILE"`
	ServerName string `env:"TEMPORAL_TLS_SERVER_NAME"`
	// APIKey is sent as the SDK's API-key credential (a bearer token) on
	// every call. Never logged.
	APIKey     string `env:"TEMPORAL_API_KEY"`
	APIKeyFile string `env:"TEMPORAL_API_KEY_FILE"`
	// SDK is the SDK's environment configuration: a TOML profile, and the
	// SDK's names of CertFile, KeyFile and CAFile (temporalenv.go).
	SDK TemporalSDKEnv
}

func init() {
	// Names for env's parse errors, which carry only the Go field name.
	fieldEnv["Secure"] = "CLICKHOUSE_SECURE"
	fieldEnv["SkipVerify"] = "CLICKHOUSE_TLS_SKIP_VERIFY"
	fieldEnv["TLS"] = "TEMPORAL_TLS"
}

// secretFile reads a secret from a file (Docker and Kubernetes secrets):
// the content without its trailing newline. Errors name the variable
// (never the content).
func secretFile(name, path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("%s: cannot read %s: %w", name, path, errors.Unwrap(err))
	}
	s := strings.TrimRight(string(b), "\r\n")
	if s == "" {
		return "", fmt.Errorf("%s: %s is empty", name, path)
	}
	return s, nil
}

// loadSecrets resolves CLICKHOUSE_PASSWORD_FILE and checks the TLS settings.
func (c *ClickHouse) loadSecrets() error {
	var errs []error
	if c.PasswordFile != "" {
		if c.Password != "" {
			errs = append(errs, errors.New("set either CLICKHOUSE_PASSWORD or CLICKHOUSE_PASSWORD_FILE, not both"))
		} else if p, err := secretFile("CLICKHOUSE_PASSWORD_FILE", c.PasswordFile); err != nil {
			errs = append(errs, err)
		} else {
			c.Password = p
		}
	}
	t := c.TLS
	if !t.Secure {
		var set []string
		for name, v := range map[string]bool{"CLICKHOUSE_CA_FILE": t.CAFile != "", "CLICKHOUSE_TLS_SERVER_NAME": t.ServerName != "", "CLICKHOUSE_TLS_SKIP_VERIFY": t.SkipVerify} {
			if v {
				set = append(set, name)
			}
		}
		if len(set) > 0 {
			errs = append(errs, fmt.Errorf("%s set but CLICKHOUSE_SECURE is not true: set CLICKHOUSE_SECURE=true and point CLICKHOUSE_ADDR at the secure native port (9440 by default)", strings.Join(slices.Sorted(slices.Values(set)), ", ")))
		}
	}
	if t.CAFile != "" {
		if _, err := certPool("CLICKHOUSE_CA_FILE", t.CAFile); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// TLSConfig is the *tls.Config for warehouse.Options.TLS: nil when
// CLICKHOUSE_SECURE is off.
func (c ClickHouse) TLSConfig() (*tls.Config, error) {
	t := c.TLS
	if !t.Secure {
		return nil, nil
	}
	conf := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: t.ServerName, InsecureSkipVerify: t.SkipVerify}
	if t.CAFile != "" {
		pool, err := certPool("CLICKHOUSE_CA_FILE", t.CAFile)
		if err != nil {
			return nil, err
		}
		conf.RootCAs = pool
	}
	return conf, nil
}

// Enabled reports whether the Temporal connection uses TLS: TEMPORAL_TLS
// when set, else whether any other TLS setting or an API key is.
func (t TemporalTLS) Enabled() bool {
	if t.TLS != nil {
		return *t.TLS
	}
	return t.CAFile != "" || t.CertFile != "" || t.KeyFile != "" || t.ServerName != "" || t.APIKey != "" || t.APIKeyFile != ""
}

// loadSecrets resolves TEMPORAL_API_KEY_FILE and checks the TLS settings:
// the files must be readable and parse.
func (t *Temporal) loadSecrets() error {
	s := &t.Security
	var errs []error
	if s.APIKeyFile != "" {
		if s.APIKey != "" {
			errs = append(errs, errors.New("set either TEMPORAL_API_KEY or TEMPORAL_API_KEY_FILE, not both"))
		} else if k, err := secretFile("TEMPORAL_API_KEY_FILE", s.APIKeyFile); err != nil {
			errs = append(errs, err)
		} else {
			s.APIKey = k
		}
	}
	if !s.Enabled() {
		var set []string
		for name, v := range map[string]bool{
			"TEMPORAL_TLS_CA_FILE": s.CAFile != "", "TEMPORAL_TLS_CERT_FILE": s.CertFile != "", "TEMPORAL_TLS_KEY_FILE": s.KeyFile != "",
			"TEMPORAL_TLS_SERVER_NAME": s.ServerName != "", "TEMPORAL_API_KEY": s.APIKey != "" || s.APIKeyFile != "",
		} {
			if v {
				set = append(set, name)
			}
		}
		if len(set) > 0 {
			errs = append(errs, fmt.Errorf("%s set but TEMPORAL_TLS=false: these need TLS (Temporal Cloud sends API keys only over TLS); remove TEMPORAL_TLS=false", strings.Join(slices.Sorted(slices.Values(set)), ", ")))
		}
	}
	switch {
	case s.CertFile != "" && s.KeyFile == "":
		errs = append(errs, errors.New("TEMPORAL_TLS_CLIENT_CERT_PATH (TEMPORAL_TLS_CERT_FILE) is set without TEMPORAL_TLS_CLIENT_KEY_PATH (TEMPORAL_TLS_KEY_FILE), the client certificate's private key"))
	case s.KeyFile != "" && s.CertFile == "":
		errs = append(errs, errors.New("TEMPORAL_TLS_CLIENT_KEY_PATH (TEMPORAL_TLS_KEY_FILE) is set without TEMPORAL_TLS_CLIENT_CERT_PATH (TEMPORAL_TLS_CERT_FILE), the client certificate"))
	case s.CertFile != "":
		if _, err := keyPair(s.CertFile, s.KeyFile); err != nil {
			errs = append(errs, err)
		}
	}
	if s.CAFile != "" {
		if _, err := certPool("TEMPORAL_TLS_SERVER_CA_CERT_PATH (TEMPORAL_TLS_CA_FILE)", s.CAFile); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// TLSConfig is the *tls.Config for client.ConnectionOptions.TLS: nil when
// TLS is off.
func (t Temporal) TLSConfig() (*tls.Config, error) {
	s := t.Security
	if !s.Enabled() {
		return nil, nil
	}
	conf := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: s.ServerName}
	if s.CAFile != "" {
		pool, err := certPool("TEMPORAL_TLS_SERVER_CA_CERT_PATH (TEMPORAL_TLS_CA_FILE)", s.CAFile)
		if err != nil {
			return nil, err
		}
		conf.RootCAs = pool
	}
	if s.CertFile != "" {
		pair, err := keyPair(s.CertFile, s.KeyFile)
		if err != nil {
			return nil, err
		}
		conf.Certificates = []tls.Certificate{pair}
	}
	return conf, nil
}

// certPool reads a PEM bundle of CA certificates.
func certPool(name, path string) (*x509.CertPool, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%s: cannot read %s: %w", name, path, errors.Unwrap(err))
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(b) {
		return nil, fmt.Errorf("%s: %s holds no PEM certificate", name, path)
	}
	return pool, nil
}

// keyPair loads the mTLS client certificate; errors say which file is wrong
// and never quote the key.
func keyPair(certFile, keyFile string) (tls.Certificate, error) {
	for name, path := range map[string]string{"TEMPORAL_TLS_CLIENT_CERT_PATH (TEMPORAL_TLS_CERT_FILE)": certFile, "TEMPORAL_TLS_CLIENT_KEY_PATH (TEMPORAL_TLS_KEY_FILE)": keyFile} {
		if _, err := os.Stat(path); err != nil {
			return tls.Certificate{}, fmt.Errorf("%s: cannot read %s: %w", name, path, errors.Unwrap(err))
		}
	}
	pair, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		// crypto/tls's messages name the problem (no PEM data, key does not
		// match the certificate) without key material.
		return tls.Certificate{}, fmt.Errorf("TEMPORAL_TLS_CLIENT_CERT_PATH/TEMPORAL_TLS_CLIENT_KEY_PATH (TEMPORAL_TLS_CERT_FILE/TEMPORAL_TLS_KEY_FILE: %s, %s): %w", certFile, keyFile, err)
	}
	return pair, nil
}

// String is Describe: printing the settings (%v, %+v) never shows the key.
func (t Temporal) String() string { return t.Describe() }

// String is the authentication mode (plaintext, tls, mtls, +api-key),
// never the key.
func (s TemporalTLS) String() string {
	mode := "plaintext"
	if s.Enabled() {
		mode = "tls"
		if s.CertFile != "" {
			mode = "mtls"
		}
		if s.APIKey != "" {
			mode += "+api-key"
		}
	}
	return mode
}

// Describe is the Temporal connection for logs: address, namespace and how
// it authenticates, never the key.
func (t Temporal) Describe() string {
	return fmt.Sprintf("%s namespace %s (%s)", t.Address, t.Namespace, t.Security)
}

// Explain wraps a failure of warehouse.Open with the settings to check,
// read from the driver's (or crypto/tls's) message; it never quotes a
// secret. nil stays nil.
func (c ClickHouse) Explain(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%w (%s)", err, c.connectHint(err))
}

func (c ClickHouse) connectHint(err error) string {
	msg := err.Error()
	switch {
	case strings.HasPrefix(msg, "clickhouse: creating database"):
		return "check CLICKHOUSE_DATABASE and that CLICKHOUSE_USER may create it"
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
	case !c.TLS.Secure && (strings.Contains(msg, "EOF") || strings.Contains(msg, "connection reset") || strings.Contains(msg, "i/o timeout") || strings.Contains(msg, "unexpected packet")):
		return "if this is a secure native port (ClickHouse Cloud: 9440), set CLICKHOUSE_SECURE=true; otherwise check CLICKHOUSE_ADDR"
	}
	return "check CLICKHOUSE_ADDR, CLICKHOUSE_USER, CLICKHOUSE_PASSWORD and the CLICKHOUSE_SECURE/CLICKHOUSE_CA_FILE settings"
}
