package httpui

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"firmline/store"
)

var pduCounter struct {
	sync.Mutex
	n int
}

// ingest stores one visible single-part message with a unique PDU.
func ingest(t testing.TB, st *store.Store, text string) store.Message {
	pduCounter.Lock()
	pduCounter.n++
	pdu := fmt.Sprintf("0791%08X", pduCounter.n)
	pduCounter.Unlock()
	m, _, err := st.Ingest(store.Incoming{Modem: "m1", PDU: pdu, ReceivedAt: time.Now()}, func([]string) store.Message {
		return store.Message{Sender: "+15551234567", SenderType: "international", Text: text, Code: "482913", Platform: "Clio", Kind: "text"}
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestHubDropsSlowClient: a client that does not drain its buffer is dropped (close 4002)
// while a client that keeps up receives every frame.
func TestHubDropsSlowClient(t *testing.T) {
	h := newHub(slog.New(slog.DiscardHandler))
	go h.run()
	defer h.close()
	fast := &client{userID: "f", credHash: "f", role: store.RoleViewer, send: make(chan []byte, clientBuffer)}
	slow := &client{userID: "s", credHash: "s", role: store.RoleViewer, send: make(chan []byte, clientBuffer)}
	h.add(fast)
	h.add(slow)
	const n = 3 * clientBuffer
	for i := range n {
		h.broadcast(map[string]int{"n": i}, store.RoleViewer)
		if got := <-fast.send; string(got) != fmt.Sprintf(`{"n":%d}`, i) {
			t.Fatalf("fast client frame %d: %s", i, got)
		}
	}
	got := 0
	for range slow.send {
		got++
	}
	if got != clientBuffer || slow.code != closeTooSlow {
		t.Fatalf("slow client got %d frames and close %d, want %d and %d", got, slow.code, clientBuffer, closeTooSlow)
	}
	// The fast one is still registered.
	h.broadcast(map[string]int{"n": n}, store.RoleViewer)
	if b, ok := <-fast.send; !ok || string(b) != fmt.Sprintf(`{"n":%d}`, n) {
		t.Fatalf("fast client after the drop: %s %v", b, ok)
	}
}

// wsEnv is an env served over real HTTP for WebSocket clients.
type wsEnv struct {
	*env
	ts *httptest.Server
}

func newWSEnv(t testing.TB) *wsEnv {
	e := newEnv(t)
	ts := httptest.NewServer(e.h)
	t.Cleanup(func() {
		e.srv.Close() // closes hijacked sockets, which httptest's Close would wait for
		ts.Close()
	})
	return &wsEnv{env: e, ts: ts}
}

// dial opens the stream with a cookie (and our Origin) or a bearer token.
func (w *wsEnv) dial(t testing.TB, c cred, query string) (*websocket.Conn, error) {
	u := "ws" + strings.TrimPrefix(w.ts.URL, "http") + "/api/v1/stream" + query
	h := http.Header{}
	if c.cookie != "" {
		h.Set("Cookie", cookieName+"="+c.cookie)
		h.Set("Origin", w.ts.URL)
	}
	if c.bearer != "" {
		h.Set("Authorization", "Bearer "+c.bearer)
	}
	conn, resp, err := websocket.DefaultDialer.Dial(u, h)
	if resp != nil && resp.Body != nil {
		resp.Body.Close()
	}
	return conn, err
}

type frame struct {
	Type    string `json:"type"`
	Seq     uint64 `json:"seq"`
	Message struct {
		ID   string  `json:"id"`
		Code *string `json:"code"`
	} `json:"message"`
}

func readFrame(t testing.TB, conn *websocket.Conn) frame {
	t.Helper()
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, b, err := conn.ReadMessage()
	if err != nil {
		t.Fatalf("read frame: %v", err)
	}
	var f frame
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	return f
}

// TestStreamOrigin: a cookie socket from another origin is refused; a token socket without
// Origin is fine.
func TestStreamOrigin(t *testing.T) {
	w := newWSEnv(t)
	u := w.user("ann@example.com", store.RoleViewer)
	ck := w.session(u)
	h := http.Header{"Cookie": {cookieName + "=" + ck}, "Origin": {"https://evil.example"}}
	_, resp, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(w.ts.URL, "http")+"/api/v1/stream", h)
	if err == nil || resp == nil || resp.StatusCode != 403 {
		t.Fatalf("cross-origin socket: %v %v", err, resp)
	}
	h.Del("Origin")
	_, resp, err = websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(w.ts.URL, "http")+"/api/v1/stream", h)
	if err == nil || resp == nil || resp.StatusCode != 403 {
		t.Fatalf("cookie socket without Origin: %v %v", err, resp)
	}
	conn, err := w.dial(t, bearerCred(w.token("script", store.RoleViewer, "")), "")
	if err != nil {
		t.Fatalf("token socket: %v", err)
	}
	conn.Close()
}

// TestStreamReplayNoGap: messages keep arriving while a client connects with ?since=0; the
// client sees every sequence number (duplicates allowed, no gap).
func TestStreamReplayNoGap(t *testing.T) {
	w := newWSEnv(t)
	ck := w.session(w.user("ann@example.com", store.RoleViewer))
	const before, during = 5, 20
	for i := range before {
		w.srv.Publish(ingest(t, w.st, fmt.Sprintf("early %d", i)))
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range during {
			w.srv.Publish(ingest(t, w.st, fmt.Sprintf("during %d", i)))
		}
	}()
	conn, err := w.dial(t, cookieCred(ck), "?since=0")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	<-done
	last := w.st.LastSeq()
	seen := map[uint64]bool{}
	for len(seen) < int(last) {
		f := readFrame(t, conn)
		if f.Type != "message" || f.Message.Code == nil || *f.Message.Code != "482913" {
			t.Fatalf("frame %+v", f)
		}
		seen[f.Seq] = true
	}
	for s := uint64(1); s <= last; s++ {
		if !seen[s] {
			t.Fatalf("seq %d missing", s)
		}
	}
	// since= in the middle replays only the rest.
	conn2, err := w.dial(t, cookieCred(ck), fmt.Sprintf("?since=%d", last-2))
	if err != nil {
		t.Fatal(err)
	}
	defer conn2.Close()
	if f := readFrame(t, conn2); f.Seq != last-1 {
		t.Fatalf("replay from %d started at %d", last-2, f.Seq)
	}
}

// TestDeletedUserSignedOutEverywhere is the offboarding end-to-end test: a Viewer with an open
// socket is deleted through the API by an Owner; the socket gets close 4001, and their cookie
// and token get 401 on the next request.
func TestDeletedUserSignedOutEverywhere(t *testing.T) {
	w := newWSEnv(t)
	owner := w.user("owner@example.com", store.RoleOwner)
	ann := w.user("ann@example.com", store.RoleViewer)
	ock, ack := w.session(owner), w.session(ann)
	atok := w.token("ann-script", store.RoleViewer, ann.ID)
	conn, err := w.dial(t, cookieCred(ack), "")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	tconn, err := w.dial(t, bearerCred(atok), "")
	if err != nil {
		t.Fatal(err)
	}
	defer tconn.Close()
	w.srv.Publish(ingest(t, w.st, "before removal"))
	readFrame(t, conn) // the socket is live and subscribed
	readFrame(t, tconn)

	req, _ := http.NewRequest("DELETE", w.ts.URL+"/api/v1/users/"+ann.ID, nil)
	req.Header.Set("Cookie", cookieName+"="+ock)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("delete: %v %v", err, resp)
	}
	resp.Body.Close()
	for _, c := range []*websocket.Conn{conn, tconn} {
		c.SetReadDeadline(time.Now().Add(3 * time.Second))
		_, _, err = c.ReadMessage()
		var ce *websocket.CloseError
		if !errors.As(err, &ce) || ce.Code != closeSignedOut {
			t.Fatalf("socket after removal: %v, want close %d", err, closeSignedOut)
		}
	}
	if rw := w.do("GET", "/api/v1/me", "", cookieCred(ack)); rw.Code != 401 {
		t.Fatalf("cookie after removal: %d", rw.Code)
	}
	if rw := w.do("GET", "/api/v1/messages", "", bearerCred(atok)); rw.Code != 401 {
		t.Fatalf("token after removal: %d", rw.Code)
	}
	if _, err := w.dial(t, cookieCred(ack), ""); err == nil {
		t.Fatal("a removed user opened a new socket")
	}
}

