package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.etcd.io/bbolt"
)

// fillAudit appends n entries in batches (one transaction per batch) through the same code
// path as Audit, one clock second apart per batch.
func fillAudit(t testing.TB, s *Store, c *clock, n int) {
	t.Helper()
	const batch = 10000
	for done := 0; done < n; done += batch {
		es := make([]AuditEntry, min(batch, n-done))
		for i := range es {
			es[i] = AuditEntry{Actor: "a@firm.test", Action: "message.viewed", Target: fmt.Sprintf("%016x", done+i),
				Addr: "192.0.2.1", Detail: map[string]string{"n": fmt.Sprint(done + i), "b": "x"}}
		}
		if err := s.appendAuditBatch(es); err != nil {
			t.Fatal(err)
		}
		c.Advance(time.Second)
	}
}

func TestAuditAppendAndQuery(t *testing.T) {
	s, c := openTest(t)
	t0 := c.Now()
	for i := range 5 {
		e, err := s.Audit(AuditEntry{Actor: "console", Action: "user.added", Target: fmt.Sprintf("u%d", i),
			Detail: map[string]string{"role": "viewer", "bad": "\xff"}, Seq: 99, Hash: "forged", Prev: "forged"})
		if err != nil {
			t.Fatal(err)
		}
		if e.Seq != uint64(i+1) || !e.Time.Equal(c.Now()) || e.Hash != CanonicalHash(e) || e.Detail["bad"] != "\uFFFD" {
			t.Fatalf("entry %d: %+v", i, e)
		}
		c.Advance(time.Minute)
	}
	all, _ := s.AuditEntries(time.Time{}, time.Time{}, 0, false)
	if len(all) != 5 || all[0].Prev != "" || all[1].Prev != all[0].Hash {
		t.Fatalf("chain links: %+v", all)
	}
	newest, _ := s.AuditEntries(t0.Add(time.Minute), t0.Add(4*time.Minute), 2, true)
	if len(newest) != 2 || newest[0].Seq != 4 || newest[1].Seq != 3 {
		t.Fatalf("since/until/limit/newest first: %+v", newest)
	}
	if n, err := s.VerifyAudit(); err != nil || n != 5 {
		t.Fatalf("VerifyAudit = %d, %v", n, err)
	}
	// The JSONL export round-trips and verifies outside the store.
	var lines bytes.Buffer
	for _, e := range all {
		b, _ := json.Marshal(e)
		lines.Write(append(b, '\n'))
	}
	var back []AuditEntry
	dec := json.NewDecoder(&lines)
	for dec.More() {
		var e AuditEntry
		if err := dec.Decode(&e); err != nil {
			t.Fatal(err)
		}
		back = append(back, e)
	}
	if n, err := VerifyChain(back); err != nil || n != 5 {
		t.Fatalf("VerifyChain after JSONL round trip = %d, %v", n, err)
	}
}

func TestCanonicalEncoding(t *testing.T) {
	e := AuditEntry{Seq: 7, Time: time.Date(2026, 11, 23, 9, 41, 7, 120000000, time.FixedZone("x", 3600)),
		Actor: "a\"b\\c", Action: "x.y", Target: "t\n\x01é<", Detail: map[string]string{"z": "1", "a": "2"}, Prev: "p"}
	want := `{"seq":7,"time":"2026-11-23T08:41:07.12Z","actor":"a\"b\\c","action":"x.y","target":"t\n\u0001é<","addr":"","detail":{"a":"2","z":"1"},"prev":"p"}`
	if got := string(canonical(e)); got != want {
		t.Fatalf("canonical\n got %s\nwant %s", got, want)
	}
	e.Detail = nil
	if !bytes.Contains(canonical(e), []byte(`"detail":{}`)) {
		t.Fatal("nil detail is not {}")
	}
}

