package modem

import (
	"context"
	"strconv"
	"strings"
)

// facts is one health cycle's reading.
type facts struct {
	creg, cereg  int // registration <stat>, -1 unknown
	csq, rsrp    int
	operator     string
	used, total  int
	smsStackOK   bool // +CPMS? and +CSMS? answered
	storageFull  bool
	storageKnown bool
	store        string // <mem1> named by +CPMS?
}

// healthCheck is the periodic liveness check and state refresh: AT, +CPIN?, +CREG?,
// +CEREG?, +CSQ, +CESQ, +COPS?, +CPMS?, +CSMS?. A modem whose SIM is not ready is
// re-initialised instead.
func (m *Modem) healthCheck(ctx context.Context) error {
	if _, err := m.cmd(ctx, ""); err != nil {
		if f := m.fatal(ctx, err); f != nil {
			return f
		}
	}
	if !m.sess.initialised {
		return m.initialise(ctx)
	}
	code, err := m.cpin(ctx)
	if err != nil {
		return err
	}
	if code != "READY" {
		m.sess.initialised = false
		return m.unlockSIM(ctx) // sets the state
	}
	f, err := m.collect(ctx)
	if err != nil {
		return err
	}
	m.apply(f)
	m.touch()
	if f.storageFull {
		if err := m.drainAll(ctx, false); err != nil { // draining is what frees room
			return err
		}
	}
	return m.checkCNMI(ctx)
}

// checkCNMI restores new-message indications a modem lost without telling us (a reset
// with no RDY, another program on another interface — Cinterion resets CNMI on every
// other port): when AT+CNMI? shows <mt>=0 although a setting was accepted, it is set
// again and the stores are drained (messages stored meanwhile were never announced).
func (m *Modem) checkCNMI(ctx context.Context) error {
	if p := strings.Split(m.sess.cnmi, ","); len(p) < 2 || p[1] == "0" {
		return nil
	}
	lines, err := m.cmd(ctx, "+CNMI?")
	if f := m.fatal(ctx, err); f != nil {
		return f
	}
	if err != nil || len(lines) == 0 {
		return nil
	}
	if f := fields(lines[0]); len(f) < 2 || f[1] != "0" {
		return nil
	}
	m.log.Warn("modem lost its new-message indication setting; setting it again", "cnmi", m.sess.cnmi)
	if err := m.setCNMI(ctx); err != nil {
		return err
	}
	return m.drainAll(ctx, false)
}

// collect reads the state; only session-ending errors are returned.
func (m *Modem) collect(ctx context.Context) (facts, error) {
	f := facts{creg: -1, cereg: -1, csq: 99}
	ask := func(c string) ([]string, bool, error) {
		lines, err := m.cmd(ctx, c)
		if fe := m.fatal(ctx, err); fe != nil {
			return nil, false, fe
		}
		m.noteCMS(err)
		return lines, err == nil && len(lines) > 0, nil
	}
	var lines []string
	var ok bool
	var err error
	steps := []struct {
		cmd string
		use func()
	}{
		{"+CREG?", func() { f.creg = regStat(lines) }},
		{"+CEREG?", func() { f.cereg = regStat(lines) }},
		{"+CSQ", func() { f.csq = atoi(fields(lines[0])[0], 99) }},
		{"+CESQ", func() { f.rsrp = parseRSRP(lines[0]) }},
		{"+COPS?", func() { f.operator = m.text(parseCOPS(lines[0])) }},
		{"+CPMS?", func() {
			f.used, f.total = parseCPMSUse(lines)
			f.store, f.storageKnown, f.smsStackOK = m.text(fields(lines[0])[0]), true, true
		}},
		{"+CSMS?", func() {}},
	}
	for _, s := range steps {
		if lines, ok, err = ask(s.cmd); err != nil {
			return f, err
		}
		if ok {
			s.use()
		} else if s.cmd == "+CPMS?" || s.cmd == "+CSMS?" {
			f.smsStackOK = false
		}
	}
	m.urcMu.Lock()
	f.storageFull = m.memFull || (f.total > 0 && f.used*10 >= f.total*9)
	m.urcMu.Unlock()
	return f, nil
}

