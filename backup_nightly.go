package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"firmline/store"
)

// backupLoop writes a verified backup into cfg.Backup.Dir every night at cfg.Backup.At and
// keeps the newest cfg.Backup.Keep of them. It does nothing when no directory is configured.
func (a *appliance) backupLoop(ctx context.Context) error {
	if a.cfg.Backup.Dir == "" {
		return nil
	}
	for {
		wait := time.Until(nextAt(time.Now(), a.cfg.Backup.At))
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(wait):
		}
		path, err := nightlyBackup(a.store, a.cfg.Backup, time.Now())
		if err != nil {
			a.log.Error("nightly backup failed", "dir", a.cfg.Backup.Dir, "error", err)
			a.store.Audit(store.AuditEntry{Actor: "system", Action: "backup.failed", Target: a.cfg.Backup.Dir, Detail: map[string]string{"error": err.Error()}})
			continue
		}
		a.log.Info("nightly backup written", "file", path)
		a.store.Audit(store.AuditEntry{Actor: "system", Action: "backup.made", Target: filepath.Base(path)})
	}
}

// nextAt is the next local time of day hh:mm after now.
func nextAt(now time.Time, hhmm string) time.Time {
	t, _ := time.Parse("15:04", hhmm)
	next := time.Date(now.Year(), now.Month(), now.Day(), t.Hour(), t.Minute(), 0, 0, now.Location())
	if !next.After(now) {
		next = next.AddDate(0, 0, 1)
	}
	return next
}

// nightlyBackup writes one verified (and optionally encrypted) backup and prunes old ones.
func nightlyBackup(st *store.Store, bc backupConfig, now time.Time) (string, error) {
	if err := os.MkdirAll(bc.Dir, 0o750); err != nil {
		return "", fmt.Errorf("cannot use the backup directory: %w", err)
	}
	tmp, err := os.CreateTemp(bc.Dir, ".firmline-backup-*")
	if err != nil {
		return "", fmt.Errorf("cannot write into the backup directory: %w", err)
	}
	defer os.Remove(tmp.Name())
	_, err = st.Backup(tmp)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", fmt.Errorf("cannot write the backup: %w", err)
	}
	if err := store.Check(tmp.Name()); err != nil {
		return "", fmt.Errorf("the backup did not verify: %w", err)
	}
	name := "firmline-" + now.UTC().Format("20060102T150405Z") + ".db"
	if bc.Passphrase != "" {
		name += ".age"
	}
	path := filepath.Join(bc.Dir, name)
	if err := finishBackup(tmp.Name(), path, bc.Passphrase); err != nil {
		return "", err
	}
	return path, pruneBackups(bc.Dir, bc.Keep)
}

// pruneBackups removes all but the newest keep nightly backups (their names sort by time).
func pruneBackups(dir string, keep int) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	var names []string
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "firmline-") && (strings.HasSuffix(e.Name(), ".db") || strings.HasSuffix(e.Name(), ".db.age")) {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	for len(names) > keep {
		if err := os.Remove(filepath.Join(dir, names[0])); err != nil {
			return err
		}
		names = names[1:]
	}
	return nil
}
