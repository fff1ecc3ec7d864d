package modem

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"firmline/modem/sim"
)

func TestParseCNMIAndCandidates(t *testing.T) {
	cases := []struct {
		answer string
		first  string
	}{
		{"+CNMI: (0-2),(0-3),(0-3),(0-2),(0,1)", "2,1,0,0,0"},
		{"+CNMI: (0,1,2),(0,1,2,3),(0,2),(0,2),(0,1)", "2,1,0,0,0"},
		{"+CNMI: (1,2),(0,1),(0),(0),(0)", "2,1,0,0,0"},
		{"+CNMI: (0,1),(0,2),(0),(1),(1)", "1,0,0,1,1"}, // no mt=1: never mt=2, rely on scans
		{"+CNMI: (0-3),(0-3),(0-3),(0-2),(1)", "2,1,0,0,1"},
		{"garbage", "2,1,0,0,0"},
	}
	for _, c := range cases {
		got := cnmiCandidates(parseCNMIRanges([]string{c.answer}))
		if got[0] != c.first {
			t.Errorf("%q: first candidate %q, want %q (all %q)", c.answer, got[0], c.first, got)
		}
		for _, g := range got {
			if strings.HasPrefix(g[2:], "2") {
				t.Errorf("%q: candidate %q asks for direct delivery", c.answer, g)
			}
		}
	}
}

func TestParseList(t *testing.T) {
	lines := []string{
		"+CMGL: 0,1,,23", "0791AABB", // standard, 0-based
		"+CMGL: 3,0,23", "0791CCDD", // Telit: no <alpha>
		"+CMGL: 4,2,,23", "0791EEFF", // MO entry: listed, filtered later
		"+CMGL: 5,0,,23", // header without PDU
		"+CMGL: 6,0,\"Bob, Inc\",23", "0791abcd",
		"+CMGL: x,0,,23", "0791AAAA",
		`+CMGL: 7,"REC UNREAD",,23`, "0791BBBB", // text-mode <stat> word in PDU mode
		"+CMGL:8,1,,23", "0791cccc", // no space, lower-case PDU (trailing spaces are the parser's)
	}
	got := parseList("SM", lines)
	want := []Stored{{"SM", 0, 1, "0791AABB"}, {"SM", 3, 0, "0791CCDD"}, {"SM", 4, 2, "0791EEFF"}, {"SM", 6, 0, "0791ABCD"},
		{"SM", 7, 0, "0791BBBB"}, {"SM", 8, 1, "0791CCCC"}}
	if !slices.Equal(got, want) {
		t.Fatalf("got %+v\nwant %+v", got, want)
	}
}

func TestChooseStores(t *testing.T) {
	for _, c := range []struct {
		offered []string
		mem     string
		drain   []string
	}{
		{[]string{"SM", "ME", "MT"}, "MT", []string{"SM", "ME"}},
		{[]string{"SM", "ME"}, "ME", []string{"SM", "ME"}},
		{[]string{"SM"}, "SM", []string{"SM"}},
		{[]string{"MT"}, "MT", []string{"MT"}},
		{[]string{"MT", "SM"}, "MT", []string{"SM", "MT"}},
		{[]string{"ME", "MT", "SM", "SR"}, "MT", []string{"SM", "ME"}},
		{nil, "SM", []string{"SM"}},
	} {
		mem, drain := chooseStores(c.offered)
		if mem != c.mem || !slices.Equal(drain, c.drain) {
			t.Errorf("%q: %q %q", c.offered, mem, drain)
		}
	}
}

