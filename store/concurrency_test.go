package store

import (
	"fmt"
	"sync"
	"testing"
)

// TestConcurrentUse runs writers and readers together (meaningful under -race): every message
// lands once, every Seq is distinct, and the audit chain stays intact.
func TestConcurrentUse(t *testing.T) {
	s, c := openFast(t)
	const writers, each = 4, 25
	var wg sync.WaitGroup
	errs := make(chan error, writers*each*3)
	for w := range writers {
		wg.Add(2)
		go func() {
			defer wg.Done()
			for i := range each {
				// Every PDU twice: the second is a duplicate whichever goroutine wins.
				for range 2 {
					if _, _, err := s.Ingest(Incoming{PDU: fmt.Sprintf("%02x%04x", w, i), ReceivedAt: c.Now()}, textFields); err != nil {
						errs <- err
					}
				}
				if _, err := s.Audit(AuditEntry{Actor: "console", Action: "test"}); err != nil {
					errs <- err
				}
			}
		}()
		go func() {
			defer wg.Done()
			for range each {
				if _, _, err := s.Messages(Query{Text: "0"}); err != nil {
					errs <- err
				}
				if _, err := s.MessagesSince(0, 10); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	msgs, _, _ := s.Messages(Query{Limit: 500})
	seqs := map[uint64]bool{}
	for _, m := range msgs {
		seqs[m.Seq] = true
	}
	if len(msgs) != writers*each || len(seqs) != len(msgs) {
		t.Fatalf("%d messages with %d distinct Seqs, want %d", len(msgs), len(seqs), writers*each)
	}
	if n, err := s.VerifyAudit(); err != nil || n != 2*writers*each {
		t.Fatalf("VerifyAudit = %d, %v", n, err)
	}
}
