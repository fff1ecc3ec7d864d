package store

import (
	"fmt"

	"go.etcd.io/bbolt"
)

// Settings are the firm-wide settings kept in the database (changed in the UI by Owners).
type Settings struct {
	MFAPolicy      string            `json:"mfa_policy"`     // "optional" | "required"
	RetentionDays  int               `json:"retention_days"` // default 365; 0 = keep forever
	OwnNumbers     map[string]string `json:"own_numbers"`    // modem -> number entered by an Owner
	PublicURL      string            `json:"public_url"`
	HeartbeatDaily bool              `json:"heartbeat_daily"`
	SetupCodeHash  string            `json:"setup_code_hash"` // first-run setup code (sha256 hex); "" once used
}

func defaultSettings() Settings {
	return Settings{MFAPolicy: "optional", RetentionDays: 365}
}

// Settings returns the current settings (defaults on a new database).
func (s *Store) Settings() (Settings, error) {
	var st Settings
	err := s.db.View(func(tx *bbolt.Tx) error {
		var err error
		st, err = settingsTx(tx)
		return err
	})
	if err != nil {
		return Settings{}, fmt.Errorf("reading settings: %w", err)
	}
	return st, nil
}

func settingsTx(tx *bbolt.Tx) (Settings, error) {
	st := defaultSettings()
	err := getJSON(tx.Bucket(bucketSettings), keySettings, &st)
	if err == ErrNotFound {
		return defaultSettings(), nil
	}
	return st, err
}

// UpdateSettings applies fn to a copy of the settings and stores the result in one
// transaction; an error from fn aborts without change.
func (s *Store) UpdateSettings(fn func(*Settings) error) (Settings, error) {
	var st Settings
	err := s.db.Update(func(tx *bbolt.Tx) error {
		var err error
		if st, err = settingsTx(tx); err != nil {
			return err
		}
		if err := fn(&st); err != nil {
			return err
		}
		return putJSON(tx.Bucket(bucketSettings), keySettings, st)
	})
	if err != nil {
		return Settings{}, fmt.Errorf("updating settings: %w", err)
	}
	return st, nil
}