// backupCopy backs s up into a new file (Backup straight to the file) and opens the copy
// without fsync, as a scratch database.
func backupCopy(t *testing.T, s *Store) *Store {
	t.Helper()
	path := filepath.Join(t.TempDir(), "copy.db")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Backup(f); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	cp, err := Open(path, Options{noSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cp.Close() })
	return cp
}

// tamper applies fn to the audit bucket of cp in one committed transaction and returns an undo
// that puts back the values of the keys listed.
func tamper(t *testing.T, cp *Store, keys []uint64, fn func(b *bbolt.Bucket) error) (undo func()) {
	t.Helper()
	saved := map[uint64][]byte{}
	err := cp.db.Update(func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketAudit)
		for _, k := range keys {
			saved[k] = append([]byte(nil), b.Get(u64(k))...)
		}
		return fn(b)
	})
	if err != nil {
		t.Fatal(err)
	}
	return func() {
		cp.db.Update(func(tx *bbolt.Tx) error {
			for k, v := range saved {
				tx.Bucket(bucketAudit).Put(u64(k), v)
			}
			return nil
		})
	}
}

// editEntry rewrites one entry in the stored format, as a careful forger would; the stored Hash
// is kept unless fn changes it.
func editEntry(b *bbolt.Bucket, seq uint64, fn func(*AuditEntry)) error {
	var e AuditEntry
	if err := getJSON(b, u64(seq), &e); err != nil {
		return err
	}
	fn(&e)
	return b.Put(u64(seq), storedEntry(canonical(e), e.Hash))
}

func swapEntries(b *bbolt.Bucket, x, y uint64) error {
	vx, vy := append([]byte(nil), b.Get(u64(x))...), append([]byte(nil), b.Get(u64(y))...)
	if err := b.Put(u64(x), vy); err != nil {
		return err
	}
	return b.Put(u64(y), vx)
}

func TestAuditChain100k(t *testing.T) {
	s, c := openTest(t)
	n := uint64(100000)
	if raceEnabled {
		n = 20000
	}
	fillAudit(t, s, c, int(n)-1)
	if _, err := s.Audit(AuditEntry{Actor: "console", Action: "backup.made"}); err != nil {
		t.Fatal(err)
	}
	if got, err := s.VerifyAudit(); err != nil || got != int(n) {
		t.Fatalf("clean chain: %d, %v", got, err)
	}
	cp := backupCopy(t, s)
	tampers := []struct {
		name string
		keys []uint64
		seq  uint64 // where the break must be reported
		fn   func(b *bbolt.Bucket) error
	}{
		{"edit detail", []uint64{5000}, 5000, func(b *bbolt.Bucket) error {
			return editEntry(b, 5000, func(e *AuditEntry) { e.Detail["n"] = "forged" })
		}},
		{"edit raw bytes", []uint64{5001}, 5001, func(b *bbolt.Bucket) error {
			v := bytes.Replace(b.Get(u64(5001)), []byte(`"n":"5000"`), []byte(`"n":"5009"`), 1)
			return b.Put(u64(5001), v)
		}},
		{"edit actor and re-hash", []uint64{6000}, 6001, func(b *bbolt.Bucket) error {
			return editEntry(b, 6000, func(e *AuditEntry) { e.Actor = "someone@else"; e.Hash = CanonicalHash(*e) })
		}},
		{"delete", []uint64{7777}, 7777, func(b *bbolt.Bucket) error { return b.Delete(u64(7777)) }},
		{"delete the last", []uint64{n}, n, func(b *bbolt.Bucket) error { return b.Delete(u64(n)) }},
		{"swap", []uint64{300, 301}, 300, func(b *bbolt.Bucket) error { return swapEntries(b, 300, 301) }},
		{"swap and renumber", []uint64{9000, 9001}, 9000, func(b *bbolt.Bucket) error {
			if err := editEntry(b, 9000, func(e *AuditEntry) { e.Seq = 9001 }); err != nil {
				return err
			}
			if err := editEntry(b, 9001, func(e *AuditEntry) { e.Seq = 9000 }); err != nil {
				return err
			}
			return swapEntries(b, 9000, 9001)
		}},
	}
	for _, tc := range tampers {
		undo := tamper(t, cp, tc.keys, tc.fn)
		_, err := cp.VerifyAudit()
		var ce *ChainError
		if !errors.Is(err, ErrBrokenChain) || !errors.As(err, &ce) || ce.Seq != tc.seq {
			t.Errorf("%s: got %v, want a break at entry %d", tc.name, err, tc.seq)
		} else if want := fmt.Sprintf("audit chain broken at entry %d: ", tc.seq); !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%s: message %q", tc.name, err)
		}
		undo()
	}
	if _, err := s.VerifyAudit(); err != nil {
		t.Fatalf("the original changed: %v", err)
	}
}

