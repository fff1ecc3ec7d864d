package store

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"go.etcd.io/bbolt"
)

func TestMigration3CreatesAccounts(t *testing.T) {
	db, path := openAt(t, 2)
	db.View(func(tx *bbolt.Tx) error {
		if tx.Bucket(bucketAccounts) != nil {
			t.Error("version 2 has the version 3 accounts bucket")
		}
		return nil
	})
	db.Close()
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.db.View(func(tx *bbolt.Tx) error {
		if v := versionOf(tx); v != 3 {
			t.Errorf("version after Open: %d", v)
		}
		if tx.Bucket(bucketAccounts) == nil {
			t.Error("accounts bucket missing after migration 3")
		}
		return nil
	})
	if as, err := s.Accounts(); err != nil || len(as) != 0 {
		t.Fatalf("Accounts on a migrated store: %+v %v", as, err)
	}
}

func TestAccountsRegister(t *testing.T) {
	s, c := openTest(t)
	when := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	w, err := s.PutAccount(Account{Platform: " Westlaw ", Account: "research login", RegisteredBy: "ann@example.com", Registered: when})
	if err != nil {
		t.Fatal(err)
	}
	if w.ID == "" || w.Platform != "Westlaw" || !w.Created.Equal(c.Now()) || !w.Registered.Equal(when) {
		t.Fatalf("created: %+v", w)
	}
	cl, err := s.PutAccount(Account{Platform: "clio", Account: "firm admin login at Clio"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.PutAccount(Account{Platform: "  "}); err == nil {
		t.Fatal("an account without a platform was stored")
	}
	if _, err := s.PutAccount(Account{ID: "nope", Platform: "X"}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("update of an unknown ID: %v", err)
	}
	c.Advance(time.Hour)
	cl.Notes = "moved off Bob's phone"
	if cl2, err := s.PutAccount(cl); err != nil || cl2.ID != cl.ID || !cl2.Created.Equal(cl.Created) {
		t.Fatalf("update: %+v %v", cl2, err)
	}
	as, err := s.Accounts()
	if err != nil || len(as) != 2 || as[0].Platform != "clio" || as[0].Notes != "moved off Bob's phone" || as[1].ID != w.ID {
		t.Fatalf("Accounts: %+v %v", as, err)
	}
	if err := s.DeleteAccount(w.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteAccount(w.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second delete: %v", err)
	}
	if as, _ := s.Accounts(); len(as) != 1 || as[0].ID != cl.ID {
		t.Fatalf("after delete: %+v", as)
	}
}

// platformFields names the platform after the PDU's first hex pair: "aa" -> "Clio",
// "bb" -> "WESTLAW", anything else none.
func platformFields(parts []string) Message {
	m := Message{Text: strings.Join(parts, ""), Kind: "text", Sender: "+1555"}
	switch strings.ToLower(m.Text[:2]) {
	case "aa":
		m.Platform, m.Code = "Clio", "123456"
	case "bb":
		m.Platform, m.Code = "WESTLAW", "654321"
	}
	return m
}

func TestSeenPlatforms(t *testing.T) {
	s, c := openTest(t)
	ingest := func(prefix string, i int) {
		t.Helper()
		if _, _, err := s.Ingest(Incoming{Modem: "m1", PDU: fmt.Sprintf("%s%04x", prefix, i), ReceivedAt: c.Now()}, platformFields); err != nil {
			t.Fatal(err)
		}
	}
	ingest("aa", 1) // old: outside the window
	c.Advance(48 * time.Hour)
	since := c.Now()
	for i := range 3 {
		ingest("aa", 10+i)
	}
	ingest("bb", 1)
	ingest("cc", 1) // no platform
	// A part of an incomplete two-part message is hidden, so not counted.
	if _, _, err := s.Ingest(Incoming{Modem: "m1", PDU: "bb99", ReceivedAt: c.Now(), Group: "m1|+1555|8|7|2", Total: 2, SeqNo: 1}, platformFields); err != nil {
		t.Fatal(err)
	}
	got, err := s.SeenPlatforms(since)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got["Clio"] != 3 || got["WESTLAW"] != 1 {
		t.Fatalf("SeenPlatforms(since) = %v, want Clio:3 WESTLAW:1", got)
	}
	if all, _ := s.SeenPlatforms(time.Time{}); all["Clio"] != 4 {
		t.Fatalf("SeenPlatforms(zero) = %v, want Clio:4", all)
	}
}

func BenchmarkSeenPlatforms(b *testing.B) {
	s, c := openTest(b)
	const n = 100_000
	ins := make([]Incoming, n)
	for i := range ins {
		p := []string{"aa", "bb", "cc"}[i%3]
		ins[i] = Incoming{Modem: "m1", PDU: fmt.Sprintf("%s%08x", p, i), ReceivedAt: c.Now().Add(time.Duration(i) * time.Second)}
	}
	if err := s.ingestBatch(ins, platformFields); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if m, err := s.SeenPlatforms(time.Time{}); err != nil || m["Clio"] == 0 {
			b.Fatal(m, err)
		}
	}
}
