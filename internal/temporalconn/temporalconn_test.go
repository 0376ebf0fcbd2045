package temporalconn

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"talkwarehouse/config"
	"talkwarehouse/internal/certs"
)

// frontend is an in-process gRPC server speaking Temporal's WorkflowService
// (GetSystemInfo only) over TLS, optionally requiring client certificates
// and/or an API key: enough for the SDK's Dial to succeed or to fail the
// way a real frontend makes it fail.
type frontend struct {
	workflowservice.UnimplementedWorkflowServiceServer
}

func (frontend) GetSystemInfo(context.Context, *workflowservice.GetSystemInfoRequest) (*workflowservice.GetSystemInfoResponse, error) {
	return &workflowservice.GetSystemInfoResponse{ServerVersion: "test"}, nil
}

func serve(t *testing.T, serverTLS *tls.Config, apiKey string) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var opts []grpc.ServerOption
	if serverTLS != nil {
		opts = append(opts, grpc.Creds(credentials.NewTLS(serverTLS)))
	}
	if apiKey != "" {
		opts = append(opts, grpc.UnaryInterceptor(func(ctx context.Context, req any, _ *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
			md, _ := metadata.FromIncomingContext(ctx)
			if got := md.Get("authorization"); len(got) != 1 || got[0] != "Bearer "+apiKey {
				return nil, status.Error(codes.PermissionDenied, "Request unauthorized.")
			}
			return h(ctx, req)
		}))
	}
	s := grpc.NewServer(opts...)
	workflowservice.RegisterWorkflowServiceServer(s, frontend{})
	go func() { _ = s.Serve(l) }()
	t.Cleanup(s.Stop)
	return l.Addr().String()
}

func TestDialExplains(t *testing.T) {
	dir := t.TempDir()
	ca, err := certs.NewCA(dir, "ca")
	if err != nil {
		t.Fatal(err)
	}
	other, err := certs.NewCA(dir, "other")
	if err != nil {
		t.Fatal(err)
	}
	srv, err := ca.Server(dir, "server", certs.Options{})
	if err != nil {
		t.Fatal(err)
	}
	expired, err := ca.Server(dir, "expired", certs.Options{NotBefore: time.Now().Add(-48 * time.Hour), NotAfter: time.Now().Add(-24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	cli, err := ca.Client(dir, "client", certs.Options{})
	if err != nil {
		t.Fatal(err)
	}
	stranger, err := other.Client(dir, "stranger", certs.Options{})
	if err != nil {
		t.Fatal(err)
	}
	serverTLS := func(p *certs.Pair, mtls bool) *tls.Config {
		pair, err := tls.LoadX509KeyPair(p.CertFile, p.KeyFile)
		if err != nil {
			t.Fatal(err)
		}
		c := &tls.Config{Certificates: []tls.Certificate{pair}}
		if mtls {
			pool := x509.NewCertPool()
			pem, _ := os.ReadFile(ca.CertFile)
			pool.AppendCertsFromPEM(pem)
			c.ClientCAs, c.ClientAuth = pool, tls.RequireAndVerifyClientCert
		}
		return c
	}
	const key = "tw-SECRET-key"
	plain := serve(t, nil, "")
	tlsOnly := serve(t, serverTLS(srv, false), "")
	mtls := serve(t, serverTLS(srv, true), "")
	withKey := serve(t, serverTLS(srv, false), key)
	old := serve(t, serverTLS(expired, false), "")

	on := true
	for _, c := range []struct {
		name string
		addr string
		sec  config.TemporalTLS
		want string // "" = connects
	}{
		{"plaintext", plain, config.TemporalTLS{}, ""},
		{"TLS with the CA", tlsOnly, config.TemporalTLS{CAFile: ca.CertFile}, ""},
		{"mTLS", mtls, config.TemporalTLS{CAFile: ca.CertFile, CertFile: cli.CertFile, KeyFile: cli.KeyFile}, ""},
		{"API key", withKey, config.TemporalTLS{CAFile: ca.CertFile, APIKey: key}, ""},
		{"untrusted CA", tlsOnly, config.TemporalTLS{TLS: &on}, "TEMPORAL_TLS_CA_FILE"},
		{"wrong server name", tlsOnly, config.TemporalTLS{CAFile: ca.CertFile, ServerName: "temporal.example.com"}, "TEMPORAL_TLS_SERVER_NAME"},
		{"expired server certificate", old, config.TemporalTLS{CAFile: ca.CertFile}, "expired"},
		{"no client certificate", mtls, config.TemporalTLS{CAFile: ca.CertFile}, "TEMPORAL_TLS_CERT_FILE"},
		{"client certificate of another CA", mtls, config.TemporalTLS{CAFile: ca.CertFile, CertFile: stranger.CertFile, KeyFile: stranger.KeyFile}, "TEMPORAL_TLS_CERT_FILE"},
		{"wrong API key", withKey, config.TemporalTLS{CAFile: ca.CertFile, APIKey: "tw-SECRET-wrong"}, "TEMPORAL_API_KEY"},
		{"no API key", withKey, config.TemporalTLS{CAFile: ca.CertFile}, "TEMPORAL_API_KEY"},
		{"plaintext to TLS", tlsOnly, config.TemporalTLS{}, "TEMPORAL_TLS=true"},
		{"TLS to plaintext", plain, config.TemporalTLS{TLS: &on}, "does not speak TLS"},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := config.Temporal{Address: c.addr, Namespace: "default", Security: c.sec}
			started := time.Now()
			cl, err := Dial(cfg, client.Options{Logger: quiet{}})
			took := time.Since(started)
			if c.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				cl.Close()
				return
			}
			if err == nil {
				cl.Close()
				t.Fatal("connected")
			}
			msg := err.Error()
			if !strings.Contains(msg, c.want) || !strings.Contains(msg, c.addr) {
				t.Errorf("error does not name %q and %s: %v", c.want, c.addr, err)
			}
			if strings.Contains(msg, "SECRET") {
				t.Errorf("error leaks the key: %v", err)
			}
			if took >= DialTimeout {
				t.Errorf("took %v: waited for the timeout instead of failing", took)
			}
			t.Logf("%v: %v", took.Round(time.Millisecond), err)
		})
	}
}

type quiet struct{}

func (quiet) Debug(string, ...any) {}
func (quiet) Info(string, ...any)  {}
func (quiet) Warn(string, ...any)  {}
func (quiet) Error(string, ...any) {}