func TestCheckFindsBrokenChain(t *testing.T) {
	s, c := openTest(t)
	fillAudit(t, s, c, 50)
	cp := backupCopy(t, s)
	tamper(t, cp, nil, func(b *bbolt.Bucket) error { return b.Delete(u64(10)) })
	path := cp.Path()
	cp.Close()
	if err := Check(path); !errors.Is(err, ErrBrokenChain) {
		t.Fatalf("Check: %v", err)
	}
}

func TestVerifyChainSlices(t *testing.T) {
	s, c := openTest(t)
	fillAudit(t, s, c, 1000)
	all, err := s.AuditEntries(time.Time{}, time.Time{}, 0, false)
	if err != nil || len(all) != 1000 {
		t.Fatal(len(all), err)
	}
	if n, err := VerifyChain(all); err != nil || n != 1000 {
		t.Fatalf("clean: %d %v", n, err)
	}
	if n, err := VerifyChain(all[400:]); err != nil || n != 600 {
		t.Fatalf("partial export: %d %v", n, err)
	}
	clone := func() []AuditEntry { return append([]AuditEntry(nil), all...) }
	edited := clone()
	edited[99].Detail = map[string]string{"n": "forged"}
	deleted := append(clone()[:499], all[500:]...)
	swapped := clone()
	swapped[700], swapped[701] = swapped[701], swapped[700]
	noFirst := clone()[1:]
	noFirst[0].Seq = 1
	for _, tc := range []struct {
		name    string
		entries []AuditEntry
		seq     uint64
	}{{"edit", edited, 100}, {"delete", deleted, 500}, {"swap", swapped, 701}, {"first removed, renumbered", noFirst, 1}} {
		_, err := VerifyChain(tc.entries)
		var ce *ChainError
		if !errors.As(err, &ce) || ce.Seq != tc.seq || !errors.Is(err, ErrBrokenChain) {
			t.Errorf("%s: got %v, want a break at %d", tc.name, err, tc.seq)
		}
	}
}

// TestAuditCSVDefusesFormulas: a cell an outsider chose (an invited email "=HYPERLINK(...)")
// reaches a spreadsheet as text, not a formula; JSONL keeps the exact value.
func TestAuditCSVDefusesFormulas(t *testing.T) {
	es := []AuditEntry{{Seq: 1, Actor: "=HYPERLINK(\"http://x\")", Action: "user.invited", Target: "+1555", Detail: map[string]string{"k": "v"}}}
	var csvOut, jsonl strings.Builder
	if err := WriteAuditCSV(&csvOut, es); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(csvOut.String(), `'=HYPERLINK`) || !strings.Contains(csvOut.String(), ",'+1555,") {
		t.Fatalf("CSV = %q", csvOut.String())
	}
	if err := WriteAuditJSONL(&jsonl, es); err != nil || !strings.Contains(jsonl.String(), `"actor":"=HYPERLINK`) {
		t.Fatalf("JSONL = %q, %v", jsonl.String(), err)
	}
}
