package store

// The bucket tree of firmline.db (schema version 3). Every bucket is top level; "->" reads
// "key maps to value". JSON values are the exported structs of this package (their json tags
// are the storage encoding, so renaming a tag needs a migration).
//
//	meta                      schema and counters
//	  "version"               -> uint64 BE: schema version (the number of migrations applied)
//	  "last_msg_id"           -> uint64 BE: the last message ID issued (IDs are strictly increasing)
//	  "msg_count"             -> uint64 BE: number of messages ever stored (expired ones included)
//	  "audit_head"            -> uint64 BE seq ++ hex hash of the last audit entry (detects a cut tail)
//	  "primary"               -> user ID of the primary owner
//	  "expired_upto"          -> msgKey(id): ExpireMessages resumes here (all before it are expired)
//	messages                  msgKey(id) -> JSON record (Message + part slots by sequence number)
//	msg_dedup                 sha256(raw PDU bytes) -> msgKey(id)
//	msg_groups                reassembly group key -> msgKey(id); deleted when the message completes
//	msg_hidden                msgKey(id) -> empty; incomplete messages not yet visible
//	msg_byseq                 u64(seq) -> msgKey(id); one key per message (its current Seq);
//	                          the bucket's own sequence is the store-wide message change counter
//	msg_search (v2)           msgKey(id) -> visible byte ('0'|'1') ++ lower(platform) 0x00
//	                          lower(sender) 0x00 lower(text); a compact copy for filtered scans
//	users                     user ID -> JSON User
//	user_email                lower(email) -> user ID
//	sessions                  session hash -> JSON Session
//	user_sessions             user ID 0x00 session hash -> empty
//	tokens                    token ID -> JSON Token
//	token_name                name -> token ID
//	token_hash                hash -> token ID
//	invites                   invite ID -> JSON Invite
//	invite_hash               hash -> invite ID
//	settings                  "settings" -> JSON Settings
//	audit                     u64(seq) -> JSON AuditEntry (hash included)
//	channels                  channel ID -> JSON Channel
//	rules                     "rules" -> JSON []Rule (evaluation order)
//	events                    u64(seq) -> JSON Event (pending, not yet expanded)
//	deliveries                u64(seq) -> JSON Delivery
//	delivery_due              u64(NextAttempt unix nanos) ++ u64(delivery seq) -> empty; pending only
//	delivery_msg              message ID 0x00 u64(delivery seq) -> empty
//	accounts (v3)             account ID -> JSON Account (the MFA inventory register)
//
// Key encodings: u64 is an 8-byte big-endian unsigned integer, so byte order is numeric order.
// A message ID is 16 lower-case hex digits of a big-endian uint64 (unix milliseconds << 16 |
// counter), so string order is time order; msgKey(id) is the ID's ASCII bytes. Event and
// delivery IDs are 16 hex digits of their bucket sequence.

import (
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"go.etcd.io/bbolt"
)

var (
	bucketMeta         = []byte("meta")
	bucketMessages     = []byte("messages")
	bucketDedup        = []byte("msg_dedup")
	bucketGroups       = []byte("msg_groups")
	bucketHidden       = []byte("msg_hidden")
	bucketBySeq        = []byte("msg_byseq")
	bucketSearch       = []byte("msg_search")
	bucketUsers        = []byte("users")
	bucketUserEmail    = []byte("user_email")
	bucketSessions     = []byte("sessions")
	bucketUserSessions = []byte("user_sessions")
	bucketTokens       = []byte("tokens")
	bucketTokenName    = []byte("token_name")
	bucketTokenHash    = []byte("token_hash")
	bucketInvites      = []byte("invites")
	bucketInviteHash   = []byte("invite_hash")
	bucketSettings     = []byte("settings")
	bucketAudit        = []byte("audit")
	bucketChannels     = []byte("channels")
	bucketRules        = []byte("rules")
	bucketEvents       = []byte("events")
	bucketDeliveries   = []byte("deliveries")
	bucketDue          = []byte("delivery_due")
	bucketDeliveryMsg  = []byte("delivery_msg")
	bucketAccounts     = []byte("accounts")

	keyVersion     = []byte("version")
	keyLastMsgID   = []byte("last_msg_id")
	keyMsgCount    = []byte("msg_count")
	keyAuditHead   = []byte("audit_head")
	keyPrimary     = []byte("primary")
	keyExpiredUpto = []byte("expired_upto")
	keySettings    = []byte("settings")
	keyRules       = []byte("rules")
)

// appendFill is the page fill used for buckets whose keys are written in ascending order
// (messages, msg_byseq, msg_search, audit, events, deliveries): bbolt's default of 0.5 leaves
// pages half empty when keys only ever grow.
const appendFill = 0.9

