package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"filippo.io/age"

	"firmline/store"
)

// Backups are a consistent bbolt snapshot (store.Backup), optionally encrypted with a
// passphrase using age (scrypt recipient), which is a reviewed, well-kept format that an
// operator can also decrypt with the standalone `age` tool.

const ageHeader = "age-encryption.org/v1"

func cmdBackup(env cliEnv, args []string) error {
	fs := newFlags(env, "backup")
	data := dataFlag(fs, env)
	out := fs.String("out", "", "the backup file to write")
	passFile := fs.String("passphrase-file", "", "encrypt with the passphrase in this file")
	if err := parseFlags(env, fs, args); err != nil {
		return err
	}
	if *out == "" {
		return fmt.Errorf("%w: backup needs --out FILE", errUsage)
	}
	pass, err := readPassphrase(*passFile)
	if err != nil {
		return err
	}
	if _, err := os.Stat(*out); err == nil {
		return fmt.Errorf("%s already exists; firmline does not overwrite a backup", *out)
	}
	tmp, err := os.CreateTemp(filepath.Dir(*out), ".firmline-backup-*")
	if err != nil {
		return fmt.Errorf("cannot write next to %s: %w", *out, err)
	}
	defer os.Remove(tmp.Name())
	if err := runAdmin(env.ctx, *data, adminRequest{Cmd: "backup"}, tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("cannot write the backup: %w", err)
	}
	if err := store.Check(tmp.Name()); err != nil {
		return fmt.Errorf("the backup did not verify, nothing was written to %s: %w", *out, err)
	}
	if err := finishBackup(tmp.Name(), *out, pass); err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "backup written to %s and verified\n", *out)
	return nil
}

// finishBackup moves the verified snapshot to out, encrypting it on the way when pass is set.
func finishBackup(snapshot, out, pass string) error {
	if pass == "" {
		return os.Rename(snapshot, out)
	}
	r, err := age.NewScryptRecipient(pass)
	if err != nil {
		return fmt.Errorf("cannot use the passphrase: %w", err)
	}
	in, err := os.Open(snapshot)
	if err != nil {
		return err
	}
	defer in.Close()
	return withOutput(cliEnv{}, out, func(w io.Writer) error {
		ew, err := age.Encrypt(w, r)
		if err != nil {
			return err
		}
		if _, err := io.Copy(ew, in); err != nil {
			return err
		}
		return ew.Close()
	})
}

func readPassphrase(path string) (string, error) {
	if path == "" {
		return "", nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("cannot read the passphrase file: %w", err)
	}
	p := strings.TrimRight(string(b), "\r\n")
	if len(p) < 8 {
		return "", fmt.Errorf("%w: the backup passphrase must be at least 8 characters", errUsage)
	}
	return p, nil
}

func cmdRestore(env cliEnv, args []string) error {
	fs := newFlags(env, "restore")
	data := dataFlag(fs, env)
	in := fs.String("in", "", "the backup file to restore")
	passFile := fs.String("passphrase-file", "", "the passphrase of an encrypted backup")
	if err := parseFlags(env, fs, args); err != nil {
		return err
	}
	if *in == "" {
		return fmt.Errorf("%w: restore needs --in FILE", errUsage)
	}
	pass, err := readPassphrase(*passFile)
	if err != nil {
		return err
	}
	if err := refuseRunning(*data); err != nil {
		return err
	}
	if err := os.MkdirAll(*data, 0o750); err != nil {
		return fmt.Errorf("cannot create the data directory: %w", err)
	}
	tmp, err := plainCopy(*in, *data, pass)
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	if err := store.Check(tmp); err != nil {
		return fmt.Errorf("%s is not an intact firmline backup, nothing was changed: %w", *in, err)
	}
	db := filepath.Join(*data, dbName)
	if _, err := os.Stat(db); err == nil {
		aside := db + ".before-restore-" + time.Now().UTC().Format("20060102T150405Z")
		if err := os.Rename(db, aside); err != nil {
			return fmt.Errorf("cannot move the current database aside: %w", err)
		}
		fmt.Fprintf(env.stdout, "the previous database was kept as %s\n", aside)
	}
	if err := os.Rename(tmp, db); err != nil {
		return fmt.Errorf("cannot put the restored database in place: %w", err)
	}
	if st, err := store.Open(db, store.Options{LockTimeout: time.Second}); err == nil {
		st.Audit(store.AuditEntry{Actor: "console", Action: "backup.restored", Target: filepath.Base(*in)})
		st.Close()
	}
	fmt.Fprintf(env.stdout, "restored %s into %s\n", *in, *data)
	return nil
}

// refuseRunning fails when a firmline process holds the data dir.
func refuseRunning(dataDir string) error {
	db := filepath.Join(dataDir, dbName)
	if _, err := os.Stat(db); os.IsNotExist(err) {
		return nil
	}
	st, err := store.Open(db, store.Options{LockTimeout: time.Second})
	if err != nil {
		return fmt.Errorf("restore refuses to touch %s while firmline is running there; stop it first (systemctl stop firmline)", dataDir)
	}
	return st.Close()
}

// plainCopy copies (and decrypts, if it is an age file) the backup into a temp file in dir.
func plainCopy(path, dir, pass string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("cannot read the backup: %w", err)
	}
	defer f.Close()
	br := bufio.NewReader(f)
	head, _ := br.Peek(len(ageHeader))
	var src io.Reader = br
	if bytes.Equal(head, []byte(ageHeader)) {
		if pass == "" {
			return "", fmt.Errorf("%w: %s is encrypted; give --passphrase-file", errUsage, path)
		}
		id, err := age.NewScryptIdentity(pass)
		if err != nil {
			return "", err
		}
		if src, err = age.Decrypt(br, id); err != nil {
			return "", fmt.Errorf("cannot decrypt %s (wrong passphrase?): %w", path, err)
		}
	}
	tmp, err := os.CreateTemp(dir, ".firmline-restore-*")
	if err != nil {
		return "", fmt.Errorf("cannot write into the data directory: %w", err)
	}
	_, err = io.Copy(tmp, src)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp.Name())
		return "", fmt.Errorf("cannot copy the backup: %w", err)
	}
	return tmp.Name(), nil
}
