package store

import (
	"bytes"
	"fmt"
	"sort"
	"strings"
	"time"

	"go.etcd.io/bbolt"
)

// Account is one entry of the MFA inventory: a platform account that uses the firm's number
// for its verification codes. Owners keep the register; the json tags are the storage encoding.
type Account struct {
	ID           string    `json:"id"`
	Platform     string    `json:"platform"`      // as the codes name it: "Clio", "Westlaw"
	Account      string    `json:"account"`       // which login: "firm admin login at Clio"
	Notes        string    `json:"notes"`         // free text; never a password or code
	RegisteredBy string    `json:"registered_by"` // who moved it to the firm's number (name or email)
	Registered   time.Time `json:"registered"`    // when they did (a date the Owner enters)
	Created      time.Time `json:"created"`       // when the entry was made, by the store's clock
}

// Accounts returns the register ordered by platform (case-insensitive), then account.
func (s *Store) Accounts() ([]Account, error) {
	var out []Account
	err := s.db.View(func(tx *bbolt.Tx) error {
		return tx.Bucket(bucketAccounts).ForEach(func(k, v []byte) error {
			var a Account
			if err := getJSON(tx.Bucket(bucketAccounts), k, &a); err != nil {
				return err
			}
			out = append(out, a)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("reading the account register: %w", err)
	}
	sort.Slice(out, func(i, j int) bool {
		pi, pj := strings.ToLower(out[i].Platform), strings.ToLower(out[j].Platform)
		if pi != pj {
			return pi < pj
		}
		return strings.ToLower(out[i].Account) < strings.ToLower(out[j].Account)
	})
	return out, nil
}

// PutAccount stores a, creating it (new ID, Created from the store's clock) when a.ID is empty
// and replacing the entry otherwise (ErrNotFound when that ID does not exist; Created is
// kept). Platform is required.
func (s *Store) PutAccount(a Account) (Account, error) {
	a.Platform, a.Account = strings.TrimSpace(a.Platform), strings.TrimSpace(a.Account)
	a.Registered = a.Registered.UTC().Round(0)
	err := s.db.Update(func(tx *bbolt.Tx) error {
		if a.Platform == "" {
			return fmt.Errorf("a platform is required")
		}
		b := tx.Bucket(bucketAccounts)
		if a.ID == "" {
			a.ID, a.Created = newID(), s.now().UTC().Round(0)
		} else {
			var old Account
			if err := getJSON(b, []byte(a.ID), &old); err != nil {
				return err
			}
			a.Created = old.Created
		}
		return putJSON(b, []byte(a.ID), a)
	})
	if err != nil {
		return Account{}, fmt.Errorf("registering account %q: %w", a.Platform, err)
	}
	return a, nil
}

// DeleteAccount removes an entry of the register; ErrNotFound when there is none.
func (s *Store) DeleteAccount(id string) error {
	err := s.db.Update(func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketAccounts)
		if b.Get([]byte(id)) == nil {
			return ErrNotFound
		}
		return b.Delete([]byte(id))
	})
	if err != nil {
		return fmt.Errorf("removing account %q: %w", id, err)
	}
	return nil
}

// SeenPlatforms counts the visible messages received at or after since, by platform (messages
// without a platform are not counted). It scans the compact msg_search index backwards from
// the newest and stops at the first ID older than since, so its cost is the number of
// messages in the period, not the size of the store; it then decodes one message per distinct
// platform to report the platform's spelling as the newest message has it.
func (s *Store) SeenPlatforms(since time.Time) (map[string]int, error) {
	stop := uint64(max(since.UnixMilli(), 0)) << 16
	out := map[string]int{}
	err := s.db.View(func(tx *bbolt.Tx) error {
		counts := map[string]int{}
		newest := map[string][]byte{} // lower-case platform -> newest message key
		c := tx.Bucket(bucketSearch).Cursor()
		for k, v := c.Last(); k != nil; k, v = c.Prev() {
			if id, ok := parseSeqID(string(k)); !ok || id < stop {
				break
			}
			if len(v) < 2 || v[0] != '1' {
				continue
			}
			i := bytes.IndexByte(v[1:], 0)
			if i <= 0 {
				continue
			}
			p := string(v[1 : 1+i])
			if counts[p] == 0 {
				newest[p] = k
			}
			counts[p]++
		}
		for p, n := range counts {
			name := p
			if r, err := loadRecord(tx, newest[p]); err == nil && r.Platform != "" {
				name = r.Platform
			}
			out[name] += n
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("platforms seen since %s: %w", since.Format(time.RFC3339), err)
	}
	return out, nil
}
