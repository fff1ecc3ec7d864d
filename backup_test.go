package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"firmline/modem/pdu"
	"firmline/modem/sim"
	"firmline/store"
)

// runCLI runs one firmline command in-process and returns its exit status and output.
func runCLI(t *testing.T, args ...string) (int, string) {
	t.Helper()
	var out bytes.Buffer
	code := run(t.Context(), args, func(string) string { return "" }, bytes.NewReader(nil), &out, &out)
	return code, out.String()
}

// loadSMS delivers numbered messages to the simulated modem one after another until stop is
// closed (at most max), and then reports the texts it delivered. It is the write load of the
// backup test.
func loadSMS(s *sim.Sim, max int, stop <-chan struct{}, sent chan<- []string) {
	var texts []string
	defer func() { sent <- texts }()
	for i := 0; i < max; i++ {
		select {
		case <-stop:
			return
		default:
		}
		text := fmt.Sprintf("Your Acme login code is %06d. Message %d under load.", 100000+i, i)
		pdus, err := pdu.EncodeDeliver(pdu.Deliver{SMSC: "+15550000000", Sender: "+12065550143", Text: text, SentAt: time.Now(), Ref: i % 256})
		if err != nil || s.Deliver(pdus...) != nil {
			return
		}
		texts = append(texts, text)
		// Let the modem drain its slots rather than pile messages up at the "SMSC".
		for len(s.Stored()) > 2 {
			select {
			case <-stop:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}
}

// allMessages pages through every stored message.
func allMessages(t *testing.T, st *store.Store) []store.Message {
	t.Helper()
	var all []store.Message
	q := store.Query{Limit: 500}
	for {
		page, next, err := st.Messages(q)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, page...)
		if next == "" {
			return all
		}
		q.Before = next
	}
}

// TestBackupLiveUnderWriteLoadAndRestore backs up a running instance over its admin socket
// while messages keep arriving, plain and encrypted, and restores each into a fresh data
// dir: every message committed before the backup began is there, every restored message is
// intact and identical to the live one, the audit chain verifies; restore refuses a running
// instance's data dir and a wrong passphrase, changing nothing.
func TestBackupLiveUnderWriteLoadAndRestore(t *testing.T) {
	ta := startAppliance(t, sim.QuectelEC25)
	stop := make(chan struct{})
	sent := make(chan []string, 1)
	go loadSMS(ta.sim, 40, stop, sent)
	stopLoad := func() []string {
		if stop != nil {
			close(stop)
			stop = nil
		}
		return <-sent
	}
	defer func() {
		if stop != nil {
			stopLoad()
		}
	}()

	waitFor(t, "five messages committed under load", func() bool { return len(ta.messages(t)) >= 5 })
	before := allMessages(t, ta.store)

	dir := t.TempDir()
	plain, sealed := filepath.Join(dir, "plain.bak"), filepath.Join(dir, "sealed.bak")
	pass := filepath.Join(dir, "pass")
	if err := os.WriteFile(pass, []byte("long enough passphrase\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, out := runCLI(t, "backup", "--data", ta.cfg.Data, "--out", plain); code != 0 {
		t.Fatalf("backup exit %d: %s", code, out)
	}
	if code, out := runCLI(t, "backup", "--data", ta.cfg.Data, "--out", sealed, "--passphrase-file", pass); code != 0 {
		t.Fatalf("encrypted backup exit %d: %s", code, out)
	}
	waitFor(t, "more messages after the backups", func() bool { return len(ta.messages(t)) > len(before)+2 })
	delivered := stopLoad()
	live := map[string]store.Message{}
	for _, m := range allMessages(t, ta.store) {
		live[m.ID] = m
	}
	sentText := map[string]bool{}
	for _, text := range delivered {
		sentText[text] = true
	}

	if head, _ := os.ReadFile(sealed); !bytes.HasPrefix(head, []byte(ageHeader)) {
		t.Errorf("the encrypted backup does not start with the age header")
	}
	if code, _ := runCLI(t, "restore", "--data", ta.cfg.Data, "--in", plain); code == 0 {
		t.Error("restore into the running instance's data dir succeeded, want a refusal")
	}
	wrong := filepath.Join(dir, "wrong")
	os.WriteFile(wrong, []byte("not the passphrase"), 0o600)
	failed := filepath.Join(dir, "failed")
	if code, _ := runCLI(t, "restore", "--data", failed, "--in", sealed, "--passphrase-file", wrong); code == 0 {
		t.Error("restore with a wrong passphrase succeeded")
	}
	if _, err := os.Stat(filepath.Join(failed, dbName)); err == nil {
		t.Error("a failed restore left a database behind")
	}

	for _, tc := range []struct{ name, file, pass string }{{"plain", plain, ""}, {"encrypted", sealed, pass}} {
		t.Run(tc.name, func(t *testing.T) {
			fresh := filepath.Join(t.TempDir(), "data")
			args := []string{"restore", "--data", fresh, "--in", tc.file}
			if tc.pass != "" {
				args = append(args, "--passphrase-file", tc.pass)
			}
			if code, out := runCLI(t, args...); code != 0 {
				t.Fatalf("restore exit %d: %s", code, out)
			}
			if code, out := runCLI(t, "audit", "verify", "--data", fresh); code != 0 {
				t.Errorf("audit chain of the restored data does not verify: %s", out)
			}
			st, err := store.Open(filepath.Join(fresh, dbName), store.Options{LockTimeout: time.Second})
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			restored := allMessages(t, st)
			got := map[string]bool{}
			for _, m := range restored {
				got[m.ID] = true
				l, ok := live[m.ID]
				switch {
				case !ok:
					t.Errorf("restored message %s is not in the live store", m.ID)
				case m.Text != l.Text || m.Code != l.Code || m.Sender != l.Sender || !m.ReceivedAt.Equal(l.ReceivedAt):
					t.Errorf("restored message %s differs:\n got %+v\nlive %+v", m.ID, m, l)
				case !sentText[m.Text]:
					t.Errorf("restored message %s has text %q, which was never sent", m.ID, m.Text)
				}
			}
			for _, m := range before {
				if !got[m.ID] {
					t.Errorf("message %s, committed before the backup, is missing from the restore", m.ID)
				}
			}
			if len(restored) < len(before) || len(restored) > len(live) {
				t.Errorf("restored %d messages; %d were committed before the backup, %d after the load", len(restored), len(before), len(live))
			}
			t.Logf("%s: %d messages restored (%d before the backup, %d at the end)", tc.name, len(restored), len(before), len(live))
		})
	}
}

// TestBackupOfSmallLiveDatabase: a running instance with little data (a fresh install) must
// back up too. Regression guard: the admin socket once sent output below 64 KiB as a JSON
// string, which replaced the database's non-UTF-8 bytes with U+FFFD.
func TestBackupOfSmallLiveDatabase(t *testing.T) {
	ta := startAppliance(t, sim.Generic)
	ta.deliver(t, "+12065550143", "Your Acme login code is 123456.", 1)
	waitFor(t, "message committed", func() bool { return len(ta.messages(t)) == 1 })
	file := filepath.Join(t.TempDir(), "b.bak")
	if code, out := runCLI(t, "backup", "--data", ta.cfg.Data, "--out", file); code != 0 {
		t.Fatalf("backup of a small running instance: exit %d: %s", code, out)
	}
	fresh := filepath.Join(t.TempDir(), "data")
	if code, out := runCLI(t, "restore", "--data", fresh, "--in", file); code != 0 {
		t.Fatalf("restore exit %d: %s", code, out)
	}

	// A damaged copy is refused before the data dir is touched. bbolt's two meta pages carry
	// checksums; flip a byte of each.
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	b[16+40] ^= 0xff
	b[4096+16+40] ^= 0xff
	damaged := filepath.Join(t.TempDir(), "damaged.bak")
	if err := os.WriteFile(damaged, b, 0o600); err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(t.TempDir(), "data")
	if code, _ := runCLI(t, "restore", "--data", other, "--in", damaged); code == 0 {
		t.Fatal("restore of a damaged backup succeeded")
	}
	if _, err := os.Stat(filepath.Join(other, dbName)); err == nil {
		t.Error("a refused restore left a database behind")
	}
}
