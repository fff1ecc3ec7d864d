package modem

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"
)

// Pure parsers of information lines. Each tolerates missing or malformed fields and
// returns zero values rather than failing.

// afterColon is the text after the first ':' of "+X: ...", or the whole line.
func afterColon(line string) string {
	if i := strings.IndexByte(line, ':'); i >= 0 && i < 16 && (line[0] == '+' || line[0] == '^' || line[0] == '#' || line[0] == '!') {
		return strings.TrimSpace(line[i+1:])
	}
	return strings.TrimSpace(line)
}

// fields splits a parameter list on commas outside quotes and unquotes each field.
func fields(s string) []string {
	var out []string
	var cur strings.Builder
	quoted := false
	for _, c := range afterColon(s) {
		switch {
		case c == '"':
			quoted = !quoted
		case c == ',' && !quoted:
			out = append(out, strings.TrimSpace(cur.String()))
			cur.Reset()
		default:
			cur.WriteRune(c)
		}
	}
	return append(out, strings.TrimSpace(cur.String()))
}

// bareValue is the first non-empty answer line without any "+X: " prefix or quotes
// (identity queries answer "Quectel", "+CGMR: LE20B04", "+CCID: 8901...").
func bareValue(lines []string) string {
	for _, l := range lines {
		if v := strings.Trim(afterColon(l), `"`); v != "" {
			return v
		}
	}
	return ""
}

// identValue is the answer of an identity query (cmd "+CGMI", "+CIMI", "+CCID"...): the
// first line that is either bare text or carries the command's own prefix (an ICCID
// answer may be named "+ICCID", "^ICCID", "+QCCID"). A line with another "+X:"-style
// prefix is an unsolicited code the engine did not know, not the answer.
func identValue(cmd string, lines []string) string {
	name := strings.ToUpper(strings.TrimRight(cmd, "?"))
	for _, l := range lines {
		if l != "" && strings.IndexByte("+^#!$*", l[0]) >= 0 {
			k := strings.ToUpper(l[:max(strings.IndexByte(l, ':'), 0)])
			if k != name && !(strings.HasSuffix(name, "CCID") && strings.HasSuffix(k, "CCID")) {
				continue
			}
		}
		if v := bareValue([]string{l}); v != "" {
			return stripLabel(v)
		}
	}
	return ""
}

// stripLabel drops a label some firmwares put before an identity ("ICCID: 8944...",
// Sierra's AT!ICCID?; "IMEI: 86...", "Revision: ...").
func stripLabel(v string) string {
	k, rest, ok := strings.Cut(v, ":")
	switch strings.ToUpper(strings.TrimSpace(k)) {
	case "ICCID", "IMEI", "IMSI", "MANUFACTURER", "MODEL", "REVISION", "SN":
		if ok && strings.TrimSpace(rest) != "" {
			return strings.Trim(strings.TrimSpace(rest), `"`)
		}
	}
	return v
}

// parseCNUM returns the first number of AT+CNUM (`+CNUM: "",+15551234567,145`), or "".
func parseCNUM(lines []string) string {
	for _, l := range lines {
		if f := fields(l); strings.HasPrefix(l, "+CNUM") && len(f) >= 2 && f[1] != "" {
			return f[1]
		}
	}
	return ""
}

// parseCPINR returns the SIM PIN retries from "+CPINR: SIM PIN,3,3", or -1.
func parseCPINR(lines []string) int {
	for _, l := range lines {
		f := fields(l)
		if len(f) >= 2 && f[0] == "SIM PIN" {
			if n, err := strconv.Atoi(f[1]); err == nil {
				return n
			}
		}
	}
	return -1
}

// parseCPMSOptions returns the first list of AT+CPMS=? (`+CPMS: ("SM","ME"),(...),(...)`).
func parseCPMSOptions(lines []string) []string {
	for _, l := range lines {
		s := afterColon(l)
		if i := strings.IndexByte(s, '('); i >= 0 {
			s = s[i+1:]
			if j := strings.IndexByte(s, ')'); j >= 0 {
				s = s[:j]
			}
		}
		var out []string
		for _, f := range strings.Split(s, ",") {
			if f = strings.Trim(strings.TrimSpace(f), `"`); f != "" {
				out = append(out, f)
			}
		}
		return out
	}
	return nil
}

// chooseStores picks the receive store (MT, then ME, then SM) and the stores to drain:
// SM and ME when offered, and MT (their union) when not both are; SM entries already
// drained are gone by the time MT is listed.
func chooseStores(offered []string) (string, []string) {
	mem := "SM"
	for _, want := range []string{"MT", "ME", "SM"} {
		if slices.Contains(offered, want) {
			mem = want
			break
		}
	}
	var drain []string
	for _, s := range []string{"SM", "ME"} {
		if slices.Contains(offered, s) {
			drain = append(drain, s)
		}
	}
	if slices.Contains(offered, "MT") && len(drain) < 2 {
		drain = append(drain, "MT") // the part of MT not listed above (ME when only SM is offered)
	}
	if len(drain) == 0 {
		drain = []string{mem}
	}
	return mem, drain
}

