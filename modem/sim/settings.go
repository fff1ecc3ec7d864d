package sim

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
)

// cpinH answers +CPIN? and +CPIN="pin" (wrong PINs count down to PUK).
func cpinH(s *Sim, arg string) reply {
	if s.faults.noSIM {
		return s.cme(10)
	}
	switch {
	case arg == "?":
		switch {
		case s.faults.pukLocked:
			return ok("+CPIN: SIM PUK")
		case !s.st.pinOK:
			return ok("+CPIN: SIM PIN")
		}
		return ok("+CPIN: READY")
	case arg == "=?":
		return ok()
	}
	if s.faults.pukLocked {
		return s.cme(12)
	}
	if s.st.pinOK {
		return s.cme(3)
	}
	pin := strings.Trim(strings.TrimPrefix(arg, "="), `"`)
	if pin != s.faults.pin {
		s.faults.pinLeft--
		s.faults.wrongPINs++
		if s.faults.pinLeft <= 0 {
			s.faults.pukLocked = true
		}
		return s.cme(16)
	}
	s.st.pinOK, s.faults.pinLeft = true, 3
	return ok()
}

// cpinrH answers +CPINR (27.007 retry counters).
func cpinrH(s *Sim, arg string) reply {
	if s.faults.noSIM {
		return s.cme(10)
	}
	return ok(fmt.Sprintf("+CPINR: SIM PIN,%d,3", s.faults.pinLeft),
		fmt.Sprintf("+CPINR: SIM PUK,%d,10", s.faults.pukLeft))
}

func cscsH(s *Sim, arg string) reply {
	switch arg {
	case "?":
		return ok(fmt.Sprintf("+CSCS: %q", s.enc(s.st.cscs)))
	case "=?":
		return ok(`+CSCS: ("GSM","IRA","UCS2")`)
	}
	v := strings.Trim(strings.TrimPrefix(arg, "="), `"`)
	if s.st.cscs == "UCS2" { // the argument is a string: UCS2 hex too (gammu ATGEN_SetCharset)
		d, ok := decodeUCS2(v)
		if !ok {
			return errReply
		}
		v = d
	}
	if v != "GSM" && v != "IRA" && v != "UCS2" {
		return errReply
	}
	s.st.cscs = v
	return ok()
}

func decodeUCS2(h string) (string, bool) {
	if len(h)%4 != 0 || h == "" {
		return "", false
	}
	var u []uint16
	for i := 0; i < len(h); i += 4 {
		n, err := strconv.ParseUint(h[i:i+4], 16, 16)
		if err != nil {
			return "", false
		}
		u = append(u, uint16(n))
	}
	return string(utf16.Decode(u)), true
}

// cnmiH rejects values outside the profile's ranges with ERROR, like real firmware.
func cnmiH(s *Sim, arg string) reply {
	switch arg {
	case "=?":
		return ok(s.q.cnmiText)
	case "?":
		c := s.st.cnmi
		return ok(fmt.Sprintf("+CNMI: %d,%d,%d,%d,%d", c[0], c[1], c[2], c[3], c[4]))
	}
	parts := strings.Split(strings.TrimPrefix(arg, "="), ",")
	if len(parts) > 5 {
		return errReply
	}
	v := s.st.cnmi
	for i, p := range parts {
		n, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil || !slices.Contains(s.q.cnmi[i], n) {
			return errReply
		}
		v[i] = n
	}
	s.st.cnmi = v
	return ok()
}

// regH answers +CREG/+CEREG/+CGREG: "=n" sets the URC mode, "?" reports.
func regH(eps bool) handler {
	return func(s *Sim, arg string) reply {
		mode, stat, name := &s.st.creg, s.faults.creg, "+CREG"
		if eps {
			mode, stat, name = &s.st.cereg, s.faults.cereg, "+CEREG"
		}
		switch arg {
		case "=?":
			return ok(name + ": (0-2)")
		case "?":
			if *mode == 2 && (stat == 1 || stat == 5) {
				return ok(fmt.Sprintf(`%s: %d,%d,"00A1","01A2B3C",7`, name, *mode, stat))
			}
			return ok(fmt.Sprintf("%s: %d,%d", name, *mode, stat))
		}
		n, err := strconv.Atoi(strings.TrimPrefix(arg, "="))
		if err != nil || n < 0 || n > 2 {
			return errReply
		}
		*mode = n
		return ok()
	}
}

func copsH(s *Sim, arg string) reply {
	if arg != "?" {
		return ok()
	}
	if s.faults.creg != 1 && s.faults.creg != 5 && s.faults.cereg != 1 && s.faults.cereg != 5 {
		return ok("+COPS: 0")
	}
	return ok(fmt.Sprintf(`+COPS: 0,0,%q,7`, s.enc("Firmline Sim")))
}

func cnumH(s *Sim, arg string) reply {
	if s.opt.OwnNumber == "" {
		return ok()
	}
	return ok(fmt.Sprintf(`+CNUM: "",%q,145`, s.enc(s.opt.OwnNumber)))
}

func cnmaH(s *Sim, arg string) reply { return ok() }

// cfunH answers +CFUN; "=1,1" resets: OK, then a brief unplug and a fresh boot.
func cfunH(s *Sim, arg string) reply {
	switch arg {
	case "?":
		return ok("+CFUN: 1")
	case "=?":
		return ok("+CFUN: (0,1,4),(0,1)")
	case "=1,1":
		s.faults.resets++
		s.faults.wedged = false
		r := ok()
		r.after = func() {
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				s.Unplug()
				time.Sleep(100 * time.Millisecond) // the modem reboots
				s.Replug()
			}()
		}
		return r
	}
	return ok()
}

// qurccfgH: Quectel URC port, kept in "NVRAM" (survives resets), factory "usbmodem".
func qurccfgH(s *Sim, arg string) reply {
	v := strings.TrimPrefix(arg, "=")
	if arg == "?" || v == `"urcport"` {
		return ok(fmt.Sprintf(`+QURCCFG: "urcport",%q`, s.nv.qurcport))
	}
	parts := strings.Split(v, ",")
	if len(parts) != 2 || parts[0] != `"urcport"` {
		return errReply
	}
	s.nv.qurcport = strings.Trim(parts[1], `"`)
	s.nv.writes++
	r := ok()
	r.after = s.flushPending
	return r
}

// curcH: Huawei periodic URCs on/off.
func curcH(s *Sim, arg string) reply {
	switch arg {
	case "?":
		if s.st.curc {
			return ok("^CURC: 1")
		}
		return ok("^CURC: 0")
	case "=0":
		s.st.curc = false
		return ok()
	case "=1":
		s.st.curc = true
		return ok()
	}
	return errReply
}

// portselH: Huawei URC port, 0 = PCUI (the host's port), 1 = modem port.
func portselH(s *Sim, arg string) reply {
	switch arg {
	case "?":
		return ok(fmt.Sprintf("^PORTSEL: %d", s.nv.portsel))
	case "=0", "=1":
		s.nv.portsel = int(arg[1] - '0')
		s.nv.writes++
		return ok()
	}
	return errReply
}

// catrH: SIMCom URC port (not saved: 1 = UART after every boot).
func catrH(s *Sim, arg string) reply {
	switch arg {
	case "?":
		return ok(fmt.Sprintf("+CATR: %d", s.st.catr))
	case "=?":
		return ok("+CATR: (0-7)")
	}
	n, err := strconv.Atoi(strings.TrimPrefix(arg, "="))
	if err != nil || n < 0 || n > 7 {
		return errReply
	}
	s.st.catr = n
	r := ok()
	r.after = s.flushPending
	return r
}
