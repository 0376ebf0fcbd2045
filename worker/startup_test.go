package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"syscall"
	"testing"

	"github.com/ClickHouse/clickhouse-go/v2"

	"talkwarehouse/metrics"
)

func TestUnreachableTellsWaitingFromRefusals(t *testing.T) {
	for _, c := range []struct {
		err  error
		want bool
	}{
		{&net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}, true},
		{fmt.Errorf("handshake: %w", io.EOF), true},
		{fmt.Errorf("cannot reach: %w", &tls.CertificateVerificationError{Err: errors.New("unknown authority")}), false},
		{&clickhouse.Exception{Code: 516, Message: "default: Authentication failed"}, false},
		{errors.New("syntax error in migration 009"), false},
	} {
		if got := unreachable(c.err); got != c.want {
			t.Errorf("unreachable(%v) = %v, want %v", c.err, got, c.want)
		}
	}
}

// A step that keeps failing retryably holds /readyz at its reason; a fatal
// one ends the wait at once with its own error.
func TestWaitForReportsAndStops(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	h := metrics.NewHealth()
	tries := 0
	err := waitFor(context.Background(), h, log, func(err error) string { return "down: " + err.Error() }, func(context.Context) error {
		tries++
		if tries < 2 {
			return io.EOF
		}
		return errFatal{errors.New("password refused")}
	})
	if err == nil || err.Error() != "password refused" || tries != 2 {
		t.Fatalf("waitFor: %v after %d tries, want the fatal error on the second", err, tries)
	}
	if !strings.HasPrefix(h.Reason(), "down: EOF") {
		t.Fatalf("/readyz reason %q while waiting", h.Reason())
	}
}
