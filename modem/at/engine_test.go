package at

import (
	"bufio"
	"context"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"
	"time"
)

// pipeRW joins the engine's side of two pipes.
type pipeRW struct {
	io.Reader
	io.Writer
	closers []io.Closer
}

func (p *pipeRW) Close() error {
	for _, c := range p.closers {
		c.Close()
	}
	return nil
}

// fakeModem answers commands from a script. reply maps a command (as received, without
// "\r") to the bytes written back; the bytes are written one at a time to exercise
// framing across chunks.
type fakeModem struct {
	t     *testing.T
	w     *io.PipeWriter
	mu    sync.Mutex
	reply map[string]string
	echo  bool
	got   chan string
	// rawESC keeps ESC as an ordinary character of the line, as a modem or simulator
	// that knows nothing of data prompts does.
	rawESC bool
}

func (m *fakeModem) serve(r io.Reader) {
	br := bufio.NewReader(r)
	for {
		var sb strings.Builder
		for {
			c, err := br.ReadByte()
			if err != nil {
				return
			}
			if c == '\r' {
				break
			}
			sb.WriteByte(c)
			if c == 0x1a { // end of data after a prompt
				break
			}
		}
		cmd := sb.String()
		m.mu.Lock()
		raw := m.rawESC
		m.mu.Unlock()
		if i := strings.LastIndexByte(cmd, 0x1b); i >= 0 && !raw { // ESC before a command
			m.got <- "ESC"
			cmd = cmd[i+1:]
		}
		m.got <- cmd
		m.mu.Lock()
		out, echo := m.reply[cmd], m.echo
		m.mu.Unlock()
		if echo {
			out = cmd + "\r" + out
		}
		for i := range len(out) {
			if _, err := m.w.Write([]byte{out[i]}); err != nil {
				return
			}
		}
	}
}

func (m *fakeModem) send(s string) { m.w.Write([]byte(s)) }

// start wires an engine to a fake modem and runs it until the test ends.
func start(t *testing.T, reply map[string]string, opt Options) (*Engine, *fakeModem, chan URC) {
	t.Helper()
	mr, ew := io.Pipe() // engine -> modem
	er, mw := io.Pipe() // modem -> engine
	m := &fakeModem{t: t, w: mw, reply: reply, got: make(chan string, 100)}
	go m.serve(mr)
	urcs := make(chan URC, 100)
	opt.Handler = func(u URC) { urcs <- u }
	if opt.Quiet == 0 {
		opt.Quiet = 20 * time.Millisecond
	}
	e := New(&pipeRW{Reader: er, Writer: ew, closers: []io.Closer{er, ew, mr, mw}}, opt)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) && !errors.Is(err, ErrDeviceGone) {
			t.Errorf("Run: %v", err)
		}
	})
	return e, m, urcs
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestURCInsideCMGL(t *testing.T) {
	e, _, urcs := start(t, map[string]string{
		"AT+CMGL=4": "\r\n+CMGL: 1,0,,23\r\nAABB\r\n+CMTI: \"SM\",3\r\n^RSSI: 12\r\n" +
			"+CMGL: 2,1,,23\r\nCCDD\r\n+CMT: ,23\r\nEEFF\r\n\r\nOK\r\n",
	}, Options{})
	lines, err := e.Command(ctxT(t), "+CMGL=4")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"+CMGL: 1,0,,23", "AABB", "+CMGL: 2,1,,23", "CCDD"}
	if strings.Join(lines, "|") != strings.Join(want, "|") {
		t.Fatalf("lines = %q, want %q", lines, want)
	}
	for _, w := range []string{"+CMTI", "^RSSI", "+CMT"} {
		u := <-urcs
		if u.Name != w {
			t.Fatalf("URC %q, want %q (order)", u.Name, w)
		}
		if w == "+CMT" && (len(u.Lines) != 2 || u.Lines[1] != "EEFF") {
			t.Fatalf("+CMT lines = %q", u.Lines)
		}
	}
}

func TestEchoOnAndDuplicated(t *testing.T) {
	e, m, _ := start(t, map[string]string{
		"AT+CSQ": "\r\n+CSQ: 20,99\r\n\r\nOK\r\n",
		"ATE0":   "ATE0\r\r\nOK\r\n", // duplicated echo, as seen on real modems
		"ATI":    "\r\nQuectel\r\nEC25\r\nRevision: EC25EFAR06A06M4G\r\n\r\nOK\r\n",
	}, Options{})
	m.echo = true
	ctx := ctxT(t)
	lines, err := e.Command(ctx, "+CSQ")
	if err != nil || len(lines) != 1 || lines[0] != "+CSQ: 20,99" {
		t.Fatalf("echo on: %q %v", lines, err)
	}
	if lines, err := e.Command(ctx, "E0"); err != nil || len(lines) != 0 {
		t.Fatalf("ATE0: %q %v", lines, err)
	}
	m.mu.Lock()
	m.echo = false
	m.mu.Unlock()
	lines, err = e.Command(ctx, "I")
	if err != nil || len(lines) != 3 {
		t.Fatalf("ATI: %q %v", lines, err)
	}
}