func TestSmallParsers(t *testing.T) {
	if u, n := parseCPMSUse([]string{`+CPMS: "SM",3,30,"SM",3,30,"SM",3,30`}); u != 3 || n != 30 {
		t.Errorf("CPMS? %d/%d", u, n)
	}
	if u, n := parseCPMSUse([]string{"+CPMS: 4,50,4,50,4,50"}); u != 4 || n != 50 {
		t.Errorf("CPMS= %d/%d", u, n)
	}
	if got := parseCPMSOptions([]string{`+CPMS: ("SM","ME","MT"),("SM","ME"),("SM")`}); !slices.Equal(got, []string{"SM", "ME", "MT"}) {
		t.Errorf("CPMS=? %q", got)
	}
	if got := parseCNUM([]string{`+CNUM: "Own","+15551234567",145`}); got != "+15551234567" {
		t.Errorf("CNUM %q", got)
	}
	if got := parseCPINR([]string{"+CPINR: SIM PIN,2,3", "+CPINR: SIM PUK,10,10"}); got != 2 {
		t.Errorf("CPINR %d", got)
	}
	if got := regStat([]string{`+CEREG: 2,5,"00A1","01A2B3C",7`}); got != 5 {
		t.Errorf("regStat %d", got)
	}
	// A registration URC (<n>=2 form, or short) that lands among the answer lines is not
	// read as <n>,<stat>: its second field is the quoted <lac>.
	if got := regStat([]string{`+CREG: 1,"0102","01C3D4E",7`, `+CREG: 5`, `+CREG: 2,1,"1A2B","01C3D4E",7`}); got != 1 {
		t.Errorf("regStat with a URC first = %d, want 1", got)
	}
	if got := regStat([]string{`+CREG: 1,"0102","01C3D4E",7`}); got != -1 {
		t.Errorf("regStat of a URC alone = %d, want -1", got)
	}
	for _, c := range []struct{ cmd, want string }{
		{"+CGMI", "Quectel"}, {"+CGMR", "LE20B04SIM7600M22"}, {"+CICCID", "8901"}, {"^ICCID?", "8902"},
		{"+CGSN", "861234567890125"}, {"+CGMM", "HUAWEI"}, {"!ICCID?", "8944"},
	} {
		lines := map[string][]string{
			"+CGMI": {"+QSTK: 1", "Quectel"}, "+CGMR": {"+NEW: 3", "+CGMR: LE20B04SIM7600M22"},
			"+CICCID": {"+ICCID: 8901"}, "^ICCID?": {"^SIMST: 1", "^ICCID: 8902"},
			"+CGSN": {"*ATREADY: 1", `+CGSN: "861234567890125"`}, "+CGMM": {"HUAWEI"},
			"!ICCID?": {"ICCID: 8944"},
		}[c.cmd]
		if got := identValue(c.cmd, lines); got != c.want {
			t.Errorf("identValue(%s, %q) = %q, want %q", c.cmd, lines, got, c.want)
		}
	}
	if got, ok := ucs2Hex("004F00700065007200610074006F0072"); !ok || got != "Operator" {
		t.Errorf("ucs2Hex = %q %v", got, ok)
	}
	if _, ok := ucs2Hex("+15551234567"); ok {
		t.Error("a plain number decoded as UCS2")
	}
	for line, want := range map[string]string{`+CMTI: "ME",3`: "ME", `+CDSI: "SR",0`: "SR",
		`+CMTI: "0053004D",1`: "SM", `+CMTI: ,-1`: "", `+CMTI: "junk!",1`: ""} {
		if got := storeOf(line); got != want {
			t.Errorf("storeOf(%q) = %q, want %q", line, got, want)
		}
	}
	if got := parseRSRP("+CESQ: 99,99,255,255,20,50"); got != -91 {
		t.Errorf("RSRP %d", got)
	}
	if got := parseCOPS(`+COPS: 0,0,"Firmline Sim",7`); got != "Firmline Sim" {
		t.Errorf("COPS %q", got)
	}
	if got := bareValue([]string{"+CGMR: LE20B04SIM7600M22"}); got != "LE20B04SIM7600M22" {
		t.Errorf("bareValue %q", got)
	}
	for _, c := range []struct{ csq, rsrp, want int }{{99, 0, -1}, {0, 0, 0}, {12, 0, 2}, {31, 0, 5}, {99, -85, 4}, {99, -125, 0}} {
		if got := bars(c.csq, c.rsrp); got != c.want {
			t.Errorf("bars(%d,%d) = %d, want %d", c.csq, c.rsrp, got, c.want)
		}
	}
}

