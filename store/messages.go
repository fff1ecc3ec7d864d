package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"go.etcd.io/bbolt"
)

// Message is one received SMS, reassembled from its parts. The json tags are also the storage
// encoding.
type Message struct {
	ID            string    `json:"id"`               // time-ordered: 16 hex digits of unix-ms<<16|counter
	Seq           uint64    `json:"seq"`              // store-wide change sequence; bumped on every write of this message
	ReceivedAt    time.Time `json:"received_at"`      // our clock, UTC, when the first part arrived
	SentAt        time.Time `json:"sent_at,omitzero"` // SMSC timestamp with its own offset; zero if unknown
	Sender        string    `json:"sender"`
	SenderType    string    `json:"sender_type"` // international|national|alphanumeric|other
	Text          string    `json:"text"`
	Code          string    `json:"code"`     // "" = none
	Platform      string    `json:"platform"` // "" = unknown
	Modem         string    `json:"modem"`    // modem name/IMEI that received it
	Parts         int       `json:"parts"`    // total parts expected (1 for single)
	PartsReceived int       `json:"parts_received"`
	Complete      bool      `json:"complete"`
	Visible       bool      `json:"visible"`           // false while awaiting missing parts inside the grace period
	Kind          string    `json:"kind"`              // text|data|status-report|mwi|undecodable
	PDUs          []string  `json:"pdus,omitempty"`    // raw hex PDUs of the parts received, in part order
	Expired       bool      `json:"expired,omitempty"` // body removed by retention (Text, Code, PDUs emptied)
}

// Incoming is one PDU as read from a modem, handed to Ingest.
type Incoming struct {
	Modem      string
	PDU        string // hex as printed by the modem (normalised to upper case)
	Storage    string // "SM", "ME", "MT", or "" for +CMT direct delivery
	Index      int
	ReceivedAt time.Time
	Group      string // reassembly key (modem|sender|ref-bits|ref|total) for parts, "" for single
	Total      int    // concat total; 0 for single
	SeqNo      int    // this part's sequence number (1-based); 0 for single
}

// FieldsFunc computes the message fields from ALL parts received so far for its group, ordered
// by sequence number, with "" where a part is missing. It runs inside the write transaction, so
// it must be pure CPU work. The store uses SentAt, Sender, SenderType, Text, Code, Platform and
// Kind from its result and fills everything else.
type FieldsFunc func(parts []string) Message

// record is the stored form of a message: the Message (PDUs left empty) plus the part slots,
// indexed by sequence number - 1, "" where a part is missing.
type record struct {
	Message
	Slots []string `json:"slots"`
}

// out returns the caller's copy: PDUs are the received slots in order.
func (r *record) out() Message {
	m := r.Message
	m.PDUs = nil
	for _, p := range r.Slots {
		if p != "" {
			m.PDUs = append(m.PDUs, p)
		}
	}
	return m
}

// Query selects a page of the inbox for Messages.
type Query struct {
	Limit    int    // default 50, max 500
	Before   string // message ID: only messages strictly older than this
	Text     string // case-insensitive substring of text or sender
	Platform string // exact, case-insensitive
}

// Messages returns visible messages newest first. next is the Before of the following page, ""
// when there is none. A filtered query scans the compact msg_search index backwards and decodes
// only the messages it returns.
func (s *Store) Messages(q Query) (msgs []Message, next string, err error) {
	limit := clampLimit(q.Limit, 50, 500)
	text := []byte(strings.ToLower(q.Text))
	platform := []byte(strings.ToLower(q.Platform))
	err = s.db.View(func(tx *bbolt.Tx) error {
		c := tx.Bucket(bucketSearch).Cursor()
		var k, v []byte
		if q.Before == "" {
			k, v = c.Last()
		} else if k, v = c.Seek([]byte(q.Before)); k == nil {
			k, v = c.Last()
		} else {
			k, v = c.Prev()
		}
		var ids [][]byte
		for ; k != nil && len(ids) <= limit; k, v = c.Prev() {
			if searchMatch(v, text, platform) {
				ids = append(ids, k)
			}
		}
		if len(ids) > limit {
			ids = ids[:limit]
			next = string(ids[limit-1])
		}
		msgs = make([]Message, 0, len(ids))
		for _, id := range ids {
			r, err := loadRecord(tx, id)
			if err != nil {
				return err
			}
			msgs = append(msgs, r.out())
		}
		return nil
	})
	if err != nil {
		return nil, "", fmt.Errorf("listing messages: %w", err)
	}
	return msgs, next, nil
}

