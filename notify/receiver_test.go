package notify

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// request is one POST a test receiver got.
type request struct {
	At     time.Time // when the handler started
	Header http.Header
	Body   []byte
}

// receiver is a real HTTP server on loopback that records every request on a channel and
// answers with the statuses in script (then 200 forever).
type receiver struct {
	*httptest.Server
	got chan request

	mu     sync.Mutex
	script []int
	always int // status once script is used up; 200 when 0
	answer string
	hold   chan struct{} // when set, answers wait until it is closed or the client gives up
}

func newReceiver(t testing.TB, script ...int) *receiver {
	r := &receiver{got: make(chan request, 256), script: script, answer: "ok"}
	r.Server = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	at := time.Now()
	b, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	status := http.StatusOK
	if r.always != 0 {
		status = r.always
	}
	if len(r.script) > 0 {
		status, r.script = r.script[0], r.script[1:]
	}
	answer, hold := r.answer, r.hold
	r.mu.Unlock()
	if req.Method != http.MethodPost || req.Header.Get("Content-Type") != "application/json" {
		status, answer = http.StatusUnsupportedMediaType, "want a JSON POST"
	}
	r.got <- request{At: at, Header: req.Header.Clone(), Body: b} // before answering: Send returns after
	if hold != nil {
		select {
		case <-hold:
		case <-req.Context().Done():
			return
		}
	}
	w.WriteHeader(status)
	io.WriteString(w, answer)
}

// wait blocks until the next request arrives (or fails the test after a generous deadline).
func (r *receiver) wait(t testing.TB) request {
	t.Helper()
	select {
	case q := <-r.got:
		return q
	case <-time.After(20 * time.Second):
		t.Fatal("the receiver got no request")
		return request{}
	}
}

// next returns the next request; the receiver must already have been sent one.
func (r *receiver) next(t testing.TB) request {
	t.Helper()
	select {
	case q := <-r.got:
		return q
	default:
		t.Fatal("the receiver got no request")
		return request{}
	}
}
