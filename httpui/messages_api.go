package httpui

import (
	"context"
	"net/http"
	"runtime"
	"strconv"
	"time"

	"firmline/notify"
	"firmline/store"
)

// messageJSON is the interfaces.md Message (shared with the webhook body via notify), plus
// the store's change sequence and the incomplete/expired markers the inbox shows.
type messageJSON struct {
	notify.Message
	Seq           uint64 `json:"seq"`
	Kind          string `json:"kind"`
	PartsReceived int    `json:"parts_received"`
	Expired       bool   `json:"expired"`
}

func (s *Server) messageView(m store.Message) messageJSON {
	v := messageJSON{Message: notify.NewMessage(m), Seq: m.Seq, Kind: m.Kind, PartsReceived: m.PartsReceived, Expired: m.Expired}
	return v
}

// messages lists visible messages newest first; next is "" at the end.
func (s *Server) messages(ctx context.Context, c caller, q store.Query) ([]store.Message, string, error) {
	if q.Limit < 0 || q.Limit > 500 {
		return nil, "", badRequest("limit must be between 1 and 500")
	}
	return s.st.Messages(q)
}

// message returns one visible message and audits message.viewed (who saw the code). The
// message is not shown when the audit entry cannot be written.
func (s *Server) message(ctx context.Context, c caller, id string) (store.Message, error) {
	m, err := s.st.Message(id)
	if err != nil {
		return m, err
	}
	if !m.Visible {
		return store.Message{}, notFound("not found")
	}
	return m, s.audit(c.Actor(), "message.viewed", m.ID, c.Addr, nil)
}

// codeCopied audits that the caller copied a message's code.
func (s *Server) codeCopied(ctx context.Context, c caller, id string) error {
	m, err := s.st.Message(id)
	if err != nil {
		return err
	}
	if !m.Visible {
		return notFound("not found")
	}
	return s.audit(c.Actor(), "message.code_copied", m.ID, c.Addr, nil)
}

// accessEntry is one view or copy of a message.
type accessEntry struct {
	Time   time.Time `json:"time"`
	Actor  string    `json:"actor"`
	Action string    `json:"action"`
}

// messageAccess lists who viewed or copied a message (from the audit log since it arrived).
func (s *Server) messageAccess(ctx context.Context, c caller, id string) ([]accessEntry, error) {
	m, err := s.st.Message(id)
	if err != nil {
		return nil, err
	}
	entries, err := s.st.AuditEntries(m.ReceivedAt.Add(-time.Minute), time.Time{}, 100000, false)
	if err != nil {
		return nil, err
	}
	out := []accessEntry{}
	for _, e := range entries {
		if e.Target == m.ID && (e.Action == "message.viewed" || e.Action == "message.code_copied") {
			out = append(out, accessEntry{Time: e.Time, Actor: e.Actor, Action: e.Action})
		}
	}
	return out, nil
}

func (s *Server) handleMessages(w http.ResponseWriter, r *http.Request) error {
	qv := r.URL.Query()
	q := store.Query{Before: qv.Get("before"), Text: qv.Get("q"), Platform: qv.Get("platform")}
	if l := qv.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 {
			return badRequest("limit must be between 1 and 500")
		}
		q.Limit = n
	}
	if len(q.Text) > 200 || len(q.Before) > 64 || len(q.Platform) > 64 {
		return badRequest("query too long")
	}
	msgs, next, err := s.messages(r.Context(), s.must(r), q)
	if err != nil {
		return err
	}
	out := make([]messageJSON, 0, len(msgs))
	for _, m := range msgs {
		out = append(out, s.messageView(m))
	}
	var nextv *string
	if next != "" {
		nextv = &next
	}
	writeJSON(w, http.StatusOK, map[string]any{"messages": out, "next": nextv})
	return nil
}

func (s *Server) handleMessage(w http.ResponseWriter, r *http.Request) error {
	m, err := s.message(r.Context(), s.must(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.messageView(m))
	return nil
}

func (s *Server) handleCopied(w http.ResponseWriter, r *http.Request) error {
	if err := s.codeCopied(r.Context(), s.must(r), r.PathValue("id")); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
	return nil
}

func (s *Server) handleMessageAccess(w http.ResponseWriter, r *http.Request) error {
	list, err := s.messageAccess(r.Context(), s.must(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"access": list})
	return nil
}

// statusView is GET /api/v1/status.
type statusView struct {
	Version   string        `json:"version"`
	GoVersion string        `json:"go_version"`
	Modems    []ModemStatus `json:"modems"`
	Healthy   bool          `json:"healthy"`
	LastSeq   uint64        `json:"last_seq"`
}

// status is the modems' state and the app version; healthy when every modem is "ready".
func (s *Server) status(ctx context.Context) statusView {
	ms := s.modems()
	if ms == nil {
		ms = []ModemStatus{}
	}
	healthy := len(ms) > 0
	for _, m := range ms {
		healthy = healthy && m.State == "ready"
	}
	return statusView{Version: s.cfg.Version, GoVersion: runtime.Version(), Modems: ms, Healthy: healthy, LastSeq: s.st.LastSeq()}
}

func (s *Server) handleStatus(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, s.status(r.Context()))
	return nil
}
