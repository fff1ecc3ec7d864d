package store

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"io"
	"strconv"
	"strings"
	"time"
)

// WriteAuditJSONL writes entries one JSON object per line: AuditEntry's own encoding, which
// carries the hashes, so an auditor can re-check an export with VerifyChain (or
// `firmline audit verify --in`) outside firmline.
func WriteAuditJSONL(w io.Writer, entries []AuditEntry) error {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	for _, e := range entries {
		if err := enc.Encode(e); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// WriteAuditCSV writes entries as CSV for a spreadsheet: detail as a JSON object, and
// free-text cells that an outsider may choose (an email, a name) defused against formula
// injection with a leading quote. The JSONL export keeps the exact values for re-checking.
func WriteAuditCSV(w io.Writer, entries []AuditEntry) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"seq", "time", "actor", "action", "target", "addr", "detail", "prev", "hash"})
	for _, e := range entries {
		detail, _ := json.Marshal(e.Detail)
		cw.Write([]string{strconv.FormatUint(e.Seq, 10), e.Time.UTC().Format(time.RFC3339Nano), csvSafe(e.Actor),
			e.Action, csvSafe(e.Target), e.Addr, csvSafe(string(detail)), e.Prev, e.Hash})
	}
	cw.Flush()
	return cw.Error()
}

func csvSafe(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}
