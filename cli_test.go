package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runArgs runs the CLI in-process with stdin and returns the exit status, stdout and stderr.
func runArgs(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	getenv := func(k string) string {
		if k == "FIRMLINE_CONFIG" {
			return os.DevNull
		}
		return ""
	}
	code := run(context.Background(), args, getenv, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

// TestExitStatusAndErrors: 0 on success, 1 on a runtime failure, 2 on bad usage, and one
// sentence on stderr (interfaces.md).
func TestExitStatusAndErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name  string
		stdin string
		args  []string
		code  int
		err   string
	}{
		{"no command", "", nil, 2, "no command given"},
		{"unknown command", "", []string{"frobnicate"}, 2, "unknown command"},
		{"bad flag", "", []string{"messages", "--data", dir, "--limit", "x"}, 2, "invalid value"},
		{"bad serve config", "", []string{"serve", "--tls", "maybe", "--baud", "-1", "--data", dir}, 2, `tls mode "maybe"`},
		{"user add without role", "", []string{"user", "add", "--data", dir, "--email", "a@firm.example"}, 2, "needs --email and --role"},
		{"weak password", "password123\n", []string{"user", "add", "--data", dir, "--email", "a@firm.example", "--role", "owner"}, 1, "password was refused"},
		{"owner", "a long and unusual passphrase 9\n", []string{"user", "add", "--data", dir, "--email", "a@firm.example", "--role", "owner"}, 0, ""},
		{"duplicate", "another long passphrase 10\n", []string{"user", "add", "--data", dir, "--email", "A@firm.example", "--role", "viewer"}, 1, "already exists"},
		{"delete unknown", "", []string{"user", "delete", "--data", dir, "--email", "nobody@firm.example"}, 1, "no user with the email"},
		{"bad pdu", "", []string{"pdu", "decode", "07911326040000F0040B9113"}, 1, "could not be decoded"},
		{"version", "", []string{"version"}, 0, ""},
		{"token name with a slash", "", []string{"token", "create", "--data", dir, "--name", "ops/backup"}, 2, "without spaces or slashes"},
		{"restore missing file", "", []string{"restore", "--data", t.TempDir(), "--in", filepath.Join(dir, "nope")}, 1, "cannot read the backup"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runArgs(t, tc.stdin, tc.args...)
			if code != tc.code || !strings.Contains(stderr, tc.err) {
				t.Fatalf("exit %d, stderr %q; want exit %d containing %q", code, stderr, tc.code, tc.err)
			}
			if strings.Count(strings.TrimSpace(stderr), "\n") > 0 || strings.Contains(stderr, "goroutine") {
				t.Fatalf("stderr is not one sentence: %q", stderr)
			}
		})
	}
}

// TestTokenIsAloneOnTheLastLine and the audit export round trip through `audit verify --in`.
func TestTokenAndAuditExport(t *testing.T) {
	dir := t.TempDir()
	if code, _, e := runArgs(t, "a long and unusual passphrase 9\n", "user", "add", "--data", dir, "--email", "o@firm.example", "--role", "owner"); code != 0 {
		t.Fatal(e)
	}
	code, out, e := runArgs(t, "", "token", "create", "--data", dir, "--name", "backup-script", "--role", "manager")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || !strings.HasPrefix(lines[len(lines)-1], "fl_") || strings.Contains(lines[len(lines)-1], " ") {
		t.Fatalf("token create: exit %d, stdout %q, stderr %q", code, out, e)
	}
	export := filepath.Join(t.TempDir(), "audit.jsonl")
	if code, _, e := runArgs(t, "", "audit", "export", "--data", dir, "--format", "jsonl", "--out", export); code != 0 {
		t.Fatal(e)
	}
	if code, out, e := runArgs(t, "", "audit", "verify", "--in", export); code != 0 || !strings.Contains(out, "2 entries") {
		t.Fatalf("verify clean export: exit %d %q %q", code, out, e)
	}
	b, _ := os.ReadFile(export)
	os.WriteFile(export, bytes.Replace(b, []byte(`"role":"manager"`), []byte(`"role":"owner"`), 1), 0o600)
	if code, _, e := runArgs(t, "", "audit", "verify", "--in", export); code != 1 || !strings.Contains(e, "broken at entry 2") {
		t.Fatalf("verify altered export: exit %d, stderr %q", code, e)
	}
	if code, out, _ := runArgs(t, "", "audit", "verify", "--data", dir); code != 0 || !strings.Contains(out, "intact") {
		t.Fatalf("verify data dir: exit %d %q", code, out)
	}
}

// TestConsoleUsesTheConfiguredDataDir: without --data, a console command uses the data dir
// of the config file that serve reads.
func TestConsoleUsesTheConfiguredDataDir(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(t.TempDir(), "firmline.conf")
	os.WriteFile(conf, []byte("# test\ndata = "+dir+"\n"), 0o600)
	var out, errb bytes.Buffer
	getenv := func(k string) string {
		if k == "FIRMLINE_CONFIG" {
			return conf
		}
		return ""
	}
	code := run(context.Background(), []string{"user", "add", "--email", "o@firm.example", "--role", "owner"}, getenv,
		strings.NewReader("a long and unusual passphrase 9\n"), &out, &errb)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if _, err := os.Stat(filepath.Join(dir, dbName)); err != nil {
		t.Fatalf("the user was not created in the configured data dir: %v", err)
	}
}
