// Package store keeps everything firmline must not lose in one bbolt file: received messages
// with their raw PDUs, users, sessions, API tokens, invitations, settings, the hash-chained audit
// log and the notification outbox. The bucket tree and migrations are in schema.go.
//
// Store is concrete and safe for concurrent use. Every exported method is exactly one bbolt
// transaction; everything it returns is a copy made inside that transaction, so callers own it.
// No transaction outlives a method call.
package store

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"time"

	"go.etcd.io/bbolt"
)

// Sentinel errors. Callers test them with errors.Is; the store wraps them with context.
var (
	ErrNotFound = errors.New("not found")
	ErrExists   = errors.New("already exists")
	// ErrLocked means another process holds the database file (bbolt allows one writer
	// process per file); Open gives up after Options.LockTimeout.
	ErrLocked  = errors.New("data directory is in use by another firmline process")
	ErrExpired = errors.New("expired")
	ErrUsed    = errors.New("already used")
	// ErrPrimary protects the primary owner (the first owner created): DeleteUser refuses to
	// remove them and UpdateUser refuses to lower their role.
	ErrPrimary = errors.New("the primary owner cannot be removed")
	// ErrLastOwner is the contract's placeholder name for ErrPrimary; both are the same value.
	ErrLastOwner = ErrPrimary
	// ErrBrokenChain is wrapped (through *ChainError) by VerifyAudit, VerifyChain and Check
	// when the audit log has been altered.
	ErrBrokenChain = errors.New("audit chain broken")
)

// Options configure Open. The zero value is usable.
type Options struct {
	LockTimeout time.Duration    // how long to wait for the file lock; default 1s
	Now         func() time.Time // clock; default time.Now; injected in tests
	ReadOnly    bool             // shared lock, no writes, no migrations
	noSync      bool             // tests and benchmark fixtures only: skip fsync
}

// Store is an open firmline database. Close it last, after every user of it has stopped.
type Store struct {
	db   *bbolt.DB
	path string
	now  func() time.Time
}

// Open opens (creating if needed) the database file at path and runs pending migrations in one
// transaction. When another process holds the file, Open fails after Options.LockTimeout with an
// error wrapping ErrLocked.
func Open(path string, opt Options) (*Store, error) {
	if opt.LockTimeout <= 0 {
		opt.LockTimeout = time.Second
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{
		Timeout:      opt.LockTimeout,
		ReadOnly:     opt.ReadOnly,
		NoSync:       opt.noSync,
		FreelistType: bbolt.FreelistMapType,
	})
	if errors.Is(err, bbolt.ErrTimeout) {
		return nil, fmt.Errorf("%w (database %s is locked)", ErrLocked, path)
	}
	if err != nil {
		return nil, fmt.Errorf("opening database %s: %w", path, err)
	}
	if err := migrate(db, migrations, opt.ReadOnly); err != nil {
		db.Close()
		return nil, fmt.Errorf("database %s: %w", path, err)
	}
	return &Store{db: db, path: path, now: opt.Now}, nil
}

// Close releases the file. Callers must have stopped using the Store.
func (s *Store) Close() error { return s.db.Close() }

// Path is the database file's path as given to Open.
func (s *Store) Path() string { return s.path }

// Backup writes a consistent snapshot of the whole database to w from a read transaction, so
// writers carry on meanwhile. It returns the bytes written.
func (s *Store) Backup(w io.Writer) (int64, error) {
	var n int64
	err := s.db.View(func(tx *bbolt.Tx) error {
		var err error
		n, err = tx.WriteTo(w)
		return err
	})
	if err != nil {
		return n, fmt.Errorf("backup: %w", err)
	}
	return n, nil
}

// Check opens the database file at path read-only (a backup about to be restored, for
// instance) and verifies that its schema version is one this build knows and that its audit
// chain is intact. Older schema versions pass; Open migrates them.
func Check(path string) error {
	db, err := bbolt.Open(path, 0o400, &bbolt.Options{Timeout: time.Second, ReadOnly: true})
	if errors.Is(err, bbolt.ErrTimeout) {
		return fmt.Errorf("%w (database %s is locked)", ErrLocked, path)
	}
	if err != nil {
		return fmt.Errorf("opening %s: %w", path, err)
	}
	defer db.Close()
	return db.View(func(tx *bbolt.Tx) error {
		v := versionOf(tx)
		if v == 0 || v > schemaVersion() {
			return fmt.Errorf("%s: schema version %d is not one this firmline knows (1..%d)", path, v, schemaVersion())
		}
		if _, err := verifyTx(tx); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		return nil
	})
}

// Stats are cheap counts for status lines and the systemd STATUS= line.
type Stats struct {
	Messages     int    // messages ever stored (expired bodies included)
	Users        int    // user accounts
	AuditEntries int    // audit log length
	LastSeq      uint64 // the message change sequence (see Message.Seq)
}

// Stats reads the counters in one read transaction, without scanning messages or the log.
func (s *Store) Stats() (Stats, error) {
	var st Stats
	err := s.db.View(func(tx *bbolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		st.Messages = int(readU64(meta.Get(keyMsgCount)))
		st.Users = tx.Bucket(bucketUserEmail).Stats().KeyN
		st.AuditEntries = int(readU64(meta.Get(keyAuditHead)))
		st.LastSeq = tx.Bucket(bucketBySeq).Sequence()
		return nil
	})
	return st, err
}

// newID returns 16 random hex digits for records whose IDs appear in URLs.
func newID() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