// TestStreamRecheckPerFrame: a session deleted behind the hub's back (e.g. on the console
// without DisconnectUser) is caught on the next frame.
func TestStreamRecheckPerFrame(t *testing.T) {
	w := newWSEnv(t)
	ann := w.user("ann@example.com", store.RoleViewer)
	ack := w.session(ann)
	conn, err := w.dial(t, cookieCred(ack), "")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	w.srv.Publish(ingest(t, w.st, "one"))
	readFrame(t, conn)
	if _, err := w.st.DeleteUserSessions(ann.ID, ""); err != nil {
		t.Fatal(err)
	}
	w.srv.Publish(ingest(t, w.st, "two"))
	conn.SetReadDeadline(time.Now().Add(3 * time.Second))
	_, b, err := conn.ReadMessage()
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != closeSignedOut {
		t.Fatalf("got %s / %v, want close %d", b, err, closeSignedOut)
	}
}

// TestStreamAccess opens real sockets as every kind of caller: anonymous and deleted users
// (cookie and token) get 401 at the handshake, pending sessions too; everyone else connects.
func TestStreamAccess(t *testing.T) {
	w := newWSEnv(t)
	v := w.user("viewer@example.com", store.RoleViewer)
	m := w.user("manager@example.com", store.RoleManager)
	o := w.user("owner@example.com", store.RoleOwner)
	gone := w.user("gone@example.com", store.RoleManager)
	goneCookie, goneToken := w.session(gone), w.token("gone", store.RoleManager, gone.ID)
	if _, err := w.st.DeleteUser(gone.ID); err != nil {
		t.Fatal(err)
	}
	pending, err := w.srv.startSession(v, false, false, "192.0.2.1", "test")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		c    cred
		ok   bool
	}{
		{"anonymous", cred{}, false},
		{"viewer", cookieCred(w.session(v)), true},
		{"manager", cookieCred(w.session(m)), true},
		{"owner", cookieCred(w.session(o)), true},
		{"owner token", bearerCred(w.token("o", store.RoleOwner, o.ID)), true},
		{"pending session", cookieCred(pending.Cookie), false},
		{"deleted cookie", cookieCred(goneCookie), false},
		{"deleted token", bearerCred(goneToken), false},
	} {
		u := "ws" + strings.TrimPrefix(w.ts.URL, "http") + "/api/v1/stream"
		h := http.Header{"Origin": {w.ts.URL}}
		if c.c.cookie != "" {
			h.Set("Cookie", cookieName+"="+c.c.cookie)
		}
		if c.c.bearer != "" {
			h.Set("Authorization", "Bearer "+c.c.bearer)
		}
		conn, resp, err := websocket.DefaultDialer.Dial(u, h)
		if c.ok {
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
				continue
			}
			conn.Close()
		} else if err == nil || resp == nil || resp.StatusCode != 401 {
			t.Errorf("%s: %v %v, want 401", c.name, err, resp)
		}
	}
}
