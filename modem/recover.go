package modem

import (
	"context"
	"errors"
	"time"
)

// The recovery ladder (modem.md §5.2, req. 28), climbed by Run between sessions:
//
//  1. resync: inside a session, a timeout makes fatal() send ESC + AT (the engine's resync);
//  2. reopen: a session that ends unresponsive or gone is followed by a new open of the
//     same path (a by-id symlink survives re-enumeration), after the old reader exited;
//  3. AT+CFUN=1,1: after two unresponsive sessions in a row, at most maxResetsPerDay times
//     a day; the modem then re-enumerates;
//  4. keep reopening with exponential backoff, at most maxBackoff apart.
//
// USB-level resets and power cycling are left to the operator (and the host watchdog).
const (
	maxResetsPerDay = 10
	maxBackoff      = time.Minute
	firstBackoff    = 250 * time.Millisecond
)

// ladder is the escalation state; owned by the Run goroutine.
type ladder struct {
	unresponsive int           // consecutive sessions that ended unresponsive
	backoff      time.Duration // current wait between sessions
	resetNext    bool          // the next session sends AT+CFUN=1,1 first
}

// ok resets the ladder after a session initialised the modem.
func (l *ladder) ok() { *l = ladder{} }

// next records how a session ended and returns how long to wait before the next one.
func (l *ladder) next(err error, m *Modem) time.Duration {
	switch {
	case errors.Is(err, errUnresponsive):
		l.unresponsive++
		if l.unresponsive >= 2 && m.resetAllowed() {
			l.resetNext = true
		}
		m.setState(StateUnresponsive, "the modem does not answer AT commands; reopening the port and, if needed, resetting it")
	case errors.Is(err, errGone):
		if st := m.Status().State; st != StateDisconnected {
			m.setState(StateDisconnected, "the modem disappeared (unplugged, reset or USB error); waiting for it to come back")
		}
	}
	if l.backoff == 0 {
		l.backoff = firstBackoff
	} else {
		l.backoff = min(2*l.backoff, maxBackoff)
	}
	return l.backoff
}

// resetAllowed reports whether a full reset fits in the daily cap.
func (m *Modem) resetAllowed() bool {
	now := m.cfg.Now()
	kept := m.resets[:0]
	for _, t := range m.resets {
		if now.Sub(t) < 24*time.Hour {
			kept = append(kept, t)
		}
	}
	m.resets = kept
	return len(m.resets) < maxResetsPerDay
}

// reset sends AT+CFUN=1,1 and waits for the modem to vanish (re-enumeration); the next
// session reopens the same path.
func (m *Modem) reset(ctx context.Context, l *ladder) error {
	l.resetNext = false
	m.resets = append(m.resets, m.cfg.Now())
	m.log.Warn("resetting the modem (AT+CFUN=1,1)", "resets_today", len(m.resets))
	_, err := m.cmd(ctx, "+CFUN=1,1")
	if err != nil {
		m.log.Warn("modem did not acknowledge the reset", "error", err)
	}
	t := time.NewTimer(30 * time.Second)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-m.sess.eng.Done():
	case <-t.C:
	}
	return errGone
}
