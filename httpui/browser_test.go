package httpui

import (
	"errors"
	"io"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"firmline/store"
)

// The Chromium helpers (finding and starting it, tabs, sign-in, screenshots) are in package
// browsertest, shared with the root suite on a real `serve`; this file keeps what only the
// httpui suite needs: a cut-able proxy and deleting a user through the API.

const browserPassword = "correct horse battery staple"

// cutProxy is a TCP proxy in front of the test server whose connections can all be cut at
// once, as a network blip would, while new connections keep working.
type cutProxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	conns  []net.Conn
	wg     sync.WaitGroup
}

func newCutProxy(t testing.TB, target string) *cutProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &cutProxy{ln: ln, target: target}
	p.wg.Add(1)
	go p.accept()
	t.Cleanup(func() { ln.Close(); p.cut(); p.wg.Wait() })
	return p
}

func (p *cutProxy) URL() string { return "http://" + p.ln.Addr().String() }

func (p *cutProxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		up, err := net.Dial("tcp", p.target)
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, c, up)
		p.mu.Unlock()
		p.wg.Add(2)
		go func() { defer p.wg.Done(); io.Copy(up, c); up.Close() }()
		go func() { defer p.wg.Done(); io.Copy(c, up); c.Close() }()
	}
}

// cut closes every connection made so far.
func (p *cutProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// apiDeleteUser removes a user through DELETE /api/v1/users/{id} with an Owner's API token.
func apiDeleteUser(e *pgEnv, id string) error {
	plain, hash := NewToken()
	if _, err := e.st.CreateToken(store.Token{Name: "browser-test-" + id, Hash: hash, Role: store.RoleOwner, Created: time.Now()}); err != nil {
		return err
	}
	req, err := http.NewRequest(http.MethodDelete, e.ts.URL+"/api/v1/users/"+id, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+plain)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return errors.New("DELETE user: " + resp.Status)
	}
	return nil
}
