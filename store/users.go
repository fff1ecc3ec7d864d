package store

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"go.etcd.io/bbolt"
)

// Role is a user's or token's permission level: viewer < manager < owner.
type Role string

// The roles, lowest first.
const (
	RoleViewer  Role = "viewer"
	RoleManager Role = "manager"
	RoleOwner   Role = "owner"
)

// ParseRole accepts "viewer", "manager" or "owner" in any case.
func ParseRole(s string) (Role, error) {
	r := Role(strings.ToLower(strings.TrimSpace(s)))
	if r.rank() == 0 {
		return "", fmt.Errorf("unknown role %q (want viewer, manager or owner)", s)
	}
	return r, nil
}

// AtLeast reports whether r grants everything o grants. An unknown role grants nothing.
func (r Role) AtLeast(o Role) bool { return r.rank() > 0 && r.rank() >= o.rank() }

func (r Role) rank() int {
	switch r {
	case RoleViewer:
		return 1
	case RoleManager:
		return 2
	case RoleOwner:
		return 3
	}
	return 0
}

// User is a local account. PasswordHash, TOTP fields and BackupCodes are secrets: never log them.
type User struct {
	ID              string    `json:"id"`
	Email           string    `json:"email"` // stored lower-cased, unique
	Name            string    `json:"name"`
	Role            Role      `json:"role"`
	Primary         bool      `json:"primary"` // the first owner; set by the store only
	PasswordHash    string    `json:"password_hash"`
	Created         time.Time `json:"created"`
	LastSeen        time.Time `json:"last_seen"`
	TOTPSecret      string    `json:"totp_secret"`
	TOTPPending     string    `json:"totp_pending"`
	TOTPLastStep    int64     `json:"totp_last_step"`
	BackupCodes     []string  `json:"backup_codes"`
	MFARequired     bool      `json:"mfa_required"`
	MFAInvited      bool      `json:"mfa_invited"`
	NotifyPlatforms []string  `json:"notify_platforms"`
}

// normEmail is the stored and indexed form of an address.
func normEmail(e string) string { return strings.ToLower(strings.TrimSpace(e)) }

// CreateUser assigns ID and Created (when zero) and stores u. The email must be unique
// (ErrExists) and the role valid. The first owner ever created becomes the primary owner; a
// caller-set Primary is ignored.
func (s *Store) CreateUser(u User) (User, error) {
	err := s.db.Update(func(tx *bbolt.Tx) error {
		var err error
		u, err = s.createUserTx(tx, u)
		return err
	})
	if err != nil {
		return User{}, fmt.Errorf("creating user %q: %w", u.Email, err)
	}
	return u, nil
}

func (s *Store) createUserTx(tx *bbolt.Tx, u User) (User, error) {
	u.Email = normEmail(u.Email)
	if u.Email == "" {
		return u, fmt.Errorf("email is empty")
	}
	if u.Role.rank() == 0 {
		return u, fmt.Errorf("unknown role %q", u.Role)
	}
	idx := tx.Bucket(bucketUserEmail)
	if idx.Get([]byte(u.Email)) != nil {
		return u, ErrExists
	}
	u.ID = newID()
	if u.Created.IsZero() {
		u.Created = s.now().UTC().Round(0)
	}
	meta := tx.Bucket(bucketMeta)
	u.Primary = u.Role == RoleOwner && meta.Get(keyPrimary) == nil
	if u.Primary {
		if err := meta.Put(keyPrimary, []byte(u.ID)); err != nil {
			return u, err
		}
	}
	if err := idx.Put([]byte(u.Email), []byte(u.ID)); err != nil {
		return u, err
	}
	return u, putJSON(tx.Bucket(bucketUsers), []byte(u.ID), u)
}

// User returns one user by ID; ErrNotFound when there is none.
func (s *Store) User(id string) (User, error) {
	var u User
	err := s.db.View(func(tx *bbolt.Tx) error {
		return getJSON(tx.Bucket(bucketUsers), []byte(id), &u)
	})
	if err != nil {
		return User{}, fmt.Errorf("user %q: %w", id, err)
	}
	return u, nil
}

// UserByEmail looks a user up by email, case-insensitively; ErrNotFound when there is none.
func (s *Store) UserByEmail(email string) (User, error) {
	var u User
	err := s.db.View(func(tx *bbolt.Tx) error {
		id := tx.Bucket(bucketUserEmail).Get([]byte(normEmail(email)))
		if id == nil {
			return ErrNotFound
		}
		return getJSON(tx.Bucket(bucketUsers), id, &u)
	})
	if err != nil {
		return User{}, fmt.Errorf("user %q: %w", email, err)
	}
	return u, nil
}