// apply turns facts into the status and state.
func (m *Modem) apply(f facts) {
	state, problem := stateOf(f)
	m.update(func(s *Status) {
		s.State, s.LastError = state, problem
		s.Registration = regName(f.creg, f.cereg)
		s.CSQ, s.RSRP, s.SignalBars = f.csq, f.rsrp, bars(f.csq, f.rsrp)
		s.Operator = f.operator
		if f.storageKnown {
			s.StorageUsed, s.StorageTotal = f.used, f.total
		}
		if s.Storage == "" && atoi(f.store, -1) < 0 {
			s.Storage = f.store
		}
	})
}

// stateOf derives the state from a healthy SIM's facts.
//
// "no-sms-service": SMS needs circuit-switched/SGs registration (+CREG home/roaming, or
// +CEREG "SMS only" 6/7) or IMS. The rule used here: +CEREG registered (1/5) while +CREG
// is not (not 1/5) and +CEREG is not SMS-only, AND the SMS stack does not answer
// (+CPMS? or +CSMS? fail). IMS registration cannot be checked generically, so a modem on
// an IMS-only network with a working SMS stack is reported "ready".
func stateOf(f facts) (string, string) {
	csReg := f.creg == 1 || f.creg == 5 || f.cereg == 6 || f.cereg == 7
	epsReg := f.cereg == 1 || f.cereg == 5
	unknown := f.creg < 0 && f.cereg < 0 // neither query answered: cannot tell
	switch {
	case !csReg && !epsReg && !(unknown && f.smsStackOK):
		return StateNoNetwork, "not registered on a network (" + regName(f.creg, f.cereg) + "); check the antenna, coverage and that the SIM is active"
	case epsReg && !csReg && !f.smsStackOK:
		return StateNoSMSService, "registered on LTE for data only: the network offers no SMS (no SGs/SMS-only registration or IMS); ask the operator or enable IMS"
	case f.storageFull:
		return StateStorageFull, "SMS storage is (nearly) full; new messages wait at the operator until space is freed"
	}
	return StateReady, ""
}

// regStat is <stat> of the query answer "+CREG: <n>,<stat>[,...]"; -1 if unknown. With
// +CREG=2 set, a registration URC ("+CREG: <stat>,"<lac>","<ci>",<AcT>", or "+CREG: <stat>")
// can land among the answer lines; its second field is quoted (or absent), so it is
// skipped rather than read as <n>,<stat>.
func regStat(lines []string) int {
	for _, l := range lines {
		raw := strings.Split(afterColon(l), ",")
		if len(raw) < 2 || strings.Contains(raw[1], `"`) {
			continue
		}
		if n := atoi(raw[0], -1); n < 0 || n > 3 {
			continue
		}
		if v := atoi(raw[1], -1); v >= 0 {
			return v
		}
	}
	return -1
}

// regName names the best of the two registrations.
func regName(creg, cereg int) string {
	for _, s := range []int{creg, cereg} {
		switch s {
		case 1:
			return "home"
		case 5:
			return "roaming"
		case 6:
			return "sms-only"
		case 7:
			return "sms-only-roaming"
		}
	}
	for _, s := range []int{creg, cereg} {
		switch s {
		case 2:
			return "searching"
		case 3:
			return "denied"
		}
	}
	if creg == 0 || cereg == 0 {
		return "not-registered"
	}
	return "unknown"
}

// parseRSRP converts +CESQ's <rsrp> (0-97 -> -141+x dBm, 255 unknown) to dBm, 0 unknown.
func parseRSRP(line string) int {
	f := fields(line)
	if len(f) < 6 {
		return 0
	}
	v := atoi(f[5], 255)
	if v < 0 || v > 97 {
		return 0
	}
	return v - 141
}

// parseCOPS is the operator name of "+COPS: 0,0,"Name",7", or "".
func parseCOPS(line string) string {
	f := fields(line)
	if len(f) < 3 {
		return ""
	}
	return strings.TrimSpace(f[2])
}

// bars is a 0-5 signal bar from CSQ (preferred) or RSRP; -1 when both are unknown.
func bars(csq, rsrp int) int {
	switch {
	case csq >= 0 && csq <= 31:
		for i, limit := range []int{2, 10, 15, 20, 25} {
			if csq < limit {
				return i
			}
		}
		return 5
	case rsrp != 0:
		for i, limit := range []int{-120, -110, -100, -90, -80} {
			if rsrp < limit {
				return i
			}
		}
		return 5
	}
	return -1
}

func atoi(s string, def int) int {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return def
	}
	return n
}
