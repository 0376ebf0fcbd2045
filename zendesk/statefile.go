package zendesk

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"
)

// StateFile keeps a rotating refresh token across restarts. Zendesk
// invalidates a refresh token when it hands out the next one, so the new
// one is written durably (temporary file, fsync, rename, fsync of the
// folder; mode 0600) before its access token is used, and only one process
// may rotate it: OpenStateFile takes an exclusive lock (flock on
// "{path}.lock", since the rename replaces the file itself) that is held
// until Close.
//
// The file is JSON: {"refresh_token", "seed_sha256", "rotated_at",
// "authorized_at", "refresh_token_expires_at"}. seed_sha256 is the SHA-256
// of the token the chain started from: OpenStateFile's envToken, or the
// one `starter authorize` obtained (authorized_at says when). While the
// environment holds the seed, or no token at all, the file's token wins; a
// different token in the environment (the user authorized again by hand)
// starts a new chain. refresh_token_expires_at is when the current refresh
// token expires (from refresh_token_expires_in; absent: unknown).
type StateFile struct {
	path string
	name string // what messages call the file (Names.StateFile)
	lock *os.File

	mu    sync.Mutex
	state stateJSON
}

type stateJSON struct {
	RefreshToken string    `json:"refresh_token"`
	SeedSHA256   string    `json:"seed_sha256"`
	RotatedAt    time.Time `json:"rotated_at"`
	AuthorizedAt time.Time `json:"authorized_at,omitzero"`
	ExpiresAt    time.Time `json:"refresh_token_expires_at,omitzero"`
}

// ErrStateLocked means another process holds the state file.
var ErrStateLocked = errors.New("locked by another process")

func fingerprint(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// OpenStateFile locks the state file at path and loads the refresh token
// to use: the file's, if envToken is empty or started the file's chain,
// else envToken (a new chain). With envToken empty the file must exist
// (`starter authorize` writes it). It fails at once, naming the file, when
// another process holds the lock. Errors name the file as n does
// (Names.StateFile, Names.RefreshToken) and never contain a token.
func OpenStateFile(path, envToken string, n Names) (*StateFile, error) {
	n = n.withDefaults()
	if path == "" {
		return nil, fmt.Errorf("zendesk: %s is needed with a refresh token", n.StateFile)
	}
	f, err := LockStateFile(path, n)
	if err != nil {
		return nil, err
	}
	seed := fingerprint(envToken)
	b, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist) && envToken == "":
		f.Close()
		return nil, fmt.Errorf("%s %s does not exist: run `starter authorize` to create it (docs/zendesk-auth.md), or set %s", n.StateFile, path, n.RefreshToken)
	case errors.Is(err, fs.ErrNotExist):
		f.state = stateJSON{RefreshToken: envToken, SeedSHA256: seed}
	case err != nil:
		f.Close()
		return nil, fmt.Errorf("%s %s: cannot read it: %w", n.StateFile, path, unwrapPath(err))
	default:
		var st stateJSON
		if json.Unmarshal(b, &st) != nil || st.RefreshToken == "" {
			f.Close()
			return nil, fmt.Errorf("%s %s is not a state file written by the worker or `starter authorize` (move it away, then run `starter authorize`)", n.StateFile, path)
		}
		if envToken == "" || st.SeedSHA256 == seed {
			f.state = st
		} else {
			// A new authorization: its token starts a new chain.
			f.state = stateJSON{RefreshToken: envToken, SeedSHA256: seed}
		}
	}
	return f, nil
}

// LockStateFile takes the state file's lock without reading it, for
// `starter authorize`, which then writes a new chain with StartChain. It
// fails at once, naming the file (as n does), when another process holds
// the lock.
func LockStateFile(path string, n Names) (*StateFile, error) {
	n = n.withDefaults()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("%s %s: cannot create its folder: %w", n.StateFile, path, unwrapPath(err))
	}
	lock, err := os.OpenFile(path+".lock", os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("%s %s: cannot open its lock file: %w", n.StateFile, path, unwrapPath(err))
	}
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		lock.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("%s %s is %w (another worker, a `starter check` or a `starter authorize` is using this refresh token; only one process may: stop it, or give this one its own OAuth client)", n.StateFile, path, ErrStateLocked)
		}
		return nil, fmt.Errorf("%s %s: cannot lock it: %w", n.StateFile, path, err)
	}
	return &StateFile{path: path, name: n.StateFile, lock: lock}, nil
}

// StartChain stores token, just obtained by an authorization, as a new
// chain (its own seed), durably, replacing whatever the file held.
// expiresAt is when it expires (zero: unknown).
func (f *StateFile) StartChain(token string, expiresAt time.Time) error {
	now := time.Now().UTC()
	return f.write(stateJSON{RefreshToken: token, SeedSHA256: fingerprint(token), AuthorizedAt: now, ExpiresAt: utc(expiresAt)})
}

func utc(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.UTC().Round(time.Second)
}

// FromEnvironment reports whether the token in use is the environment's
// (no rotation stored yet for it).
func (f *StateFile) FromEnvironment() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.state.RotatedAt.IsZero() && f.state.AuthorizedAt.IsZero()
}

// ExpiresAt is when the current refresh token expires (zero: unknown, as
// for an envToken before its first rotation).
func (f *StateFile) ExpiresAt() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.state.ExpiresAt
}

// Path is the file's path.
func (f *StateFile) Path() string { return f.path }

// RefreshToken is the current refresh token.
func (f *StateFile) RefreshToken() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.state.RefreshToken
}

// Save stores a rotated refresh token and its expiry (zero: unknown)
// durably, then makes it current.
func (f *StateFile) Save(token string, expiresAt time.Time) error {
	st := f.snapshot()
	st.RefreshToken, st.RotatedAt, st.ExpiresAt = token, time.Now().UTC(), utc(expiresAt)
	return f.write(st)
}

func (f *StateFile) snapshot() stateJSON {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.state
}

// write stores st durably (temporary file, fsync, rename, fsync of the
// folder), then makes it current.
func (f *StateFile) write(st stateJSON) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	b, err := json.Marshal(st)
	if err != nil {
		return err
	}
	dir := filepath.Dir(f.path)
	tmp, err := os.CreateTemp(dir, filepath.Base(f.path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("%s %s: %w", f.name, f.path, unwrapPath(err))
	}
	defer os.Remove(tmp.Name()) // after a successful rename, a no-op
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("%s %s: %w", f.name, f.path, unwrapPath(err))
	}
	_, err = tmp.Write(b)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), f.path)
	}
	if err == nil {
		// The rename is durable only once the folder is.
		if d, derr := os.Open(dir); derr == nil {
			err = d.Sync()
			d.Close()
		}
	}
	if err != nil {
		return fmt.Errorf("%s %s: %w", f.name, f.path, unwrapPath(err))
	}
	f.state = st
	return nil
}

// Close releases the lock.
func (f *StateFile) Close() error {
	if f == nil || f.lock == nil {
		return nil
	}
	err := f.lock.Close() // closing the descriptor releases the flock
	f.lock = nil
	return err
}

// unwrapPath drops the path from an *fs.PathError (the caller names it).
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", pe.Op, pe.Err)
	}
	return err
}
