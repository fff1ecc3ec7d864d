package store

import "go.etcd.io/bbolt"

// appendAuditBatch appends many entries in one transaction through the same code as Audit
// (test and benchmark fixtures).
func (s *Store) appendAuditBatch(es []AuditEntry) error {
	return s.db.Update(func(tx *bbolt.Tx) error {
		for _, e := range es {
			if _, err := s.appendAuditTx(tx, e); err != nil {
				return err
			}
		}
		return nil
	})
}

// ingestBatch ingests many PDUs in one transaction through the same code as Ingest, without
// the dedup check (fixtures use unique PDUs).
func (s *Store) ingestBatch(ins []Incoming, fields FieldsFunc) error {
	return s.db.Update(func(tx *bbolt.Tx) error {
		for _, in := range ins {
			r, err := s.ingestTx(tx, in, in.PDU, fields)
			if err != nil {
				return err
			}
			if err := tx.Bucket(bucketDedup).Put(pduHash(in.PDU), []byte(r.ID)); err != nil {
				return err
			}
		}
		return nil
	})
}
