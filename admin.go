package main

import (
	"bufio"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"time"

	"firmline/store"
)

// The console commands (user, token, messages, backup, audit) work whether or not `serve` runs
// on the same data dir. bbolt allows one process per file, so when a server holds the database
// the command is sent over the admin socket (DATA/admin.sock, owner-only) and executed inside the
// server, where a user deletion also closes that user's live connections. When no server
// answers, the command opens the database itself.

const adminSocketName = "admin.sock"

// adminRequest is one console command. Password carries a password read from stdin for
// `user add`; it is never logged.
type adminRequest struct {
	Cmd      string            `json:"cmd"`
	Args     map[string]string `json:"args"`
	Password string            `json:"password,omitempty"`
}

// The answer to a request is the command's output as length-prefixed chunks (4-byte
// big-endian length, then the bytes; a zero length ends the output), then one JSON line,
// adminResult, that says how the command ended. Output is byte-exact (backups are binary)
// and an error after partial output is still reported.
type adminResult struct {
	Error string `json:"error,omitempty"`
	Usage bool   `json:"usage,omitempty"`
}

// adminEnv is what a command may touch: the open store, and the running server's hooks
// (nil when the command runs without a server).
type adminEnv struct {
	store           *store.Store
	disconnect      func(userID string)
	disconnectToken func(hash string)
	log             *slog.Logger
}

// adminError is a failure whose text is already a sentence for the operator.
type adminError struct {
	msg   string
	usage bool
}

func (e *adminError) Error() string { return e.msg }

func failf(format string, a ...any) error { return &adminError{msg: fmt.Sprintf(format, a...)} }
func usagef(format string, a ...any) error {
	return &adminError{msg: fmt.Sprintf(format, a...), usage: true}
}

// runAdmin executes req against the data dir: through a running server when one answers on
// the admin socket, otherwise on the database directly. out receives the command's output.
func runAdmin(ctx context.Context, dataDir string, req adminRequest, out io.Writer) error {
	sock := filepath.Join(dataDir, adminSocketName)
	conn, err := (&net.Dialer{Timeout: 2 * time.Second}).DialContext(ctx, "unix", sock)
	if err == nil {
		defer conn.Close()
		return adminRemote(conn, req, out)
	}
	st, err := store.Open(filepath.Join(dataDir, dbName), store.Options{LockTimeout: 2 * time.Second})
	if err != nil {
		return openError(dataDir, err)
	}
	defer st.Close()
	return execAdmin(ctx, adminEnv{store: st, log: slog.New(slog.DiscardHandler)}, req, out)
}

func openError(dataDir string, err error) error {
	if errors.Is(err, store.ErrLocked) {
		return failf("the database in %s is held by another firmline process that does not answer on %s; stop it or wait", dataDir, filepath.Join(dataDir, adminSocketName))
	}
	if errors.Is(err, os.ErrNotExist) || errors.Is(err, os.ErrPermission) {
		return failf("cannot open the database in %s: %v (is --data right, and are you the firmline user?)", dataDir, err)
	}
	return failf("cannot open the database in %s: %v", dataDir, err)
}

func adminRemote(conn net.Conn, req adminRequest, out io.Writer) error {
	if err := json.NewEncoder(conn).Encode(req); err != nil {
		return failf("cannot talk to the running server: %v", err)
	}
	br := bufio.NewReader(conn)
	var size [4]byte
	for {
		if _, err := io.ReadFull(br, size[:]); err != nil {
			return failf("the running server closed the admin connection: %v", err)
		}
		n := binary.BigEndian.Uint32(size[:])
		if n == 0 {
			break
		}
		if _, err := io.CopyN(out, br, int64(n)); err != nil {
			return failf("the transfer from the running server broke off: %v", err)
		}
	}
	var res adminResult
	if err := json.NewDecoder(br).Decode(&res); err != nil {
		return failf("the running server sent an unreadable answer: %v", err)
	}
	if res.Error != "" {
		return &adminError{msg: res.Error, usage: res.Usage}
	}
	return nil
}

// adminServer answers console commands on the admin socket of a running `serve`.
type adminServer struct {
	env adminEnv
	ln  net.Listener
}

// listenAdmin creates DATA/admin.sock with owner-only permissions, replacing a stale one.
func listenAdmin(dataDir string) (net.Listener, error) {
	path := filepath.Join(dataDir, adminSocketName)
	if c, err := net.DialTimeout("unix", path, time.Second); err == nil {
		c.Close()
		return nil, fmt.Errorf("another firmline serves on %s", path)
	}
	os.Remove(path)
	old := umask(0o077)
	ln, err := net.Listen("unix", path)
	umask(old)
	if err != nil {
		return nil, fmt.Errorf("admin socket: %w", err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return nil, fmt.Errorf("admin socket: %w", err)
	}
	return ln, nil
}

// Run serves admin connections until ctx is done; each connection carries one command.
func (a *adminServer) Run(ctx context.Context) error {
	go func() { <-ctx.Done(); a.ln.Close() }()
	for {
		conn, err := a.ln.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("admin socket: %w", err)
		}
		a.handle(ctx, conn)
	}
}

// handle runs one command. Commands are quick and rare, so they run one at a time on the
// accepting goroutine; a stuck client is cut off by the deadline.
func (a *adminServer) handle(ctx context.Context, conn net.Conn) {
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(5 * time.Minute))
	var req adminRequest
	var res adminResult
	cw := &chunkWriter{w: bufio.NewWriterSize(conn, 64<<10)}
	if err := json.NewDecoder(io.LimitReader(conn, 1<<20)).Decode(&req); err != nil {
		res.Error = "unreadable admin request"
	} else {
		a.env.log.Info("console command", "cmd", req.Cmd)
		if err := execAdmin(ctx, a.env, req, cw); err != nil {
			var ae *adminError
			res = adminResult{Error: err.Error(), Usage: errors.As(err, &ae) && ae.usage}
		}
	}
	if cw.err != nil {
		return // the client is gone
	}
	cw.w.Write([]byte{0, 0, 0, 0})
	json.NewEncoder(cw.w).Encode(res)
	cw.w.Flush()
}

// chunkWriter frames a command's output as length-prefixed chunks.
type chunkWriter struct {
	w   *bufio.Writer
	err error
}

func (c *chunkWriter) Write(p []byte) (int, error) {
	for rest := p; len(rest) > 0 && c.err == nil; {
		n := min(len(rest), 1<<20)
		var size [4]byte
		binary.BigEndian.PutUint32(size[:], uint32(n))
		if _, c.err = c.w.Write(size[:]); c.err == nil {
			_, c.err = c.w.Write(rest[:n])
		}
		rest = rest[n:]
	}
	if c.err != nil {
		return 0, c.err
	}
	return len(p), nil
}