// Users returns every user ordered by email.
func (s *Store) Users() ([]User, error) {
	var out []User
	err := s.db.View(func(tx *bbolt.Tx) error {
		users := tx.Bucket(bucketUsers)
		return tx.Bucket(bucketUserEmail).ForEach(func(_, id []byte) error {
			var u User
			if err := getJSON(users, id, &u); err != nil {
				return err
			}
			out = append(out, u)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("listing users: %w", err)
	}
	return out, nil
}

// CountUsers is the number of accounts (0 means first-run setup is open).
func (s *Store) CountUsers() (int, error) {
	var n int
	err := s.db.View(func(tx *bbolt.Tx) error {
		n = tx.Bucket(bucketUserEmail).Stats().KeyN
		return nil
	})
	return n, err
}

// UpdateUser applies fn to a copy of the user and stores the result in one transaction; an
// error from fn aborts without change. ID, Created and Primary cannot change; a new email must be
// unique (ErrExists); the primary owner's role cannot drop below owner (ErrPrimary).
func (s *Store) UpdateUser(id string, fn func(*User) error) (User, error) {
	var u User
	err := s.db.Update(func(tx *bbolt.Tx) error {
		users := tx.Bucket(bucketUsers)
		var old User
		if err := getJSON(users, []byte(id), &old); err != nil {
			return err
		}
		if err := getJSON(users, []byte(id), &u); err != nil { // a deep copy for fn
			return err
		}
		if err := fn(&u); err != nil {
			return err
		}
		u.ID, u.Created, u.Primary, u.Email = old.ID, old.Created, old.Primary, normEmail(u.Email)
		if u.Role.rank() == 0 {
			return fmt.Errorf("unknown role %q", u.Role)
		}
		if u.Primary && u.Role != RoleOwner {
			return fmt.Errorf("%w or demoted", ErrPrimary)
		}
		if err := reindexEmail(tx, old.Email, u.Email, id); err != nil {
			return err
		}
		return putJSON(users, []byte(id), u)
	})
	if err != nil {
		return User{}, fmt.Errorf("updating user %q: %w", id, err)
	}
	return u, nil
}

func reindexEmail(tx *bbolt.Tx, old, new, id string) error {
	if old == new {
		return nil
	}
	if new == "" {
		return fmt.Errorf("email is empty")
	}
	idx := tx.Bucket(bucketUserEmail)
	if idx.Get([]byte(new)) != nil {
		return ErrExists
	}
	if err := idx.Delete([]byte(old)); err != nil {
		return err
	}
	return idx.Put([]byte(new), []byte(id))
}

// DeleteUser removes the user, all their sessions and every API token they created, in one
// transaction, and returns what was removed. The primary owner cannot be deleted (ErrPrimary).
// Console tokens (UserID "") are untouched.
func (s *Store) DeleteUser(id string) (User, error) {
	var u User
	err := s.db.Update(func(tx *bbolt.Tx) error {
		users := tx.Bucket(bucketUsers)
		if err := getJSON(users, []byte(id), &u); err != nil {
			return err
		}
		if u.Primary {
			return ErrPrimary
		}
		if err := users.Delete([]byte(id)); err != nil {
			return err
		}
		if err := tx.Bucket(bucketUserEmail).Delete([]byte(u.Email)); err != nil {
			return err
		}
		if _, err := deleteUserSessionsTx(tx, id, ""); err != nil {
			return err
		}
		return deleteUserTokensTx(tx, id)
	})
	if err != nil {
		return User{}, fmt.Errorf("deleting user %q: %w", id, err)
	}
	return u, nil
}

// deleteUserTokensTx revokes every token whose creator is userID (tokens are few: a scan).
func deleteUserTokensTx(tx *bbolt.Tx, userID string) error {
	var doomed []Token
	err := tx.Bucket(bucketTokens).ForEach(func(_, v []byte) error {
		var t Token
		if err := json.Unmarshal(v, &t); err != nil {
			return err
		}
		if t.UserID == userID {
			doomed = append(doomed, t)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, t := range doomed {
		if err := deleteTokenTx(tx, t); err != nil {
			return err
		}
	}
	return nil
}
