package stack

import (
	"fmt"
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
	args := []string{fmt.Sprintf("--port=%d", port), fmt.Sprintf("--ui-port=%d", uiPort)}
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
	if uiPort != 0 {
		d.UI = fmt.Sprintf("http://127.0.0.1:%d", uiPort)
		if err := WaitPort(fmt.Sprintf("127.0.0.1:%d", uiPort), p, 30*time.Second); err != nil {
			p.Stop()
			return nil, err
		}
	}
	return d, nil
}
