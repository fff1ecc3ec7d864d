package httpui

import (
	"net/http"
	"strconv"
	"time"

	"firmline/store"
)

// parseTimeParam accepts RFC 3339 or a plain date (midnight UTC); "" is an open bound.
func parseTimeParam(v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t, nil
	}
	if t, err := time.Parse("2006-01-02", v); err == nil {
		return t, nil
	}
	return time.Time{}, badRequest("times must be RFC 3339 (2026-11-23T09:00:00Z) or a date (2026-11-23)")
}

func auditRange(r *http.Request) (since, until time.Time, err error) {
	q := r.URL.Query()
	if since, err = parseTimeParam(q.Get("since")); err != nil {
		return
	}
	until, err = parseTimeParam(q.Get("until"))
	return
}

// handleAudit: GET /api/v1/audit?since=&until=&limit= newest first (limit default 100, max 1000).
func (s *Server) handleAudit(w http.ResponseWriter, r *http.Request) error {
	since, until, err := auditRange(r)
	if err != nil {
		return err
	}
	limit := 100
	if l := r.URL.Query().Get("limit"); l != "" {
		if limit, err = strconv.Atoi(l); err != nil || limit < 1 || limit > 1000 {
			return badRequest("limit must be between 1 and 1000")
		}
	}
	es, err := s.st.AuditEntries(since, until, limit, true)
	if err != nil {
		return err
	}
	if es == nil {
		es = []store.AuditEntry{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"entries": es})
	return nil
}

// handleAuditExport: GET /api/v1/audit/export?format=csv|jsonl&since=&until= — every entry
// in the range, oldest first, with its hashes, as a download. JSONL is the store's encoding
// (what `firmline audit verify --in` re-checks).
func (s *Server) handleAuditExport(w http.ResponseWriter, r *http.Request) {
	format := r.URL.Query().Get("format")
	since, until, err := auditRange(r)
	if err == nil && format != "csv" && format != "jsonl" {
		err = badRequest("format must be csv or jsonl")
	}
	var es []store.AuditEntry
	if err == nil {
		es, err = s.st.AuditEntries(since, until, 0, false)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	c := s.must(r)
	s.audit(c.Actor(), "audit.exported", format, c.Addr, map[string]string{"entries": strconv.Itoa(len(es))})
	name := "firmline-audit-" + s.now().UTC().Format("20060102-150405") + "." + format
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	if format == "jsonl" {
		w.Header().Set("Content-Type", "application/x-ndjson")
		store.WriteAuditJSONL(w, es)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	store.WriteAuditCSV(w, es)
}
