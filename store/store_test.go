package store

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// clock is an injected, manually advanced time source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// openTest opens a fresh store in t.TempDir() with an injected clock; closed at cleanup.
func openTest(t testing.TB) (*Store, *clock) {
	t.Helper()
	c := newClock()
	s, err := Open(filepath.Join(t.TempDir(), "firmline.db"), Options{Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, c
}

func TestOpenTwiceIsLocked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "firmline.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, ro := range []bool{false, true} {
		_, err = Open(path, Options{LockTimeout: 50 * time.Millisecond, ReadOnly: ro})
		if !errors.Is(err, ErrLocked) {
			t.Fatalf("second Open (read-only %v): got %v, want ErrLocked", ro, err)
		}
		want := "data directory is in use by another firmline process (database " + path + " is locked)"
		if err.Error() != want {
			t.Errorf("error text\n got %q\nwant %q", err, want)
		}
	}
}

func TestReopenKeepsData(t *testing.T) {
	path := filepath.Join(t.TempDir(), "firmline.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Ingest(Incoming{PDU: "00AA"}, textFields); err != nil {
		t.Fatal(err)
	}
	s.Close()
	ro, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	msgs, _, err := ro.Messages(Query{})
	if err != nil || len(msgs) != 1 {
		t.Fatalf("after reopen: %d messages, %v", len(msgs), err)
	}
	if ro.Path() != path {
		t.Errorf("Path() = %q", ro.Path())
	}
}

func TestBackupAndCheck(t *testing.T) {
	s, _ := openTest(t)
	if _, _, err := s.Ingest(Incoming{PDU: "00BB"}, textFields); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Audit(AuditEntry{Actor: "console", Action: "backup.made"}); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	n, err := s.Backup(&buf)
	if err != nil || n != int64(buf.Len()) || n == 0 {
		t.Fatalf("Backup: n=%d len=%d err=%v", n, buf.Len(), err)
	}
	copyPath := filepath.Join(t.TempDir(), "backup.db")
	if err := os.WriteFile(copyPath, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := Check(copyPath); err != nil {
		t.Fatalf("Check of a good backup: %v", err)
	}
	garbage := filepath.Join(t.TempDir(), "garbage.db")
	os.WriteFile(garbage, bytes.Repeat([]byte("x"), 8192), 0o600)
	if err := Check(garbage); err == nil {
		t.Fatal("Check accepted a garbage file")
	}
	if err := Check(filepath.Join(t.TempDir(), "missing.db")); err == nil {
		t.Fatal("Check accepted a missing file")
	}
}

func TestStats(t *testing.T) {
	s, _ := openTest(t)
	s.Ingest(Incoming{PDU: "01"}, textFields)
	s.Ingest(Incoming{PDU: "02"}, textFields)
	s.CreateUser(User{Email: "a@firm.test", Role: RoleOwner})
	st, err := s.Stats()
	if err != nil {
		t.Fatal(err)
	}
	want := Stats{Messages: 2, Users: 1, AuditEntries: 2, LastSeq: 2}
	if st != want {
		t.Fatalf("Stats = %+v, want %+v", st, want)
	}
}

// textFields is a FieldsFunc for tests: the text is the parts joined by "|", with "?" for a
// missing part; the code is the first part.
func textFields(parts []string) Message {
	var b strings.Builder
	for i, p := range parts {
		if i > 0 {
			b.WriteByte('|')
		}
		if p == "" {
			p = "?"
		}
		b.WriteString(p)
	}
	return Message{Text: b.String(), Sender: "+15551234567", SenderType: "international",
		Kind: "text", Code: parts[0], Platform: "Clio"}
}

func TestCountMessagesSinceZeroTimeCountsAll(t *testing.T) {
	s, c := openTest(t)
	if _, _, err := s.Ingest(Incoming{PDU: "00CC", ReceivedAt: c.Now()}, textFields); err != nil {
		t.Fatal(err)
	}
	if n, err := s.CountMessagesSince(time.Time{}); err != nil || n != 1 {
		t.Fatalf("CountMessagesSince(zero) = %d, %v; want 1", n, err)
	}
}
