package modem

import (
	"context"
	"fmt"
	"strings"
	"time"

	"firmline/modem/at"
)

// unlockSIM checks AT+CPIN? and, when the SIM wants its PIN, enters the configured PIN
// only if AT+CPINR (where the modem has it) says more than one attempt is left. A PIN the
// SIM rejected is never entered again in this process; one it accepted is entered again
// after a modem restart. A PUK is never entered. It returns errSIMWait with the state
// set when the SIM is not usable.
func (m *Modem) unlockSIM(ctx context.Context) error {
	code, err := m.settledCPIN(ctx)
	if err != nil {
		return err
	}
	switch code {
	case "READY":
		return nil
	case "SIM PIN":
		return m.enterPIN(ctx)
	case "NOT INSERTED", "SIM REMOVED":
		return m.simWait(StateNoSIM, "no SIM card: insert one (power the modem off first on many models)")
	case "NOT READY":
		return m.simWait(StateStarting, "the SIM is not ready yet")
	case "SIM PUK", "SIM PUK2":
		return m.simWait(StatePUKLocked, "the SIM is blocked and needs its PUK; firmline never enters a PUK — unlock it in a phone")
	case "no-sim":
		return m.simWait(StateNoSIM, "no SIM card: insert one (power the modem off first on many models)")
	case "busy":
		return m.simWait(StateStarting, "the SIM is busy initialising")
	}
	return m.simWait(StatePINLocked, fmt.Sprintf("the SIM wants %q; unlock it in a phone", code))
}

// settledCPIN reads AT+CPIN?, backing off (0.25 s doubling, about 8 s in all) while the
// SIM is busy or not ready, as it is for seconds after power-up (+CME ERROR: 14).
func (m *Modem) settledCPIN(ctx context.Context) (string, error) {
	wait := 250 * time.Millisecond
	for range 5 {
		code, err := m.cpin(ctx)
		if err != nil || (code != "busy" && code != "NOT READY") {
			return code, err
		}
		if !m.sleep(ctx, wait) {
			return "", ctx.Err()
		}
		wait *= 2
	}
	return m.cpin(ctx)
}

func (m *Modem) simWait(state, problem string) error {
	m.sess.initialised = false
	m.setState(state, problem)
	return fmt.Errorf("%w: %s", errSIMWait, state)
}

// cpin reads AT+CPIN?: the code ("READY", "SIM PIN"...), or "no-sim"/"busy" for the
// matching CME errors.
func (m *Modem) cpin(ctx context.Context) (string, error) {
	lines, err := m.cmd(ctx, "+CPIN?")
	if f := m.fatal(ctx, err); f != nil {
		return "", f
	}
	if code, ok := at.CMECode(err); ok {
		switch code {
		case at.CMESIMNotInserted, at.CMESIMFailure:
			return "no-sim", nil
		case at.CMESIMBusy:
			return "busy", nil
		case at.CMESIMPUKRequired:
			return "SIM PUK", nil
		case at.CMESIMPINRequired:
			return "SIM PIN", nil
		}
		return "busy", nil // the query exists but failed: retry later
	}
	if code, ok := at.CMSCode(err); ok && code == at.CMSSIMNotInserted {
		return "no-sim", nil
	}
	if code, ok := at.CMSCode(err); ok && code == at.CMSSIMBusy {
		return "busy", nil
	}
	if err != nil || len(lines) == 0 {
		// A modem without the query (plain ERROR, or OK with no +CPIN line): assume the SIM
		// is usable and let the SMS commands tell; waiting would never end.
		m.log.Debug("modem gives no SIM state; assuming ready", "error", err)
		return "READY", nil
	}
	return strings.Trim(strings.TrimSpace(afterColon(lines[0])), `"`), nil
}

func (m *Modem) enterPIN(ctx context.Context) error {
	switch {
	case m.cfg.PIN == "":
		return m.simWait(StatePINLocked, "the SIM needs its PIN; configure it (--pin or pin_file) or remove the PIN lock in a phone")
	case m.pinTried && m.pinAccepted:
		// The modem restarted (RDY, a reset of ours, a replug) and the SIM asks again. This
		// PIN was accepted before, so entering it again cannot use up an attempt; should a
		// swapped SIM reject it, pinAccepted turns false and it is never tried again.
		m.log.Info("SIM asks for its PIN again after a modem restart; entering the PIN it accepted before")
	case m.pinTried:
		return m.simWait(StatePINLocked, "the SIM rejected the configured PIN earlier; firmline does not try it again — correct the PIN and restart")
	}
	left, err := m.pinRetries(ctx)
	if err != nil {
		return err
	}
	if left >= 0 && left <= 1 {
		return m.simWait(StatePINLocked, fmt.Sprintf("only %d PIN attempt left on the SIM; enter the PIN in a phone, firmline will not risk the PUK", left))
	}
	m.pinTried = true
	_, err = m.cmd(ctx, `+CPIN="`+m.cfg.PIN+`"`)
	if f := m.fatal(ctx, err); f != nil {
		return f
	}
	if err != nil {
		m.pinAccepted = false
		m.log.Error("SIM rejected the configured PIN; not retrying", "error", err)
		return m.simWait(StatePINLocked, "the SIM rejected the configured PIN; firmline will not try it again — correct it and restart")
	}
	m.pinAccepted = true
	m.log.Info("SIM PIN entered")
	for range 20 {
		code, err := m.cpin(ctx)
		if err != nil {
			return err
		}
		if code == "READY" {
			return nil
		}
		if !m.sleep(ctx, 250*time.Millisecond) {
			return ctx.Err()
		}
	}
	return m.simWait(StateStarting, "the SIM accepted the PIN but is not ready yet")
}

// pinRetries reads AT+CPINR's SIM PIN counter; -1 when the modem cannot tell.
func (m *Modem) pinRetries(ctx context.Context) (int, error) {
	lines, err := m.cmd(ctx, "+CPINR")
	if f := m.fatal(ctx, err); f != nil {
		return -1, f
	}
	if err != nil {
		return -1, nil
	}
	return parseCPINR(lines), nil
}
