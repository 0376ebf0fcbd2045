package stack

import (
	"fmt"
	"net"
	"strconv"
	"time"
)

// Devserver is a running embedded Temporal server.
type Devserver struct {
	*Process
	Frontend string // host:port of the gRPC frontend
	UI       string // http://host:port of the web UI, "" without
}

// StartDevserver runs the devserver binary on free ports, with its SQLite
// database in db ("" = in memory) and the web UI unless noUI.
func StartDevserver(bin, logDir, db string, noUI bool) (*Devserver, error) {
	return StartDevserverArgs(bin, logDir, db, noUI)
}

// StartDevserverArgs is StartDevserver with more flags for the devserver,
// e.g. --tls-cert, --tls-key, --tls-client-ca, --api-key.
func StartDevserverArgs(bin, logDir, db string, noUI bool, extra ...string) (*Devserver, error) {
	port, err := FreePort()
	if err != nil {
		return nil, err
	}
	uiPort := 0
	if !noUI {
		if uiPort, err = FreePort(); err != nil {
			return nil, err
		}
	}
	d, err := startDevserver(bin, logDir, db, port, uiPort, extra...)
	if err != nil {
		return nil, err
	}
	if uiPort != 0 {
		d.UI = fmt.Sprintf("http://127.0.0.1:%d", uiPort)
		if err := WaitPort(fmt.Sprintf("127.0.0.1:%d", uiPort), d.Process, 30*time.Second); err != nil {
			d.Stop()
			return nil, err
		}
	}
	return d, nil
}

// StartDevserverAt starts a devserver without UI on a given frontend
// address, e.g. to restart one on its database file.
func StartDevserverAt(bin, logDir, db, frontend string) (*Devserver, error) {
	_, port, err := net.SplitHostPort(frontend)
	if err != nil {
		return nil, err
	}
	n, err := strconv.Atoi(port)
	if err != nil {
		return nil, err
	}
	return startDevserver(bin, logDir, db, n, 0)
}

func startDevserver(bin, logDir, db string, port, uiPort int, extra ...string) (*Devserver, error) {
	args := append([]string{fmt.Sprintf("--port=%d", port), fmt.Sprintf("--ui-port=%d", uiPort)}, extra...)
	if db != "" {
		args = append(args, "--db="+db)
	}
	p, err := Start("devserver", logDir, bin, nil, args...)
	if err != nil {
		return nil, err
	}
	d := &Devserver{Process: p, Frontend: fmt.Sprintf("127.0.0.1:%d", port)}
	if err := WaitPort(d.Frontend, p, 60*time.Second); err != nil {
		p.Stop()
		return nil, err
	}
	return d, nil
}
