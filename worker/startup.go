package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"syscall"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"

	"talkwarehouse/config"
	"talkwarehouse/internal/connect"
	"talkwarehouse/metrics"
	"talkwarehouse/warehouse"
)

// Backoff of the start-up waits: 1 s, doubling, at most 30 s.
const (
	firstRetry = time.Second
	maxRetry   = 30 * time.Second
	// attemptTimeout bounds one try of a start-up step (the migrations of a
	// first start included).
	attemptTimeout = time.Minute
)

// errFatal marks a start-up failure no retry can fix (credentials, TLS,
// a setting): the worker exits with it instead of waiting.
type errFatal struct{ error }

func (e errFatal) Unwrap() error { return e.error }

// waitFor runs try until it succeeds, ctx ends (a signal) or it returns an
// errFatal. While it fails, /readyz answers 503 with reason(err) and the
// log says the same at each retry: the worker becomes ready by itself when
// the service it waits for comes up.
func waitFor(ctx context.Context, health *metrics.Health, log *slog.Logger, reason func(error) string, try func(context.Context) error) error {
	delay := firstRetry
	for {
		actx, cancel := context.WithTimeout(ctx, attemptTimeout)
		err := try(actx)
		cancel()
		var fatal errFatal
		switch {
		case err == nil:
			return nil
		case errors.As(err, &fatal):
			return fatal.error
		case ctx.Err() != nil:
			return fmt.Errorf("stopped while starting: %s", reason(err))
		}
		why := reason(err)
		health.NotReady(why)
		log.Warn("not ready", "reason", why, "retry_in", delay)
		select {
		case <-ctx.Done():
			return fmt.Errorf("stopped while starting: %s", why)
		case <-time.After(delay):
		}
		delay = min(2*delay, maxRetry)
	}
}

// unreachable says whether err is the network failing (a server down or
// not up yet, a connection cut), which waiting can cure, rather than a
// refusal (credentials, certificates, SQL) that it cannot.
func unreachable(err error) bool {
	var cert *tls.CertificateVerificationError
	if errors.As(err, &cert) {
		return false
	}
	var op *net.OpError
	var ne net.Error
	return errors.As(err, &op) || (errors.As(err, &ne) && ne.Timeout()) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, context.DeadlineExceeded)
}

// checkNamespace fails with a retryable error while namespace does not
// exist on Temporal (it may be created by a job that runs beside the
// worker, as compose's temporal-namespace does). A server that does not let
// this worker describe namespaces (a restricted API key) is left to the
// worker's own start to judge.
func checkNamespace(ctx context.Context, tc client.Client, namespace string) error {
	_, err := tc.WorkflowService().DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: namespace})
	var nf *serviceerror.NamespaceNotFound
	var denied *serviceerror.PermissionDenied
	var unavailable *serviceerror.Unavailable
	switch {
	case err == nil, errors.As(err, &denied):
		return nil
	case errors.As(err, &nf), errors.As(err, &unavailable), errors.Is(err, context.DeadlineExceeded):
		return err
	default:
		return errFatal{err}
	}
}

// openWarehouse opens ClickHouse and migrates the schema, waiting while
// ClickHouse does not answer yet (or is down at start); a refusal
// (credentials, certificate, SQL) stops the worker.
func openWarehouse(ctx context.Context, cfg config.Worker, health *metrics.Health, log *slog.Logger) (*warehouse.Warehouse, error) {
	var wh *warehouse.Warehouse
	err := waitFor(ctx, health, log, func(err error) string {
		return fmt.Sprintf("ClickHouse at %s (CLICKHOUSE_ADDR) unreachable: %v", cfg.ClickHouse.Addr, err)
	}, func(ctx context.Context) error {
		w, err := connect.Warehouse(ctx, cfg.ClickHouse, cfg.Analytics, log)
		if err == nil {
			if err = w.Migrate(ctx); err != nil {
				w.Close()
			}
		}
		switch {
		case err == nil:
			wh = w
			return nil
		case unreachable(err):
			return err
		default:
			return errFatal{err}
		}
	})
	return wh, err
}

// waitForNamespace waits while TEMPORAL_NAMESPACE does not exist yet.
func waitForNamespace(ctx context.Context, tc client.Client, cfg config.Worker, health *metrics.Health, log *slog.Logger) error {
	return waitFor(ctx, health, log, func(err error) string {
		return fmt.Sprintf("Temporal namespace %q (TEMPORAL_NAMESPACE) not found or not answering on %s (TEMPORAL_ADDRESS): %v; create it, or name an existing one",
			cfg.Temporal.Namespace, cfg.Temporal.Address, err)
	}, func(ctx context.Context) error { return checkNamespace(ctx, tc, cfg.Temporal.Namespace) })
}
