package sim

import (
	"fmt"
	"strconv"
	"strings"
)

// Deliver hands PDUs (hex, SMSC address included, as AT+CMGL prints them) to the modem,
// as the network would. Each is stored in a free slot of the receive store (<mem3>) and
// announced with +CMTI; while storage is full or the modem is unplugged they wait at the
// "SMSC" and are delivered, in order, when a slot frees or the modem comes back.
func (s *Sim) Deliver(pdus ...string) error {
	for _, p := range pdus {
		if len(p) < 2 || len(p)%2 != 0 {
			return fmt.Errorf("sim: PDU %q is not hex", p)
		}
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return ErrClosed
	}
	s.pending = append(s.pending, pdus...)
	s.mu.Unlock()
	s.flushPending()
	return nil
}

// flushPending stores what the "SMSC" holds while there is room and writes the URCs.
func (s *Sim) flushPending() {
	s.mu.Lock()
	c := s.conn
	var urcs []string
	for c != nil && len(s.pending) > 0 && !s.faults.noSIM && !s.faults.silent {
		mem := s.st.mem[2]
		if s.opt.DeliverTo != "" {
			mem = s.opt.DeliverTo
		}
		i := s.free(mem)
		if i < 0 {
			if !s.st.simFullAnnounced && s.q.urcRoute == "PORTSEL" {
				urcs = append(urcs, "^SMMEMFULL: \""+mem+"\"")
			}
			s.st.simFullAnnounced = true
			break
		}
		s.st.simFullAnnounced = false
		idx := s.index(i)
		s.stores[mem][i] = &Slot{Storage: mem, Index: idx, Stat: 0, PDU: s.pending[0]}
		s.pending = s.pending[1:]
		if s.faults.dropCMTI > 0 {
			s.faults.dropCMTI--
			continue
		}
		if s.urcsReachUs() && s.st.cnmi[1] == 1 {
			urcs = append(urcs, fmt.Sprintf("+CMTI: %q,%d", s.enc(mem), idx))
		}
	}
	s.mu.Unlock()
	pre, post := s.framing()
	for _, u := range urcs {
		s.write(c, pre+u+post)
	}
}

// urcsReachUs reports whether the vendor URC routing points at the host's port.
func (s *Sim) urcsReachUs() bool {
	switch s.q.urcRoute {
	case "QURCCFG":
		return s.nv.qurcport == "usbat" || s.nv.qurcport == "all"
	case "CATR":
		return s.st.catr == 0 || s.st.catr == 3
	case "PORTSEL":
		return s.nv.portsel == 0
	}
	return true
}

func (s *Sim) free(mem string) int {
	for i, sl := range s.stores[mem] {
		if sl == nil {
			return i
		}
	}
	return -1
}

func (s *Sim) index(slot int) int {
	if s.q.zeroBased {
		return slot
	}
	return slot + 1
}

func (s *Sim) slot(mem string, index int) (int, bool) {
	i := index
	if !s.q.zeroBased {
		i--
	}
	return i, i >= 0 && i < len(s.stores[mem])
}

func (s *Sim) used(mem string) int {
	n := 0
	for _, sl := range s.stores[mem] {
		if sl != nil {
			n++
		}
	}
	return n
}

func quoteList(v []string) string {
	q := make([]string, len(v))
	for i, x := range v {
		q[i] = strconv.Quote(x)
	}
	return "(" + strings.Join(q, ",") + ")"
}

// cpmsH answers +CPMS=?, +CPMS? and +CPMS="a"[,"b"[,"c"]].
func cpmsH(s *Sim, arg string) reply {
	switch arg {
	case "=?":
		l := quoteList(s.q.stores)
		return ok("+CPMS: " + l + "," + l + "," + l)
	case "?":
		if s.opt.NoCPMSQuery {
			return errReply
		}
		var parts []string
		for _, m := range s.st.mem {
			parts = append(parts, fmt.Sprintf("%q,%d,%d", m, s.used(m), s.opt.Slots))
		}
		return ok("+CPMS: " + strings.Join(parts, ","))
	}
	names := strings.Split(strings.TrimPrefix(arg, "="), ",")
	if len(names) == 0 || len(names) > 3 || (s.opt.CPMSParams > 0 && len(names) > s.opt.CPMSParams) ||
		(s.opt.CPMSAll && len(names) != 3) {
		return errReply
	}
	mem := s.st.mem
	for i, n := range names {
		n = strings.Trim(strings.TrimSpace(n), `"`)
		if _, ok := s.stores[n]; !ok {
			return s.cms(302)
		}
		mem[i] = n
	}
	s.st.mem = mem
	var parts []string
	for _, m := range mem {
		parts = append(parts, fmt.Sprintf("%d,%d", s.used(m), s.opt.Slots))
	}
	r := ok("+CPMS: " + strings.Join(parts, ","))
	r.after = s.flushPending // a new <mem3> may have room
	return r
}

