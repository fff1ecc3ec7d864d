package store

import (
	"fmt"
	"testing"
	"time"
)

// part builds the Incoming for part seq of a 3-part group; the PDU is unique per (group, seq).
func part(group string, seq int, at time.Time) Incoming {
	return Incoming{Modem: "m1", PDU: fmt.Sprintf("0a%s0%d", group, seq), Storage: "SM",
		ReceivedAt: at, Group: "m1|+1555|8|" + group + "|3", Total: 3, SeqNo: seq}
}

func countEvents(t *testing.T, s *Store) int {
	t.Helper()
	evs, err := s.PendingEvents(1000)
	if err != nil {
		t.Fatal(err)
	}
	return len(evs)
}

func TestIngestSingle(t *testing.T) {
	s, c := openTest(t)
	m, dup, err := s.Ingest(Incoming{Modem: "m1", PDU: "07911326040000f0", ReceivedAt: c.Now()}, textFields)
	if err != nil || dup {
		t.Fatalf("Ingest: dup=%v err=%v", dup, err)
	}
	if !m.Complete || !m.Visible || m.Parts != 1 || m.PartsReceived != 1 || m.Seq != 1 || m.Modem != "m1" {
		t.Fatalf("single message: %+v", m)
	}
	if len(m.PDUs) != 1 || m.PDUs[0] != "07911326040000F0" {
		t.Fatalf("PDUs not stored upper-cased: %q", m.PDUs)
	}
	if !m.ReceivedAt.Equal(c.Now()) || m.Text != "07911326040000F0" || m.Code == "" {
		t.Fatalf("fields: %+v", m)
	}
	got, err := s.Message(m.ID)
	if err != nil || got.ID != m.ID || got.Text != m.Text || len(got.PDUs) != 1 {
		t.Fatalf("Message(%s) = %+v, %v", m.ID, got, err)
	}
	if n := countEvents(t, s); n != 1 {
		t.Fatalf("%d outbox events, want 1", n)
	}
	// The same PDU again (lower-case, from another storage): a duplicate, nothing changes.
	seq, st0 := s.LastSeq(), mustStats(t, s)
	m2, dup, err := s.Ingest(Incoming{Modem: "m1", PDU: "07911326040000F0", Storage: "ME"}, textFields)
	if err != nil || !dup || m2.ID != m.ID {
		t.Fatalf("duplicate: id=%s dup=%v err=%v", m2.ID, dup, err)
	}
	if s.LastSeq() != seq || mustStats(t, s) != st0 || countEvents(t, s) != 1 {
		t.Fatal("a duplicate changed the store")
	}
}

