package stack

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"syscall"
	"time"
)

// Postgres is a private PostgreSQL cluster on one machine (Debian's
// postgresql package): its own data folder, a free loopback port, one
// superuser with a password (scram-sha-256, as the postgres image sets
// POSTGRES_USER and POSTGRES_PASSWORD). For the production-shape test of
// the compose stack's Temporal (tools/e2e). Stop it with Stop.
type Postgres struct {
	Proc     *Process
	Host     string // 127.0.0.1
	Port     int
	User     string
	Password string
	dir      string
}

// PostgresBin is the folder of Debian's PostgreSQL programs (initdb,
// postgres): that of an initdb on PATH, else the newest
// /usr/lib/postgresql/N/bin.
func PostgresBin() (string, error) {
	if p, err := exec.LookPath("initdb"); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			p = real
		}
		return filepath.Dir(p), nil
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(dirs) == 0 {
		return "", errors.New("PostgreSQL is not installed (Debian: sudo apt-get install -y postgresql)")
	}
	sort.Slice(dirs, func(i, j int) bool { return pgMajor(dirs[i]) < pgMajor(dirs[j]) })
	return filepath.Dir(dirs[len(dirs)-1]), nil
}

func pgMajor(initdb string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(initdb))))
	return n
}

// StartPostgres initializes a cluster in a new folder and starts it on a
// free port of 127.0.0.1 (no Unix socket outside that folder). PostgreSQL
// refuses to run as root: as root, initdb and postgres run as Debian's
// postgres user, which owns the folder.
func StartPostgres(logDir, superuser, password string) (*Postgres, error) {
	bin, err := PostgresBin()
	if err != nil {
		return nil, err
	}
	var cred *syscall.Credential
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			return nil, fmt.Errorf("running as root, and no postgres user to run PostgreSQL as: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
	}
	// Not under a test's TempDir: its parents are private to this user.
	dir, err := os.MkdirTemp("", "talkwarehouse-pg-")
	if err != nil {
		return nil, err
	}
	pg := &Postgres{Host: "127.0.0.1", User: superuser, Password: password, dir: dir}
	fail := func(err error) (*Postgres, error) {
		pg.Stop()
		return nil, err
	}
	pwfile := filepath.Join(dir, "pwfile")
	if err := os.WriteFile(pwfile, []byte(password+"\n"), 0o600); err != nil {
		return fail(err)
	}
	if cred != nil {
		for _, p := range []string{dir, pwfile} {
			if err := os.Chown(p, int(cred.Uid), int(cred.Gid)); err != nil {
				return fail(err)
			}
		}
	}
	data := filepath.Join(dir, "data")
	initdb := exec.Command(filepath.Join(bin, "initdb"), "-D", data, "-U", superuser, "--pwfile="+pwfile,
		"--auth=scram-sha-256", "-E", "UTF8", "--no-sync")
	initdb.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	if out, err := initdb.CombinedOutput(); err != nil {
		return fail(fmt.Errorf("initdb: %v\n%s", err, out))
	}
	if pg.Port, err = FreePort(); err != nil {
		return fail(err)
	}
	if err := os.MkdirAll(logDir, 0o755); err != nil {
		return fail(err)
	}
	logPath := filepath.Join(logDir, "postgres.log")
	f, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fail(err)
	}
	cmd := exec.Command(filepath.Join(bin, "postgres"), "-D", data, "-p", strconv.Itoa(pg.Port),
		"-k", dir, "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off")
	cmd.Env = os.Environ()
	if pg.Proc, err = startCmd("postgres", logPath, f, cmd, &syscall.SysProcAttr{Setpgid: true, Credential: cred}); err != nil {
		f.Close()
		return fail(err)
	}
	if err := WaitPort(pg.Addr(), pg.Proc, 30*time.Second); err != nil {
		return fail(err)
	}
	return pg, nil
}

// Addr is host:port of the cluster.
func (pg *Postgres) Addr() string { return fmt.Sprintf("%s:%d", pg.Host, pg.Port) }

// Stop shuts PostgreSQL down (SIGINT: fast shutdown, clients disconnected)
// and removes its folder.
func (pg *Postgres) Stop() {
	if pg == nil {
		return
	}
	if p := pg.Proc; p != nil {
		if done, _ := p.Exited(); !done {
			_ = syscall.Kill(p.Cmd.Process.Pid, syscall.SIGINT)
			select {
			case <-p.done:
			case <-time.After(15 * time.Second):
				p.Kill()
			}
		}
	}
	_ = os.RemoveAll(pg.dir)
}
