package main

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
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
		return writeAuditJSONL(entries, out)
	case "csv":
		return writeAuditCSV(entries, out)
	default:
		return usagef("--format must be csv or jsonl")
	}
}

func writeAuditJSONL(entries []store.AuditEntry, out io.Writer) error {
	bw := bufio.NewWriter(out)
	enc := json.NewEncoder(bw)
	for _, e := range entries {
		if err := enc.Encode(e); err != nil { // store.AuditEntry's JSON is the export format
			return err
		}
	}
	return bw.Flush()
}

func writeAuditCSV(entries []store.AuditEntry, out io.Writer) error {
	w := csv.NewWriter(out)
	w.Write([]string{"seq", "time", "actor", "action", "target", "addr", "detail", "prev", "hash"})
	for _, e := range entries {
		keys := make([]string, 0, len(e.Detail))
		for k := range e.Detail {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var detail []string
		for _, k := range keys {
			detail = append(detail, k+"="+e.Detail[k])
		}
		w.Write([]string{strconv.FormatUint(e.Seq, 10), e.Time.UTC().Format(time.RFC3339Nano), e.Actor, e.Action,
			e.Target, e.Addr, strings.Join(detail, "; "), e.Prev, e.Hash})
	}
	w.Flush()
	return w.Error()
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
