package notify

import (
	"encoding/json"
	"testing"
	"time"

	"firmline/store"
)

// deliveryOK counts, by delivery id, the requests the receiver answered with a 2xx.
type deliveryOK map[string]int

func TestFailingReceiverThenRecoveredDeliversOnce(t *testing.T) {
	clk := newClock()
	st, _ := tempStore(t, clk.now)
	rcv := newReceiver(t, 500, 502, 503)
	webhookChannel(t, st, rcv.URL, true)
	w := startWorker(t, st, clk, Config{})

	m := ingest(t, st, 1, clk.now(), "Clio", "482913")
	w.Wake()
	ok := deliveryOK{}
	var id string
	for i := 0; ; i++ {
		q := rcv.wait(t)
		if id == "" {
			id = q.Header.Get(HeaderDelivery)
		}
		if got := q.Header.Get(HeaderDelivery); got != id {
			t.Fatalf("try %d carries delivery id %q, want %q", i+1, got, id)
		}
		d := w.attempt(t)
		if d.Status == store.StatusDelivered {
			ok[id]++
			break
		}
		if d.Status != store.StatusPending || d.Attempts != i+1 || !d.NextAttempt.After(clk.now()) {
			t.Fatalf("after failure %d: %+v", i+1, d)
		}
		clk.set(d.NextAttempt) // the backoff passes
		w.Wake()
	}
	if ok[id] != 1 {
		t.Errorf("delivered %d times", ok[id])
	}
	ds, err := st.Deliveries(m.ID, 10)
	if err != nil || len(ds) != 1 || ds[0].Status != store.StatusDelivered || ds[0].Attempts != 4 || ds[0].ID != id {
		t.Fatalf("delivery log = %+v, %v", ds, err)
	}
	if due, _ := st.DueDeliveries(clk.now().Add(48*time.Hour), 10); len(due) != 0 {
		t.Errorf("still due after delivery: %+v", due)
	}
	nextIsNewMessage(t, rcv, w, st, clk)
}

// nextIsNewMessage makes sure nothing else was sent: an hour later it commits one more
// message, and the receiver's next request must be that message.
func nextIsNewMessage(t *testing.T, rcv *receiver, w *testWorker, st *store.Store, clk *clock) {
	t.Helper()
	clk.set(clk.now().Add(time.Hour))
	m := ingest(t, st, 99, clk.now(), "Westlaw", "111222")
	w.Wake()
	q := rcv.wait(t)
	var b WebhookBody
	if err := json.Unmarshal(q.Body, &b); err != nil || b.Message == nil || b.Message.ID != m.ID {
		t.Fatalf("next request is not the new message: %s", q.Body)
	}
	w.attempt(t)
}

func TestRestartDeliversWithoutDuplicates(t *testing.T) {
	clk := newClock()
	st, path := tempStore(t, clk.now)
	rcv := newReceiver(t)
	webhookChannel(t, st, rcv.URL, true)
	w := startWorker(t, st, clk, Config{})

	// Message 1 is delivered by the first worker.
	m1 := ingest(t, st, 1, clk.now(), "Clio", "100001")
	w.Wake()
	first := rcv.wait(t).Header.Get(HeaderDelivery)
	if d := w.attempt(t); d.Status != store.StatusDelivered {
		t.Fatalf("message 1: %+v", d)
	}
	// Message 2 fails once; then the worker stops and the database is closed.
	rcv.mu.Lock()
	rcv.script = []int{500}
	rcv.mu.Unlock()
	m2 := ingest(t, st, 2, clk.now(), "Clio", "100002")
	w.Wake()
	second := rcv.wait(t).Header.Get(HeaderDelivery)
	d := w.attempt(t)
	if d.Status != store.StatusPending {
		t.Fatalf("message 2 after a 500: %+v", d)
	}
	// Message 3 arrives while firmline is down (committed, not yet sent).
	w.stop()
	m3 := ingest(t, st, 3, clk.now(), "Clio", "100003")
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	st2 := openStore(t, path, clk.now)
	t.Cleanup(func() { st2.Close() })
	clk.set(d.NextAttempt)
	w2 := startWorker(t, st2, clk, Config{})
	w2.Wake()
	seen := map[string]string{} // delivery id -> message id
	for range 2 {
		q := rcv.wait(t)
		var b WebhookBody
		if err := json.Unmarshal(q.Body, &b); err != nil {
			t.Fatal(err)
		}
		seen[q.Header.Get(HeaderDelivery)] = b.Message.ID
		if a := w2.attempt(t); a.Status != store.StatusDelivered {
			t.Errorf("after restart: %+v", a)
		}
	}
	if seen[second] != m2.ID || len(seen) != 2 {
		t.Errorf("after restart the receiver got %v; want message 2 under delivery %s and message 3", seen, second)
	}
	if _, again := seen[first]; again {
		t.Errorf("message 1 (delivery %s) was sent again", first)
	}
	for _, m := range []store.Message{m1, m2, m3} {
		ds, _ := st2.Deliveries(m.ID, 10)
		if len(ds) != 1 || ds[0].Status != store.StatusDelivered {
			t.Errorf("message %s deliveries: %+v", m.ID, ds)
		}
	}
	select {
	case q := <-rcv.got:
		t.Errorf("an extra request: %s", q.Body)
	default:
	}
}