// Message returns one message by ID, visible or not; ErrNotFound when there is none.
func (s *Store) Message(id string) (Message, error) {
	var m Message
	err := s.db.View(func(tx *bbolt.Tx) error {
		r, err := loadRecord(tx, []byte(id))
		m = r.out()
		return err
	})
	if err != nil {
		return Message{}, fmt.Errorf("message %q: %w", id, err)
	}
	return m, nil
}

// MessagesSince returns visible messages whose Seq is greater than seq, in ascending Seq order,
// at most limit (default and max 500). A message written several times appears once, with its
// latest Seq. It is the replay for a reconnecting live page.
func (s *Store) MessagesSince(seq uint64, limit int) ([]Message, error) {
	limit = clampLimit(limit, 500, 500)
	var msgs []Message
	err := s.db.View(func(tx *bbolt.Tx) error {
		c := tx.Bucket(bucketBySeq).Cursor()
		for k, id := c.Seek(u64(seq + 1)); k != nil && len(msgs) < limit; k, id = c.Next() {
			r, err := loadRecord(tx, id)
			if err != nil {
				return err
			}
			if r.Visible {
				msgs = append(msgs, r.out())
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("messages since %d: %w", seq, err)
	}
	return msgs, nil
}

// LastSeq is the highest Seq given to any message write so far (0 on an empty store, and on
// a read error, which bbolt only reports for a closed database).
func (s *Store) LastSeq() uint64 {
	var seq uint64
	_ = s.db.View(func(tx *bbolt.Tx) error {
		seq = tx.Bucket(bucketBySeq).Sequence()
		return nil
	})
	return seq
}

// CountMessagesSince counts visible messages received at or after t. It scans backwards from
// the newest and stops at the first ID older than t (IDs never run behind ReceivedAt).
func (s *Store) CountMessagesSince(t time.Time) (int, error) {
	n := 0
	stop := uint64(max(t.UnixMilli(), 0)) << 16 // a time before 1970 (the zero time) counts everything
	err := s.db.View(func(tx *bbolt.Tx) error {
		c := tx.Bucket(bucketMessages).Cursor()
		for k, v := c.Last(); k != nil; k, v = c.Prev() {
			if id, ok := parseSeqID(string(k)); !ok || id < stop {
				break
			}
			var r record
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("message %s: %w", k, err)
			}
			if r.Visible && !r.ReceivedAt.Before(t) {
				n++
			}
		}
		return nil
	})
	return n, err
}

// loadRecord decodes the message stored under id.
func loadRecord(tx *bbolt.Tx, id []byte) (*record, error) {
	var r record
	if err := getJSON(tx.Bucket(bucketMessages), id, &r); err != nil {
		return &r, err
	}
	return &r, nil
}

// searchValue is the msg_search entry of m (see schema.go).
func searchValue(m *Message) []byte {
	vis := byte('0')
	if m.Visible {
		vis = '1'
	}
	v := []byte{vis}
	v = append(v, strings.ToLower(m.Platform)...)
	v = append(v, 0)
	v = append(v, strings.ToLower(m.Sender)...)
	v = append(v, 0)
	return append(v, strings.ToLower(m.Text)...)
}

// searchMatch reports whether a msg_search entry is visible and matches the lower-cased
// filters; empty filters match everything. It does not allocate: a filtered query over a
// million entries runs it a million times.
func searchMatch(v, text, platform []byte) bool {
	if len(v) == 0 || v[0] != '1' {
		return false
	}
	v = v[1:]
	i := bytes.IndexByte(v, 0)
	if i < 0 {
		return false
	}
	if len(platform) > 0 && !bytes.Equal(v[:i], platform) {
		return false
	}
	if len(text) == 0 {
		return true
	}
	rest := v[i+1:]
	j := bytes.IndexByte(rest, 0)
	if j < 0 {
		return false
	}
	return bytes.Contains(rest[:j], text) || bytes.Contains(rest[j+1:], text)
}

// clampLimit applies a default to n <= 0 and caps it at max.
func clampLimit(n, def, max int) int {
	if n <= 0 {
		return def
	}
	return min(n, max)
}