func TestErrorsAreTyped(t *testing.T) {
	e, _, _ := start(t, map[string]string{
		"AT+CPIN?":  "\r\n+CME ERROR: 10\r\n",
		"AT+CPMS?":  "\r\n+CMS ERROR: SIM busy\r\n",
		"AT^CURC=0": "\r\nCOMMAND NOT SUPPORT\r\n",
		"AT+BAD":    "\r\nERROR\r\n",
	}, Options{})
	ctx := ctxT(t)
	_, err := e.Command(ctx, "+CPIN?")
	if code, ok := CMECode(err); !ok || code != CMESIMNotInserted {
		t.Fatalf("CPIN: %v", err)
	}
	_, err = e.Command(ctx, "+CPMS?")
	if code, ok := CMSCode(err); !ok || code != CMSSIMBusy {
		t.Fatalf("CPMS: %v", err)
	}
	if _, err = e.Command(ctx, "^CURC=0"); !errors.Is(err, ErrNotSupported) {
		t.Fatalf("CURC: %v", err)
	}
	if _, err = e.Command(ctx, "+BAD"); !errors.Is(err, ErrError) {
		t.Fatalf("BAD: %v", err)
	}
}

func TestPromptAndData(t *testing.T) {
	e, _, _ := start(t, map[string]string{
		"AT+CMGS=9": "\r\n> ",
		"0011\x1a":  "\r\n+CMGS: 7\r\n\r\nOK\r\n",
	}, Options{})
	lines, err := e.Do(ctxT(t), Request{Cmd: "+CMGS=9", Data: "0011", Prefix: "+CMGS"})
	if err != nil || len(lines) != 1 || lines[0] != "+CMGS: 7" {
		t.Fatalf("CMGS: %q %v", lines, err)
	}
}

func TestNoPromptSendsESC(t *testing.T) {
	e, m, _ := start(t, map[string]string{}, Options{Timeout: 30 * time.Millisecond})
	_, err := e.Do(ctxT(t), Request{Cmd: "+CMGS=9", Data: "0011"})
	if !errors.Is(err, ErrNoPrompt) {
		t.Fatalf("err = %v", err)
	}
	if c := <-m.got; c != "AT+CMGS=9" {
		t.Fatalf("first write %q", c)
	}
}

func TestGarbageBetweenCommands(t *testing.T) {
	e, m, urcs := start(t, map[string]string{"AT": "\r\nOK\r\n"}, Options{})
	m.send("\x00\xff\xfegarbage\r\n\x1b\x1b\r\n+CMTI: \"ME\",0\r\n")
	if u := <-urcs; u.Name != "+CMTI" {
		t.Fatalf("URC after garbage: %+v", u)
	}
	if _, err := e.Command(ctxT(t), ""); err != nil {
		t.Fatal(err)
	}
}

func TestTimeoutThenResyncIgnoresLateOK(t *testing.T) {
	e, m, _ := start(t, map[string]string{
		"AT+CSQ": "\r\n+CSQ: 17,99\r\n\r\nOK\r\n",
	}, Options{Timeout: 50 * time.Millisecond})
	ctx := ctxT(t)
	if _, err := e.Command(ctx, "+SLOW"); !errors.Is(err, ErrTimeout) {
		t.Fatalf("SLOW: %v", err)
	}
	// The slow command's late answer arrives now; it must not answer the next command.
	m.send("\r\n+SLOW: 1\r\n\r\nOK\r\n")
	m.mu.Lock()
	m.reply["AT"] = "\r\nOK\r\n"
	m.mu.Unlock()
	lines, err := e.Command(ctx, "+CSQ")
	if err != nil || len(lines) != 1 || lines[0] != "+CSQ: 17,99" {
		t.Fatalf("after resync: %q %v", lines, err)
	}
	var sawESC bool
	for len(m.got) > 0 {
		if <-m.got == "ESC" {
			sawESC = true
		}
	}
	if !sawESC {
		t.Fatal("no ESC sent during resync")
	}
}

func TestDeviceGone(t *testing.T) {
	e, m, _ := start(t, map[string]string{}, Options{})
	m.w.CloseWithError(io.ErrUnexpectedEOF)
	<-e.Done()
	if !errors.Is(e.Err(), ErrDeviceGone) {
		t.Fatalf("Err = %v", e.Err())
	}
	if _, err := e.Command(ctxT(t), ""); !errors.Is(err, ErrDeviceGone) {
		t.Fatalf("Command after gone: %v", err)
	}
}