func TestStateOf(t *testing.T) {
	for _, c := range []struct {
		f    facts
		want string
	}{
		{facts{creg: 1, cereg: 1, smsStackOK: true}, StateReady},
		{facts{creg: 0, cereg: 1, smsStackOK: true}, StateReady}, // IMS may carry SMS
		{facts{creg: 0, cereg: 1, smsStackOK: false}, StateNoSMSService},
		{facts{creg: 3, cereg: 7, smsStackOK: false}, StateReady}, // SMS-only EPS registration
		{facts{creg: 2, cereg: 2, smsStackOK: true}, StateNoNetwork},
		{facts{creg: 5, cereg: -1, smsStackOK: true, storageFull: true}, StateStorageFull},
		// A modem that answers neither +CREG? nor +CEREG? but whose SMS stack works.
		{facts{creg: -1, cereg: -1, smsStackOK: true}, StateReady},
		{facts{creg: -1, cereg: -1}, StateNoNetwork},
	} {
		if got, _ := stateOf(c.f); got != c.want {
			t.Errorf("%+v: %s, want %s", c.f, got, c.want)
		}
	}
}

func TestQuirksFor(t *testing.T) {
	for _, c := range []struct{ man, model, family string }{
		{"Quectel", "EC25", "quectel"}, {"SIMCOM INCORPORATED", "SIMCOM_SIM7600E-H", "simcom"},
		{"huawei", "E3372", "huawei"}, {"Telit", "LE910C1-EUX", "telit"},
		{"Sierra Wireless, Incorporated", "EM7455", "sierra"}, {"Acme", "X", "generic"},
	} {
		if q := quirksFor(c.man, c.model); q.family != c.family {
			t.Errorf("%s %s: %s", c.man, c.model, q.family)
		}
	}
}

// A port held by another process is reported plainly, and firmline does not read it.
func TestPortHeldByModemManager(t *testing.T) {
	h := newHarness(t, sim.Options{}, Config{})
	dev, err := filepath.EvalSymlinks(h.sim.Path())
	if err != nil {
		t.Fatal(err)
	}
	proc := t.TempDir()
	os.MkdirAll(filepath.Join(proc, "4242", "fd"), 0o755)
	os.WriteFile(filepath.Join(proc, "4242", "comm"), []byte("ModemManager\n"), 0o644)
	os.Symlink(dev, filepath.Join(proc, "4242", "fd", "7"))
	// A process that also holds the pty's master is the device (a simulator), not a rival.
	os.MkdirAll(filepath.Join(proc, "4343", "fd"), 0o755)
	os.MkdirAll(filepath.Join(proc, "4343", "fdinfo"), 0o755)
	os.Symlink(dev, filepath.Join(proc, "4343", "fd", "5"))
	os.Symlink("/dev/ptmx", filepath.Join(proc, "4343", "fd", "6"))
	os.WriteFile(filepath.Join(proc, "4343", "fdinfo", "6"), []byte("pos:\t0\ntty-index:\t"+strings.TrimPrefix(dev, "/dev/pts/")+"\n"), 0o644)
	// The same in a container, where /dev/ptmx is a symlink to /dev/pts/ptmx and the
	// master's fd link names the latter.
	os.MkdirAll(filepath.Join(proc, "4444", "fd"), 0o755)
	os.MkdirAll(filepath.Join(proc, "4444", "fdinfo"), 0o755)
	os.Symlink(dev, filepath.Join(proc, "4444", "fd", "3"))
	os.Symlink("/dev/pts/ptmx", filepath.Join(proc, "4444", "fd", "4"))
	os.WriteFile(filepath.Join(proc, "4444", "fdinfo", "4"), []byte("pos:\t0\ntty-index:\t"+strings.TrimPrefix(dev, "/dev/pts/")+"\n"), 0o644)
	if hs := holders(proc, dev); len(hs) != 1 || hs[0].PID != 4242 {
		t.Fatalf("holders = %+v", hs)
	}
	h.m.procRoot = proc
	h.run()
	waitFor(t, "held-port message", func() bool {
		st := h.m.Status()
		return st.State == StateDisconnected && strings.Contains(st.LastError, "held by ModemManager (pid 4242)")
	})
	if n := len(h.sim.Commands()); n != 0 {
		t.Fatalf("%d commands sent to a held port", n)
	}
}

