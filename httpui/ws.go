package httpui

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gorilla/websocket"

	"firmline/store"
)

// WebSocket timing: the server pings every pingEvery and drops a connection that has not
// answered (or sent anything) for pongWait; a write that takes writeWait is a dead peer.
const (
	pingEvery   = 25 * time.Second
	pongWait    = 60 * time.Second
	writeWait   = 10 * time.Second
	replayLimit = 500
	readLimit   = 4096
)

// Frames sent to clients.
type messageFrame struct {
	Type    string      `json:"type"` // "message"
	Seq     uint64      `json:"seq"`
	Message messageJSON `json:"message"`
}

type modemFrame struct {
	Type  string      `json:"type"` // "modem"
	Modem ModemStatus `json:"modem"`
}

// Publish fans a new or updated message out to every authorised socket without blocking.
// Invisible messages (parts still missing inside the grace period) are never published.
func (s *Server) Publish(m store.Message) {
	if m.Visible {
		s.hub.broadcast(messageFrame{Type: "message", Seq: m.Seq, Message: s.messageView(m)}, store.RoleViewer)
	}
}

// PublishModem fans a modem state change out without blocking.
func (s *Server) PublishModem(st ModemStatus) {
	s.hub.broadcast(modemFrame{Type: "modem", Modem: st}, store.RoleViewer)
}

// DisconnectUser closes the user's live sockets now (close code 4001 "signed out").
func (s *Server) DisconnectUser(userID string) { s.hub.disconnectUser(userID, "") }

// DisconnectToken closes the live sockets opened with the API token whose stored hash is hash
// (store.Token.Hash), for a token revoked outside the web (the console's `token revoke`).
func (s *Server) DisconnectToken(hash string) {
	if hash != "" {
		s.hub.disconnectSession(hash)
	}
}

// handleStream upgrades GET /api/v1/stream. A cookie-authenticated socket must come from a
// page of ours (Origin checked); a bearer-token socket may omit Origin. ?since=SEQ replays
// what the client missed: the client is subscribed first, then the store is read, so nothing
// falls in the gap (a frame may arrive twice; clients dedupe by seq).
func (s *Server) handleStream(w http.ResponseWriter, r *http.Request) {
	c := s.must(r)
	if !c.isToken() && r.Header.Get("Origin") == "" {
		writeJSONError(w, http.StatusForbidden, "cross-origin request refused")
		return
	}
	since, replay, err := parseSince(r.URL.Query().Get("since"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if !s.hub.enter() {
		writeJSONError(w, http.StatusServiceUnavailable, "server stopping")
		return
	}
	defer s.hub.exit()
	up := websocket.Upgrader{CheckOrigin: s.sameOrigin, ReadBufferSize: 1024, WriteBufferSize: 4096}
	conn, err := up.Upgrade(w, r, nil)
	if err != nil {
		return // the upgrader has answered (403 on a bad Origin)
	}
	cl := &client{userID: c.User.ID, credHash: c.Session.Hash, role: c.Role, send: make(chan []byte, clientBuffer)}
	if c.isToken() {
		cl.userID, cl.credHash, cl.token = c.Token.UserID, c.Token.Hash, true
	}
	if !s.hub.add(cl) {
		conn.Close()
		return
	}
	s.serveConn(conn, cl, since, replay)
}

func parseSince(v string) (seq uint64, ok bool, err error) {
	if v == "" {
		return 0, false, nil
	}
	seq, err = strconv.ParseUint(v, 10, 64)
	if err != nil {
		return 0, false, badRequest("since must be a sequence number")
	}
	return seq, true, nil
}

// serveConn runs the connection's reader here and its writer in a second goroutine, and
// returns when both have finished (the writer closes the connection).
func (s *Server) serveConn(conn *websocket.Conn, cl *client, since uint64, replay bool) {
	readerDone, writerDone := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(writerDone)
		s.writeLoop(conn, cl, since, replay, readerDone)
	}()
	s.readLoop(conn, cl)
	close(readerDone)
	<-writerDone
}

// readLoop reads until the connection fails; client frames carry nothing we act on except
// that each one re-checks the credential (a deleted session is noticed at once).
func (s *Server) readLoop(conn *websocket.Conn, cl *client) {
	conn.SetReadLimit(readLimit)
	conn.SetReadDeadline(time.Now().Add(pongWait))
	conn.SetPongHandler(func(string) error { return conn.SetReadDeadline(time.Now().Add(pongWait)) })
	for {
		if _, _, err := conn.ReadMessage(); err != nil {
			return
		}
		conn.SetReadDeadline(time.Now().Add(pongWait))
		if !s.stillAllowed(cl) {
			s.hub.signOut(cl)
		}
	}
}

// writeLoop is the only writer of conn. It replays first, then sends hub frames (re-checking
// the credential before each), pings, and on a closed send channel writes the hub's close code.
func (s *Server) writeLoop(conn *websocket.Conn, cl *client, since uint64, replay bool, readerDone <-chan struct{}) {
	defer conn.Close()
	defer s.hub.remove(cl)
	if replay && s.replay(conn, since) != nil {
		return
	}
	ping := time.NewTicker(pingEvery)
	defer ping.Stop()
	for {
		select {
		case b, ok := <-cl.send:
			if !ok {
				writeClose(conn, cl.code, cl.reason)
				return
			}
			if !s.stillAllowed(cl) {
				writeClose(conn, closeSignedOut, "signed out")
				return
			}
			conn.SetWriteDeadline(time.Now().Add(writeWait))
			if conn.WriteMessage(websocket.TextMessage, b) != nil {
				return
			}
		case <-ping.C:
			if conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(writeWait)) != nil {
				return
			}
		case <-readerDone:
			return
		}
	}
}

// replay sends the visible messages with Seq > since, ascending, and {"type":"resync"} when
// there were more than replayLimit (the page then reloads its list).
func (s *Server) replay(conn *websocket.Conn, since uint64) error {
	msgs, err := s.st.MessagesSince(since, replayLimit+1)
	if err != nil {
		s.log.Error("stream replay", "error", err)
		writeClose(conn, websocket.CloseInternalServerErr, "internal error")
		return err
	}
	if len(msgs) > replayLimit {
		conn.SetWriteDeadline(time.Now().Add(writeWait))
		return conn.WriteJSON(map[string]string{"type": "resync"})
	}
	for _, m := range msgs {
		conn.SetWriteDeadline(time.Now().Add(writeWait))
		if err := conn.WriteJSON(messageFrame{Type: "message", Seq: m.Seq, Message: s.messageView(m)}); err != nil {
			return err
		}
	}
	return nil
}

func writeClose(conn *websocket.Conn, code int, reason string) {
	conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason), time.Now().Add(writeWait))
}

// stillAllowed re-checks a socket's credential: the token (and the user who made it) still
// exists; or the session still exists, is live, has passed its second factor, and its user
// still exists.
func (s *Server) stillAllowed(cl *client) bool {
	if cl.token {
		t, err := s.st.TokenByHash(cl.credHash)
		if err != nil {
			return false
		}
		if t.UserID != "" {
			_, err = s.st.User(t.UserID)
		}
		return err == nil
	}
	sess, err := s.st.Session(cl.credHash)
	if err != nil || !sessionLive(sess, s.now()) || !sess.MFAPassed || sess.UserID != cl.userID {
		return false
	}
	_, err = s.st.User(cl.userID)
	return err == nil
}
