package sim

import (
	"fmt"
	"os"
	"strings"
)

// faults is the injected misbehaviour and the counters tests assert on; guarded by Sim.mu.
type faults struct {
	dropCMTI    int
	silent      bool
	noSIM       bool
	pin         string // "" = no PIN lock
	pinLeft     int
	pukLeft     int
	pukLocked   bool
	wrongPINs   int
	creg, cereg int
	failNext    map[string][]string
	bulkDeletes int
	resets      int
	wedged      bool
}

// next pops a queued failure for the command name.
func (f *faults) next(name string) (reply, bool) {
	q := f.failNext[name]
	if len(q) == 0 {
		return reply{}, false
	}
	f.failNext[name] = q[1:]
	return reply{final: q[0]}, true
}

// DropCMTI stores the next n delivered messages without announcing them (a lost URC).
func (s *Sim) DropCMTI(n int) {
	s.mu.Lock()
	s.faults.dropCMTI = n
	s.mu.Unlock()
}

// Silent makes the modem ignore everything it receives (a hung firmware) until turned off.
// Deliveries wait at the "SMSC" meanwhile.
func (s *Sim) Silent(on bool) {
	s.mu.Lock()
	s.faults.silent = on
	s.mu.Unlock()
	if !on {
		s.flushPending()
	}
}

// Wedge hangs the firmware: it ignores every command (no echo, no answer) except
// AT+CFUN=1,1, which resets it (a brief unplug) and clears the hang.
func (s *Sim) Wedge() {
	s.mu.Lock()
	s.faults.wedged = true
	s.mu.Unlock()
}

// LoseCNMI makes the firmware forget its new-message indication setting (+CNMI back
// to 0,0,0,0,0) without any URC, as after a silent reset or when another interface
// sets CNMI (Cinterion restores the defaults on every other port).
func (s *Sim) LoseCNMI() {
	s.mu.Lock()
	s.st.cnmi = [5]int{}
	s.mu.Unlock()
}

// StoreSent puts an outgoing (MO, <stat> 3 "stored sent") message into the first store,
// as a self-test or another program leaves behind; a receiver must never delete it.
func (s *Sim) StoreSent(pdu string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	mem := s.q.stores[0]
	if i := s.free(mem); i >= 0 {
		s.stores[mem][i] = &Slot{Storage: mem, Index: s.index(i), Stat: 3, PDU: pdu}
	}
}

// DeliverReport stores an SMS-STATUS-REPORT PDU in the status-report store "SR" (not
// offered by AT+CPMS=?) and announces it with +CDSI, as with <ds>=2.
func (s *Sim) DeliverReport(pdu string) {
	s.mu.Lock()
	if s.stores["SR"] == nil {
		s.stores["SR"] = make([]*Slot, s.opt.Slots)
	}
	i := s.free("SR")
	if i < 0 {
		s.mu.Unlock()
		return
	}
	idx := s.index(i)
	s.stores["SR"][i] = &Slot{Storage: "SR", Index: idx, Stat: 0, PDU: pdu}
	urc := fmt.Sprintf("+CDSI: %q,%d", s.enc("SR"), idx)
	c := s.conn
	s.mu.Unlock()
	if c != nil {
		pre, post := s.framing()
		s.write(c, pre+urc+post)
	}
}

// Garbage writes junk bytes on the line now.
func (s *Sim) Garbage(b []byte) {
	s.mu.Lock()
	c := s.conn
	s.mu.Unlock()
	if c != nil {
		s.write(c, string(b))
	}
}

// Flash writes pdu as a direct "+CMT" URC without storing it, as a modem does with a
// class-0 message or when direct delivery is configured.
func (s *Sim) Flash(pdu string) {
	s.Garbage(fmt.Appendf(nil, "\r\n+CMT: ,%d\r\n%s\r\n", tpduLen(pdu), pdu))
}

// Unplug makes the device vanish: the pty is closed (the host's reads fail) and the
// symlink removed. Stored messages survive (they are on the SIM); new deliveries wait.
func (s *Sim) Unplug() {
	s.mu.Lock()
	c := s.conn
	s.conn = nil
	s.mu.Unlock()
	os.Remove(s.link)
	s.shutdown(c)
}

// Replug brings the device back under the same symlink with a fresh power-up state, then
// delivers what waited at the "SMSC".
func (s *Sim) Replug() error {
	s.mu.Lock()
	plugged := s.conn != nil
	s.mu.Unlock()
	if plugged {
		return nil
	}
	return s.plug()
}

// NoSIM removes (true) or reinserts (false) the SIM.
func (s *Sim) NoSIM(on bool) {
	s.mu.Lock()
	s.faults.noSIM = on
	s.mu.Unlock()
	if !on {
		s.flushPending()
	}
}

// PIN locks the SIM with pin at once (and at every power-up) until AT+CPIN="pin" is sent.
// Three wrong PINs lock it to PUK.
func (s *Sim) PIN(pin string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.pin = pin
	s.faults.pinLeft = 3
	s.st.pinOK = pin == ""
}

// Registration sets the circuit-switched (+CREG) and EPS (+CEREG) registration <stat>.
func (s *Sim) Registration(cs, eps int) {
	s.mu.Lock()
	s.faults.creg, s.faults.cereg = cs, eps
	s.mu.Unlock()
}

// FailNext answers the next command named name ("+CPMS", "+CMGL") with final instead of
// running it, e.g. FailNext("+CMGL", "+CMS ERROR: 500"). Calls queue.
func (s *Sim) FailNext(name, final string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.faults.failNext == nil {
		s.faults.failNext = map[string][]string{}
	}
	name = strings.ToUpper(name)
	s.faults.failNext[name] = append(s.faults.failNext[name], final)
}

// CMSError500Once makes the next listing (+CMGL) fail with "+CMS ERROR: 500", the
// "unknown error" Huawei and others give while busy.
func (s *Sim) CMSError500Once() { s.FailNext("+CMGL", "+CMS ERROR: 500") }

// Counters is what tests assert on.
type Counters struct {
	WrongPINs   int // AT+CPIN with a wrong PIN
	BulkDeletes int // AT+CMGD with a delflag (refused)
	Resets      int // AT+CFUN=1,1
	NVWrites    int // writes of NVRAM routing settings (QURCCFG, PORTSEL)
}

// Counters reports the fault counters.
func (s *Sim) Counters() Counters {
	s.mu.Lock()
	defer s.mu.Unlock()
	return Counters{WrongPINs: s.faults.wrongPINs, BulkDeletes: s.faults.bulkDeletes,
		Resets: s.faults.resets, NVWrites: s.nv.writes}
}