func TestStrayLinesFilteredByPrefix(t *testing.T) {
	e, _, _ := start(t, map[string]string{
		"AT+CPMS?": "\r\nSOMETHING ODD\r\n+CPMS: \"SM\",1,30,\"SM\",1,30,\"SM\",1,30\r\n\r\nOK\r\n",
		"AT+CGMI":  "\r\nQuectel\r\n\r\nOK\r\n",
	}, Options{})
	ctx := ctxT(t)
	lines, err := e.Command(ctx, "+CPMS?")
	if err != nil || len(lines) != 1 || !strings.HasPrefix(lines[0], "+CPMS:") {
		t.Fatalf("CPMS: %q %v", lines, err)
	}
	lines, err = e.Command(ctx, "+CGMI")
	if err != nil || len(lines) != 1 || lines[0] != "Quectel" {
		t.Fatalf("CGMI: %q %v", lines, err)
	}
}

// FuzzEngine feeds arbitrary modem output, in arbitrary chunks, to a running engine while
// a command is in flight, then a final OK: the command must end (answer, error or
// timeout) and, after a resync, the engine must answer the next command — no panic, no hang.
func FuzzEngine(f *testing.F) {
	f.Add([]byte("\r\n+CMGL: 1,0,,23\r\n+CMT: ,5\r\n"), uint8(3))    // two-line URC inside a listing
	f.Add([]byte("\r\n> \x1a\x1b\x00"), uint8(1))                    // stray prompt and control bytes
	f.Add([]byte("+CME ERROR: \r\nERROR\r\nOK\r\nOK\r\n"), uint8(2)) // several finals
	f.Add([]byte("^RSSI: 9\r^RSSI: 9\n+CMTI: \"SM\",1\r\n"), uint8(5))
	f.Fuzz(func(t *testing.T, junk []byte, split uint8) {
		e, m, _ := start(t, map[string]string{"AT": "\r\nOK\r\n"}, Options{Timeout: 100 * time.Millisecond, Quiet: 5 * time.Millisecond})
		ctx := ctxT(t)
		done := make(chan struct{})
		go func() {
			defer close(done)
			e.Command(ctx, "+CMGL=4")
		}()
		<-m.got // the command was written
		step := int(split)%16 + 1
		for i := 0; i < len(junk); i += step {
			m.send(string(junk[i:min(i+step, len(junk))]))
		}
		m.send("\r\nOK\r\n")
		<-done
		// Lines after the first final result may still be queued; a resync discards them.
		if err := e.Resync(ctx); err != nil {
			t.Fatalf("resync after junk: %v", err)
		}
		if _, err := e.Command(ctx, ""); err != nil {
			t.Fatalf("engine wedged after junk: %v", err)
		}
	})
}

// A modem that goes silent in the middle of a listing is given up on after the idle
// limit, not after the whole 120 s listing deadline; the engine then resynchronises.
func TestSilentMidListingTimesOutEarly(t *testing.T) {
	e, _, _ := start(t, map[string]string{
		"AT+CMGL=4": "\r\n+CMGL: 1,0,,23\r\nAABB\r\n+CMGL: 2,0,,23\r\n", // then nothing
		"AT":        "\r\nOK\r\n",
	}, Options{Idle: 100 * time.Millisecond})
	_, err := e.Command(ctxT(t), "+CMGL=4") // ctxT gives up after 10 s
	if !errors.Is(err, ErrTimeout) {
		t.Fatalf("silent listing: %v, want ErrTimeout", err)
	}
	if _, err := e.Command(ctxT(t), ""); err != nil {
		t.Fatalf("after resync: %v", err)
	}
}

// Resync's ESC is followed by "\r": a modem that treats ESC as an ordinary character gets
// it as a line of its own, so the "AT" after it is not "\x1bAT".
func TestResyncESCDoesNotSpoilAT(t *testing.T) {
	e, m, _ := start(t, map[string]string{"AT": "\r\nOK\r\n"}, Options{})
	m.mu.Lock()
	m.rawESC = true
	m.mu.Unlock()
	if err := e.Resync(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	for len(m.got) > 0 {
		if c := <-m.got; strings.Contains(c, "\x1bAT") {
			t.Fatalf("modem got %q", c)
		}
	}
}

// Echo glued to the first answer line (no line break before +CMGL) is cut off, and the
// header is kept with its PDU.
func TestEchoGluedToAnswer(t *testing.T) {
	e, _, _ := start(t, map[string]string{
		"AT+CMGL=4": "AT+CMGL=4AT+CMGL=4+CMGL: 1,0,,23\r\nAABB\r\nOK\r\n",
	}, Options{})
	lines, err := e.Command(ctxT(t), "+CMGL=4")
	if err != nil || strings.Join(lines, "|") != "+CMGL: 1,0,,23|AABB" {
		t.Fatalf("got %q %v", lines, err)
	}
}