// migration is one step of the schema. Version n is reached by running migrations[n-1]; all
// pending steps run in Open inside a single read-write transaction, so a crash leaves the
// previous version intact.
type migration struct {
	version int
	name    string
	apply   func(tx *bbolt.Tx) error
}

// migrations is the ordered schema history. Append only; never edit a released step.
var migrations = []migration{
	{1, "create buckets and default settings", migrateCreate},
	{2, "message search index", migrateSearchIndex},
	{3, "MFA inventory register", migrateAccounts},
}

// schemaVersion is the version this build writes.
func schemaVersion() int { return migrations[len(migrations)-1].version }

func migrateCreate(tx *bbolt.Tx) error {
	for _, name := range [][]byte{bucketMeta, bucketMessages, bucketDedup, bucketGroups,
		bucketHidden, bucketBySeq, bucketUsers, bucketUserEmail, bucketSessions,
		bucketUserSessions, bucketTokens, bucketTokenName, bucketTokenHash, bucketInvites,
		bucketInviteHash, bucketSettings, bucketAudit, bucketChannels, bucketRules,
		bucketEvents, bucketDeliveries, bucketDue, bucketDeliveryMsg} {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return err
		}
	}
	return putJSON(tx.Bucket(bucketSettings), keySettings, defaultSettings())
}

// migrateSearchIndex builds msg_search from every stored message.
func migrateSearchIndex(tx *bbolt.Tx) error {
	idx, err := tx.CreateBucketIfNotExists(bucketSearch)
	if err != nil {
		return err
	}
	return tx.Bucket(bucketMessages).ForEach(func(k, v []byte) error {
		var r record
		if err := json.Unmarshal(v, &r); err != nil {
			return fmt.Errorf("message %s: %w", k, err)
		}
		return idx.Put(k, searchValue(&r.Message))
	})
}

// migrateAccounts creates the empty register of platform accounts (the MFA inventory).
func migrateAccounts(tx *bbolt.Tx) error {
	_, err := tx.CreateBucketIfNotExists(bucketAccounts)
	return err
}

// migrate brings the database up to the last of steps. It refuses a database written by a newer
// build. readOnly reports ErrMigrate instead of writing when a step is pending.
func migrate(db *bbolt.DB, steps []migration, readOnly bool) error {
	var current int
	if err := db.View(func(tx *bbolt.Tx) error {
		current = versionOf(tx)
		return nil
	}); err != nil {
		return err
	}
	last := steps[len(steps)-1].version
	switch {
	case current > last:
		return fmt.Errorf("database schema version %d is newer than this firmline understands (%d); upgrade firmline", current, last)
	case current == last:
		return nil
	case readOnly:
		return fmt.Errorf("database schema version %d needs migrating to %d; open it read-write", current, last)
	}
	return db.Update(func(tx *bbolt.Tx) error {
		for _, m := range steps[current:] {
			if err := m.apply(tx); err != nil {
				return fmt.Errorf("migration %d (%s): %w", m.version, m.name, err)
			}
		}
		meta, err := tx.CreateBucketIfNotExists(bucketMeta)
		if err != nil {
			return err
		}
		return meta.Put(keyVersion, u64(uint64(last)))
	})
}

// versionOf reads the schema version; 0 for a new file.
func versionOf(tx *bbolt.Tx) int {
	meta := tx.Bucket(bucketMeta)
	if meta == nil {
		return 0
	}
	return int(readU64(meta.Get(keyVersion)))
}

// u64 encodes n as 8 big-endian bytes.
func u64(n uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, n)
	return b
}

// readU64 decodes 8 big-endian bytes; 0 for a missing value.
func readU64(b []byte) uint64 {
	if len(b) < 8 {
		return 0
	}
	return binary.BigEndian.Uint64(b)
}

// seqID renders a sequence number as a 16-hex-digit, order-preserving ID.
func seqID(n uint64) string { return fmt.Sprintf("%016x", n) }

// parseSeqID is the inverse of seqID; ok is false for anything else.
func parseSeqID(id string) (uint64, bool) {
	if len(id) != 16 {
		return 0, false
	}
	b, err := hex.DecodeString(id)
	if err != nil {
		return 0, false
	}
	return binary.BigEndian.Uint64(b), true
}

// putJSON stores v as JSON under key.
func putJSON(b *bbolt.Bucket, key []byte, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.Put(key, data)
}

// getJSON loads key into v; ErrNotFound when the key is absent.
func getJSON(b *bbolt.Bucket, key []byte, v any) error {
	data := b.Get(key)
	if data == nil {
		return ErrNotFound
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("decoding record %q: %w", key, err)
	}
	return nil
}
