package store

import (
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"go.etcd.io/bbolt"
)

// Token is an API token (`firmline token create`). Only the SHA-256 hex of the secret is stored.
type Token struct {
	ID       string    `json:"id"`
	Name     string    `json:"name"` // unique
	Hash     string    `json:"hash"`
	Role     Role      `json:"role"`
	UserID   string    `json:"user_id"` // creator; "" when created on the console
	Created  time.Time `json:"created"`
	LastUsed time.Time `json:"last_used"`
}

// CreateToken assigns ID and Created (when zero) and stores t. Name and Hash must be unique
// (ErrExists); the role must be valid.
func (s *Store) CreateToken(t Token) (Token, error) {
	err := s.db.Update(func(tx *bbolt.Tx) error {
		if t.Name == "" || t.Hash == "" {
			return fmt.Errorf("name and hash are required")
		}
		if t.Role.rank() == 0 {
			return fmt.Errorf("unknown role %q", t.Role)
		}
		names, hashes := tx.Bucket(bucketTokenName), tx.Bucket(bucketTokenHash)
		if names.Get([]byte(t.Name)) != nil || hashes.Get([]byte(t.Hash)) != nil {
			return ErrExists
		}
		t.ID = newID()
		if t.Created.IsZero() {
			t.Created = s.now().UTC().Round(0)
		}
		if err := names.Put([]byte(t.Name), []byte(t.ID)); err != nil {
			return err
		}
		if err := hashes.Put([]byte(t.Hash), []byte(t.ID)); err != nil {
			return err
		}
		return putJSON(tx.Bucket(bucketTokens), []byte(t.ID), t)
	})
	if err != nil {
		return Token{}, fmt.Errorf("creating token %q: %w", t.Name, err)
	}
	return t, nil
}

// TokenByHash finds the token for a presented secret's hash; ErrNotFound when there is none.
func (s *Store) TokenByHash(hash string) (Token, error) {
	var t Token
	err := s.db.View(func(tx *bbolt.Tx) error {
		return tokenVia(tx, bucketTokenHash, hash, &t)
	})
	if err != nil {
		return Token{}, fmt.Errorf("token: %w", err)
	}
	return t, nil
}

func tokenVia(tx *bbolt.Tx, index []byte, key string, t *Token) error {
	id := tx.Bucket(index).Get([]byte(key))
	if id == nil {
		return ErrNotFound
	}
	return getJSON(tx.Bucket(bucketTokens), id, t)
}

// Tokens returns every token ordered by name.
func (s *Store) Tokens() ([]Token, error) {
	var out []Token
	err := s.db.View(func(tx *bbolt.Tx) error {
		return tx.Bucket(bucketTokens).ForEach(func(_, v []byte) error {
			var t Token
			if err := json.Unmarshal(v, &t); err != nil {
				return err
			}
			out = append(out, t)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("listing tokens: %w", err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// RevokeToken deletes the token with this name and returns it; ErrNotFound when there is none.
func (s *Store) RevokeToken(name string) (Token, error) {
	var t Token
	err := s.db.Update(func(tx *bbolt.Tx) error {
		if err := tokenVia(tx, bucketTokenName, name, &t); err != nil {
			return err
		}
		return deleteTokenTx(tx, t)
	})
	if err != nil {
		return Token{}, fmt.Errorf("revoking token %q: %w", name, err)
	}
	return t, nil
}

func deleteTokenTx(tx *bbolt.Tx, t Token) error {
	if err := tx.Bucket(bucketTokenName).Delete([]byte(t.Name)); err != nil {
		return err
	}
	if err := tx.Bucket(bucketTokenHash).Delete([]byte(t.Hash)); err != nil {
		return err
	}
	return tx.Bucket(bucketTokens).Delete([]byte(t.ID))
}

// TouchToken records a use of the token; ErrNotFound when it was revoked.
func (s *Store) TouchToken(hash string, t time.Time) error {
	err := s.db.Update(func(tx *bbolt.Tx) error {
		var tok Token
		if err := tokenVia(tx, bucketTokenHash, hash, &tok); err != nil {
			return err
		}
		tok.LastUsed = t.UTC().Round(0)
		return putJSON(tx.Bucket(bucketTokens), []byte(tok.ID), tok)
	})
	if err != nil {
		return fmt.Errorf("touching token: %w", err)
	}
	return nil
}
