package store

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"go.etcd.io/bbolt"
)

// Ingest durably commits one received PDU in one fsync'd transaction, together with the
// message it belongs to, an outbox event and an audit entry when the message becomes visible or
// complete. Only after it returns nil may the modem delete its copy.
//
// A PDU already stored (same sha256 of its bytes) returns (that message, true, nil) and changes
// nothing. A single PDU creates a visible, complete message. A part joins its group's message
// (created invisible and incomplete on the first part); when all parts are in, the message is
// complete and visible and the group is closed, so a different PDU with the same group key later
// starts a new message. A different PDU for a slot already filled, or a part arriving more than
// GroupWindow after the first, or for a message whose body retention already removed, also
// starts a new message. If fields panics, the PDU is still stored, as Kind "undecodable".
// Audit actions: "message.received" when a message becomes
// visible, "message.completed" when a visible incomplete message completes (actor "system").
func (s *Store) Ingest(in Incoming, fields FieldsFunc) (m Message, dup bool, err error) {
	pdu := strings.ToUpper(strings.TrimSpace(in.PDU))
	if pdu == "" {
		return Message{}, false, errors.New("ingest: empty PDU")
	}
	sum := pduHash(pdu)
	err = s.db.Update(func(tx *bbolt.Tx) error {
		if id := tx.Bucket(bucketDedup).Get(sum); id != nil {
			r, err := loadRecord(tx, id)
			m, dup = r.out(), true
			return err
		}
		r, err := s.ingestTx(tx, in, pdu, fields)
		if err != nil {
			return err
		}
		m = r.out()
		return tx.Bucket(bucketDedup).Put(sum, []byte(r.ID))
	})
	if err != nil {
		return Message{}, false, fmt.Errorf("ingest: %w", err)
	}
	return m, dup, nil
}

// ingestTx places a new PDU into its (possibly new) message and writes everything that follows.
func (s *Store) ingestTx(tx *bbolt.Tx, in Incoming, pdu string, fields FieldsFunc) (*record, error) {
	groups := tx.Bucket(bucketGroups)
	single := in.Group == "" || in.Total <= 1 || in.SeqNo < 1 || in.SeqNo > in.Total
	slot := 0
	var r *record
	if !single {
		slot = in.SeqNo - 1
		if id := groups.Get([]byte(in.Group)); id != nil {
			old, err := loadRecord(tx, id)
			if err != nil {
				return nil, err
			}
			if slot < len(old.Slots) && old.Slots[slot] == "" && !old.Expired && s.received(in).Sub(old.ReceivedAt) <= GroupWindow {
				r = old
			}
		}
	}
	fresh := r == nil
	if fresh {
		total := 1
		if !single {
			total = in.Total
		}
		var err error
		if r, err = s.newRecord(tx, in, total); err != nil {
			return nil, err
		}
	}
	wasVisible, wasComplete := r.Visible, r.Complete
	r.Slots[slot] = pdu
	applyFields(r, fields)
	if err := s.placeRecord(tx, r, in.Group, fresh); err != nil {
		return nil, err
	}
	switch {
	case fresh && hiddenKind(r.Kind):
		_, err := s.appendAuditTx(tx, AuditEntry{Actor: "system", Action: "message.received", Target: r.ID,
			Detail: map[string]string{"modem": r.Modem, "kind": r.Kind, "shown": "false"}})
		return r, err
	case r.Visible && !wasVisible:
		return r, s.announce(tx, r, "message.received")
	case wasVisible && !wasComplete && r.Complete:
		return r, s.announce(tx, r, "message.completed")
	}
	return r, nil
}

// GroupWindow is how long after a concatenated message's first part a later part may still
// join it. Past it, a part with the same group key starts a new message: the 8- or 16-bit
// reference has been reused by the sender, and joining would splice two messages together.
const GroupWindow = 24 * time.Hour

// received is the arrival time of in: its ReceivedAt, or now when zero, in UTC.
func (s *Store) received(in Incoming) time.Time {
	t := in.ReceivedAt
	if t.IsZero() {
		t = s.now()
	}
	return t.UTC().Round(0)
}

// newRecord allocates the next message ID and an empty record with total slots.
func (s *Store) newRecord(tx *bbolt.Tx, in Incoming, total int) (*record, error) {
	received := s.received(in)
	meta := tx.Bucket(bucketMeta)
	id := max(readU64(meta.Get(keyLastMsgID))+1, uint64(received.UnixMilli())<<16)
	if err := meta.Put(keyLastMsgID, u64(id)); err != nil {
		return nil, err
	}
	if err := meta.Put(keyMsgCount, u64(readU64(meta.Get(keyMsgCount))+1)); err != nil {
		return nil, err
	}
	return &record{
		Message: Message{ID: seqID(id), ReceivedAt: received, Modem: in.Modem, Parts: total},
		Slots:   make([]string, total),
	}, nil
}

