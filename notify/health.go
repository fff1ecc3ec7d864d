package notify

import (
	"strconv"
	"sync"
	"time"

	"firmline/store"
)

// badState reports the modem states that, lasting longer than Config.AlertAfter, raise an
// alert to the default channels.
func badState(state string) bool {
	switch state {
	case "disconnected", "no-sim", "pin-locked", "puk-locked", "no-network", "no-sms-service", "storage-full", "unresponsive":
		return true
	}
	return false
}

// health tracks each modem's state for alerts. ModemState writes it from the modem's
// goroutine; Tick reads and updates it from Run; mu guards both.
type health struct {
	mu     sync.Mutex
	modems map[string]*modemHealth
}

type modemHealth struct {
	state    string
	badSince time.Time // when the current run of bad states began; zero while good
	alerted  bool      // an alert went out for the current bad run
}

// ModemState records modem name's state (main calls it on every status change). It is safe
// for concurrent use and does no I/O: Run decides about alerts.
func (w *Worker) ModemState(name, state string) {
	now := w.cfg.Now()
	w.health.mu.Lock()
	m := w.health.modems[name]
	if m == nil {
		m = &modemHealth{}
		w.health.modems[name] = m
	}
	if badState(state) && m.badSince.IsZero() {
		m.badSince = now
	}
	if !badState(state) {
		m.badSince = time.Time{}
	}
	m.state = state
	w.health.mu.Unlock()
	w.Wake()
}

// Tick raises what is due at now: one "modem" alert for a modem bad for longer than
// AlertAfter, one recovery notice when an alerted modem is good again, and the daily
// heartbeat when the settings ask for it. Run calls it on every pass; tests call it directly.
func (w *Worker) Tick(now time.Time) {
	for _, e := range w.health.due(now, w.cfg.AlertAfter) {
		if _, err := w.st.EnqueueEvent(e); err != nil {
			w.log.Error("cannot queue a modem alert", "modem", e.Data["modem"], "error", err)
		}
	}
	w.heartbeat(now)
}

// due returns the alert and recovery events to raise at now and marks them raised.
func (h *health) due(now time.Time, after time.Duration) []store.Event {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []store.Event
	for _, name := range sortedModems(h.modems) {
		m := h.modems[name]
		data := map[string]string{"modem": name, "state": m.state}
		switch {
		case !m.alerted && !m.badSince.IsZero() && now.Sub(m.badSince) > after:
			m.alerted = true
			data["since"] = m.badSince.UTC().Format(time.RFC3339)
			out = append(out, store.Event{Kind: EventModem, Data: data})
		case m.alerted && m.badSince.IsZero():
			m.alerted = false
			data["recovered"] = "true"
			data["since"] = now.UTC().Format(time.RFC3339)
			out = append(out, store.Event{Kind: EventModem, Data: data})
		}
	}
	return out
}

// deadline is when the earliest pending alert becomes due (zero when none).
func (h *health) deadline(after time.Duration) time.Time {
	h.mu.Lock()
	defer h.mu.Unlock()
	var t time.Time
	for _, m := range h.modems {
		if !m.alerted && !m.badSince.IsZero() {
			t = earliest(t, m.badSince.Add(after+time.Second))
		}
	}
	return t
}

func (h *health) states() map[string]string {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := map[string]string{}
	for name, m := range h.modems {
		out[name] = m.state
	}
	return out
}

func sortedModems(m map[string]*modemHealth) []string {
	names := make(map[string]string, len(m))
	for k := range m {
		names[k] = ""
	}
	return sortedKeys(names)
}

// heartbeat remembers when the last daily heartbeat was raised; mu serialises Ticks.
type heartbeat struct {
	mu   sync.Mutex
	last time.Time // zero until the first Tick
}

// heartbeat raises the daily "all is well" when Settings.HeartbeatDaily is on and a day has
// passed since the last one (found in the delivery log after a restart, else the start).
func (w *Worker) heartbeat(now time.Time) {
	w.beat.mu.Lock()
	defer w.beat.mu.Unlock()
	if w.beat.last.IsZero() {
		w.beat.last = w.lastHeartbeat(now)
	}
	set, err := w.st.Settings()
	if err != nil || !set.HeartbeatDaily || now.Sub(w.beat.last) < 24*time.Hour {
		return
	}
	data := map[string]string{}
	n, _ := w.st.CountMessagesSince(now.Add(-24 * time.Hour))
	data["messages_24h"] = strconv.Itoa(n)
	for name, state := range w.health.states() {
		data["modem:"+name] = state
	}
	if _, err := w.st.EnqueueEvent(store.Event{Kind: EventHeartbeat, Data: data}); err != nil {
		w.log.Error("cannot queue the daily heartbeat", "error", err)
		return
	}
	w.beat.last = now
}

func (w *Worker) lastHeartbeat(now time.Time) time.Time {
	ds, err := w.st.Deliveries("", 1000)
	if err == nil {
		for _, d := range ds {
			if d.Kind == EventHeartbeat {
				return d.Created
			}
		}
	}
	return now
}