// A HiLink dongle has no AT port: say why instead of "no device".
func TestHiLinkExplained(t *testing.T) {
	sys := t.TempDir()
	dev := filepath.Join(sys, "bus", "usb", "devices", "1-1")
	os.MkdirAll(dev, 0o755)
	os.WriteFile(filepath.Join(dev, "idVendor"), []byte("12d1\n"), 0o644)
	os.WriteFile(filepath.Join(dev, "idProduct"), []byte("14dc\n"), 0o644)
	m := New(Config{Name: "x", Port: filepath.Join(t.TempDir(), "missing"), Log: testLog(t)}, newSink(), nil)
	m.sysRoot = sys
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	waitFor(t, "HiLink explanation", func() bool { return strings.Contains(m.Status().LastError, "HiLink") })
	cancel()
	<-done
}

// FuzzParsers feeds arbitrary modem answer lines to every parser of information lines:
// none may panic, and CNMI candidates must never ask for direct delivery (<mt>=2).
func FuzzParsers(f *testing.F) {
	f.Add("+CNMI: (0-2),(0-3),(0,2),(0-2),(0,1)")            // typical CNMI=? answer
	f.Add("+CNMI: (0-99999999),(2),(),(-),(,)")              // hostile ranges
	f.Add(`+CPMS: ("SM","ME","MT"),("SM","ME"),("SM")`)      // CPMS=? answer
	f.Add(`+CPMS: "SM",3,30,"SM",3,30,"SM",3,30`)            // CPMS? answer
	f.Add("+CMGL: 0,1,,23\n0791AABB\n+CMGL: 3,0,23\n0791CC") // listing, Telit format
	f.Add(`+CNUM: "a,b","+15551234567",145`)                 // quoted comma
	f.Add("+CESQ: 99,99,255,255,20,97")                      // signal
	f.Add("\"\"\",,,:::((()))")                              // quotes and brackets only
	f.Add(`+CMTI: "0053004D",1`)                             // UCS2-encoded store
	f.Add(`+CREG: 1,"0102","01C3D4E",7`)                     // registration URC form
	f.Fuzz(func(t *testing.T, s string) {
		lines := strings.Split(s, "\n")
		for _, c := range cnmiCandidates(parseCNMIRanges(lines)) {
			if parts := strings.Split(c, ","); len(parts) > 1 && parts[1] == "2" {
				t.Fatalf("direct delivery candidate %q", c)
			}
		}
		parseList("SM", lines)
		parseCPMSOptions(lines)
		parseCPMSUse(lines)
		parseCNUM(lines)
		parseCPINR(lines)
		regStat(lines)
		bareValue(lines)
		parseRSRP(s)
		parseCOPS(s)
		fields(s)
		storeOf(s)
		ucs2Hex(s)
		identValue(s, lines)
	})
}

// TestUnknownHolderIsTolerated: a process that is not a known modem program (a harness that
// keeps the pty's slave open, say) does not stop firmline from using the port.
func TestUnknownHolderIsTolerated(t *testing.T) {
	h := newHarness(t, sim.Options{}, Config{})
	dev, err := filepath.EvalSymlinks(h.sim.Path())
	if err != nil {
		t.Fatal(err)
	}
	proc := t.TempDir()
	os.MkdirAll(filepath.Join(proc, "5151", "fd"), 0o755)
	os.WriteFile(filepath.Join(proc, "5151", "comm"), []byte("python3\n"), 0o644)
	os.Symlink(dev, filepath.Join(proc, "5151", "fd", "4"))
	if hs := holders(proc, dev); len(hs) != 1 {
		t.Fatalf("holders = %+v", hs)
	}
	h.m.procRoot = proc
	h.run()
	h.waitState(StateReady)
}
