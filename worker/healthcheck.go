package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"
)

// healthcheck is `worker healthcheck`, for a container's healthcheck (the
// image has no curl): GET http://addr/readyz within 2 s; 0 on 200, else
// the reason on out and 1.
func healthcheck(addr string, out io.Writer) int {
	if addr == "" {
		fmt.Fprintln(out, "worker healthcheck: WORKER_METRICS_ADDR is empty: the health endpoints are off")
		return 1
	}
	// A listener on all interfaces (0.0.0.0:9090, :9090) is reached on loopback.
	if host, port, err := net.SplitHostPort(addr); err == nil {
		if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
			addr = net.JoinHostPort("127.0.0.1", port)
		}
	}
	c := &http.Client{Timeout: 2 * time.Second}
	resp, err := c.Get("http://" + addr + "/readyz")
	if err != nil {
		fmt.Fprintf(out, "worker healthcheck: %v\n", err)
		return 1
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<10))
	if resp.StatusCode != http.StatusOK {
		fmt.Fprintf(out, "worker healthcheck: not ready (%s): %s\n", resp.Status, strings.TrimSpace(string(body)))
		return 1
	}
	return 0
}
