package modem

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"firmline/modem/at"
)

// errSIMWait means the SIM (or its SMS store) is not usable yet; the state says why. The
// session keeps running and retries init at every health check.
var errSIMWait = errors.New("SIM not ready")

// initialise runs the full init sequence (modem.md §2.3) and drains every store. It runs
// on every open and after the modem restarts by itself (RDY).
func (m *Modem) initialise(ctx context.Context) error {
	m.sess.initialised = false
	if err := m.sync(ctx); err != nil {
		return err
	}
	// Boot URCs read before the line was in sync (a pty written to before we opened it,
	// RDY ahead of this very init) are old news. One that arrives from here on means the
	// modem restarted during init, which is then run again.
	for len(m.reinit) > 0 {
		<-m.reinit
	}
	for _, c := range []string{"E0", "V1"} {
		if _, err := m.cmd(ctx, c); m.fatal(ctx, err) != nil {
			return m.fatal(ctx, err)
		}
	}
	if _, err := m.cmd(ctx, "+CMEE=1"); err != nil {
		if f := m.fatal(ctx, err); f != nil {
			return f
		}
		m.cmd(ctx, "+CMEE=2")
	}
	if err := m.setCharset(ctx); err != nil {
		return err
	}
	if err := m.identify(ctx); err != nil {
		return err
	}
	if err := m.unlockSIM(ctx); err != nil {
		return err
	}
	if err := m.simIdentity(ctx); err != nil {
		return err
	}
	if err := m.waitSMSReady(ctx); err != nil {
		return err
	}
	return m.configureSMS(ctx)
}

// configureSMS is init from PDU mode on: storage, routing, indications, the first drains.
func (m *Modem) configureSMS(ctx context.Context) error {
	if _, err := m.cmd(ctx, "+CMGF=0"); err != nil {
		if f := m.fatal(ctx, err); f != nil {
			return f
		}
		lines, qerr := m.cmd(ctx, "+CMGF?")
		if f := m.fatal(ctx, qerr); f != nil {
			return f
		}
		// PDU is 27.005's default mode: a modem without AT+CMGF, or one already in PDU
		// mode, is fine; only one that stays in text mode cannot be used.
		if qerr == nil && len(lines) > 0 && fields(lines[0])[0] == "1" {
			m.setState(StateStarting, "the modem refused PDU mode (AT+CMGF=0); it cannot be used for SMS")
			return fmt.Errorf("%w: PDU mode refused: %w", errSIMWait, err)
		}
		m.log.Warn("modem refused AT+CMGF=0 but is not in text mode; going on in PDU mode", "error", err)
	}
	if err := m.sess.q.route(ctx, m); err != nil {
		return err
	}
	if err := m.chooseStorage(ctx); err != nil {
		return err
	}
	m.sess.initialised = true
	if err := m.drainAll(ctx, false); err != nil {
		return err
	}
	if err := m.setCNMI(ctx); err != nil {
		return err
	}
	for _, c := range []string{"+CREG=2", "+CEREG=2"} {
		if _, err := m.cmd(ctx, c); m.fatal(ctx, err) != nil {
			return m.fatal(ctx, err)
		}
	}
	if err := m.smsFacts(ctx); err != nil {
		return err
	}
	if err := m.drainAll(ctx, false); err != nil { // closes the race with enabling CNMI
		return err
	}
	return m.healthCheck(ctx)
}

// sync gets the line into a known state: ESC, quiet, AT -> OK (the engine's resync),
// three tries.
func (m *Modem) sync(ctx context.Context) error {
	var err error
	for range 3 {
		if err = m.sess.eng.Resync(ctx); err == nil {
			return nil
		}
		if errors.Is(err, at.ErrDeviceGone) || ctx.Err() != nil {
			return fmt.Errorf("%w: %w", errGone, err)
		}
	}
	m.setState(StateUnresponsive, fmt.Sprintf("%s does not answer AT commands", m.cfg.Port))
	return fmt.Errorf("%w: %w", errUnresponsive, err)
}

