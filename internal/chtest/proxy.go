package chtest

import (
	"net"
	"regexp"
	"slices"
	"sync"
	"testing"
	"time"
)

// Proxy forwards TCP connections to a ClickHouse native port and can lose
// the acknowledgement of an insert: the INSERT and its data reach the
// server, which commits them, but the server's answer never reaches the
// client, whose connection is closed instead, as when a network path fails
// at the worst moment. The client sees an error for rows that are stored.
type Proxy struct {
	ln     net.Listener
	target string

	mu      sync.Mutex
	armed   map[string]bool // tables whose next insert loses its acknowledgement
	dropped []string
	inserts []string // the table of every INSERT, in the order sent
	conns   map[net.Conn]bool
}

// NewProxy listens on a free local port; it stops when t ends.
func NewProxy(t testing.TB, target string) *Proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &Proxy{ln: ln, target: target, armed: map[string]bool{}, conns: map[net.Conn]bool{}}
	go p.serve()
	t.Cleanup(p.close)
	return p
}

// Addr is host:port of the proxy.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// DropAckOnce makes the next insert into each table lose its
// acknowledgement.
func (p *Proxy) DropAckOnce(tables ...string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, t := range tables {
		p.armed[t] = true
	}
}

// Dropped lists the tables whose insert acknowledgement was dropped, in
// order.
func (p *Proxy) Dropped() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.dropped)
}

// Inserts lists the table of every INSERT sent through the proxy, in order.
func (p *Proxy) Inserts() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.inserts)
}

func (p *Proxy) close() {
	p.ln.Close()
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.conns {
		c.Close()
	}
}

func (p *Proxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		s, err := net.Dial("tcp", p.target)
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		p.conns[c], p.conns[s] = true, true
		p.mu.Unlock()
		go p.pipe(c, s)
	}
}

// insertInto finds the table of an INSERT in a Query packet (its text is
// never compressed).
var insertInto = regexp.MustCompile(`INSERT INTO\s+` + "`?" + `([\w.]+)`)

// pipe relays one connection. An insert whose acknowledgement is to be
// lost goes: query (client), block header (server), data (client), then
// the server's answer, sent once the rows are committed, is swallowed and
// both connections closed.
func (p *Proxy) pipe(client, server net.Conn) {
	var mu sync.Mutex
	const (
		idle = iota
		armed
		headerSent
		dataSent
	)
	state := idle
	table := ""
	done := make(chan struct{})
	closeBoth := func() {
		client.Close()
		server.Close()
		p.mu.Lock()
		delete(p.conns, client)
		delete(p.conns, server)
		p.mu.Unlock()
	}
	go func() { // server -> client
		defer close(done)
		buf := make([]byte, 64<<10)
		for {
			n, err := server.Read(buf)
			if n > 0 {
				mu.Lock()
				st := state
				if st == armed {
					state = headerSent
				}
				mu.Unlock()
				if st == dataSent {
					// The answer to the data: the rows are committed.
					p.mu.Lock()
					p.dropped = append(p.dropped, table)
					p.mu.Unlock()
					time.Sleep(50 * time.Millisecond)
					closeBoth()
					return
				}
				if _, werr := client.Write(buf[:n]); werr != nil {
					closeBoth()
					return
				}
			}
			if err != nil {
				closeBoth()
				return
			}
		}
	}()
	buf := make([]byte, 64<<10)
	for {
		n, err := client.Read(buf)
		if n > 0 {
			mu.Lock()
			switch state {
			case idle:
				if m := insertInto.FindSubmatch(buf[:n]); m != nil {
					p.mu.Lock()
					p.inserts = append(p.inserts, string(m[1]))
					if p.armed[string(m[1])] {
						delete(p.armed, string(m[1]))
						state, table = armed, string(m[1])
					}
					p.mu.Unlock()
				}
			case headerSent:
				state = dataSent
			}
			mu.Unlock()
			if _, werr := server.Write(buf[:n]); werr != nil {
				break
			}
		}
		if err != nil {
			break
		}
	}
	closeBoth()
	<-done
}
