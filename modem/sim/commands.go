package sim

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"unicode/utf16"
)

// reply is a command's answer: information lines and a final result; after runs once the
// answer is written (a reset, a delayed delivery).
type reply struct {
	lines   []string
	final   string
	noBlank bool // Huawei CMGL: no blank line before OK
	after   func()
}

func ok(lines ...string) reply { return reply{lines: lines, final: "OK"} }

var errReply = reply{final: "ERROR"}

// handler answers one command; arg is what follows the name ("=4", "?", "=?", "").
// Handlers run with s.mu held.
type handler func(s *Sim, arg string) reply

var handlers map[string]handler

func init() {
	handlers = map[string]handler{
		"": okH, "E0": echoH(false), "E1": echoH(true), "V1": okH, "Z": resetH, "&F": resetH,
		"I": identH, "+CGMI": lineH(func(q quirks) string { return q.manufacturer }),
		"+CGMM": lineH(func(q quirks) string { return q.model }),
		"+CGMR": lineH(func(q quirks) string { return q.cgmrPrefix + q.revision }),
		"+CGSN": lineH(func(quirks) string { return IMEI }),
		"+CMEE": intSetH(func(st *state) *int { return &st.cmee }, 0, 2),
		"+CMGF": intSetH(func(st *state) *int { return &st.cmgf }, 0, 1),
		"+CIMI": simH(func(s *Sim, _ string) reply { return ok(IMSI) }),
		"+CCID": simH(ccidH("+CCID: ")), "+QCCID": simH(ccidH("+QCCID: ")),
		"+CICCID": simH(ccidH("+ICCID: ")), "^ICCID": simH(ccidH("^ICCID: ")),
		"+CPIN": cpinH, "+CPINR": cpinrH, "+CSCS": cscsH, "+CPMS": simH(cpmsH),
		"+CNMI": cnmiH, "+CMGL": simH(cmglH), "+CMGR": simH(cmgrH), "+CMGD": simH(cmgdH),
		"+CREG": regH(false), "+CEREG": regH(true), "+CGREG": regH(false),
		"+COPS": copsH, "+CSQ": csqH, "+CESQ": fixedH("+CESQ: 99,99,255,255,20,50"),
		"+CNUM": simH(cnumH), "+CSMS": fixedH("+CSMS: 0,1,1,1"), "+CNMA": cnmaH,
		"+CFUN": cfunH, "+QURCCFG": qurccfgH, "^CURC": curcH, "^PORTSEL": portselH,
		"+CATR": catrH, "!GSTATUS": fixedH("!GSTATUS:", "Current Time:  1234", "LTE band: B3"),
		"+GCAP": fixedH("+GCAP: +CGSM"),
	}
}

// Fixed identities of the simulated modem and SIM.
const (
	IMEI  = "861234567890125"
	IMSI  = "001010123456789"
	ICCID = "8901260123456789012"
)

// answer logs, executes and writes one command's answer.
func (s *Sim) answer(c *conn, cmd string) {
	s.mu.Lock()
	s.cmds = append(s.cmds, cmd)
	if s.faults.wedged && !strings.EqualFold(cmd, "AT+CFUN=1,1") {
		s.mu.Unlock()
		return
	}
	r := s.exec(cmd)
	rssi := s.q.rssiSpam
	s.mu.Unlock()
	s.send(c, r, rssi)
	if r.after != nil {
		r.after()
	}
}

// send writes r line by line, so URCs from other goroutines can land between lines, as
// Huawei's ^RSSI does (inserted here too, at random points).
func (s *Sim) send(c *conn, r reply, rssi bool) {
	pre, post := s.framing()
	for i, l := range r.lines {
		if i == 0 {
			l = pre + l
		}
		s.write(c, l+post)
		if rssi && rand.IntN(3) == 0 {
			s.write(c, fmt.Sprintf("%s^RSSI: %d%s", pre, 5+rand.IntN(25), post))
		}
	}
	if r.noBlank && len(r.lines) > 0 {
		s.write(c, r.final+post)
		return
	}
	s.write(c, pre+r.final+post)
}

// framing is what goes before and after a line (Options.Framing).
func (s *Sim) framing() (pre, post string) {
	switch s.opt.Framing {
	case "trailing":
		return "", "\r\n"
	case "cr":
		return "", "\r"
	case "lf":
		return "", "\n"
	}
	return "\r\n", "\r\n"
}

// enc encodes a string field in the current character set (UCS2 hex when UCS2).
func (s *Sim) enc(v string) string {
	if s.st.cscs != "UCS2" {
		return v
	}
	var b strings.Builder
	for _, u := range utf16.Encode([]rune(v)) {
		fmt.Fprintf(&b, "%04X", u)
	}
	return b.String()
}