// identify reads manufacturer, model, firmware and IMEI and picks the quirks.
func (m *Modem) identify(ctx context.Context) error {
	var id [4]string
	for i, c := range []string{"+CGMI", "+CGMM", "+CGMR", "+CGSN"} {
		lines, err := m.cmd(ctx, c)
		if f := m.fatal(ctx, err); f != nil {
			return f
		}
		if err == nil {
			id[i] = identValue(c, lines)
		}
	}
	m.sess.q = quirksFor(id[0], id[1])
	prev := m.Status()
	m.update(func(s *Status) {
		s.Manufacturer, s.Model, s.Firmware, s.IMEI = id[0], id[1], id[2], id[3]
	})
	if prev.Model != id[1] || prev.Firmware != id[2] {
		m.log.Info("modem identified", "manufacturer", id[0], "model", id[1], "firmware", id[2], "family", m.sess.q.family)
	}
	return nil
}

// simIdentity reads IMSI and ICCID (trying the family's ICCID commands in order) and the
// own number when the SIM knows it.
func (m *Modem) simIdentity(ctx context.Context) error {
	var imsi, iccid, own string
	lines, err := m.cmd(ctx, "+CIMI")
	if f := m.fatal(ctx, err); f != nil {
		return f
	}
	if err == nil {
		imsi = identValue("+CIMI", lines)
	}
	for _, c := range m.sess.q.iccid {
		lines, err := m.cmd(ctx, c)
		if f := m.fatal(ctx, err); f != nil {
			return f
		}
		if v := identValue(c, lines); err == nil && v != "" {
			iccid = v
			break
		}
	}
	lines, err = m.cmd(ctx, "+CNUM")
	if f := m.fatal(ctx, err); f != nil {
		return f
	}
	if err == nil {
		own = m.text(parseCNUM(lines))
	}
	m.update(func(s *Status) { s.IMSI, s.ICCID, s.OwnNumber = imsi, iccid, own })
	m.log.Debug("SIM identity", "imsi", imsi, "iccid", iccid, "own_number", own)
	return nil
}

// waitSMSReady polls AT+CPMS? until the SMS stack answers, backing off on "SIM busy"
// (+CMS 314, +CME 14) and +CMS 500, which modems give while they boot.
func (m *Modem) waitSMSReady(ctx context.Context) error {
	wait := 250 * time.Millisecond
	var err error
	for i := range 8 {
		_, err = m.cmd(ctx, "+CPMS?")
		if f := m.fatal(ctx, err); f != nil {
			return f
		}
		if err == nil {
			return nil
		}
		if !notReadyYet(err) && i >= 1 { // no query form here: go on, the rest tells
			m.log.Warn("modem does not answer AT+CPMS?; going on", "error", err)
			return nil
		}
		if !m.sleep(ctx, wait) {
			return ctx.Err()
		}
		wait = min(2*wait, 5*time.Second)
	}
	m.setState(StateStarting, "the SIM's SMS storage is not ready yet")
	return fmt.Errorf("%w: %w", errSIMWait, err)
}

// notReadyYet reports whether err is one of the "wait and retry" answers of a booting
// SMS stack (+CMS/+CME codes: SIM busy, not inserted yet, unknown error...) rather than a
// plain ERROR or COMMAND NOT SUPPORT for a query the modem does not have.
func notReadyYet(err error) bool {
	_, cms := at.CMSCode(err)
	_, cme := at.CMECode(err)
	return cms || cme
}

// chooseStorage picks the receive store from AT+CPMS=? (MT, then ME, then SM), sets it
// as <mem1>, <mem2> and <mem3>, and remembers every store to drain.
func (m *Modem) chooseStorage(ctx context.Context) error {
	lines, err := m.cmd(ctx, "+CPMS=?")
	if f := m.fatal(ctx, err); f != nil {
		return f
	}
	offered := parseCPMSOptions(lines)
	m.sess.mem, m.sess.stores = chooseStores(offered)
	lines, err, fatal := m.selectStorage(ctx)
	if fatal != nil {
		return fatal
	}
	if err != nil {
		m.log.Warn("modem refused the chosen SMS storage; keeping its default", "storage", m.sess.mem, "error", err)
	}
	used, total := parseCPMSUse(lines)
	m.update(func(s *Status) { s.Storage, s.StorageUsed, s.StorageTotal = m.sess.mem, used, total })
	return nil
}

