package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"go.etcd.io/bbolt"
)

// AuditEntry is one record of the append-only, hash-chained audit log. The json tags are both
// the storage encoding and the JSONL export format.
type AuditEntry struct {
	Seq    uint64            `json:"seq"`    // 1-based, assigned by the store
	Time   time.Time         `json:"time"`   // assigned by the store (UTC)
	Actor  string            `json:"actor"`  // user email, "console", "system", "token:<name>"
	Action string            `json:"action"` // dotted: "session.login", "message.received", ...
	Target string            `json:"target"` // what it acted on (user email, message id, ...)
	Addr   string            `json:"addr"`   // remote address when from the web
	Detail map[string]string `json:"detail"` // small extra facts; never secrets or codes
	Prev   string            `json:"prev"`   // Hash of the previous entry ("" for the first)
	Hash   string            `json:"hash"`   // CanonicalHash of this entry
}

// ChainError reports the first audit entry at which the chain does not verify. It wraps
// ErrBrokenChain.
type ChainError struct {
	Seq    uint64 // the first broken entry
	Reason string
}

func (e *ChainError) Error() string {
	return fmt.Sprintf("audit chain broken at entry %d: %s", e.Seq, e.Reason)
}

func (e *ChainError) Unwrap() error { return ErrBrokenChain }

// CanonicalHash is hex(sha256(canonical(e))). The canonical encoding is compact JSON (no spaces,
// no trailing newline) of one object with exactly these keys in this order:
//
//	{"seq":N,"time":T,"actor":S,"action":S,"target":S,"addr":S,"detail":{...},"prev":S}
//
// N is the decimal Seq; T is Time in UTC formatted with Go's RFC3339Nano (trailing zero digits
// of the fraction dropped, "Z" suffix); detail is an object with its keys sorted by byte order
// ({} when empty); Hash itself is excluded. Strings are UTF-8, with '"' and '\' escaped by a
// backslash, \b \f \n \r \t for those controls, \u00xx (lower-case hex) for other bytes below
// 0x20, and everything else literal, which is what Python's
// json.dumps(s, ensure_ascii=False) produces.
func CanonicalHash(e AuditEntry) string {
	sum := sha256.Sum256(canonical(e))
	return hex.EncodeToString(sum[:])
}

func canonical(e AuditEntry) []byte {
	b := make([]byte, 0, 256)
	b = append(b, `{"seq":`...)
	b = strconv.AppendUint(b, e.Seq, 10)
	b = append(b, `,"time":`...)
	b = appendString(b, e.Time.UTC().Format(time.RFC3339Nano))
	for _, f := range [][2]string{{"actor", e.Actor}, {"action", e.Action}, {"target", e.Target}, {"addr", e.Addr}} {
		b = append(b, `,"`+f[0]+`":`...)
		b = appendString(b, f[1])
	}
	b = append(b, `,"detail":{`...)
	keys := make([]string, 0, len(e.Detail))
	for k := range e.Detail {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, k)
		b = append(b, ':')
		b = appendString(b, e.Detail[k])
	}
	b = append(b, `},"prev":`...)
	b = appendString(b, e.Prev)
	return append(b, '}')
}

// appendString appends s as a canonical JSON string (see CanonicalHash).
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c == '\b':
			b = append(b, `\b`...)
		case c == '\f':
			b = append(b, `\f`...)
		case c == '\n':
			b = append(b, `\n`...)
		case c == '\r':
			b = append(b, `\r`...)
		case c == '\t':
			b = append(b, `\t`...)
		case c < 0x20:
			b = append(b, `\u00`...)
			b = append(b, "0123456789abcdef"[c>>4], "0123456789abcdef"[c&15])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}

// Audit appends e to the log in its own transaction. The store assigns Seq, Time, Prev and
// Hash; invalid UTF-8 in any string is replaced by U+FFFD first, so the entry hashes the same
// after a JSON round trip.
func (s *Store) Audit(e AuditEntry) (AuditEntry, error) {
	err := s.db.Update(func(tx *bbolt.Tx) error {
		var err error
		e, err = s.appendAuditTx(tx, e)
		return err
	})
	if err != nil {
		return AuditEntry{}, fmt.Errorf("audit %s: %w", e.Action, err)
	}
	return e, nil
}

