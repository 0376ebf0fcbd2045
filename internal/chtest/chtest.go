// Package chtest gives integration tests a ClickHouse server:
// CLICKHOUSE_ADDR when set (CI sets it), else a testcontainers container
// when a Docker engine answers, else the test is skipped with the reason.
// Each test gets a fresh database of its own.
package chtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/testcontainers/testcontainers-go"
	"github.com/testcontainers/testcontainers-go/wait"

	"talkwarehouse/config"
)

// Image is the current ClickHouse the container path runs.
const Image = "clickhouse/clickhouse-server:26.3"

var (
	once      sync.Once
	addr      string
	skipWhy   string
	container testcontainers.Container
)

// Addr returns host:port of a ClickHouse native port, or skips t.
func Addr(t testing.TB) string {
	t.Helper()
	once.Do(func() {
		if a := os.Getenv("CLICKHOUSE_ADDR"); a != "" {
			addr = a
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		c, err := testcontainers.GenericContainer(ctx, testcontainers.GenericContainerRequest{
			ContainerRequest: testcontainers.ContainerRequest{
				Image:        Image,
				ExposedPorts: []string{"9000/tcp"},
				Env:          map[string]string{"CLICKHOUSE_SKIP_USER_SETUP": "1"},
				WaitingFor:   wait.ForListeningPort("9000/tcp").WithStartupTimeout(2 * time.Minute),
			},
			Started: true,
		})
		if err != nil {
			skipWhy = "no ClickHouse: CLICKHOUSE_ADDR is not set and no Docker engine for testcontainers (" + err.Error() + ")"
			return
		}
		container = c
		host, _ := c.Host(ctx)
		port, err := c.MappedPort(ctx, "9000/tcp")
		if err != nil {
			skipWhy = "ClickHouse container has no mapped port: " + err.Error()
			return
		}
		addr = host + ":" + port.Port()
	})
	if addr == "" {
		t.Skip(skipWhy)
	}
	return addr
}

// Config is a warehouse configuration on a fresh, uniquely named database.
func Config(t testing.TB) config.ClickHouse {
	t.Helper()
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return config.ClickHouse{
		Addr:     Addr(t),
		Database: "test_" + hex.EncodeToString(b),
		User:     envOr("CLICKHOUSE_USER", "default"),
		Password: os.Getenv("CLICKHOUSE_PASSWORD"),
	}
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}
