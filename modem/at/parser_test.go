package at

import (
	"errors"
	"strings"
	"testing"
)

func tokens(chunks ...string) []Token {
	var p Parser
	var out []Token
	for _, c := range chunks {
		p.Feed([]byte(c), func(t Token) { out = append(out, t) })
	}
	return out
}

func TestParserTerminatorsAndChunks(t *testing.T) {
	want := []string{"+CSQ: 20,99", "OK", "A", "B"}
	streams := [][]string{
		{"\r\n+CSQ: 20,99\r\n\r\nOK\r\nA\rB\n"},
		{"\r", "\n+CS", "Q: 20,", "99\r", "\n\r\nO", "K\r\nA", "\r", "B", "\n"},
		// Line noise glued to lines (NUL, invalid UTF-8, DEL) must not hide them; a modem
		// that sends only a trailing "\r\n" gives the noise no line of its own.
		{"\x00\xff\xfe+CSQ: 20,99\r\n", "\x00\x00OK\r\n\x7fA\r\x80", "\x01B\n"},
	}
	for _, s := range streams {
		got := tokens(s...)
		if len(got) != len(want) {
			t.Fatalf("%q: got %v", s, got)
		}
		for i, tok := range got {
			if tok.Prompt || tok.Line != want[i] {
				t.Fatalf("%q: token %d = %+v, want %q", s, i, tok, want[i])
			}
		}
	}
}

func TestParserPrompt(t *testing.T) {
	got := tokens("\r\n> ")
	if len(got) != 1 || !got[0].Prompt {
		t.Fatalf("got %+v, want a prompt", got)
	}
	got = tokens("\r\n>")
	if len(got) != 1 || !got[0].Prompt {
		t.Fatalf("bare '>': got %+v, want a prompt", got)
	}
	if got := tokens("\r\n> x\r\n"); len(got) != 1 || got[0].Line != "> x" {
		t.Fatalf("'> x' line: got %+v", got)
	}
}

func TestParserLongLineIsCut(t *testing.T) {
	got := tokens(strings.Repeat("A", MaxLine+10) + "\r\n")
	if len(got) != 2 || len(got[0].Line) != MaxLine {
		t.Fatalf("got %d tokens", len(got))
	}
}

func TestFinal(t *testing.T) {
	cases := []struct {
		line  string
		final bool
		is    error
		cme   int
		cms   int
	}{
		{line: "OK", final: true},
		{line: "ERROR", final: true, is: ErrError},
		{line: "COMMAND NOT SUPPORT", final: true, is: ErrNotSupported},
		{line: "NO CARRIER", final: true, is: ErrNoCarrier},
		{line: "+CME ERROR: 10", final: true, cme: 10},
		{line: "+CME ERROR: SIM not inserted", final: true, cme: 10},
		{line: "+CME ERROR: SIM PIN required", final: true, cme: 11},
		{line: "+CME ERROR: something odd", final: true, cme: -1},
		{line: "+CMS ERROR: 322", final: true, cms: 322},
		{line: "+CMS ERROR: memory full", final: true, cms: 322},
		{line: "+CMS ERROR: 500", final: true, cms: 500},
		{line: "+CMGL: 1,0,,23"},
		{line: "OKAY"},
	}
	for _, c := range cases {
		final, err := Final(c.line)
		if final != c.final {
			t.Errorf("%q: final = %v", c.line, final)
		}
		if c.is != nil && !errors.Is(err, c.is) {
			t.Errorf("%q: err = %v, want %v", c.line, err, c.is)
		}
		if code, ok := CMECode(err); c.cme != 0 && (!ok || code != c.cme) {
			t.Errorf("%q: CME code %d %v, want %d", c.line, code, ok, c.cme)
		}
		if code, ok := CMSCode(err); c.cms != 0 && (!ok || code != c.cms) {
			t.Errorf("%q: CMS code %d %v, want %d", c.line, code, ok, c.cms)
		}
		if c.is == nil && c.cme == 0 && c.cms == 0 && err != nil {
			t.Errorf("%q: unexpected err %v", c.line, err)
		}
	}
}

