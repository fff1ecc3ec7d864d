package store

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.etcd.io/bbolt"
)

// openAt creates a database file migrated to exactly version v (0: an empty file) and returns
// the raw bbolt handle.
func openAt(t *testing.T, v int) (*bbolt.DB, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "firmline.db")
	db, err := bbolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if v > 0 {
		if err := migrate(db, migrations[:v], false); err != nil {
			t.Fatal(err)
		}
	}
	return db, path
}

func TestMigrationsAreNumberedInOrder(t *testing.T) {
	for i, m := range migrations {
		if m.version != i+1 || m.name == "" || m.apply == nil {
			t.Fatalf("migration %d: %+v", i, m)
		}
	}
}

func TestMigration1CreatesBuckets(t *testing.T) {
	db, _ := openAt(t, 0)
	defer db.Close()
	if err := migrate(db, migrations[:1], false); err != nil {
		t.Fatal(err)
	}
	db.View(func(tx *bbolt.Tx) error {
		if v := versionOf(tx); v != 1 {
			t.Fatalf("version %d", v)
		}
		for _, name := range [][]byte{bucketMeta, bucketMessages, bucketDedup, bucketGroups, bucketHidden,
			bucketBySeq, bucketUsers, bucketUserEmail, bucketSessions, bucketUserSessions, bucketTokens,
			bucketTokenName, bucketTokenHash, bucketInvites, bucketInviteHash, bucketSettings, bucketAudit,
			bucketChannels, bucketRules, bucketEvents, bucketDeliveries, bucketDue, bucketDeliveryMsg} {
			if tx.Bucket(name) == nil {
				t.Errorf("bucket %s missing", name)
			}
		}
		if tx.Bucket(bucketSearch) != nil {
			t.Error("version 1 has the version 2 search index")
		}
		st, err := settingsTx(tx)
		if err != nil || st.RetentionDays != 365 || st.MFAPolicy != "optional" {
			t.Errorf("default settings: %+v %v", st, err)
		}
		return nil
	})
}

func TestMigration2BuildsSearchIndex(t *testing.T) {
	db, path := openAt(t, 1)
	// A version-1 database with two messages and no search index.
	err := db.Update(func(tx *bbolt.Tx) error {
		for i, text := range []string{"Your Clio code is 111", "Westlaw: 222"} {
			r := record{Message: Message{ID: seqID(uint64(i + 1)), Seq: uint64(i + 1), Text: text,
				Sender: "+1555", Platform: strings.Fields(text)[0], Visible: true, Complete: true, Parts: 1,
				ReceivedAt: time.Unix(int64(i), 0).UTC()}, Slots: []string{"00"}}
			if err := putJSON(tx.Bucket(bucketMessages), []byte(r.ID), r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.db.View(func(tx *bbolt.Tx) error {
		if v := versionOf(tx); v != schemaVersion() {
			t.Fatalf("version after Open: %d", v)
		}
		return nil
	})
	msgs, _, err := s.Messages(Query{Text: "clio CODE"})
	if err != nil || len(msgs) != 1 || msgs[0].Text != "Your Clio code is 111" {
		t.Fatalf("search after migration 2: %+v %v", msgs, err)
	}
	if all, _, _ := s.Messages(Query{}); len(all) != 2 {
		t.Fatalf("listing after migration 2: %d", len(all))
	}
}

func TestNewerSchemaIsRefused(t *testing.T) {
	db, path := openAt(t, len(migrations))
	db.Update(func(tx *bbolt.Tx) error { return tx.Bucket(bucketMeta).Put(keyVersion, u64(99)) })
	db.Close()
	if _, err := Open(path, Options{}); err == nil || !strings.Contains(err.Error(), "newer") {
		t.Fatalf("Open of a newer schema: %v", err)
	}
	if err := Check(path); err == nil {
		t.Fatal("Check accepted a newer schema")
	}
}

func TestReadOnlyOpenDoesNotMigrate(t *testing.T) {
	db, path := openAt(t, 1)
	db.Close()
	if _, err := Open(path, Options{ReadOnly: true}); err == nil {
		t.Fatal("read-only Open of an old schema succeeded")
	}
	if err := Check(path); err != nil {
		t.Fatalf("Check of a version-1 file: %v", err)
	}
}
