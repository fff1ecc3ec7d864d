package main

import (
	"context"
	"fmt"
	"sync"
	"time"

	"firmline/httpui"
	"firmline/modem"
)

// modemSet holds the configured modems. The list is fixed after build; statuses are read
// from each modem on demand.
type modemSet struct {
	mu      sync.Mutex
	modems  []*modem.Modem
	states  map[string]string // last state seen per modem, for audit entries on changes
	started time.Time
}

func newModemSet() *modemSet { return &modemSet{started: time.Now(), states: map[string]string{}} }

func (s *modemSet) add(m *modem.Modem) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.modems = append(s.modems, m)
}

func (s *modemSet) list() []*modem.Modem {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*modem.Modem(nil), s.modems...)
}

// changed records a modem's state and reports whether it differs from the last one seen.
func (s *modemSet) changed(name, state string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.states[name] == state {
		return false
	}
	s.states[name] = state
	return true
}

func (s *modemSet) statuses() []httpui.ModemStatus {
	var out []httpui.ModemStatus
	for _, m := range s.list() {
		out = append(out, modemJSON(m.Status()))
	}
	if len(out) == 0 {
		out = append(out, httpui.ModemStatus{Name: "modem", State: "disconnected", SignalBars: -1,
			LastError: "no modem is configured or found; plug one in and restart, or pass --modem"})
	}
	return out
}

func modemJSON(s modem.Status) httpui.ModemStatus {
	return httpui.ModemStatus{Name: s.Name, Port: s.Port, State: s.State, Manufacturer: s.Manufacturer, Model: s.Model,
		Firmware: s.Firmware, IMEI: s.IMEI, ICCID: s.ICCID, Operator: s.Operator, OwnNumber: s.OwnNumber,
		Registration: s.Registration, LastError: s.LastError, SignalBars: s.SignalBars, CSQ: s.CSQ,
		StorageUsed: s.StorageUsed, StorageTotal: s.StorageTotal, Since: s.Since, LastMessage: s.LastMessage}
}

// modemStatuses is every modem's status as the web inbox shows it.
func (a *appliance) modemStatuses() []httpui.ModemStatus {
	out := a.modems.statuses()
	for i := range out {
		out[i] = a.withOwnNumber(out[i])
	}
	return out
}

// withOwnNumber fills in the number an Owner entered for a modem whose SIM does not know
// its own number (AT+CNUM is often empty).
func (a *appliance) withOwnNumber(ms httpui.ModemStatus) httpui.ModemStatus {
	if ms.OwnNumber != "" {
		return ms
	}
	if set, err := a.store.Settings(); err == nil {
		ms.OwnNumber = set.OwnNumbers[ms.Name]
	}
	return ms
}

// healthy reports whether the main loops are alive, for the systemd watchdog: every modem
// loop must have completed a cycle recently (a modem that is merely unplugged still cycles).
func (a *appliance) healthy() error {
	for _, m := range a.modems.list() {
		if last := m.Alive(); time.Since(last) > 3*time.Minute && time.Since(a.modems.started) > 3*time.Minute {
			return fmt.Errorf("modem loop %s has not completed a cycle since %s", m.Status().Name, last.Format(time.RFC3339))
		}
	}
	if _, err := a.store.Settings(); err != nil {
		return fmt.Errorf("database does not answer: %w", err)
	}
	return nil
}

// statusLine is the one-line STATUS= for systemd: "modem ready, signal 4/5, 12 codes today".
func (a *appliance) statusLine() string {
	st := a.modemStatuses()[0]
	midnight := time.Now().Truncate(24 * time.Hour)
	n, _ := a.store.CountMessagesSince(midnight)
	sig := "signal unknown"
	if st.SignalBars >= 0 {
		sig = fmt.Sprintf("signal %d/5", st.SignalBars)
	}
	return fmt.Sprintf("modem %s, %s, %d codes today", st.State, sig, n)
}

func (a *appliance) statusLoop(ctx context.Context, sd *notifier) error {
	t := time.NewTicker(30 * time.Second)
	defer t.Stop()
	for {
		sd.Status(a.statusLine())
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}
