package store

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"
)

// openFast is openTest without fsync, for tests that ingest many messages.
func openFast(t testing.TB) (*Store, *clock) {
	t.Helper()
	c := newClock()
	s, err := Open(filepath.Join(t.TempDir(), "firmline.db"), Options{Now: c.Now, noSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, c
}

var platforms = []string{"Clio", "Westlaw", "Google"}

// fillMessages ingests n single messages, one per second; message i has sender +1555000<i>,
// text "Your code is <i>" and platform platforms[i%3].
func fillMessages(t testing.TB, s *Store, c *clock, n int) []string {
	t.Helper()
	ids := make([]string, n)
	for i := range n {
		fields := func([]string) Message {
			return Message{Sender: fmt.Sprintf("+1555000%d", i), Text: fmt.Sprintf("Your code is %d", i),
				Code: fmt.Sprint(i), Platform: platforms[i%3], Kind: "text"}
		}
		m, _, err := s.Ingest(Incoming{Modem: "m1", PDU: fmt.Sprintf("%08x", i), ReceivedAt: c.Now()}, fields)
		if err != nil {
			t.Fatal(err)
		}
		ids[i] = m.ID
		c.Advance(time.Second)
	}
	return ids
}

func TestMessagesPaging(t *testing.T) {
	s, c := openFast(t)
	ids := fillMessages(t, s, c, 1000)
	var got []string
	before, pages := "", 0
	for {
		msgs, next, err := s.Messages(Query{Limit: 50, Before: before})
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, m := range msgs {
			got = append(got, m.ID)
		}
		if next == "" {
			break
		}
		if len(msgs) != 50 || next != msgs[49].ID {
			t.Fatalf("page %d: %d messages, next %q", pages, len(msgs), next)
		}
		before = next
	}
	if pages != 20 || len(got) != 1000 {
		t.Fatalf("%d pages, %d messages; want 20 pages of 1000", pages, len(got))
	}
	for i, id := range got {
		if want := ids[999-i]; id != want {
			t.Fatalf("position %d: %s, want %s (newest first, each once)", i, id, want)
		}
	}
	if msgs, next, _ := s.Messages(Query{Limit: 10000}); len(msgs) != 500 || next == "" {
		t.Fatalf("limit not capped at 500: %d, next %q", len(msgs), next)
	}
	if msgs, _, _ := s.Messages(Query{}); len(msgs) != 50 {
		t.Fatalf("default limit: %d", len(msgs))
	}
	if msgs, next, _ := s.Messages(Query{Before: ids[0]}); len(msgs) != 0 || next != "" {
		t.Fatal("page before the oldest is not empty")
	}
	if msgs, _, _ := s.Messages(Query{Before: "ffffffffffffffff", Limit: 1}); msgs[0].ID != ids[999] {
		t.Fatal("Before above every ID does not start at the newest")
	}
}

func TestMessagesSearch(t *testing.T) {
	s, c := openFast(t)
	ids := fillMessages(t, s, c, 300)
	cases := []struct {
		q    Query
		want []int // message indexes, newest first
	}{
		{Query{Text: "CODE IS 12"}, []int{129, 128, 127, 126, 125, 124, 123, 122, 121, 120, 12}},
		{Query{Text: "+155500070"}, []int{70}},
		{Query{Text: "+155500029"}, []int{299, 298, 297, 296, 295, 294, 293, 292, 291, 290, 29}},
		{Query{Platform: "westlaw", Text: "is 1"}, []int{199, 196, 193, 190, 187, 184, 181, 178, 175, 172, 169, 166, 163, 160, 157, 154, 151, 148, 145, 142, 139, 136, 133, 130, 127, 124, 121, 118, 115, 112, 109, 106, 103, 100, 19, 16, 13, 10, 1}},
		{Query{Text: "no such text"}, nil},
		{Query{Platform: "Unknown"}, nil},
	}
	for _, tc := range cases {
		msgs, next, err := s.Messages(tc.q)
		if err != nil || next != "" {
			t.Fatalf("%+v: next %q, err %v", tc.q, next, err)
		}
		if len(msgs) != len(tc.want) {
			t.Fatalf("%+v: %d results, want %d", tc.q, len(msgs), len(tc.want))
		}
		for i, m := range msgs {
			if m.ID != ids[tc.want[i]] {
				t.Fatalf("%+v: result %d is %s (%s), want message %d", tc.q, i, m.ID, m.Text, tc.want[i])
			}
		}
	}
	// A filtered query pages too.
	p1, next, _ := s.Messages(Query{Platform: "CLIO", Limit: 60})
	p2, next2, _ := s.Messages(Query{Platform: "clio", Limit: 60, Before: next})
	if len(p1) != 60 || len(p2) != 40 || next2 != "" || p2[0].ID != ids[117] {
		t.Fatalf("filtered paging: %d, %d, next2 %q", len(p1), len(p2), next2)
	}
}

func TestMessagesSinceAndCount(t *testing.T) {
	s, c := openFast(t)
	start := c.Now()
	fillMessages(t, s, c, 10)
	if s.LastSeq() != 10 {
		t.Fatalf("LastSeq = %d", s.LastSeq())
	}
	got, err := s.MessagesSince(7, 0)
	if err != nil || len(got) != 3 || got[0].Seq != 8 || got[2].Seq != 10 {
		t.Fatalf("MessagesSince(7) = %+v, %v", got, err)
	}
	if got, _ := s.MessagesSince(0, 4); len(got) != 4 || got[3].Seq != 4 {
		t.Fatal("MessagesSince limit")
	}
	if n, err := s.CountMessagesSince(start.Add(5 * time.Second)); err != nil || n != 5 {
		t.Fatalf("CountMessagesSince = %d, %v; want 5", n, err)
	}
	if _, err := s.Message("0000000000000000"); err == nil {
		t.Fatal("Message of an unknown ID succeeded")
	}
}

func TestExpireMessages(t *testing.T) {
	s, c := openFast(t)
	start := c.Now()
	ids := fillMessages(t, s, c, 10)
	cut := start.Add(4 * time.Second)
	n, err := s.ExpireMessages(cut)
	if err != nil || n != 4 {
		t.Fatalf("ExpireMessages = %d, %v; want 4", n, err)
	}
	m, _ := s.Message(ids[0])
	if !m.Expired || m.Text != "" || m.Code != "" || len(m.PDUs) != 0 || m.Sender == "" {
		t.Fatalf("expired message: %+v", m)
	}
	if m, _ := s.Message(ids[4]); m.Expired || m.Text == "" {
		t.Fatal("expired a message received at the cutoff")
	}
	if msgs, _, _ := s.Messages(Query{Text: "code is 1"}); len(msgs) != 0 {
		t.Fatal("search finds an expired body")
	}
	if n, _ := s.ExpireMessages(cut); n != 0 {
		t.Fatal("expired twice")
	}
	if n, _ := s.ExpireMessages(c.Now()); n != 6 {
		t.Fatalf("second run expired %d, want 6", n)
	}
	entries, _ := s.AuditEntries(time.Time{}, time.Time{}, 0, true)
	if len(entries) != 20 || entries[0].Action != "message.expired" || entries[0].Target != ids[9] {
		t.Fatalf("audit after expiry: %d entries, newest %+v", len(entries), entries[0])
	}
	// A late part never revives an expired body.
	s.Ingest(part("ee", 1, c.Now()), textFields)
	c.Advance(time.Second)
	if n, _ := s.ExpireMessages(c.Now()); n != 1 {
		t.Fatal("the incomplete message was not expired")
	}
	if m, _, _ := s.Ingest(part("ee", 2, c.Now()), textFields); m.Expired || m.PartsReceived != 1 {
		t.Fatalf("a late part joined an expired message: %+v", m)
	}
	// A PDU of an expired message is still a duplicate (the SIM copy may be read again).
	if _, dup, _ := s.Ingest(Incoming{PDU: fmt.Sprintf("%08x", 0)}, textFields); !dup {
		t.Fatal("an expired message's PDU was stored again")
	}
}
