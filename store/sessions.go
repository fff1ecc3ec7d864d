package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"go.etcd.io/bbolt"
)

// Session is a server-side sign-in. The cookie holds a random 256-bit id; only its SHA-256 hex
// (Hash) is stored. The store does not judge expiry: callers compare Expires with their clock.
type Session struct {
	Hash       string    `json:"hash"`
	UserID     string    `json:"user_id"`
	Created    time.Time `json:"created"`
	LastSeen   time.Time `json:"last_seen"`
	Expires    time.Time `json:"expires"`
	Persistent bool      `json:"persistent"` // "keep me signed in for a week"
	MFAPassed  bool      `json:"mfa_passed"` // false while the second factor is still owed
	Addr       string    `json:"addr"`
	UserAgent  string    `json:"user_agent"`
}

func userSessionKey(userID, hash string) []byte { return []byte(userID + "\x00" + hash) }

// CreateSession stores a new session. The user must exist (ErrNotFound, so a user deleted a
// moment ago cannot sign in again); a Hash already present is ErrExists.
func (s *Store) CreateSession(sess Session) error {
	err := s.db.Update(func(tx *bbolt.Tx) error {
		if tx.Bucket(bucketUsers).Get([]byte(sess.UserID)) == nil {
			return fmt.Errorf("user %q: %w", sess.UserID, ErrNotFound)
		}
		b := tx.Bucket(bucketSessions)
		if sess.Hash == "" || b.Get([]byte(sess.Hash)) != nil {
			return ErrExists
		}
		if sess.Created.IsZero() {
			sess.Created = s.now().UTC().Round(0)
		}
		if err := tx.Bucket(bucketUserSessions).Put(userSessionKey(sess.UserID, sess.Hash), nil); err != nil {
			return err
		}
		return putJSON(b, []byte(sess.Hash), sess)
	})
	if err != nil {
		return fmt.Errorf("creating session: %w", err)
	}
	return nil
}

// Session returns the session with this hash; ErrNotFound when there is none.
func (s *Store) Session(hash string) (Session, error) {
	var sess Session
	err := s.db.View(func(tx *bbolt.Tx) error {
		return getJSON(tx.Bucket(bucketSessions), []byte(hash), &sess)
	})
	if err != nil {
		return Session{}, fmt.Errorf("session: %w", err)
	}
	return sess, nil
}

// TouchSession records activity: LastSeen and the new Expires. ErrNotFound when gone.
func (s *Store) TouchSession(hash string, seen, expires time.Time) error {
	_, err := s.UpdateSession(hash, func(sess *Session) error {
		sess.LastSeen, sess.Expires = seen, expires
		return nil
	})
	return err
}

// UpdateSession applies fn to a copy and stores it in one transaction; Hash and UserID cannot
// change. ErrNotFound when the session is gone.
func (s *Store) UpdateSession(hash string, fn func(*Session) error) (Session, error) {
	var sess Session
	err := s.db.Update(func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketSessions)
		if err := getJSON(b, []byte(hash), &sess); err != nil {
			return err
		}
		userID := sess.UserID
		if err := fn(&sess); err != nil {
			return err
		}
		sess.Hash, sess.UserID = hash, userID
		return putJSON(b, []byte(hash), sess)
	})
	if err != nil {
		return Session{}, fmt.Errorf("updating session: %w", err)
	}
	return sess, nil
}

// DeleteSession removes a session (sign-out). Deleting one that is already gone is not an error.
func (s *Store) DeleteSession(hash string) error {
	err := s.db.Update(func(tx *bbolt.Tx) error {
		return deleteSessionTx(tx, hash)
	})
	if err != nil {
		return fmt.Errorf("deleting session: %w", err)
	}
	return nil
}

func deleteSessionTx(tx *bbolt.Tx, hash string) error {
	b := tx.Bucket(bucketSessions)
	var sess Session
	if err := getJSON(b, []byte(hash), &sess); err != nil {
		if err == ErrNotFound {
			return nil
		}
		return err
	}
	if err := tx.Bucket(bucketUserSessions).Delete(userSessionKey(sess.UserID, hash)); err != nil {
		return err
	}
	return b.Delete([]byte(hash))
}

// DeleteUserSessions removes every session of the user except exceptHash ("" for none) and
// returns how many it removed.
func (s *Store) DeleteUserSessions(userID, exceptHash string) (int, error) {
	var n int
	err := s.db.Update(func(tx *bbolt.Tx) error {
		var err error
		n, err = deleteUserSessionsTx(tx, userID, exceptHash)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("deleting sessions of user %q: %w", userID, err)
	}
	return n, nil
}

func deleteUserSessionsTx(tx *bbolt.Tx, userID, exceptHash string) (int, error) {
	hashes := userSessionHashes(tx, userID)
	n := 0
	for _, h := range hashes {
		if h == exceptHash {
			continue
		}
		if err := deleteSessionTx(tx, h); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

func userSessionHashes(tx *bbolt.Tx, userID string) []string {
	prefix := []byte(userID + "\x00")
	var out []string
	c := tx.Bucket(bucketUserSessions).Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		out = append(out, string(k[len(prefix):]))
	}
	return out
}

// UserSessions returns the user's sessions, most recently seen first.
func (s *Store) UserSessions(userID string) ([]Session, error) {
	var out []Session
	err := s.db.View(func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketSessions)
		for _, h := range userSessionHashes(tx, userID) {
			var sess Session
			if err := getJSON(b, []byte(h), &sess); err != nil {
				return err
			}
			out = append(out, sess)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("sessions of user %q: %w", userID, err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].LastSeen.After(out[j].LastSeen) })
	return out, nil
}

// DeleteExpiredSessions removes every session whose Expires is not after now and returns how
// many; for a periodic sweep (not in the contract; sessions otherwise pile up).
func (s *Store) DeleteExpiredSessions(now time.Time) (int, error) {
	var n int
	err := s.db.Update(func(tx *bbolt.Tx) error {
		var doomed []string
		err := tx.Bucket(bucketSessions).ForEach(func(k, v []byte) error {
			var sess Session
			if err := json.Unmarshal(v, &sess); err != nil {
				return err
			}
			if !sess.Expires.After(now) {
				doomed = append(doomed, string(k))
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, h := range doomed {
			if err := deleteSessionTx(tx, h); err != nil {
				return err
			}
		}
		n = len(doomed)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("deleting expired sessions: %w", err)
	}
	return n, nil
}