// appendAuditTx chains e onto the head of the log inside tx.
func (s *Store) appendAuditTx(tx *bbolt.Tx, e AuditEntry) (AuditEntry, error) {
	meta := tx.Bucket(bucketMeta)
	head := meta.Get(keyAuditHead)
	e.Seq = readU64(head) + 1
	e.Prev = ""
	if len(head) > 8 {
		e.Prev = string(head[8:])
	}
	e.Time = s.now().UTC().Round(0)
	e.Actor, e.Action, e.Target, e.Addr = valid(e.Actor), valid(e.Action), valid(e.Target), valid(e.Addr)
	if len(e.Detail) > 0 {
		d := make(map[string]string, len(e.Detail))
		for k, v := range e.Detail {
			d[valid(k)] = valid(v)
		}
		e.Detail = d
	}
	canon := canonical(e)
	sum := sha256.Sum256(canon)
	e.Hash = hex.EncodeToString(sum[:])
	b := tx.Bucket(bucketAudit)
	b.FillPercent = appendFill
	if err := b.Put(u64(e.Seq), storedEntry(canon, e.Hash)); err != nil {
		return e, err
	}
	return e, meta.Put(keyAuditHead, append(u64(e.Seq), e.Hash...))
}

// storedEntry is the audit bucket's value: the canonical encoding with `,"hash":"<hex>"`
// inserted before its final brace. It is JSON that decodes into AuditEntry, and verification
// can hash the canonical bytes without decoding.
func storedEntry(canon []byte, hash string) []byte {
	v := make([]byte, 0, len(canon)+len(hash)+10)
	v = append(v, canon[:len(canon)-1]...)
	v = append(v, `,"hash":"`...)
	v = append(v, hash...)
	return append(v, `"}`...)
}

// splitStored undoes storedEntry without copying: body is the canonical encoding minus its
// final '}', and Seq, Prev and Hash are read back out of it. The slices alias v.
func splitStored(v []byte) (body []byte, seq uint64, prev, hash []byte, ok bool) {
	const tail = len(`,"hash":""}`) + 64
	if len(v) < tail || !bytes.HasSuffix(v, []byte(`"}`)) || !bytes.HasPrefix(v[len(v)-tail:], []byte(`,"hash":"`)) {
		return nil, 0, nil, nil, false
	}
	hash, body = v[len(v)-66:len(v)-2], v[:len(v)-tail]
	rest, found := bytes.CutPrefix(body, []byte(`{"seq":`))
	end := bytes.IndexByte(rest, ',')
	if !found || end < 1 {
		return nil, 0, nil, nil, false
	}
	seq, err := strconv.ParseUint(string(rest[:end]), 10, 64)
	if err != nil {
		return nil, 0, nil, nil, false
	}
	// Prev is "" or 64 hex digits (appendAuditTx writes nothing else), so it sits at a fixed
	// distance from the end.
	const key = `,"prev":"`
	if bytes.HasSuffix(body, []byte(key+`"`)) {
		return body, seq, nil, hash, true
	}
	if n := len(body) - 1 - 64 - len(key); n >= 0 && bytes.HasPrefix(body[n:], []byte(key)) && body[len(body)-1] == '"' {
		return body, seq, body[n+len(key) : len(body)-1], hash, true
	}
	return nil, 0, nil, nil, false
}

// valid replaces invalid UTF-8 so that an entry hashes the same after a JSON round trip.
func valid(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}

