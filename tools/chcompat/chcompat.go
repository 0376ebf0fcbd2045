// Package chcompat runs SQL on a current ClickHouse engine loaded in-process
// from chDB's libchdb.so, to check that the project's DDL and analytics SQL
// (written for 18.16) also run on a current release. The development and CI
// machines can only install the 18.16 server; libchdb.so ships in the npm
// package @chdb/lib-linux-x64-gnu.
//
// It binds the few C functions it needs with purego (no cgo), and loads the
// library only when asked, so a missing library is an error to skip on, not
// a panic at package init as with github.com/chdb-io/chdb-go.
package chcompat

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"unsafe"

	"github.com/ebitengine/purego"
)

// EnvLib names the environment variable holding libchdb.so's path.
const EnvLib = "CHDB_LIB_PATH"

// DefaultLib is where `npm ci --prefix tools/chcompat` puts the library,
// relative to this package's folder (a test's working directory).
const DefaultLib = "node_modules/@chdb/lib-linux-x64-gnu/libchdb.so"

// LibPath returns the library's path from CHDB_LIB_PATH, else DefaultLib,
// or why it cannot be used (for a test's Skip).
func LibPath() (string, error) {
	p := os.Getenv(EnvLib)
	if p == "" {
		if _, err := os.Stat(DefaultLib); err == nil {
			return DefaultLib, nil
		}
		return "", errors.New(EnvLib + " is not set and " + DefaultLib + " is absent (run: npm ci --prefix tools/chcompat)")
	}
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("%s=%s: %w", EnvLib, p, err)
	}
	return p, nil
}

// chdbConn mirrors `typedef struct { void *internal_data; } *chdb_connection`.
type chdbConn struct{ internal unsafe.Pointer }

var (
	loadOnce sync.Once
	loadErr  error

	cConnect      func(argc int32, argv []*byte) *chdbConn
	cClose        func(conn *chdbConn)
	cQuery        func(conn unsafe.Pointer, query, format string) unsafe.Pointer
	cResultError  func(res unsafe.Pointer) string
	cResultBuffer func(res unsafe.Pointer) unsafe.Pointer
	cResultLength func(res unsafe.Pointer) uintptr
	cDestroy      func(res unsafe.Pointer)
)

func load(path string) error {
	loadOnce.Do(func() {
		lib, err := purego.Dlopen(path, purego.RTLD_NOW|purego.RTLD_GLOBAL)
		if err != nil {
			loadErr = fmt.Errorf("chcompat: loading %s: %w", path, err)
			return
		}
		purego.RegisterLibFunc(&cConnect, lib, "chdb_connect")
		purego.RegisterLibFunc(&cClose, lib, "chdb_close_conn")
		purego.RegisterLibFunc(&cQuery, lib, "chdb_query")
		purego.RegisterLibFunc(&cResultError, lib, "chdb_result_error")
		purego.RegisterLibFunc(&cResultBuffer, lib, "chdb_result_buffer")
		purego.RegisterLibFunc(&cResultLength, lib, "chdb_result_length")
		purego.RegisterLibFunc(&cDestroy, lib, "chdb_destroy_query_result")
	})
	return loadErr
}

// Engine is one chDB session. chDB allows one open session per process:
// Close it before opening another.
type Engine struct {
	mu   sync.Mutex
	conn *chdbConn
}

// Open loads the library (once per process) and starts a session whose
// data lives in dir (an empty folder; the caller removes it).
func Open(libPath, dir string) (*Engine, error) {
	if err := load(libPath); err != nil {
		return nil, err
	}
	args := []string{"clickhouse", "--path=" + dir}
	argv := make([]*byte, len(args))
	for i, a := range args {
		b := append([]byte(a), 0)
		argv[i] = &b[0]
	}
	conn := cConnect(int32(len(argv)), argv)
	if conn == nil || conn.internal == nil {
		return nil, errors.New("chcompat: chdb_connect failed")
	}
	return &Engine{conn: conn}, nil
}

// Query runs one statement and returns its output in format
// (TabSeparated when empty).
func (e *Engine) Query(sql, format string) (string, error) {
	if format == "" {
		format = "TabSeparated"
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.conn == nil {
		return "", errors.New("chcompat: engine closed")
	}
	res := cQuery(e.conn.internal, sql, format)
	if res == nil {
		return "", nil
	}
	defer cDestroy(res)
	if msg := cResultError(res); msg != "" {
		return "", errors.New(msg)
	}
	n := cResultLength(res)
	buf := cResultBuffer(res)
	if n == 0 || buf == nil {
		return "", nil
	}
	return string(unsafe.Slice((*byte)(buf), n)), nil
}

// Close ends the session.
func (e *Engine) Close() {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.conn != nil {
		cClose(e.conn)
		e.conn = nil
	}
}