// parseCPMSUse returns used/total of <mem1> from "+CPMS: "SM",3,30,..." (query) or
// "+CPMS: 3,30,3,30,3,30" (set).
func parseCPMSUse(lines []string) (int, int) {
	for _, l := range lines {
		f := fields(l)
		if len(f) > 0 {
			if _, err := strconv.Atoi(f[0]); err != nil {
				f = f[1:]
			}
		}
		if len(f) >= 2 {
			used, err1 := strconv.Atoi(f[0])
			total, err2 := strconv.Atoi(f[1])
			if err1 == nil && err2 == nil {
				return used, total
			}
		}
	}
	return 0, 0
}

// parseCNMIRanges parses "+CNMI: (0-2),(0-3),(0,2),(0-2),(0,1)" into the allowed values
// of each parameter; nil for an unparsable answer.
func parseCNMIRanges(lines []string) [][]int {
	if len(lines) == 0 {
		return nil
	}
	var out [][]int
	for _, group := range strings.Split(afterColon(lines[0]), "),") {
		group = strings.Trim(strings.TrimSpace(group), "()")
		var vals []int
		for _, part := range strings.Split(group, ",") {
			lo, hi, found := strings.Cut(strings.TrimSpace(part), "-")
			a, err1 := strconv.Atoi(lo)
			b, err2 := strconv.Atoi(hi)
			switch {
			case err1 != nil:
				continue
			case !found || err2 != nil || b < a || b-a > 16:
				vals = append(vals, a)
			default:
				for v := a; v <= b; v++ {
					vals = append(vals, v)
				}
			}
		}
		out = append(out, vals)
	}
	return out
}

// cnmiCandidates lists +CNMI settings to try, best first: <mode> 2 (else 1, 3), <mt> 1
// (store and notify; else 3, else 0 = rely on scans; never 2), <bm> 0, <ds> 0, <bfr> 0,
// each taken from the offered ranges, then shorter forms for modems that reject some
// trailing parameter despite advertising it (ModemManager's fallbacks).
func cnmiCandidates(r [][]int) []string {
	pick := func(i int, prefs ...int) int {
		if i >= len(r) || len(r[i]) == 0 {
			return prefs[0]
		}
		for _, p := range prefs {
			if slices.Contains(r[i], p) {
				return p
			}
		}
		return r[i][0]
	}
	mode := pick(0, 2, 1, 3)
	mt := pick(1, 1, 3, 0)
	if mt == 2 {
		mt = 0
	}
	bm, ds, bfr := pick(2, 0), pick(3, 0, 2, 1), pick(4, 0, 1)
	return []string{
		fmt.Sprintf("%d,%d,%d,%d,%d", mode, mt, bm, ds, bfr),
		fmt.Sprintf("%d,%d,%d,0,0", mode, mt, bm),
		fmt.Sprintf("%d,%d,0,0", mode, mt),
		fmt.Sprintf("%d,%d", mode, mt),
		"1,1",
	}
}

// parseList turns PDU-mode AT+CMGL lines ("+CMGL: <index>,<stat>,[<alpha>,]<length>"
// followed by the PDU line) into entries. Headers without a PDU are skipped.
func parseList(storage string, lines []string) []Stored {
	var out []Stored
	var cur *Stored
	for _, l := range lines {
		if strings.HasPrefix(l, "+CMGL:") {
			f := fields(l)
			cur = nil
			if len(f) < 2 {
				continue
			}
			idx, err1 := strconv.Atoi(f[0])
			stat, err2 := listStat(f[1])
			if err1 == nil && err2 == nil {
				cur = &Stored{Storage: storage, Index: idx, Stat: stat}
			}
			continue
		}
		if cur != nil && isHex(l) {
			cur.PDU = strings.ToUpper(l)
			out = append(out, *cur)
		}
		cur = nil
	}
	return out
}

// listStat is a listing's <stat>: numeric in PDU mode, but some firmwares write the
// text-mode words even then.
func listStat(s string) (int, error) {
	switch strings.ToUpper(s) {
	case "REC UNREAD":
		return 0, nil
	case "REC READ":
		return 1, nil
	case "STO UNSENT":
		return 2, nil
	case "STO SENT":
		return 3, nil
	}
	return strconv.Atoi(s)
}

func isHex(s string) bool {
	if s == "" || len(s)%2 != 0 {
		return false
	}
	for _, c := range s {
		if !strings.ContainsRune("0123456789abcdefABCDEF", c) {
			return false
		}
	}
	return true
}

// ucs2Hex decodes s when it is UCS2 hex ("004F0070" -> "Op"), the form string fields
// take while the modem's character set is UCS2; ok is false for anything else.
func ucs2Hex(s string) (string, bool) {
	if len(s) < 4 || len(s)%4 != 0 || !isHex(s) {
		return "", false
	}
	u := make([]uint16, 0, len(s)/4)
	for i := 0; i < len(s); i += 4 {
		v, err := strconv.ParseUint(s[i:i+4], 16, 16)
		if err != nil {
			return "", false
		}
		u = append(u, uint16(v))
	}
	return string(utf16.Decode(u)), true
}

// storeOf is the <mem> of "+CMTI: "ME",3" or "+CDSI: "SR",1" (UCS2 hex decoded), or ""
// when it is not a plausible store name.
func storeOf(line string) string {
	mem := fields(line)[0]
	if d, ok := ucs2Hex(mem); ok {
		mem = d
	}
	mem = strings.ToUpper(mem)
	if len(mem) != 2 || mem[0] < 'A' || mem[0] > 'Z' || mem[1] < 'A' || mem[1] > 'Z' {
		return ""
	}
	return mem
}