func mustStats(t *testing.T, s *Store) Stats {
	t.Helper()
	st, err := s.Stats()
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func TestIngestThreePartsAnyOrder(t *testing.T) {
	orders := [][]int{{1, 2, 3}, {1, 3, 2}, {2, 1, 3}, {2, 3, 1}, {3, 1, 2}, {3, 2, 1},
		{1, 1, 2, 2, 3, 3}, {3, 3, 1, 2, 1}, {2, 1, 2, 3, 3, 1}}
	for _, order := range orders {
		t.Run(fmt.Sprint(order), func(t *testing.T) {
			s, c := openTest(t)
			seen := map[int]bool{}
			var id string
			for _, n := range order {
				m, dup, err := s.Ingest(part("aa", n, c.Now()), textFields)
				if err != nil {
					t.Fatal(err)
				}
				if dup != seen[n] {
					t.Fatalf("part %d: dup=%v, want %v", n, dup, seen[n])
				}
				seen[n] = true
				if id != "" && m.ID != id {
					t.Fatalf("part %d went to message %s, not %s", n, m.ID, id)
				}
				id = m.ID
				c.Advance(time.Second)
			}
			msgs, _, err := s.Messages(Query{})
			if err != nil || len(msgs) != 1 {
				t.Fatalf("%d messages, err %v", len(msgs), err)
			}
			m := msgs[0]
			if !m.Complete || !m.Visible || m.PartsReceived != 3 || m.Text != "0AAA01|0AAA02|0AAA03" {
				t.Fatalf("message: %+v", m)
			}
			if len(m.PDUs) != 3 || m.PDUs[0] != "0AAA01" || m.PDUs[2] != "0AAA03" {
				t.Fatalf("PDUs %q not in part order", m.PDUs)
			}
			if n := countEvents(t, s); n != 1 {
				t.Fatalf("%d outbox events, want 1", n)
			}
		})
	}
}

func TestIngestMissingPartThenLate(t *testing.T) {
	s, c := openTest(t)
	var calls [][]string
	fields := func(parts []string) Message {
		calls = append(calls, parts)
		return textFields(parts)
	}
	start := c.Now()
	for _, n := range []int{1, 3} {
		m, _, err := s.Ingest(part("bb", n, c.Now()), fields)
		if err != nil || m.Visible || m.Complete {
			t.Fatalf("part %d: visible=%v complete=%v err=%v", n, m.Visible, m.Complete, err)
		}
	}
	if last := calls[len(calls)-1]; len(last) != 3 || last[1] != "" || last[0] == "" || last[2] == "" {
		t.Fatalf("fields got %q, want the missing part as \"\"", last)
	}
	if msgs, _, _ := s.Messages(Query{}); len(msgs) != 0 {
		t.Fatal("an incomplete message is visible inside the grace period")
	}
	if got, _ := s.RevealIncomplete(start); len(got) != 0 {
		t.Fatal("revealed a message that arrived at the cutoff")
	}
	if countEvents(t, s) != 0 {
		t.Fatal("event before the message was visible")
	}
	c.Advance(31 * time.Second)
	revealed, err := s.RevealIncomplete(c.Now().Add(-30 * time.Second))
	if err != nil || len(revealed) != 1 {
		t.Fatalf("RevealIncomplete: %d, %v", len(revealed), err)
	}
	inc := revealed[0]
	if !inc.Visible || inc.Complete || inc.PartsReceived != 2 || inc.Text != "0ABB01|?|0ABB03" {
		t.Fatalf("revealed: %+v", inc)
	}
	if msgs, _, _ := s.Messages(Query{}); len(msgs) != 1 || msgs[0].Complete {
		t.Fatal("the incomplete message is not listed")
	}
	if countEvents(t, s) != 1 {
		t.Fatal("want one event for the revealed message")
	}
	if again, _ := s.RevealIncomplete(c.Now()); len(again) != 0 {
		t.Fatal("revealed twice")
	}
	done, _, err := s.Ingest(part("bb", 2, c.Now()), fields)
	if err != nil || done.ID != inc.ID || !done.Complete || done.Seq <= inc.Seq || done.Text != "0ABB01|0ABB02|0ABB03" {
		t.Fatalf("late part: %+v, %v", done, err)
	}
	if countEvents(t, s) != 2 {
		t.Fatal("want a second event when the message completes")
	}
	since, _ := s.MessagesSince(inc.Seq, 0)
	if len(since) != 1 || since[0].Seq != done.Seq {
		t.Fatalf("MessagesSince(%d) = %+v", inc.Seq, since)
	}
	entries, _ := s.AuditEntries(time.Time{}, time.Time{}, 0, false)
	if len(entries) != 2 || entries[0].Action != "message.received" || entries[0].Detail["parts_missing"] != "2" ||
		entries[1].Action != "message.completed" || entries[1].Target != inc.ID {
		t.Fatalf("audit: %+v", entries)
	}
}

func TestIngestGroupReuse(t *testing.T) {
	s, c := openTest(t)
	var first string
	for n := 1; n <= 3; n++ {
		m, _, _ := s.Ingest(part("cc", n, c.Now()), textFields)
		first = m.ID
	}
	// Same group key after completion, a different PDU: a new message.
	in := part("cc", 1, c.Now())
	in.PDU = "0ACC01FF"
	m, dup, err := s.Ingest(in, textFields)
	if err != nil || dup || m.ID == first || m.Complete {
		t.Fatalf("reused key after completion: %+v dup=%v err=%v", m, dup, err)
	}
	// Same slot, different PDU, while incomplete: another new message; the group follows it.
	in.PDU = "0ACC01EE"
	m2, _, _ := s.Ingest(in, textFields)
	if m2.ID == m.ID {
		t.Fatal("a conflicting part overwrote a received one")
	}
	in2 := part("cc", 2, c.Now())
	in2.PDU = "0ACC02EE"
	m3, _, _ := s.Ingest(in2, textFields)
	if m3.ID != m2.ID || m3.PartsReceived != 2 {
		t.Fatalf("part 2 joined %s (%d parts), want %s", m3.ID, m3.PartsReceived, m2.ID)
	}
}

func TestIngestGroupWindow(t *testing.T) {
	s, c := openTest(t)
	old, _, _ := s.Ingest(part("dd", 1, c.Now()), textFields)
	c.Advance(GroupWindow)
	m, _, _ := s.Ingest(part("dd", 2, c.Now()), textFields)
	if m.ID != old.ID {
		t.Fatal("a part inside the window did not join")
	}
	c.Advance(time.Nanosecond)
	m, _, _ = s.Ingest(part("dd", 3, c.Now()), textFields)
	if m.ID == old.ID || m.PartsReceived != 1 {
		t.Fatal("a part after the window joined an old message")
	}
}

func TestIngestSurvivesPanickingDecoder(t *testing.T) {
	s, _ := openTest(t)
	m, _, err := s.Ingest(Incoming{PDU: "0BAD"}, func([]string) Message { panic("decoder bug") })
	if err != nil || m.Kind != "undecodable" || !m.Visible || len(m.PDUs) != 1 {
		t.Fatalf("%+v %v", m, err)
	}
}

func TestIngestBadSequenceNumberIsSingle(t *testing.T) {
	s, _ := openTest(t)
	m, _, err := s.Ingest(Incoming{PDU: "0D0D", Group: "g", Total: 3, SeqNo: 9}, textFields)
	if err != nil || !m.Visible || m.Parts != 1 {
		t.Fatalf("%+v %v", m, err)
	}
	if _, _, err := s.Ingest(Incoming{PDU: " "}, textFields); err == nil {
		t.Fatal("empty PDU accepted")
	}
}

// TestStatusReportsAndSilentSMSAreKeptButHidden: nothing received is lost, but delivery
// reports and type-0 SMS are neither listed nor notified; the audit log records them.
func TestStatusReportsAndSilentSMSAreKeptButHidden(t *testing.T) {
	s, c := openTest(t)
	for i, kind := range []string{"status-report", "silent"} {
		kind := kind
		m, _, err := s.Ingest(Incoming{PDU: fmt.Sprintf("0%dAB", i), ReceivedAt: c.Now()},
			func([]string) Message { return Message{Kind: kind} })
		if err != nil || m.Visible {
			t.Fatalf("%s: visible=%v err=%v", kind, m.Visible, err)
		}
		if got, err := s.Message(m.ID); err != nil || len(got.PDUs) != 1 {
			t.Fatalf("%s not kept: %+v, %v", kind, got, err)
		}
	}
	if msgs, _, _ := s.Messages(Query{}); len(msgs) != 0 {
		t.Fatalf("hidden kinds listed: %+v", msgs)
	}
	if n := countEvents(t, s); n != 0 {
		t.Fatalf("%d outbox events for hidden kinds, want 0", n)
	}
	entries, _ := s.AuditEntries(time.Time{}, time.Time{}, 0, false)
	if len(entries) != 2 || entries[0].Action != "message.received" || entries[0].Detail["shown"] != "false" {
		t.Fatalf("audit entries = %+v", entries)
	}
}
