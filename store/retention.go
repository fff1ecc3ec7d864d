package store

import (
	"fmt"
	"time"

	"go.etcd.io/bbolt"
)

// ExpireMessages applies retention: every message received before `before` loses its body
// (Text, Code and PDUs emptied, Expired set, Seq bumped) but keeps its record, and the audit log
// gets a "message.expired" entry for it (actor "system"). It returns how many it expired.
//
// It walks messages oldest first from where the previous run stopped (meta "expired_upto") and
// stops at the first message received at or after `before`; IDs follow arrival order, so a
// message stamped earlier by a clock that went backwards is caught by a later run.
func (s *Store) ExpireMessages(before time.Time) (int, error) {
	n := 0
	err := s.db.Update(func(tx *bbolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		c := tx.Bucket(bucketMessages).Cursor()
		var ids [][]byte
		k, _ := c.Seek(meta.Get(keyExpiredUpto))
		for ; k != nil; k, _ = c.Next() {
			r, err := loadRecord(tx, k)
			if err != nil {
				return err
			}
			if !r.ReceivedAt.Before(before) {
				break
			}
			if !r.Expired {
				ids = append(ids, append([]byte(nil), k...))
			}
		}
		for _, id := range ids {
			if err := s.expireTx(tx, id); err != nil {
				return err
			}
		}
		n = len(ids)
		if k == nil {
			return nil // everything is expired; the next run rescans from the last mark
		}
		return meta.Put(keyExpiredUpto, append([]byte(nil), k...))
	})
	if err != nil {
		return 0, fmt.Errorf("expiring messages: %w", err)
	}
	return n, nil
}

// expireTx empties one message's body and audits it.
func (s *Store) expireTx(tx *bbolt.Tx, id []byte) error {
	r, err := loadRecord(tx, id)
	if err != nil {
		return err
	}
	received := r.ReceivedAt.Format(time.RFC3339Nano)
	r.Text, r.Code, r.Expired = "", "", true
	for i := range r.Slots {
		r.Slots[i] = ""
	}
	if err := tx.Bucket(bucketHidden).Delete(id); err != nil {
		return err
	}
	if err := saveRecord(tx, r); err != nil {
		return err
	}
	_, err = s.appendAuditTx(tx, AuditEntry{Actor: "system", Action: "message.expired",
		Target: r.ID, Detail: map[string]string{"received_at": received}})
	return err
}
