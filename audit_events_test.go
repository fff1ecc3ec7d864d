package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"firmline/modem/sim"
	"firmline/store"
)

// aeFind returns the first audit entry after seq with action, actor and target ("" = any)
// and whose detail has every pair of want; ok false when there is none.
func aeFind(t testing.TB, st *store.Store, after uint64, action, actor, target string, want map[string]string) (store.AuditEntry, bool) {
	t.Helper()
	es, err := st.AuditEntries(time.Time{}, time.Time{}, 0, false)
	if err != nil {
		t.Fatal(err)
	}
next:
	for _, e := range es {
		if e.Seq <= after || e.Action != action || (actor != "" && e.Actor != actor) || (target != "" && e.Target != target) {
			continue
		}
		for k, v := range want {
			if e.Detail[k] != v {
				continue next
			}
		}
		return e, true
	}
	return store.AuditEntry{}, false
}

// aeExpect fails unless aeFind finds the entry, and checks the whole chain.
func aeExpect(t testing.TB, st *store.Store, after uint64, action, actor, target string, want map[string]string) store.AuditEntry {
	t.Helper()
	e, ok := aeFind(t, st, after, action, actor, target, want)
	if !ok {
		es, _ := st.AuditEntries(time.Time{}, time.Time{}, 0, false)
		t.Fatalf("no %s entry by %q on %q with %v; log: %+v", action, actor, target, want, es)
	}
	if _, err := st.VerifyAudit(); err != nil {
		t.Fatalf("chain after %s: %v", action, err)
	}
	return e
}

// aeHead is the Seq of the newest entry (0 for an empty log).
func aeHead(t testing.TB, st *store.Store) uint64 {
	t.Helper()
	stats, err := st.Stats()
	if err != nil {
		t.Fatal(err)
	}
	return uint64(stats.AuditEntries)
}

// aeCLI runs the firmline command line in-process.
func aeCLI(t *testing.T, args ...string) (int, string) {
	t.Helper()
	var out bytes.Buffer
	code := run(t.Context(), args, func(string) string { return "" }, bytes.NewReader(nil), &out, &out)
	return code, out.String()
}

// TestAuditConsoleEvents: the console's second-factor reset (and its user and token commands)
// are logged with the actor "console".
func TestAuditConsoleEvents(t *testing.T) {
	st, err := store.Open(filepath.Join(t.TempDir(), dbName), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	env := adminEnv{store: st, log: slog.New(slog.DiscardHandler)}
	admin := func(cmd string, args map[string]string, password string) {
		t.Helper()
		if err := execAdmin(context.Background(), env, adminRequest{Cmd: cmd, Args: args, Password: password}, io.Discard); err != nil {
			t.Fatalf("%s: %v", cmd, err)
		}
	}
	steps := []struct {
		cmd, password  string
		args           map[string]string
		action, target string
		before         func()
	}{
		{cmd: "user.add", args: map[string]string{"email": "ann@firm.example", "role": "manager", "name": "Ann"}, password: ownerPassword,
			action: "user.added", target: "ann@firm.example"},
		{cmd: "user.reset-mfa", args: map[string]string{"email": "ann@firm.example"}, action: "mfa.reset", target: "ann@firm.example",
			before: func() {
				u, err := st.UserByEmail("ann@firm.example")
				if err == nil {
					_, err = st.UpdateUser(u.ID, func(u *store.User) error { u.TOTPSecret = "JBSWY3DPEHPK3PXP"; return nil })
				}
				if err != nil {
					t.Fatal(err)
				}
			}},
		{cmd: "token.create", args: map[string]string{"name": "ci", "role": "viewer"}, action: "token.created", target: "ci"},
		{cmd: "token.revoke", args: map[string]string{"name": "ci"}, action: "token.revoked", target: "ci"},
		{cmd: "user.delete", args: map[string]string{"email": "ann@firm.example"}, action: "user.removed", target: "ann@firm.example"},
	}
	for _, s := range steps {
		if s.before != nil {
			s.before()
		}
		head := aeHead(t, st)
		admin(s.cmd, s.args, s.password)
		aeExpect(t, st, head, s.action, "console", s.target, nil)
	}
	if u, err := st.UserByEmail("ann@firm.example"); err == nil {
		t.Fatalf("ann still exists: %+v", u.Email)
	}
}

// TestAuditBackupAndRestore: `firmline backup` logs backup.made in the live database, and
// `firmline restore` logs backup.restored in the restored one; both chains verify.
func TestAuditBackupAndRestore(t *testing.T) {
	dir := t.TempDir()
	if err := seedOwner(dir); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "firmline.bak")
	if code, out := aeCLI(t, "backup", "--data", dir, "--out", file); code != 0 {
		t.Fatalf("backup: exit %d: %s", code, out)
	}
	st, err := store.Open(filepath.Join(dir, dbName), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	aeExpect(t, st, 0, "backup.made", "console", "", nil)
	st.Close()

	fresh := filepath.Join(t.TempDir(), "data")
	if code, out := aeCLI(t, "restore", "--data", fresh, "--in", file); code != 0 {
		t.Fatalf("restore: exit %d: %s", code, out)
	}
	st, err = store.Open(filepath.Join(fresh, dbName), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	aeExpect(t, st, 0, "backup.restored", "console", "firmline.bak", nil)
	aeExpect(t, st, 0, "user.added", "console", "owner@firm.example", nil) // the restored history is there too
}

// TestAuditModemStateChanges: unplugging and replugging the (simulated) modem of a running
// appliance logs modem.state_changed for each change.
func TestAuditModemStateChanges(t *testing.T) {
	ta := startAppliance(t, sim.Generic)
	st := ta.store
	waitFor(t, "modem ready logged", func() bool {
		_, ok := aeFind(t, st, 0, "modem.state_changed", "system", "modem1", map[string]string{"state": "ready"})
		return ok
	})
	head := aeHead(t, st)
	ta.sim.Unplug()
	waitFor(t, "disconnect logged", func() bool {
		_, ok := aeFind(t, st, head, "modem.state_changed", "system", "modem1", map[string]string{"state": "disconnected"})
		return ok
	})
	aeExpect(t, st, head, "modem.state_changed", "system", "modem1", map[string]string{"state": "disconnected"})
	head = aeHead(t, st)
	if err := ta.sim.Replug(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "ready again logged", func() bool {
		_, ok := aeFind(t, st, head, "modem.state_changed", "system", "modem1", map[string]string{"state": "ready"})
		return ok
	})
	aeExpect(t, st, head, "modem.state_changed", "system", "modem1", map[string]string{"state": "ready"})
}