// exec runs one command under s.mu.
func (s *Sim) exec(cmd string) reply {
	if len(cmd) < 2 || !strings.EqualFold(cmd[:2], "AT") {
		return errReply
	}
	body := cmd[2:]
	name, arg := body, ""
	if body != "" && strings.ContainsRune("+^!#$", rune(body[0])) {
		if i := strings.IndexAny(body, "=?"); i >= 0 {
			name, arg = body[:i], body[i:]
		}
	}
	name = strings.ToUpper(name)
	if r, ok := s.faults.next(name); ok {
		return r
	}
	h, found := handlers[name]
	if !found || (name == "+CPINR" && !s.q.cpinr) || !s.routeCmd(name) {
		if s.q.notSupported {
			return reply{final: "COMMAND NOT SUPPORT"}
		}
		return errReply
	}
	return h(s, arg)
}

// routeCmd reports whether the family knows a vendor routing command.
func (s *Sim) routeCmd(name string) bool {
	switch name {
	case "+QURCCFG":
		return s.q.urcRoute == "QURCCFG"
	case "^CURC", "^PORTSEL", "^ICCID":
		return s.q.urcRoute == "PORTSEL"
	case "+CATR", "+CICCID":
		return s.q.urcRoute == "CATR"
	case "+QCCID":
		return s.q.urcRoute == "QURCCFG"
	case "!GSTATUS":
		return s.opt.Profile == SierraEM7455
	case "+CCID":
		return s.q.urcRoute != "PORTSEL"
	}
	return true
}

func okH(*Sim, string) reply { return ok() }

func csqH(s *Sim, _ string) reply { return ok("+CSQ: " + cmp.Or(s.opt.CSQ, "20,99")) }

func echoH(on bool) handler {
	return func(s *Sim, _ string) reply { s.st.echo = on; return ok() }
}

func resetH(s *Sim, _ string) reply {
	s.st.echo, s.st.cmee, s.st.cmgf = s.opt.Echo, 0, 0
	return ok()
}

func identH(s *Sim, _ string) reply {
	return ok(s.q.manufacturer, s.q.model, "Revision: "+s.q.revision)
}

func lineH(f func(quirks) string) handler {
	return func(s *Sim, arg string) reply {
		if arg != "" {
			return ok()
		}
		return ok(f(s.q))
	}
}

func fixedH(lines ...string) handler {
	return func(s *Sim, arg string) reply { return ok(lines...) }
}

// intSetH handles "=n" in [lo,hi], "?" and "=?" for a simple integer setting.
func intSetH(field func(*state) *int, lo, hi int) handler {
	return func(s *Sim, arg string) reply {
		switch {
		case arg == "=?":
			return ok()
		case arg == "?":
			return ok(fmt.Sprintf("%d", *field(&s.st)))
		}
		n, err := strconv.Atoi(strings.TrimPrefix(arg, "="))
		if err != nil || n < lo || n > hi {
			return errReply
		}
		*field(&s.st) = n
		return ok()
	}
}

// simH gates a handler on an inserted, unlocked SIM.
func simH(h handler) handler {
	return func(s *Sim, arg string) reply {
		if r, bad := s.simBlocked(); bad {
			return r
		}
		return h(s, arg)
	}
}

func (s *Sim) simBlocked() (reply, bool) {
	switch {
	case s.faults.noSIM:
		return s.cme(10), true
	case s.faults.pukLocked:
		return s.cme(12), true
	case !s.st.pinOK:
		return s.cme(11), true
	}
	return reply{}, false
}

func ccidH(prefix string) handler {
	return func(s *Sim, _ string) reply { return ok(prefix + ICCID) }
}

// cme and cms format errors according to AT+CMEE.
func (s *Sim) cme(code int) reply { return s.errFmt("+CME ERROR: ", code, cmeText) }
func (s *Sim) cms(code int) reply { return s.errFmt("+CMS ERROR: ", code, cmsText) }

func (s *Sim) errFmt(prefix string, code int, texts map[int]string) reply {
	switch s.st.cmee {
	case 0:
		return errReply
	case 2:
		if t, ok := texts[code]; ok {
			return reply{final: prefix + t}
		}
	}
	return reply{final: prefix + strconv.Itoa(code)}
}

var cmeText = map[int]string{10: "SIM not inserted", 11: "SIM PIN required", 12: "SIM PUK required",
	14: "SIM busy", 16: "incorrect password", 3: "operation not allowed"}
var cmsText = map[int]string{310: "SIM not inserted", 311: "SIM PIN required", 314: "SIM busy",
	321: "invalid memory index", 322: "memory full", 500: "unknown error", 302: "operation not allowed"}
