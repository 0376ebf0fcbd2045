// Package stack starts the project's processes on one machine, for the
// demo and the end-to-end tests: a local ClickHouse server, the embedded
// Temporal devserver and the worker, each a child process with its own log
// file, stopped together.
package stack

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"
)

// Root is the repository's root folder: the one with go.work, which joins
// the product module (there) and the tooling module (tools/). Without a
// go.work above the working directory (a copy of the product module alone),
// it is the folder of the nearest go.mod.
func Root() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	mod := ""
	for {
		if fileExists(filepath.Join(dir, "go.work")) {
			return dir, nil
		}
		if mod == "" && fileExists(filepath.Join(dir, "go.mod")) {
			mod = dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			if mod == "" {
				return "", errors.New("stack: neither go.work nor go.mod found above the working directory")
			}
			return mod, nil
		}
		dir = parent
	}
}

// Build compiles the named main packages (e.g. "./worker", "./tools/devserver";
// paths from the repository root) into binDir and
// returns their paths by package. The go build cache makes repeats cheap.
func Build(ctx context.Context, binDir string, pkgs ...string) (map[string]string, error) {
	root, err := Root()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(binDir, 0o755); err != nil {
		return nil, err
	}
	args := append([]string{"build", "-o", binDir + string(os.PathSeparator)}, pkgs...)
	cmd := exec.CommandContext(ctx, goBinary(), args...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "GOTOOLCHAIN=local")
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("go build %s: %v\n%s", strings.Join(pkgs, " "), err, out)
	}
	paths := map[string]string{}
	for _, p := range pkgs {
		paths[p] = filepath.Join(binDir, filepath.Base(p))
	}
	return paths, nil
}

func goBinary() string {
	if p := filepath.Join(runtime.GOROOT(), "bin", "go"); fileExists(p) {
		return p
	}
	return "go"
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// Process is a started child process.
type Process struct {
	Name string
	Cmd  *exec.Cmd
	Log  string // path of its combined output
	done chan struct{}
	err  error
}

// Start runs bin with args and extra environment, output to logDir/name.log.
func Start(name, logDir, bin string, env []string, args ...string) (*Process, error) {
	if err := os.MkdirAll(logDir, 0o755); err != nil {
		return nil, err
	}
	logPath := filepath.Join(logDir, name+".log")
	f, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	return startCmd(name, logPath, f, cmd, &syscall.SysProcAttr{Setpgid: true})
}

// startCmd starts cmd with its output to f (at logPath) and attr.
func startCmd(name, logPath string, f *os.File, cmd *exec.Cmd, attr *syscall.SysProcAttr) (*Process, error) {
	cmd.Stdout, cmd.Stderr = f, f
	cmd.SysProcAttr = attr
	if err := cmd.Start(); err != nil {
		f.Close()
		return nil, fmt.Errorf("starting %s: %w", name, err)
	}
	p := &Process{Name: name, Cmd: cmd, Log: logPath, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		f.Close()
		close(p.done)
	}()
	return p, nil
}

// Exited reports whether the process has ended, and how.
func (p *Process) Exited() (bool, error) {
	select {
	case <-p.done:
		return true, p.err
	default:
		return false, nil
	}
}

// Stop sends SIGTERM and waits up to 10 s, then kills.
func (p *Process) Stop() {
	if p == nil {
		return
	}
	if done, _ := p.Exited(); done {
		return
	}
	_ = syscall.Kill(-p.Cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		p.Kill()
	}
}

// Kill is kill -9 of the process (a crash).
func (p *Process) Kill() {
	_ = syscall.Kill(-p.Cmd.Process.Pid, syscall.SIGKILL)
	<-p.done
}

// Tail returns the last n bytes of the process's log, for error messages.
func (p *Process) Tail(n int) string {
	b, _ := os.ReadFile(p.Log)
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}

// WaitPort waits until addr accepts TCP connections, the process dies, or
// the timeout passes.
func WaitPort(addr string, p *Process, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond); err == nil {
			c.Close()
			return nil
		}
		if p != nil {
			if done, err := p.Exited(); done {
				return fmt.Errorf("%s exited (%v) before %s was ready:\n%s", p.Name, err, addr, p.Tail(2000))
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("%s not ready after %v", addr, timeout)
}

// FreePort returns a TCP port free on 127.0.0.1 right now, below Linux's
// ephemeral range (32768-60999): tests restart servers on their ports, and
// a port from that range can meanwhile be taken as the local end of some
// outgoing connection ("Address already in use" on the restart).
func FreePort() (int, error) {
	for range 200 {
		p := 20000 + rand.IntN(12000)
		l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p))
		if err != nil {
			continue
		}
		l.Close()
		return p, nil
	}
	return 0, errors.New("no free port in 20000-31999 on 127.0.0.1")
}