func TestGivesUpAfter24Hours(t *testing.T) {
	clk := newClock()
	st, _ := tempStore(t, clk.now)
	rcv := newReceiver(t)
	rcv.always = 503
	webhookChannel(t, st, rcv.URL, true)
	w := startWorker(t, st, clk, Config{})
	m := ingest(t, st, 1, clk.now(), "Clio", "482913")
	start := clk.now()
	w.Wake()
	var d store.Delivery
	for d.Status != store.StatusFailed {
		rcv.wait(t)
		d = w.attempt(t)
		if d.Status == store.StatusPending {
			if gap := d.NextAttempt.Sub(clk.now()); gap > 10*time.Minute || gap <= 0 {
				t.Fatalf("attempt %d: next try in %v", d.Attempts, gap)
			}
			clk.set(d.NextAttempt)
			w.Wake()
		}
	}
	if age := d.DoneAt.Sub(start); age < 24*time.Hour || age > 24*time.Hour+time.Second {
		t.Errorf("failed after %v, want 24 h", age)
	}
	if d.Attempts < 100 || d.LastError == "" {
		t.Errorf("gave up after %d attempts, last error %q", d.Attempts, d.LastError)
	}
	if ds, _ := st.Deliveries(m.ID, 10); len(ds) != 1 || ds[0].Status != store.StatusFailed {
		t.Errorf("delivery log: %+v", ds)
	}
}

func TestShutdownMidSendResendsSameDelivery(t *testing.T) {
	clk := newClock()
	st, path := tempStore(t, clk.now)
	rcv := newReceiver(t)
	rcv.hold = make(chan struct{}) // the receiver takes its time
	webhookChannel(t, st, rcv.URL, true)
	w := startWorker(t, st, clk, Config{})
	m := ingest(t, st, 1, clk.now(), "Clio", "482913")
	w.Wake()
	cut := rcv.wait(t).Header.Get(HeaderDelivery)
	w.stop() // serve shuts down while the POST is in flight
	ds, _ := st.Deliveries(m.ID, 10)
	if len(ds) != 1 || ds[0].Status != store.StatusPending || ds[0].Attempts != 0 {
		t.Fatalf("after a cut-off send: %+v", ds)
	}
	st.Close()

	rcv.mu.Lock()
	rcv.hold = nil
	rcv.mu.Unlock()
	st2 := openStore(t, path, clk.now)
	t.Cleanup(func() { st2.Close() })
	w2 := startWorker(t, st2, clk, Config{})
	w2.Wake()
	if again := rcv.wait(t).Header.Get(HeaderDelivery); again != cut {
		t.Errorf("resent as delivery %q, want the same id %q so the receiver can drop a duplicate", again, cut)
	}
	if d := w2.attempt(t); d.Status != store.StatusDelivered || d.Attempts != 1 {
		t.Errorf("after restart: %+v", d)
	}
}
