package store

import (
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"go.etcd.io/bbolt"
)

// Channel is a notification destination. Secret and URL are secrets: never log them.
type Channel struct {
	ID      string    `json:"id"`
	Type    string    `json:"type"` // slack|teams|email|webhook
	Name    string    `json:"name"`
	URL     string    `json:"url"`
	Secret  string    `json:"secret"`
	To      string    `json:"to"`
	Redact  bool      `json:"redact"`
	Created time.Time `json:"created"`
	Default bool      `json:"default"`
}

// Rule routes messages to channels; rules are evaluated in order by notify.
type Rule struct {
	ID       string   `json:"id"`
	Platform string   `json:"platform"`
	Sender   string   `json:"sender"`
	Text     string   `json:"text"`
	Regex    bool     `json:"regex"`
	Channels []string `json:"channels"`
	Stop     bool     `json:"stop"`
}

// Event is something to notify about, waiting in the outbox until notify expands it into
// deliveries. Ingest enqueues "message" events itself, in the message's transaction.
type Event struct {
	ID        string            `json:"id"`   // 16 hex digits of the event sequence
	Kind      string            `json:"kind"` // message|modem|test|heartbeat
	MessageID string            `json:"message_id"`
	Data      map[string]string `json:"data"`
	Created   time.Time         `json:"created"`
}

// Channels returns every channel, ordered by name.
func (s *Store) Channels() ([]Channel, error) {
	var out []Channel
	err := s.db.View(func(tx *bbolt.Tx) error {
		return tx.Bucket(bucketChannels).ForEach(func(k, v []byte) error {
			var c Channel
			if err := json.Unmarshal(v, &c); err != nil {
				return fmt.Errorf("channel %s: %w", k, err)
			}
			out = append(out, c)
			return nil
		})
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, err
}

// Channel returns one channel; ErrNotFound when there is none.
func (s *Store) Channel(id string) (Channel, error) {
	var c Channel
	err := s.db.View(func(tx *bbolt.Tx) error {
		return getJSON(tx.Bucket(bucketChannels), []byte(id), &c)
	})
	if err != nil {
		return Channel{}, fmt.Errorf("channel %q: %w", id, err)
	}
	return c, nil
}

// PutChannel creates (empty ID: assigns ID and Created) or replaces a channel.
func (s *Store) PutChannel(c Channel) (Channel, error) {
	if c.ID == "" {
		c.ID = newID()
	}
	if c.Created.IsZero() {
		c.Created = s.now().UTC().Round(0)
	}
	err := s.db.Update(func(tx *bbolt.Tx) error {
		return putJSON(tx.Bucket(bucketChannels), []byte(c.ID), c)
	})
	if err != nil {
		return Channel{}, fmt.Errorf("saving channel %q: %w", c.Name, err)
	}
	return c, nil
}

// DeleteChannel removes a channel; ErrNotFound when there is none. Rules naming it keep the ID
// (notify skips unknown channels); pending deliveries to it fail on their next attempt.
func (s *Store) DeleteChannel(id string) error {
	err := s.db.Update(func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketChannels)
		if b.Get([]byte(id)) == nil {
			return ErrNotFound
		}
		return b.Delete([]byte(id))
	})
	if err != nil {
		return fmt.Errorf("deleting channel %q: %w", id, err)
	}
	return nil
}

// Rules returns the routing rules in evaluation order.
func (s *Store) Rules() ([]Rule, error) {
	var rules []Rule
	err := s.db.View(func(tx *bbolt.Tx) error {
		err := getJSON(tx.Bucket(bucketRules), keyRules, &rules)
		if err == ErrNotFound {
			return nil
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("reading rules: %w", err)
	}
	return rules, nil
}

// PutRules replaces the whole rule list, assigning IDs to rules without one.
func (s *Store) PutRules(rules []Rule) error {
	rules = append([]Rule(nil), rules...)
	for i := range rules {
		if rules[i].ID == "" {
			rules[i].ID = newID()
		}
	}
	err := s.db.Update(func(tx *bbolt.Tx) error {
		return putJSON(tx.Bucket(bucketRules), keyRules, rules)
	})
	if err != nil {
		return fmt.Errorf("saving rules: %w", err)
	}
	return nil
}

// EnqueueEvent adds an event (modem alert, test, heartbeat) to the outbox, assigning ID and
// Created.
func (s *Store) EnqueueEvent(e Event) (Event, error) {
	err := s.db.Update(func(tx *bbolt.Tx) error {
		var err error
		e, err = s.enqueueTx(tx, e)
		return err
	})
	if err != nil {
		return Event{}, fmt.Errorf("enqueueing %s event: %w", e.Kind, err)
	}
	return e, nil
}

func (s *Store) enqueueTx(tx *bbolt.Tx, e Event) (Event, error) {
	b := tx.Bucket(bucketEvents)
	b.FillPercent = appendFill
	seq, err := b.NextSequence()
	if err != nil {
		return e, err
	}
	e.ID = seqID(seq)
	e.Created = s.now().UTC().Round(0)
	return e, putJSON(b, u64(seq), e)
}

// PendingEvents returns up to limit (default 100) events not yet expanded, oldest first.
func (s *Store) PendingEvents(limit int) ([]Event, error) {
	limit = clampLimit(limit, 100, 1000)
	var out []Event
	err := s.db.View(func(tx *bbolt.Tx) error {
		c := tx.Bucket(bucketEvents).Cursor()
		for k, v := c.First(); k != nil && len(out) < limit; k, v = c.Next() {
			var e Event
			if err := json.Unmarshal(v, &e); err != nil {
				return fmt.Errorf("event %d: %w", readU64(k), err)
			}
			out = append(out, e)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading events: %w", err)
	}
	return out, nil
}
