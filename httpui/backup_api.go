package httpui

import (
	"net/http"
	"strconv"
)

// handleBackup: GET /api/v1/backup — a consistent copy of the whole database as a download
// (Owners; an Owner's API token may fetch it from a backup script). It is the same snapshot as
// `firmline backup`: restore it with `firmline restore --in FILE` on a stopped box.
func (s *Server) handleBackup(w http.ResponseWriter, r *http.Request) {
	c := s.must(r)
	name := "firmline-" + s.now().UTC().Format("20060102T150405Z") + ".db"
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	n, err := s.st.Backup(w)
	if err != nil {
		// The status line is gone with the first byte; a cut-off download fails `firmline
		// restore`'s integrity check, so nothing half-written is ever restored.
		s.log.Error("backup download failed", "error", err)
		return
	}
	s.audit(c.Actor(), "backup.made", name, c.Addr, map[string]string{"bytes": strconv.FormatInt(n, 10), "via": "web"})
}