// selectStorage sets the chosen store as <mem1>,<mem2>,<mem3>; modems that take fewer
// parameters get two, then one (the receive store <mem3> then stays the modem's, and
// every store is drained anyway). Huawei's storage lags after boot: the full form is
// tried twice. It returns the answer, the last refusal, and a session-ending error.
func (m *Modem) selectStorage(ctx context.Context) ([]string, error, error) {
	mem := m.sess.mem
	tries := []string{
		fmt.Sprintf(`+CPMS="%s","%s","%s"`, mem, mem, mem),
		fmt.Sprintf(`+CPMS="%s","%s","%s"`, mem, mem, mem),
		fmt.Sprintf(`+CPMS="%s","%s"`, mem, mem),
		fmt.Sprintf(`+CPMS="%s"`, mem),
	}
	var err error
	for i, c := range tries {
		var lines []string
		lines, err = m.cmd(ctx, c)
		if f := m.fatal(ctx, err); f != nil {
			return nil, nil, f
		}
		if err == nil {
			return lines, nil, nil
		}
		if i == 0 && !m.sleep(ctx, 500*time.Millisecond) {
			return nil, nil, ctx.Err()
		}
	}
	return nil, err, nil
}

// setCharset selects the GSM character set so string fields (+CNUM, +COPS?, the <mem> of
// +CMTI) come back as plain text. A modem left in UCS2 by another program wants the
// argument itself in UCS2 hex ("00470053004D" is "GSM", gammu's ATGEN_SetCharset); when
// no choice is accepted and the modem says UCS2, string fields are decoded instead.
func (m *Modem) setCharset(ctx context.Context) error {
	lines, err := m.cmd(ctx, "+CSCS?")
	if f := m.fatal(ctx, err); f != nil {
		return f
	}
	cur := ""
	if err == nil {
		cur = bareValue(lines)
		if d, ok := ucs2Hex(cur); ok { // in UCS2 even the answer is ("0055004300530032")
			cur = d
		}
		cur = strings.ToUpper(cur)
	}
	tries := []string{`"GSM"`, `"IRA"`, `"00470053004D"`}
	if cur == "UCS2" {
		tries = []string{`"00470053004D"`, `"GSM"`, `"004900520041"`}
	}
	for _, c := range tries {
		_, err = m.cmd(ctx, "+CSCS="+c)
		if f := m.fatal(ctx, err); f != nil {
			return f
		}
		if err == nil {
			m.sess.ucs2 = false
			return nil
		}
	}
	m.sess.ucs2 = cur == "UCS2"
	m.log.Warn("modem kept its character set; string fields are decoded as far as possible", "charset", cur, "error", err)
	return nil
}

// text decodes a string field the modem may have sent in UCS2 hex.
func (m *Modem) text(s string) string {
	if m.sess.ucs2 {
		if d, ok := ucs2Hex(s); ok {
			return d
		}
	}
	return s
}

// setCNMI enables store-and-notify (+CMTI) with values chosen from AT+CNMI=?, trying
// fallbacks; direct delivery (<mt>=2) is never requested.
func (m *Modem) setCNMI(ctx context.Context) error {
	m.sess.cnmi = ""
	lines, err := m.cmd(ctx, "+CNMI=?")
	if f := m.fatal(ctx, err); f != nil {
		return f
	}
	for _, c := range cnmiCandidates(parseCNMIRanges(lines)) {
		_, err = m.cmd(ctx, "+CNMI="+c)
		if f := m.fatal(ctx, err); f != nil {
			return f
		}
		if err == nil {
			m.sess.cnmi = c
			m.log.Info("new-message indications enabled", "cnmi", c)
			return nil
		}
	}
	m.log.Warn("modem accepted no +CNMI setting; relying on periodic scans", "error", err)
	return nil
}

// smsFacts reads +CSMS? (whether a +CMT must be acknowledged).
func (m *Modem) smsFacts(ctx context.Context) error {
	lines, err := m.cmd(ctx, "+CSMS?")
	if f := m.fatal(ctx, err); f != nil {
		return f
	}
	m.sess.csmsService = 0
	if err == nil && len(lines) > 0 {
		if f := fields(lines[0]); len(f) > 0 && f[0] == "1" {
			m.sess.csmsService = 1
		}
	}
	return nil
}