func TestURCKind(t *testing.T) {
	cases := []struct {
		line, prefix string
		urc          bool
		body         int
	}{
		{line: `+CMTI: "SM",3`, urc: true},
		{line: "+CMT: ,23", urc: true, body: 1},
		{line: "+CDS: 25", urc: true, body: 1},
		{line: "^RSSI: 17", prefix: "+CMGL", urc: true},
		{line: "+CREG: 1,\"00A1\"", prefix: "", urc: true},
		{line: "+CREG: 2,1", prefix: "+CREG"},
		{line: "+CPIN: READY", prefix: "+CPIN"},
		{line: "+CPIN: READY", urc: true},
		{line: "RDY", urc: true},
		{line: "+QIND: SMS DONE", urc: true},
		{line: "SMS READY", urc: true},
		{line: `+QURCCFG: "urcport","usbat"`, prefix: "+QURCCFG"},
		{line: `+QURCCFG: "urcport","usbat"`},
		{line: "+CPINR: SIM PIN,3,3"},
		{line: "07911326040000F0"},
		{line: "+CMGL: 1,0,,23", prefix: "+CMGL"},
		{line: "*ATREADY: 1", urc: true},
		{line: "#QSS: 1", urc: true},
		{line: "+QSIMSTAT: 1,1", prefix: "+CMGL", urc: true},
	}
	for _, c := range cases {
		_, body, ok := urcKind(c.line, c.prefix)
		if ok != c.urc || body != c.body {
			t.Errorf("%q (prefix %q): urc=%v body=%d, want %v %d", c.line, c.prefix, ok, body, c.urc, c.body)
		}
	}
}

func TestCommandPrefix(t *testing.T) {
	for cmd, want := range map[string]string{
		"+CMGL=4": "+CMGL", "+CREG?": "+CREG", "^SYSCFG?": "^SYSCFG", "+CGMI": "",
		"E0": "", "": "", "+CPMS=\"SM\",\"SM\",\"SM\"": "+CPMS", "+cnmi=?": "+CNMI",
	} {
		if got := CommandPrefix(cmd); got != want {
			t.Errorf("CommandPrefix(%q) = %q, want %q", cmd, got, want)
		}
	}
}

func TestNameHidesArguments(t *testing.T) {
	if got := Name(`+CPIN="1234"`); got != "+CPIN" {
		t.Fatalf("Name = %q", got)
	}
}

// FuzzParse feeds arbitrary bytes in arbitrary chunks to the stream parser and the line
// classifiers: nothing may panic or hang, and every token must be a trimmed, non-empty
// line without terminators and at most MaxLine bytes, or a prompt.
func FuzzParse(f *testing.F) {
	f.Add([]byte("\r\nOK\r\n"), uint8(1))                                        // plain OK
	f.Add([]byte("AT+CMGL=4\r\r\n+CMGL: 0,1,,23\r\n0791AA\r\nOK\r\n"), uint8(3)) // echo + listing
	f.Add([]byte("\r\n+CMT: ,23\r\n07911326\r\n"), uint8(5))                     // two-line URC
	f.Add([]byte("\r\n> "), uint8(2))                                            // prompt, no newline
	f.Add([]byte("\x00\xff\x1b>\r\r\n+CME ERROR: SIM busy\n"), uint8(1))         // garbage + verbose error
	f.Add([]byte("ATE0\rATE0\r\r\nOK\r\n^RSSI: 9\r\n"), uint8(7))                // duplicated echo + spam
	f.Add([]byte("+CMS ERROR:\r\n+:\r\n^\r\n>>\r\n"), uint8(0))                  // degenerate lines
	f.Fuzz(func(t *testing.T, data []byte, split uint8) {
		var p Parser
		step := int(split)%64 + 1
		check := func(tok Token) {
			if tok.Prompt {
				return
			}
			l := tok.Line
			if l == "" || len(l) > MaxLine || strings.ContainsAny(l, "\r\n") || strings.TrimSpace(l) != l {
				t.Fatalf("bad line %q", l)
			}
			for _, c := range []byte(l) {
				if c < ' ' || c >= 0x7f {
					t.Fatalf("line %q keeps a non-printable byte", l)
				}
			}
			Final(l)
			urcKind(l, CommandPrefix(l))
			redact(tok)
		}
		for i := 0; i < len(data); i += step {
			p.Feed(data[i:min(i+step, len(data))], check)
		}
		p.Feed([]byte("\r"), check)
		if p.Pending() != 0 {
			t.Fatalf("pending %d after terminator", p.Pending())
		}
	})
}
