package httpui

import (
	"errors"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"firmline/store"
)

// TestDisconnectTokenClosesItsSockets: a token revoked on the console (store.RevokeToken, then
// DisconnectToken with its hash) closes the sockets opened with it at once with 4001, without
// waiting for the next frame; other sockets stay.
func TestDisconnectTokenClosesItsSockets(t *testing.T) {
	w := newWSEnv(t)
	ann := w.user("ann@example.com", store.RoleViewer)
	tok := w.token("console-script", store.RoleViewer, "")
	tconn, err := w.dial(t, bearerCred(tok), "")
	if err != nil {
		t.Fatal(err)
	}
	defer tconn.Close()
	conn, err := w.dial(t, cookieCred(w.session(ann)), "")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	w.srv.Publish(ingest(t, w.st, "before"))
	readFrame(t, tconn)
	readFrame(t, conn)
	revoked, err := w.st.RevokeToken("console-script")
	if err != nil {
		t.Fatal(err)
	}
	w.srv.DisconnectToken(revoked.Hash)
	tconn.SetReadDeadline(time.Now().Add(3 * time.Second))
	_, _, err = tconn.ReadMessage()
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != closeSignedOut {
		t.Fatalf("token socket after revocation: %v, want close %d", err, closeSignedOut)
	}
	w.srv.Publish(ingest(t, w.st, "after"))
	readFrame(t, conn) // the session's socket is untouched
}
