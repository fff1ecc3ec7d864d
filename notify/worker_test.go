package notify

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"firmline/store"
)

// clock is the injected time of a test: it moves only when the test says so.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: t0} }

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t.After(c.t) {
		c.t = t
	}
}

func openStore(t testing.TB, path string, now func() time.Time) *store.Store {
	t.Helper()
	st, err := store.Open(path, store.Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func tempStore(t testing.TB, now func() time.Time) (*store.Store, string) {
	path := filepath.Join(t.TempDir(), "firmline.db")
	st := openStore(t, path, now)
	t.Cleanup(func() { st.Close() })
	return st, path
}

// ingest commits one single-part message as the modem pipeline would.
func ingest(t testing.TB, st *store.Store, n int, at time.Time, platform, code string) store.Message {
	t.Helper()
	pdu := fmt.Sprintf("0791%012X", n)
	m, dup, err := st.Ingest(store.Incoming{Modem: "modem1", PDU: pdu, ReceivedAt: at}, func([]string) store.Message {
		return store.Message{Sender: "+15551234567", SenderType: "international", Kind: "text",
			Text: "Your " + platform + " verification code is " + code, Code: code, Platform: platform}
	})
	if err != nil || dup {
		t.Fatalf("Ingest = %v, dup %v", err, dup)
	}
	return m
}

// testWorker is a Worker driven by a test clock, with max jitter (deterministic backoff) and a
// hook reporting every recorded attempt.
type testWorker struct {
	*Worker
	finished chan store.Delivery
	stop     func()
}

func startWorker(t testing.TB, st *store.Store, clk *clock, cfg Config) *testWorker {
	t.Helper()
	if clk != nil { // nil: the real clock (benchmarks)
		cfg.Now = clk.now
	}
	cfg.Rand = func(n int64) int64 { return n - 1 }
	w := New(st, cfg, slog.New(slog.DiscardHandler))
	fin := make(chan store.Delivery, 64)
	w.finished = fin
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	tw := &testWorker{Worker: w, finished: fin}
	var once sync.Once
	tw.stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("Run = %v", err)
			}
		})
	}
	t.Cleanup(tw.stop)
	return tw
}

// attempt waits for the worker to record the next attempt.
func (w *testWorker) attempt(t testing.TB) store.Delivery {
	t.Helper()
	select {
	case d := <-w.finished:
		return d
	case <-time.After(20 * time.Second):
		t.Fatal("no delivery attempt was recorded")
		return store.Delivery{}
	}
}

func webhookChannel(t testing.TB, st *store.Store, url string, def bool) store.Channel {
	t.Helper()
	ch, err := st.PutChannel(store.Channel{Type: TypeWebhook, Name: "hook", URL: url, Secret: "0123456789abcdef", Default: def})
	if err != nil {
		t.Fatal(err)
	}
	return ch
}
