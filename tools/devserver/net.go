package main

import (
	"context"
	"fmt"
	"net"
	"time"
)

// dialHost is the address to reach a listener bound to ip: the loopback
// address of the same family when ip is a wildcard (0.0.0.0 or ::).
func dialHost(ip string) string {
	parsed := net.ParseIP(ip)
	if parsed == nil || !parsed.IsUnspecified() {
		return ip
	}
	if parsed.To4() != nil {
		return "127.0.0.1"
	}
	return "::1"
}

// checkPortFree fails when nothing can listen on ip:port right now.
func checkPortFree(ip string, port int) error {
	l, err := net.Listen("tcp", hostPort(ip, port))
	if err != nil {
		return err
	}
	return l.Close()
}

// freePorts asks the kernel for n distinct unused ports on ip.
//
// Each port is left with a connection in TIME_WAIT, closed from the listening
// side: Linux then does not hand the same number out again as an ephemeral
// port for a while, but the server can still bind it (Go sets SO_REUSEADDR).
func freePorts(ip string, n int) ([]int, error) {
	var listeners []net.Listener
	defer func() {
		for _, l := range listeners {
			l.Close()
		}
	}()
	ports := make([]int, 0, n)
	for range n {
		l, err := net.Listen("tcp", hostPort(ip, 0))
		if err != nil {
			return nil, fmt.Errorf("finding a free port for internal services: %w", err)
		}
		listeners = append(listeners, l)
		port := l.Addr().(*net.TCPAddr).Port
		ports = append(ports, port)

		client, err := net.Dial("tcp", hostPort(dialHost(ip), port))
		if err != nil {
			continue // the port is still fine, just without the TIME_WAIT guard
		}
		if conn, err := l.Accept(); err == nil {
			conn.Close() // listener side closes first, so it holds TIME_WAIT
		}
		client.Close()
	}
	return ports, nil
}

// waitForListener polls until host:port accepts a TCP connection.
func waitForListener(ctx context.Context, host string, port int, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	addr := hostPort(host, port)
	for {
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			return conn.Close()
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("gave up after %s: %w", limit, err)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("interrupted while waiting for %s", addr)
		case <-time.After(20 * time.Millisecond):
		}
	}
}