// tpduLen is the <length> field: the PDU's octets minus the SMSC address.
func tpduLen(pdu string) int {
	n := len(pdu) / 2
	if smsc, err := strconv.ParseUint(pdu[:2], 16, 8); err == nil && int(smsc) < n {
		return n - 1 - int(smsc)
	}
	return n
}

// cmglH lists <mem1>: +CMGL=4 (all) or 0..3 by stat; text-mode "ALL" is an error in PDU mode.
func cmglH(s *Sim, arg string) reply {
	want := -1
	switch v := strings.TrimPrefix(arg, "="); {
	case arg == "=?":
		return ok("+CMGL: (0-4)")
	case s.st.cmgf != 0 || strings.HasPrefix(v, `"`):
		return s.cms(302)
	case v == "4" && s.opt.Listing == "noarg4":
		return errReply
	case v == "" && s.opt.Listing == "noarg4":
		want = 0 // 27.005: a bare AT+CMGL lists "received unread" only
	case v == "" || v == "4":
	default:
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 4 {
			return s.cms(302)
		}
		want = n
	}
	var lines []string
	for _, sl := range s.stores[s.st.mem[0]] {
		if sl == nil || (want >= 0 && sl.Stat != want) {
			continue
		}
		lines = append(lines, s.cmglLines(sl)...)
		if sl.Stat == 0 {
			sl.Stat = 1
		}
	}
	r := ok(lines...)
	r.noBlank = s.q.cmglNoBlank
	return r
}

// cmglLines is one listing entry: header and PDU, in the family's and Options' format.
func (s *Sim) cmglLines(sl *Slot) []string {
	n, pdu := tpduLen(sl.PDU), sl.PDU
	head := fmt.Sprintf("+CMGL: %d,%d,,%d", sl.Index, sl.Stat, n)
	switch {
	case s.opt.Listing == "alpha":
		head = fmt.Sprintf(`+CMGL: %d,%d,"Alice, Bob",%d`, sl.Index, sl.Stat, n)
	case s.q.cmglNoAlpha:
		head = fmt.Sprintf("+CMGL: %d,%d,%d", sl.Index, sl.Stat, n)
	}
	if s.opt.Listing == "lower" {
		pdu = strings.ToLower(pdu) + "  "
	}
	return []string{head, pdu}
}

func (s *Sim) lookup(arg string) (*Slot, int, reply, bool) {
	args := strings.Split(strings.TrimPrefix(arg, "="), ",")
	idx, err := strconv.Atoi(strings.TrimSpace(args[0]))
	if err != nil {
		return nil, 0, s.cms(302), false
	}
	mem := s.st.mem[0]
	i, valid := s.slot(mem, idx)
	if !valid {
		return nil, 0, s.cms(321), false
	}
	return s.stores[mem][i], i, reply{}, true
}

func cmgrH(s *Sim, arg string) reply {
	sl, _, r, valid := s.lookup(arg)
	if !valid {
		return r
	}
	if sl == nil {
		return ok() // empty slot: OK with no data, as most modems answer
	}
	r = ok(fmt.Sprintf("+CMGR: %d,,%d", sl.Stat, tpduLen(sl.PDU)), sl.PDU)
	if sl.Stat == 0 {
		sl.Stat = 1
	}
	return r
}

// cmgdH deletes one index (delflag 0 only: the simulator refuses bulk deletes so a test
// notices one) and lets a held message in.
func cmgdH(s *Sim, arg string) reply {
	if strings.Contains(arg, ",") && !strings.HasSuffix(arg, ",0") {
		s.faults.bulkDeletes++
		return s.cms(302)
	}
	_, i, r, valid := s.lookup(arg)
	if !valid {
		return r
	}
	s.stores[s.st.mem[0]][i] = nil
	r = ok()
	r.after = s.flushPending
	return r
}
