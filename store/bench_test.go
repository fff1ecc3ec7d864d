package store

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"
)

// Benchmarks run only with -bench; see BENCHMARKS.md for the commands and figures.

// benchPDU is a realistic-length unique PDU (SMS-DELIVER, GSM 7-bit, ~60 characters).
func benchPDU(i int) string {
	return fmt.Sprintf("07911326040000F0040B911346610089F60000%014X3CC8329BFD06B5CB6E3A0B142687D9E9B23D4D2FE8A%016X", i, i)
}

func benchFields(i int) FieldsFunc {
	return func([]string) Message {
		return Message{Sender: fmt.Sprintf("+1555%07d", i%5000), SenderType: "international", Kind: "text",
			Text: fmt.Sprintf("Your %s verification code is %06d. It expires in 10 minutes.", platforms[i%3], i%1000000),
			Code: fmt.Sprintf("%06d", i%1000000), Platform: platforms[i%3]}
	}
}

// BenchmarkIngest measures one Ingest of a single-part message: one bbolt commit including the
// dedup, byseq and search indexes, the outbox event and the audit entry. "fsync" is the real,
// durable configuration; "nosync" shows the CPU part alone (never used in production).
func BenchmarkIngest(b *testing.B) {
	for _, bc := range []struct {
		name   string
		noSync bool
	}{{"fsync", false}, {"nosync", true}} {
		b.Run(bc.name, func(b *testing.B) {
			s, err := Open(filepath.Join(b.TempDir(), "firmline.db"), Options{noSync: bc.noSync})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			at := time.Now()
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, _, err := s.Ingest(Incoming{Modem: "m1", PDU: benchPDU(i), ReceivedAt: at}, benchFields(i)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// buildMessages ingests n messages through the real ingest code in transactions of 10,000,
// without fsync (a throwaway database).
func buildMessages(b *testing.B, n int) *Store {
	b.Helper()
	c := newClock()
	s, err := Open(filepath.Join(b.TempDir(), "firmline.db"), Options{Now: c.Now, noSync: true})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	start := time.Now()
	const batch = 10000
	for done := 0; done < n; done += batch {
		ins := make([]Incoming, 0, batch)
		for i := done; i < min(done+batch, n); i++ {
			ins = append(ins, Incoming{Modem: "m1", PDU: benchPDU(i), ReceivedAt: c.Now()})
			c.Advance(time.Second)
		}
		base := done
		k := 0
		err := s.ingestBatch(ins, func(p []string) Message { m := benchFields(base + k)(p); k++; return m })
		if err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("built %d messages in %v (%.1f µs each)", n, time.Since(start), float64(time.Since(start).Microseconds())/float64(n))
	return s
}

// BenchmarkMessagesPage pages the inbox of 1,000,000 stored messages: the first page, a page
// half-way down (Before), a search that fills its page quickly, and one that matches nothing
// and so scans the whole index.
func BenchmarkMessagesPage(b *testing.B) {
	const n = 1000000
	s := buildMessages(b, n)
	mid, _, err := s.Messages(Query{Limit: 1, Before: seqID(uint64(newClock().Now().Add(n/2*time.Second).UnixMilli()) << 16)})
	if err != nil || len(mid) != 1 {
		b.Fatal("no middle message", err)
	}
	for _, bc := range []struct {
		name string
		q    Query
		want int
	}{
		{"first", Query{Limit: 50}, 50},
		{"deep", Query{Limit: 50, Before: mid[0].ID}, 50},
		{"search_common", Query{Limit: 50, Text: "westlaw verification"}, 50},
		{"search_sender", Query{Limit: 50, Text: "+15550004999"}, 50},
		{"search_none", Query{Limit: 50, Text: "no such words"}, 0},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				msgs, _, err := s.Messages(bc.q)
				if err != nil || len(msgs) != bc.want {
					b.Fatalf("%d messages, %v", len(msgs), err)
				}
			}
		})
	}
}

// buildAudit appends n entries in transactions of 10,000 (no fsync).
func buildAudit(b *testing.B, n int) *Store {
	b.Helper()
	c := newClock()
	s, err := Open(filepath.Join(b.TempDir(), "firmline.db"), Options{Now: c.Now, noSync: true})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	start := time.Now()
	fillAudit(b, s, c, n)
	b.Logf("built %d audit entries in %v", n, time.Since(start))
	return s
}

// BenchmarkAuditAppend appends to a log of 1,000,000 entries: "fsync" is one Audit call (its
// own durable commit); "batched" is the per-entry cost inside a 10,000-entry transaction.
func BenchmarkAuditAppend(b *testing.B) {
	const n = 1000000
	s := buildAudit(b, n)
	e := AuditEntry{Actor: "a@firm.test", Action: "message.viewed", Target: "0194f3a2b1c40001",
		Addr: "192.0.2.1", Detail: map[string]string{"platform": "Clio"}}
	b.Run("batched", func(b *testing.B) {
		b.ReportAllocs()
		es := make([]AuditEntry, 10000)
		for i := range es {
			es[i] = e
		}
		for done := 0; done < b.N; done += len(es) {
			if err := s.appendAuditBatch(es[:min(len(es), b.N-done)]); err != nil {
				b.Fatal(err)
			}
		}
	})
	s.Close() // reopen the same 1M-entry file with fsync on
	durable, err := Open(s.Path(), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer durable.Close()
	b.Run("fsync", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if _, err := durable.Audit(e); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkAuditVerify verifies a chain of 1,000,000 entries per op (the fixture is built
// once, outside the timed sub-benchmark).
func BenchmarkAuditVerify(b *testing.B) {
	const n = 1000000
	s := buildAudit(b, n)
	start := time.Now()
	if _, err := s.VerifyAudit(); err != nil {
		b.Fatal(err)
	}
	b.Logf("cold verify (pages faulted in from the file): %v", time.Since(start))
	b.Run("1M", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			got, err := s.VerifyAudit()
			if err != nil || got != n {
				b.Fatal(got, err)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/entry")
	})
}
