package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"go.etcd.io/bbolt"
)

// Delivery is one attempt-tracked send of an event to one channel.
type Delivery struct {
	ID          string            `json:"id"` // 16 hex digits of the delivery sequence
	EventID     string            `json:"event_id"`
	Kind        string            `json:"kind"`
	MessageID   string            `json:"message_id"`
	ChannelID   string            `json:"channel_id"`
	Data        map[string]string `json:"data"`
	Created     time.Time         `json:"created"`
	NextAttempt time.Time         `json:"next_attempt"`
	DoneAt      time.Time         `json:"done_at"`
	Attempts    int               `json:"attempts"`
	Status      string            `json:"status"` // pending|delivered|failed
	LastError   string            `json:"last_error"`
}

// Delivery statuses.
const (
	StatusPending   = "pending"
	StatusDelivered = "delivered"
	StatusFailed    = "failed"
)

// ExpandEvent atomically removes the event and adds its deliveries. Each delivery gets an ID,
// EventID, Created and Status "pending"; Kind, MessageID and Data default to the event's;
// a zero NextAttempt means now; ChannelID is required. ErrNotFound when the event is gone
// (already expanded). On any error nothing changes.
func (s *Store) ExpandEvent(eventID string, ds []Delivery) error {
	seq, ok := parseSeqID(eventID)
	if !ok {
		return fmt.Errorf("expanding event %q: %w", eventID, ErrNotFound)
	}
	now := s.now().UTC().Round(0)
	err := s.db.Update(func(tx *bbolt.Tx) error {
		events := tx.Bucket(bucketEvents)
		var e Event
		if err := getJSON(events, u64(seq), &e); err != nil {
			return err
		}
		if err := events.Delete(u64(seq)); err != nil {
			return err
		}
		for _, d := range ds {
			if d.ChannelID == "" {
				return fmt.Errorf("a delivery has no channel")
			}
			fillDelivery(&d, e, now)
			if err := addDelivery(tx, d); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("expanding event %s: %w", eventID, err)
	}
	return nil
}

func fillDelivery(d *Delivery, e Event, now time.Time) {
	d.EventID, d.Created, d.Status = e.ID, now, StatusPending
	d.Attempts, d.DoneAt, d.LastError = 0, time.Time{}, ""
	if d.Kind == "" {
		d.Kind = e.Kind
	}
	if d.MessageID == "" {
		d.MessageID = e.MessageID
	}
	if d.Data == nil {
		d.Data = e.Data
	}
	if d.NextAttempt.IsZero() {
		d.NextAttempt = now
	}
	d.NextAttempt = d.NextAttempt.UTC().Round(0)
}

// addDelivery assigns the ID and writes the delivery and its indexes.
func addDelivery(tx *bbolt.Tx, d Delivery) error {
	b := tx.Bucket(bucketDeliveries)
	b.FillPercent = appendFill
	seq, err := b.NextSequence()
	if err != nil {
		return err
	}
	d.ID = seqID(seq)
	if err := putJSON(b, u64(seq), d); err != nil {
		return err
	}
	if err := tx.Bucket(bucketDue).Put(dueKey(d.NextAttempt, seq), nil); err != nil {
		return err
	}
	return tx.Bucket(bucketDeliveryMsg).Put(msgDeliveryKey(d.MessageID, seq), nil)
}

// dueKey orders pending deliveries by NextAttempt, then ID. Times before 1970 sort first.
func dueKey(t time.Time, seq uint64) []byte {
	ns := max(t.UnixNano(), 0)
	return append(u64(uint64(ns)), u64(seq)...)
}

func msgDeliveryKey(messageID string, seq uint64) []byte {
	return append([]byte(messageID+"\x00"), u64(seq)...)
}

// DueDeliveries returns up to limit (default 100) pending deliveries with NextAttempt <= now,
// earliest first; a range scan of the delivery_due index.
func (s *Store) DueDeliveries(now time.Time, limit int) ([]Delivery, error) {
	limit = clampLimit(limit, 100, 1000)
	end := u64(uint64(max(now.UnixNano(), 0)))
	var out []Delivery
	err := s.db.View(func(tx *bbolt.Tx) error {
		c := tx.Bucket(bucketDue).Cursor()
		b := tx.Bucket(bucketDeliveries)
		for k, _ := c.First(); k != nil && len(out) < limit && bytes.Compare(k[:8], end) <= 0; k, _ = c.Next() {
			var d Delivery
			if err := getJSON(b, k[8:], &d); err != nil {
				return err
			}
			out = append(out, d)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading due deliveries: %w", err)
	}
	return out, nil
}

// NextDue is the earliest NextAttempt of any pending delivery; false when none is pending.
func (s *Store) NextDue() (time.Time, bool) {
	var t time.Time
	var ok bool
	_ = s.db.View(func(tx *bbolt.Tx) error {
		if k, _ := tx.Bucket(bucketDue).Cursor().First(); k != nil {
			t, ok = time.Unix(0, int64(readU64(k))).UTC(), true
		}
		return nil
	})
	return t, ok
}

// FinishDelivery records one attempt. ok: delivered. Otherwise the error text is kept and the
// delivery waits until next, or, when final, stops as failed. Attempts counts every call.
// Finishing a delivery that is no longer pending returns it with an error wrapping ErrUsed.
func (s *Store) FinishDelivery(id string, ok bool, errText string, next time.Time, final bool) (Delivery, error) {
	seq, valid := parseSeqID(id)
	if !valid {
		return Delivery{}, fmt.Errorf("delivery %q: %w", id, ErrNotFound)
	}
	now := s.now().UTC().Round(0)
	var d Delivery
	err := s.db.Update(func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketDeliveries)
		if err := getJSON(b, u64(seq), &d); err != nil {
			return err
		}
		if d.Status != StatusPending {
			return fmt.Errorf("it is %s: %w", d.Status, ErrUsed)
		}
		if err := tx.Bucket(bucketDue).Delete(dueKey(d.NextAttempt, seq)); err != nil {
			return err
		}
		d.Attempts++
		switch {
		case ok:
			d.Status, d.DoneAt, d.LastError = StatusDelivered, now, ""
		case final:
			d.Status, d.DoneAt, d.LastError = StatusFailed, now, errText
		default:
			d.NextAttempt, d.LastError = next.UTC().Round(0), errText
			if err := tx.Bucket(bucketDue).Put(dueKey(d.NextAttempt, seq), nil); err != nil {
				return err
			}
		}
		return putJSON(b, u64(seq), d)
	})
	if err != nil {
		return d, fmt.Errorf("finishing delivery %s: %w", id, err)
	}
	return d, nil
}

// Deliveries is the delivery log, newest first, at most limit (default 100, max 1000): of one
// message, or of everything when messageID is "".
func (s *Store) Deliveries(messageID string, limit int) ([]Delivery, error) {
	limit = clampLimit(limit, 100, 1000)
	var out []Delivery
	err := s.db.View(func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketDeliveries)
		if messageID == "" {
			c := b.Cursor()
			for k, v := c.Last(); k != nil && len(out) < limit; k, v = c.Prev() {
				var d Delivery
				if err := json.Unmarshal(v, &d); err != nil {
					return fmt.Errorf("delivery %d: %w", readU64(k), err)
				}
				out = append(out, d)
			}
			return nil
		}
		prefix := []byte(messageID + "\x00")
		c := tx.Bucket(bucketDeliveryMsg).Cursor()
		var keys [][]byte
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			keys = append(keys, k[len(prefix):])
		}
		for i := len(keys) - 1; i >= 0 && len(out) < limit; i-- {
			var d Delivery
			if err := getJSON(b, keys[i], &d); err != nil {
				return err
			}
			out = append(out, d)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading deliveries: %w", err)
	}
	return out, nil
}
