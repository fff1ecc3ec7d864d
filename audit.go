package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"firmline/store"
)

// parseWhen accepts RFC 3339, a date (2026-11-23, UTC) or a duration back from now (720h).
func parseWhen(s string, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t, nil
	}
	if d, err := time.ParseDuration(s); err == nil {
		return now.Add(-d), nil
	}
	return time.Time{}, fmt.Errorf("%q is not a time like 2026-11-23, 2026-11-23T09:00:00Z or 720h", s)
}

func adminAuditExport(env adminEnv, format, sinceText, untilText string, out io.Writer) error {
	since, err := parseWhen(sinceText, time.Now())
	if err != nil {
		return usagef("--since: %v", err)
	}
	until, err := parseWhen(untilText, time.Now())
	if err != nil {
		return usagef("--until: %v", err)
	}
	entries, err := env.store.AuditEntries(since, until, 0, false)
	if err != nil {
		return failf("cannot read the audit log: %v", err)
	}
	switch format {
	case "jsonl", "":
		return store.WriteAuditJSONL(out, entries)
	case "csv":
		return store.WriteAuditCSV(out, entries)
	default:
		return usagef("--format must be csv or jsonl")
	}
}

// verifyExport checks the hash chain of an exported JSONL file without any database.
func verifyExport(path string, out io.Writer) error {
	f, err := os.Open(path)
	if err != nil {
		return failf("cannot read the export: %v", err)
	}
	defer f.Close()
	var entries []store.AuditEntry
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	for n := 1; sc.Scan(); n++ {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var e store.AuditEntry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			return failf("line %d of %s is not an audit entry: %v", n, path, err)
		}
		entries = append(entries, e)
	}
	if err := sc.Err(); err != nil {
		return failf("cannot read the export: %v", err)
	}
	n, err := store.VerifyChain(entries)
	if err != nil {
		return failf("%v", err)
	}
	fmt.Fprintf(out, "audit export intact: %d entries, hash chain verified\n", n)
	return nil
}
