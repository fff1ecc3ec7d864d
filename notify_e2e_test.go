package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"firmline/modem/sim"
	"firmline/store"
)

// flakyReceiver is a webhook receiver that answers 503 until it is told to recover, and
// records every request's delivery id and message code.
type flakyReceiver struct {
	mu        sync.Mutex
	healthy   bool
	attempts  map[string]int // delivery id -> requests
	delivered map[string]int // delivery id -> 2xx answers
	codes     map[string]string
}

func (f *flakyReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var p struct {
		DeliveryID string `json:"delivery_id"`
		Message    struct {
			Code string `json:"code"`
		} `json:"message"`
	}
	json.Unmarshal(body, &p)
	f.mu.Lock()
	defer f.mu.Unlock()
	id := r.Header.Get("X-Firmline-Delivery")
	f.attempts[id]++
	f.codes[id] = p.Message.Code
	if p.DeliveryID != id || r.Header.Get("X-Firmline-Signature") == "" {
		http.Error(w, "unsigned or mismatched delivery id", http.StatusBadRequest)
		return
	}
	if !f.healthy {
		http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
		return
	}
	f.delivered[id]++
}

func (f *flakyReceiver) snapshot() (attempts, delivered map[string]int, codes map[string]string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	cp := func(m map[string]int) map[string]int {
		out := map[string]int{}
		for k, v := range m {
			out[k] = v
		}
		return out
	}
	c := map[string]string{}
	for k, v := range f.codes {
		c[k] = v
	}
	return cp(f.attempts), cp(f.delivered), c
}

// TestNotificationSurvivesRestart: a code reaches a webhook that fails for a while, across a
// serve restart in the middle, exactly once and under one delivery id.
func TestNotificationSurvivesRestart(t *testing.T) {
	recv := &flakyReceiver{attempts: map[string]int{}, delivered: map[string]int{}, codes: map[string]string{}}
	srv := httptest.NewServer(recv)
	defer srv.Close()

	first := startAppliance(t, sim.Profile("telit-le910"))
	dir, s := first.cfg.Data, first.sim
	if _, err := first.store.PutChannel(store.Channel{Type: "webhook", Name: "firm webhook", URL: srv.URL,
		Secret: "0123456789abcdef0123456789abcdef", Default: true}); err != nil {
		t.Fatal(err)
	}
	first.waitReady(t)
	first.deliver(t, "+12065550143", "Your Clio verification code is 640271", 1)
	waitFor(t, "a failed webhook attempt", func() bool { a, _, _ := recv.snapshot(); return len(a) == 1 })
	first.stop()

	recv.mu.Lock()
	recv.healthy = true
	recv.mu.Unlock()
	second := startOn(t, dir, s)
	waitFor(t, "delivery after the restart", func() bool { _, d, _ := recv.snapshot(); return len(d) == 1 })
	attempts, delivered, codes := recv.snapshot()
	for id, n := range delivered {
		if n != 1 || codes[id] != "640271" || attempts[id] < 2 {
			t.Fatalf("delivery %s: %d successful of %d attempts, code %q; want exactly 1 success after failures, code 640271", id, n, attempts[id], codes[id])
		}
	}
	if len(attempts) != 1 {
		t.Fatalf("%d different delivery ids for one message, want 1: %v", len(attempts), attempts)
	}
	ds, err := second.store.Deliveries("", 10)
	if err != nil || len(ds) != 1 || ds[0].Status != store.StatusDelivered {
		t.Fatalf("delivery log = %+v, %v", ds, err)
	}
}
