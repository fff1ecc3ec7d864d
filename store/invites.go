package store

import (
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"go.etcd.io/bbolt"
)

// InviteTTL is how long an invitation link stays valid when CreateInvite is given no Expires.
const InviteTTL = 7 * 24 * time.Hour

// Invite is a single-use invitation. Only the SHA-256 hex of the link's token is stored.
type Invite struct {
	ID        string    `json:"id"`
	Hash      string    `json:"hash"`
	Email     string    `json:"email"` // lower-cased
	Role      Role      `json:"role"`
	InvitedBy string    `json:"invited_by"` // inviter's user ID
	Created   time.Time `json:"created"`
	Expires   time.Time `json:"expires"`
	UsedAt    time.Time `json:"used_at"`
	Revoked   bool      `json:"revoked"`
}

// CreateInvite assigns ID, Created (when zero) and Expires (Created + InviteTTL when zero).
// ErrExists when the email already has an account or the hash is taken.
func (s *Store) CreateInvite(inv Invite) (Invite, error) {
	inv.Email = normEmail(inv.Email)
	err := s.db.Update(func(tx *bbolt.Tx) error {
		if inv.Email == "" || inv.Hash == "" {
			return fmt.Errorf("email and hash are required")
		}
		if inv.Role.rank() == 0 {
			return fmt.Errorf("unknown role %q", inv.Role)
		}
		hashes := tx.Bucket(bucketInviteHash)
		if tx.Bucket(bucketUserEmail).Get([]byte(inv.Email)) != nil || hashes.Get([]byte(inv.Hash)) != nil {
			return ErrExists
		}
		inv.ID, inv.UsedAt, inv.Revoked = newID(), time.Time{}, false
		if inv.Created.IsZero() {
			inv.Created = s.now().UTC().Round(0)
		}
		if inv.Expires.IsZero() {
			inv.Expires = inv.Created.Add(InviteTTL)
		}
		if err := hashes.Put([]byte(inv.Hash), []byte(inv.ID)); err != nil {
			return err
		}
		return putJSON(tx.Bucket(bucketInvites), []byte(inv.ID), inv)
	})
	if err != nil {
		return Invite{}, fmt.Errorf("inviting %q: %w", inv.Email, err)
	}
	return inv, nil
}

// InviteByHash returns the invitation for a link. A revoked or unknown one is ErrNotFound; a
// used one ErrUsed; one past Expires (by the store's clock) ErrExpired. With ErrUsed and
// ErrExpired the invite itself is returned too, so the page can name who to ask for a new one.
func (s *Store) InviteByHash(hash string) (Invite, error) {
	var inv Invite
	err := s.db.View(func(tx *bbolt.Tx) error {
		var err error
		inv, err = s.usableInvite(tx, hash)
		return err
	})
	if err != nil {
		return inv, fmt.Errorf("invitation: %w", err)
	}
	return inv, nil
}

func (s *Store) usableInvite(tx *bbolt.Tx, hash string) (Invite, error) {
	var inv Invite
	id := tx.Bucket(bucketInviteHash).Get([]byte(hash))
	if id == nil {
		return inv, ErrNotFound
	}
	if err := getJSON(tx.Bucket(bucketInvites), id, &inv); err != nil {
		return inv, err
	}
	switch {
	case inv.Revoked:
		return Invite{}, ErrNotFound
	case !inv.UsedAt.IsZero():
		return inv, ErrUsed
	case !s.now().Before(inv.Expires):
		return inv, ErrExpired
	}
	return inv, nil
}

// Invites returns the pending invitations (unused, unrevoked, unexpired), newest first.
func (s *Store) Invites() ([]Invite, error) {
	now := s.now()
	var out []Invite
	err := s.db.View(func(tx *bbolt.Tx) error {
		return tx.Bucket(bucketInvites).ForEach(func(_, v []byte) error {
			var inv Invite
			if err := json.Unmarshal(v, &inv); err != nil {
				return err
			}
			if !inv.Revoked && inv.UsedAt.IsZero() && now.Before(inv.Expires) {
				out = append(out, inv)
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("listing invitations: %w", err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Created.After(out[j].Created) })
	return out, nil
}

// RevokeInvite withdraws an invitation; ErrNotFound when there is none.
func (s *Store) RevokeInvite(id string) error {
	err := s.db.Update(func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketInvites)
		var inv Invite
		if err := getJSON(b, []byte(id), &inv); err != nil {
			return err
		}
		inv.Revoked = true
		return putJSON(b, []byte(id), inv)
	})
	if err != nil {
		return fmt.Errorf("revoking invitation %q: %w", id, err)
	}
	return nil
}

// AcceptInvite validates the invitation (as InviteByHash), creates the user with the invite's
// email and role (u supplies name, password hash, ...) and marks the invite used, in one
// transaction. ErrExists when the email has meanwhile become an account.
func (s *Store) AcceptInvite(hash string, u User) (User, error) {
	err := s.db.Update(func(tx *bbolt.Tx) error {
		inv, err := s.usableInvite(tx, hash)
		if err != nil {
			return err
		}
		u.Email, u.Role = inv.Email, inv.Role
		if u, err = s.createUserTx(tx, u); err != nil {
			return err
		}
		inv.UsedAt = s.now().UTC().Round(0)
		return putJSON(tx.Bucket(bucketInvites), []byte(inv.ID), inv)
	})
	if err != nil {
		return User{}, fmt.Errorf("accepting invitation: %w", err)
	}
	return u, nil
}
