package httpui

import (
	"encoding/json"
	"log/slog"
	"sync"

	"github.com/gorilla/websocket"

	"firmline/store"
)

// The hub fans frames out to WebSocket clients. ONE goroutine (run) owns the client set and is
// the only one that sends on or closes a client's send channel; everybody else talks to it
// through channels. Each client has a small bounded buffer; a client whose buffer is full is
// dropped (close 4002, it reconnects with ?since=) rather than slowing the others. Publishing
// never blocks the caller.
const (
	clientBuffer = 32
	hubBacklog   = 1024

	closeSignedOut = 4001 // the user was removed, demoted, signed out or lost their session
	closeTooSlow   = 4002 // the client fell behind; reconnect with ?since=
)

// client is one WebSocket connection as the hub sees it.
type client struct {
	userID   string // the signed-in user, or the token's maker ("" for a console-made token)
	credHash string // session or token hash this socket was opened with
	token    bool   // opened with an API token
	role     store.Role
	send     chan []byte // owned by the hub goroutine
	code     int         // close code and reason, set by the hub before it closes send
	reason   string
}

// outFrame is one encoded frame and the least role that may receive it.
type outFrame struct {
	data []byte
	min  store.Role
}

// kick selects clients to close: by user (except one credential) or by credential.
type kick struct {
	userID, except, cred string
}

func (k kick) matches(c *client) bool {
	if k.cred != "" {
		return c.credHash == k.cred
	}
	return c.userID == k.userID && c.userID != "" && c.credHash != k.except
}

type hub struct {
	log        *slog.Logger
	register   chan *client
	unregister chan *client
	publish    chan outFrame
	kicks      chan kick
	drops      chan *client
	quit       chan struct{} // closed by close
	stopped    chan struct{} // closed when run returns

	mu     sync.Mutex // guards closed and the Add side of conns
	closed bool
	conns  sync.WaitGroup // connection goroutines, joined by close
}

func newHub(log *slog.Logger) *hub {
	return &hub{log: log, register: make(chan *client), unregister: make(chan *client),
		publish: make(chan outFrame, hubBacklog), kicks: make(chan kick), drops: make(chan *client),
		quit: make(chan struct{}), stopped: make(chan struct{})}
}

// run owns the client set until close.
func (h *hub) run() {
	defer close(h.stopped)
	clients := map[*client]struct{}{}
	drop := func(c *client, code int, reason string) {
		if _, ok := clients[c]; ok {
			delete(clients, c)
			c.code, c.reason = code, reason
			close(c.send)
		}
	}
	for {
		select {
		case c := <-h.register:
			clients[c] = struct{}{}
		case c := <-h.unregister:
			drop(c, websocket.CloseNormalClosure, "")
		case c := <-h.drops:
			drop(c, closeSignedOut, "signed out")
		case f := <-h.publish:
			for c := range clients {
				if !c.role.AtLeast(f.min) {
					continue
				}
				select {
				case c.send <- f.data:
				default:
					drop(c, closeTooSlow, "too slow; reconnect with since")
				}
			}
		case k := <-h.kicks:
			for c := range clients {
				if k.matches(c) {
					drop(c, closeSignedOut, "signed out")
				}
			}
		case <-h.quit:
			for c := range clients {
				drop(c, websocket.CloseGoingAway, "server stopping")
			}
			return
		}
	}
}

// enter accounts for a connection goroutine; false once the hub is closing.
func (h *hub) enter() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return false
	}
	h.conns.Add(1)
	return true
}

func (h *hub) exit() { h.conns.Done() }

// add registers c; false when the hub has stopped.
func (h *hub) add(c *client) bool {
	select {
	case h.register <- c:
		return true
	case <-h.stopped:
		return false
	}
}

func (h *hub) remove(c *client) {
	select {
	case h.unregister <- c:
	case <-h.stopped:
	}
}

// signOut closes one client with 4001 (its credential no longer holds).
func (h *hub) signOut(c *client) {
	select {
	case h.drops <- c:
	case <-h.stopped:
	}
}

func (h *hub) kick(k kick) {
	select {
	case h.kicks <- k:
	case <-h.stopped:
	}
}

// disconnectUser closes every socket of userID except those opened with the session hash
// except ("" = all). It returns once the hub has closed their send channels; the writers then
// send the close frame at once.
func (h *hub) disconnectUser(userID, except string) {
	if userID != "" {
		h.kick(kick{userID: userID, except: except})
	}
}

// disconnectSession closes the sockets opened with one session or token hash.
func (h *hub) disconnectSession(hash string) { h.kick(kick{cred: hash}) }

// broadcast queues an encoded frame; it never blocks. When the backlog is full the frame is
// dropped and logged (clients recover what they missed with ?since= on their next connect).
func (h *hub) broadcast(v any, min store.Role) {
	b, err := json.Marshal(v)
	if err != nil {
		h.log.Error("hub frame not encodable", "error", err)
		return
	}
	select {
	case h.publish <- outFrame{data: b, min: min}:
	case <-h.stopped:
	default:
		h.log.Warn("hub backlog full; frame dropped")
	}
}

// close drops every client (close 1001), stops run and waits for all connection goroutines.
func (h *hub) close() {
	h.mu.Lock()
	h.closed = true
	h.mu.Unlock()
	close(h.quit)
	<-h.stopped
	h.conns.Wait()
}
