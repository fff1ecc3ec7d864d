package httpui

import (
	"testing"
	"time"
)

// TestHTTPServerBoundsEveryPhase: Serve's http.Server bounds the header phase, the whole
// request read (a body trickled byte by byte cannot hold a handler), idle keep-alives and the
// header size. WriteTimeout stays unset: it would cut long-lived WebSockets, which keep their
// own deadlines.
func TestHTTPServerBoundsEveryPhase(t *testing.T) {
	e := newEnv(t)
	srv := e.srv.httpServer()
	if srv.ReadHeaderTimeout <= 0 || srv.ReadHeaderTimeout > 30*time.Second {
		t.Errorf("ReadHeaderTimeout %v", srv.ReadHeaderTimeout)
	}
	if srv.ReadTimeout <= 0 || srv.ReadTimeout > 2*time.Minute {
		t.Errorf("ReadTimeout %v: a slow body holds its handler", srv.ReadTimeout)
	}
	if srv.IdleTimeout <= 0 {
		t.Errorf("IdleTimeout %v", srv.IdleTimeout)
	}
	if srv.MaxHeaderBytes <= 0 || srv.MaxHeaderBytes > 1<<20 {
		t.Errorf("MaxHeaderBytes %d", srv.MaxHeaderBytes)
	}
	if srv.WriteTimeout != 0 {
		t.Errorf("WriteTimeout %v would close live WebSockets", srv.WriteTimeout)
	}
	if srv.Handler == nil {
		t.Error("no handler")
	}
}