// applyFields recomputes the decoded fields from the slots and the part counters.
func applyFields(r *record, fields FieldsFunc) {
	r.PartsReceived = 0
	for _, p := range r.Slots {
		if p != "" {
			r.PartsReceived++
		}
	}
	r.Complete = r.PartsReceived == r.Parts
	if r.Complete {
		r.Visible = true
	}
	if fields == nil {
		return
	}
	f, ok := callFields(fields, append([]string(nil), r.Slots...))
	if !ok {
		f = Message{Kind: "undecodable"}
	}
	r.SentAt, r.Sender, r.SenderType = f.SentAt, f.Sender, f.SenderType
	r.Text, r.Code, r.Platform, r.Kind = f.Text, f.Code, f.Platform, f.Kind
	if hiddenKind(r.Kind) {
		r.Visible = false
	}
}

// hiddenKind reports whether messages of this kind are kept (nothing received is lost) but
// never shown or notified: delivery status reports, which belong to the self-test, and
// type-0 "silent" SMS, which 23.040 says not to display.
func hiddenKind(kind string) bool { return kind == "status-report" || kind == "silent" }

// callFields runs fields, turning a panic into ok=false: a decoder bug must not stop a received
// PDU from being stored (the modem would read it again and again, and never delete it).
func callFields(fields FieldsFunc, parts []string) (m Message, ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	return fields(parts), true
}

// placeRecord maintains the group and hidden indexes and saves r.
func (s *Store) placeRecord(tx *bbolt.Tx, r *record, group string, fresh bool) error {
	key := []byte(r.ID)
	groups, hidden := tx.Bucket(bucketGroups), tx.Bucket(bucketHidden)
	if r.Parts > 1 && r.Complete {
		if string(groups.Get([]byte(group))) == r.ID {
			if err := groups.Delete([]byte(group)); err != nil {
				return err
			}
		}
		if err := hidden.Delete(key); err != nil {
			return err
		}
	} else if r.Parts > 1 && fresh {
		if err := groups.Put([]byte(group), key); err != nil {
			return err
		}
		if err := hidden.Put(key, nil); err != nil {
			return err
		}
	}
	return saveRecord(tx, r)
}

// saveRecord gives r the next Seq, moves its msg_byseq key and writes it and its search entry.
func saveRecord(tx *bbolt.Tx, r *record) error {
	bySeq := tx.Bucket(bucketBySeq)
	bySeq.FillPercent = appendFill
	key := []byte(r.ID)
	if r.Seq != 0 {
		if err := bySeq.Delete(u64(r.Seq)); err != nil {
			return err
		}
	}
	seq, err := bySeq.NextSequence()
	if err != nil {
		return err
	}
	r.Seq = seq
	if err := bySeq.Put(u64(seq), key); err != nil {
		return err
	}
	r.PDUs = nil
	msgs, search := tx.Bucket(bucketMessages), tx.Bucket(bucketSearch)
	msgs.FillPercent, search.FillPercent = appendFill, appendFill
	if err := putJSON(msgs, key, r); err != nil {
		return err
	}
	return search.Put(key, searchValue(&r.Message))
}

// announce appends the outbox event and the audit entry for a message that became visible or
// complete.
func (s *Store) announce(tx *bbolt.Tx, r *record, action string) error {
	complete := strconv.FormatBool(r.Complete)
	if _, err := s.enqueueTx(tx, Event{Kind: "message", MessageID: r.ID,
		Data: map[string]string{"complete": complete}}); err != nil {
		return err
	}
	detail := map[string]string{"modem": r.Modem, "kind": r.Kind, "platform": r.Platform,
		"parts": strconv.Itoa(r.Parts), "complete": complete}
	var missing []string
	for i, p := range r.Slots {
		if p == "" {
			missing = append(missing, strconv.Itoa(i+1))
		}
	}
	if len(missing) > 0 {
		detail["parts_missing"] = strings.Join(missing, ",")
	}
	_, err := s.appendAuditTx(tx, AuditEntry{Actor: "system", Action: action, Target: r.ID, Detail: detail})
	return err
}

// RevealIncomplete makes visible every incomplete message whose first part arrived before
// `before` (the grace period for missing parts), each with an outbox event and a
// "message.received" audit entry, and returns them. Late parts still join them.
func (s *Store) RevealIncomplete(before time.Time) ([]Message, error) {
	var out []Message
	err := s.db.Update(func(tx *bbolt.Tx) error {
		hidden := tx.Bucket(bucketHidden)
		var ids [][]byte
		if err := hidden.ForEach(func(k, _ []byte) error {
			ids = append(ids, append([]byte(nil), k...))
			return nil
		}); err != nil {
			return err
		}
		for _, id := range ids {
			r, err := loadRecord(tx, id)
			if err != nil {
				return err
			}
			if !r.ReceivedAt.Before(before) {
				continue
			}
			r.Visible = true
			if err := hidden.Delete(id); err != nil {
				return err
			}
			if err := saveRecord(tx, r); err != nil {
				return err
			}
			if err := s.announce(tx, r, "message.received"); err != nil {
				return err
			}
			out = append(out, r.out())
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("revealing incomplete messages: %w", err)
	}
	return out, nil
}

// pduHash is the dedup key: sha256 of the PDU's bytes (of the text when it is not hex).
func pduHash(pdu string) []byte {
	raw, err := hex.DecodeString(pdu)
	if err != nil {
		raw = []byte(pdu)
	}
	sum := sha256.Sum256(raw)
	return sum[:]
}
