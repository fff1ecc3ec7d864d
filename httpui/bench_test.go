package httpui

import (
	"sync"
	"testing"

	"github.com/gorilla/websocket"

	"firmline/store"
)

// BenchmarkLogin is the cost of one password check (argon2id m=19 MiB, t=2, p=1), which bounds
// sign-ins per second per core.
func BenchmarkLogin(b *testing.B) {
	var h string
	var err error
	withDefaultParams(func() { h, err = HashPassword(testPassword) })
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if ok, _, _ := verifyPassword(h, testPassword); !ok {
			b.Fatal("mismatch")
		}
	}
}

// BenchmarkFanout measures one message reaching 1,000 WebSocket clients connected over
// loopback (real gorilla clients against httptest): each op publishes one message and waits
// until every client has read its frame. Every frame also re-checks the client's session in
// the store, as in production.
func BenchmarkFanout(b *testing.B) {
	const clients = 1000
	w := newWSEnv(b)
	ck := w.session(w.user("ann@example.com", store.RoleViewer))
	got := make(chan struct{}, clients)
	var readers sync.WaitGroup
	conns := make([]*websocket.Conn, 0, clients)
	for range clients {
		conn, err := w.dial(b, cookieCred(ck), "")
		if err != nil {
			b.Fatal(err)
		}
		conns = append(conns, conn)
		readers.Add(1)
		go func() {
			defer readers.Done()
			for {
				if _, _, err := conn.ReadMessage(); err != nil {
					return
				}
				got <- struct{}{}
			}
		}()
	}
	defer func() {
		for _, c := range conns {
			c.Close()
		}
		readers.Wait()
	}()
	m := ingest(b, w.st, "Your Clio verification code is 482913")
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		w.srv.Publish(m)
		for range clients {
			<-got
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/fanout")
	b.ReportMetric(clients, "clients")
}
