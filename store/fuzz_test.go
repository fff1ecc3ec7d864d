package store

import (
	"encoding/json"
	"testing"
	"time"
)

// FuzzAuditRoundTrip checks the property the JSONL export and VerifyAudit rely on: the stored
// form of any entry is JSON that decodes to an entry with the same canonical hash, and
// splitStored reads back the Seq, Prev and Hash that were written.
func FuzzAuditRoundTrip(f *testing.F) {
	f.Add(uint64(1), int64(0), "console", "user.added", "a@firm.test", "", "role", "owner", "")                            // plain
	f.Add(uint64(7), int64(1_700_000_000_123_456_789), "a\"b\\c", "x\ny", "t\x01é<>&", "[::1]:80", "k\t", "\u2028v", "ab") // escapes
	f.Add(uint64(1<<63), int64(-1), "\xff\xfe", "", "", "", "", "", "")                                                    // invalid UTF-8, negative time
	f.Fuzz(func(t *testing.T, seq uint64, nanos int64, actor, action, target, addr, dk, dv, prev string) {
		e := AuditEntry{Seq: seq, Time: time.Unix(0, nanos).UTC(), Actor: valid(actor), Action: valid(action),
			Target: valid(target), Addr: valid(addr), Detail: map[string]string{valid(dk): valid(dv)}, Prev: valid(prev)}
		e.Hash = CanonicalHash(e)
		v := storedEntry(canonical(e), e.Hash)
		var back AuditEntry
		if err := json.Unmarshal(v, &back); err != nil {
			t.Fatalf("stored form is not JSON: %v\n%s", err, v)
		}
		if CanonicalHash(back) != e.Hash || back.Hash != e.Hash {
			t.Fatalf("hash changed across a JSON round trip:\n%s", v)
		}
		_, gotSeq, gotPrev, gotHash, ok := splitStored(v)
		realPrev := e.Prev == "" || len(e.Prev) == 64 && validHex(e.Prev)
		if realPrev && (!ok || gotSeq != seq || string(gotHash) != e.Hash || string(gotPrev) != e.Prev) {
			t.Fatalf("splitStored(%s) = %d %q %q %v", v, gotSeq, gotPrev, gotHash, ok)
		}
	})
}

// validHex reports whether s is lower-case hex. Only "" or 64 hex digits can be a real Prev;
// splitStored may refuse anything else, and the chain check then fails, as it should.
func validHex(s string) bool {
	for _, c := range s {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// FuzzSplitStored feeds arbitrary bytes (a tampered database value) to the stored-form parser,
// which must never panic.
func FuzzSplitStored(f *testing.F) {
	f.Add([]byte(`{"seq":1,"time":"2026-11-23T09:00:00Z","actor":"","action":"","target":"","addr":"","detail":{},"prev":"","hash":"0000000000000000000000000000000000000000000000000000000000000000"}`)) // well formed
	f.Add([]byte(`{"seq":,"hash":""}`))                                                                                                                                                                   // truncated
	f.Add([]byte(`"}`))                                                                                                                                                                                   // tiny
	f.Fuzz(func(t *testing.T, v []byte) {
		splitStored(v)
	})
}