// AuditEntries returns entries with since <= Time < until (a zero bound is open), oldest first
// or newest first, at most limit (limit <= 0: all). It scans in Seq order rather than trusting
// the clock to be monotonic (a Pi may boot with a wrong time).
func (s *Store) AuditEntries(since, until time.Time, limit int, newestFirst bool) ([]AuditEntry, error) {
	var out []AuditEntry
	err := s.db.View(func(tx *bbolt.Tx) error {
		c := tx.Bucket(bucketAudit).Cursor()
		first, step := c.First, c.Next
		if newestFirst {
			first, step = c.Last, c.Prev
		}
		for k, v := first(); k != nil && (limit <= 0 || len(out) < limit); k, v = step() {
			var e AuditEntry
			if err := json.Unmarshal(v, &e); err != nil {
				return fmt.Errorf("audit entry %d: %w", readU64(k), err)
			}
			if (since.IsZero() || !e.Time.Before(since)) && (until.IsZero() || e.Time.Before(until)) {
				out = append(out, e)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading audit log: %w", err)
	}
	return out, nil
}

// VerifyAudit walks the whole log in Seq order and checks Seq continuity (a deleted entry
// leaves a gap), each Prev link (reordering), each Hash (edits) and the recorded head (a cut
// tail). It returns the number of entries verified; on failure the error is a *ChainError
// naming the first broken entry, wrapping ErrBrokenChain.
func (s *Store) VerifyAudit() (n int, err error) {
	err = s.db.View(func(tx *bbolt.Tx) error {
		n, err = verifyTx(tx)
		return err
	})
	return n, err
}

func verifyTx(tx *bbolt.Tx) (int, error) {
	chk := chainCheck{next: 1}
	h := sha256.New()
	var sum [sha256.Size]byte
	var computed [2 * sha256.Size]byte
	err := tx.Bucket(bucketAudit).ForEach(func(k, v []byte) error {
		key := readU64(k)
		body, seq, prev, hash, ok := splitStored(v)
		if !ok {
			return &ChainError{Seq: min(key, chk.next), Reason: "the entry is not in the stored format (altered)"}
		}
		if key != seq {
			return &ChainError{Seq: min(key, chk.next), Reason: fmt.Sprintf("the entry stored as %d says it is %d (moved or reordered)", key, seq)}
		}
		h.Reset()
		h.Write(body)
		h.Write([]byte{'}'})
		hex.Encode(computed[:], h.Sum(sum[:0]))
		return chk.check(seq, prev, hash, computed[:])
	})
	if err != nil {
		return chk.n, err
	}
	head := tx.Bucket(bucketMeta).Get(keyAuditHead)
	if readU64(head) != chk.next-1 || (len(head) > 8 && !bytes.Equal(head[8:], chk.prev)) {
		return chk.n, &ChainError{Seq: min(readU64(head), chk.next), Reason: fmt.Sprintf("the log ends at entry %d but its recorded head is entry %d", chk.next-1, readU64(head))}
	}
	return chk.n, nil
}

// VerifyChain checks exported entries (ascending Seq, as exported) like VerifyAudit. The first
// entry's Prev is trusted unless its Seq is 1, so a partial export (--since) verifies too; a
// cut tail of an export cannot be detected without the live log.
func VerifyChain(entries []AuditEntry) (n int, err error) {
	if len(entries) == 0 {
		return 0, nil
	}
	chk := chainCheck{next: entries[0].Seq, prev: []byte(entries[0].Prev)}
	if entries[0].Seq <= 1 {
		chk.next, chk.prev = 1, nil
	}
	for _, e := range entries {
		if err := chk.check(e.Seq, []byte(e.Prev), []byte(e.Hash), []byte(CanonicalHash(e))); err != nil {
			return chk.n, err
		}
	}
	return chk.n, nil
}

// chainCheck is the running state of a verification walk.
type chainCheck struct {
	next uint64 // the Seq the next entry must have
	prev []byte // the Hash the next entry's Prev must equal (aliases the walked data)
	n    int    // entries verified
}

// check takes the next entry's Seq, Prev and stored Hash, and the hash computed from its
// content.
func (c *chainCheck) check(seq uint64, prev, hash, computed []byte) error {
	switch {
	case seq > c.next:
		return &ChainError{Seq: c.next, Reason: fmt.Sprintf("entry %d is missing (the next present is %d)", c.next, seq)}
	case seq < c.next:
		return &ChainError{Seq: c.next, Reason: fmt.Sprintf("found entry %d where %d belongs (reordered)", seq, c.next)}
	case !bytes.Equal(prev, c.prev):
		return &ChainError{Seq: seq, Reason: "its previous-hash link does not match the entry before it (reordered, or an entry was removed)"}
	case !bytes.Equal(computed, hash):
		return &ChainError{Seq: seq, Reason: "its hash does not match its content (the entry was altered)"}
	}
	c.next, c.prev, c.n = seq+1, hash, c.n+1
	return nil
}
