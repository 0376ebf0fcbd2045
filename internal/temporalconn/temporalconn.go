// Package temporalconn dials Temporal with the product's settings (address,
// namespace, TLS, mTLS client certificate, API key) through the SDK's own
// options, and turns connection failures into messages that name the
// setting to check and the address, never a secret.
package temporalconn

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"talkwarehouse/config"
)

// DialTimeout bounds the first call of Dial (GetSystemInfo): a handshake
// that fails does so in milliseconds; this is for a server that does not
// answer at all.
const DialTimeout = 10 * time.Second

// Options fills the connection fields of base (HostPort, Namespace,
// ConnectionOptions.TLS, Credentials) from cfg; the caller's Logger,
// MetricsHandler and so on are kept.
func Options(cfg config.Temporal, base client.Options) (client.Options, error) {
	base.HostPort, base.Namespace = cfg.Address, cfg.Namespace
	tlsConf, err := cfg.TLSConfig()
	if err != nil {
		return base, err
	}
	base.ConnectionOptions.TLS = tlsConf
	if cfg.Security.APIKey != "" {
		base.Credentials = client.NewAPIKeyStaticCredentials(cfg.Security.APIKey)
	}
	return base, nil
}

// Dial connects and checks the connection with one call, within
// DialTimeout.
func Dial(cfg config.Temporal, base client.Options) (client.Client, error) {
	opts, err := Options(cfg, base)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), DialTimeout)
	defer cancel()
	c, err := client.DialContext(ctx, opts)
	if err != nil {
		return nil, Explain(cfg, err)
	}
	return c, nil
}

// Explain wraps a failed dial or call with the settings to check.
func Explain(cfg config.Temporal, err error) error {
	return fmt.Errorf("cannot reach Temporal at %s (%s): %w", cfg.Address, hint(cfg, err), err)
}

func hint(cfg config.Temporal, err error) string {
	msg := err.Error()
	tlsOn := cfg.Security.Enabled()
	switch {
	case strings.Contains(msg, "unknown authority"):
		if strings.Contains(msg, "remote error") {
			// The server refused our client certificate.
			return "the server does not trust the client certificate: check TEMPORAL_TLS_CLIENT_CERT_PATH (or TEMPORAL_TLS_CERT_FILE)"
		}
		return "the server's certificate is not signed by a trusted authority: check TEMPORAL_TLS_SERVER_CA_CERT_PATH (or TEMPORAL_TLS_CA_FILE)"
	case strings.Contains(msg, "certificate is valid for"), strings.Contains(msg, "not valid for any names"):
		return "the server's certificate is for another name: check TEMPORAL_TLS_SERVER_NAME and TEMPORAL_ADDRESS"
	case strings.Contains(msg, "expired") || strings.Contains(msg, "not yet valid"):
		if strings.Contains(msg, "remote error") {
			return "the server refused the client certificate as expired: renew TEMPORAL_TLS_CLIENT_CERT_PATH (or TEMPORAL_TLS_CERT_FILE)"
		}
		return "the server's certificate has expired or is not yet valid (check the clock, or the server's certificate)"
	case strings.Contains(msg, "certificate required"), strings.Contains(msg, "bad certificate"):
		if cfg.Security.CertFile != "" {
			// Go offers no certificate when the server's list of acceptable
			// authorities does not include the client certificate's issuer.
			return "the server did not accept the client certificate: TEMPORAL_TLS_CLIENT_CERT_PATH (or TEMPORAL_TLS_CERT_FILE) must be signed by an authority the server trusts"
		}
		return "the server requires a client certificate (mTLS): set TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH (or TEMPORAL_TLS_CERT_FILE and TEMPORAL_TLS_KEY_FILE)"
	case strings.Contains(msg, "does not look like a TLS handshake"):
		return "the server does not speak TLS: unset the TEMPORAL_TLS_* settings or set TEMPORAL_TLS=false"
	case !tlsOn && (strings.Contains(msg, "server preface") || strings.Contains(msg, "connection reset") || strings.Contains(msg, "EOF")):
		return "the server may require TLS: set TEMPORAL_TLS=true (and TEMPORAL_TLS_SERVER_CA_CERT_PATH or TEMPORAL_TLS_CA_FILE for a private authority)"
	}
	var denied *serviceerror.PermissionDenied
	var notFound *serviceerror.NamespaceNotFound
	switch {
	case errors.As(err, &denied), status.Code(errors.Unwrap(err)) == codes.Unauthenticated:
		if cfg.Security.APIKey == "" {
			return "the server wants credentials: set TEMPORAL_API_KEY, or a client certificate (TEMPORAL_TLS_CLIENT_CERT_PATH, or TEMPORAL_TLS_CERT_FILE)"
		}
		return "the server refused the credentials: check TEMPORAL_API_KEY and TEMPORAL_NAMESPACE"
	case errors.As(err, &notFound):
		return "check TEMPORAL_NAMESPACE"
	case tlsOn && (strings.Contains(msg, "broken pipe") || strings.Contains(msg, "connection reset") || strings.Contains(msg, "EOF")):
		// TLS 1.3: the server checks the client certificate after the
		// handshake and drops the connection; the alert may not arrive first.
		if cfg.Security.CertFile != "" {
			return "the server closed the connection after the TLS handshake; it may not accept the client certificate: check TEMPORAL_TLS_CLIENT_CERT_PATH (or TEMPORAL_TLS_CERT_FILE)"
		}
		return "the server closed the connection after the TLS handshake; it may require a client certificate (mTLS): set TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH (or TEMPORAL_TLS_CERT_FILE and TEMPORAL_TLS_KEY_FILE)"
	}
	return "check TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE and the TEMPORAL_TLS_* settings"
}
