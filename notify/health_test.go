package notify

import (
	"log/slog"
	"testing"
	"time"

	"firmline/store"
)

func pendingEvents(t *testing.T, st *store.Store) []store.Event {
	t.Helper()
	evs, err := st.PendingEvents(100)
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

func TestModemAlertAndRecovery(t *testing.T) {
	clk := newClock()
	st, _ := tempStore(t, clk.now)
	w := New(st, Config{Now: clk.now}, slog.New(slog.DiscardHandler))
	start := clk.now()

	w.ModemState("modem1", "ready")
	w.ModemState("modem1", "disconnected")
	clk.set(start.Add(2 * time.Minute))
	w.ModemState("modem1", "no-sim") // still bad: the bad run continues
	w.Tick(clk.now())
	if evs := pendingEvents(t, st); len(evs) != 0 {
		t.Fatalf("alert after 2 min: %+v", evs)
	}
	if got := w.health.deadline(w.cfg.AlertAfter); !got.After(start.Add(3 * time.Minute)) {
		t.Errorf("health deadline %v", got)
	}
	clk.set(start.Add(3*time.Minute + time.Second))
	w.Tick(clk.now())
	w.Tick(clk.now())
	evs := pendingEvents(t, st)
	if len(evs) != 1 || evs[0].Kind != EventModem || evs[0].Data["state"] != "no-sim" || evs[0].Data["modem"] != "modem1" ||
		evs[0].Data["recovered"] != "" || evs[0].Data["since"] != start.Format(time.RFC3339) {
		t.Fatalf("alert events: %+v", evs)
	}
	w.ModemState("modem1", "ready")
	w.Tick(clk.now())
	evs = pendingEvents(t, st)
	if len(evs) != 2 || evs[1].Data["recovered"] != "true" || evs[1].Data["state"] != "ready" {
		t.Fatalf("recovery events: %+v", evs)
	}
	// A short glitch raises nothing.
	w.ModemState("modem1", "unresponsive")
	clk.set(clk.now().Add(time.Minute))
	w.ModemState("modem1", "ready")
	clk.set(clk.now().Add(time.Hour))
	w.Tick(clk.now())
	if evs := pendingEvents(t, st); len(evs) != 2 {
		t.Errorf("a 1-minute glitch raised: %+v", evs[2:])
	}
}

func TestModemAlertReachesDefaultChannels(t *testing.T) {
	clk := newClock()
	st, _ := tempStore(t, clk.now)
	rcv := newReceiver(t)
	webhookChannel(t, st, rcv.URL, true)
	other := newReceiver(t)
	webhookChannel(t, st, other.URL, false)
	w := startWorker(t, st, clk, Config{})
	w.ModemState("modem1", "storage-full")
	clk.set(clk.now().Add(4 * time.Minute))
	w.Wake()
	body := decode(t, rcv.wait(t).Body)
	modem := obj(t, body["modem"], "modem")
	if body["event"] != "modem" || modem["state"] != "storage-full" || modem["recovered"] != false {
		t.Errorf("alert body: %v", body)
	}
	if d := w.attempt(t); d.Status != store.StatusDelivered || d.Kind != EventModem {
		t.Errorf("alert delivery: %+v", d)
	}
	if len(other.got) != 0 {
		t.Error("a non-default channel got the alert")
	}
}

func TestHeartbeat(t *testing.T) {
	clk := newClock()
	st, _ := tempStore(t, clk.now)
	w := New(st, Config{Now: clk.now}, slog.New(slog.DiscardHandler))
	w.ModemState("modem1", "ready")
	ingest(t, st, 1, clk.now(), "Clio", "123456")
	w.expand() // the message event is not part of this test
	w.Tick(clk.now())
	clk.set(clk.now().Add(25 * time.Hour))
	w.Tick(clk.now())
	if evs := pendingEvents(t, st); len(evs) != 0 {
		t.Fatalf("heartbeat while off: %+v", evs)
	}
	if _, err := st.UpdateSettings(func(s *store.Settings) error { s.HeartbeatDaily = true; return nil }); err != nil {
		t.Fatal(err)
	}
	ingest(t, st, 2, clk.now().Add(-time.Hour), "Clio", "654321")
	w.expand()
	w.Tick(clk.now())
	w.Tick(clk.now().Add(time.Hour))
	evs := pendingEvents(t, st)
	if len(evs) != 1 || evs[0].Kind != EventHeartbeat || evs[0].Data["modem:modem1"] != "ready" || evs[0].Data["messages_24h"] != "1" {
		t.Fatalf("heartbeat events: %+v", evs)
	}
	h := heartbeatFacts(evs[0].Data)
	if h.Messages24h != 1 || h.Modems["modem1"] != "ready" {
		t.Errorf("heartbeat facts %+v", h)
	}
}
