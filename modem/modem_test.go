package modem

import (
	"errors"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"firmline/modem/sim"
)

// Every profile passes the same inject -> receive -> delete-after-commit test, with its
// quirks on: echo, 0-based indexes, Telit's CMGL format, Huawei ^RSSI spam inside
// responses, CNMI ranges, vendor URC routing.
func TestInjectReceiveDeleteAllProfiles(t *testing.T) {
	for _, p := range sim.Profiles {
		t.Run(string(p), func(t *testing.T) {
			t.Parallel()
			echo := p == sim.QuectelEC25 || p == sim.HuaweiE3372 || p == sim.SIMComSIM7600
			h := newHarness(t, sim.Options{Profile: p, Echo: echo, Slots: 10}, Config{})
			msg := encode(t, "+15551234567", "Your Clio verification code is 482913", 0, 0)
			h.sink.check = func(msgs []Stored) {
				for _, m := range msgs { // still on the SIM while the sink commits
					if !slices.ContainsFunc(h.sim.Stored(), func(s sim.Slot) bool { return s.PDU == m.PDU }) {
						t.Errorf("message deleted before Receive returned")
					}
				}
			}
			h.run()
			h.waitState(StateReady)
			if err := h.sim.Deliver(msg...); err != nil {
				t.Fatal(err)
			}
			h.waitReceived(msg...)
			h.waitEmpty()
			st := h.m.Status()
			if st.Manufacturer == "" || st.IMEI != sim.IMEI || st.ICCID != sim.ICCID || st.IMSI != sim.IMSI {
				t.Errorf("identity not read: %+v", st)
			}
			if c := h.sim.Counters(); c.BulkDeletes != 0 {
				t.Errorf("bulk delete sent: %+v", c)
			}
			if n := h.count("AT+CNMI=2,2"); n != 0 {
				t.Errorf("direct delivery requested")
			}
			if !slices.ContainsFunc(h.sim.Commands(), func(c string) bool { return strings.HasPrefix(c, "AT+CNMI=") && strings.Contains(c, ",1,") }) {
				t.Errorf("no store-and-notify CNMI in %q", h.sim.Commands())
			}
		})
	}
}

func TestReceiveErrorDeletesNothingAndRetries(t *testing.T) {
	h := newHarness(t, sim.Options{}, Config{ScanEvery: 300 * time.Millisecond})
	h.sink.fail = 1
	deletesBeforeRetry := -1
	h.sink.check = func([]Stored) {
		h.sink.mu.Lock()
		defer h.sink.mu.Unlock()
		if h.sink.calls == 1 { // the retry after the failed first call
			deletesBeforeRetry = h.count("AT+CMGD")
		}
	}
	h.run()
	h.waitState(StateReady)
	msg := encode(t, "+15551234567", "code 111222", 0, 0)
	h.sim.Deliver(msg...)
	h.waitReceived(msg...)
	h.waitEmpty()
	if deletesBeforeRetry != 0 {
		t.Fatalf("%d deletes after a failed Receive", deletesBeforeRetry)
	}
	if st := h.m.Status(); st.LastMessage.IsZero() {
		t.Fatal("LastMessage not set")
	}
}

func TestDroppedCMTIFoundByScan(t *testing.T) {
	h := newHarness(t, sim.Options{}, Config{ScanEvery: 300 * time.Millisecond})
	h.run()
	h.waitState(StateReady)
	h.sim.DropCMTI(1)
	msg := encode(t, "+15551234567", "code 333444", 0, 0)
	h.sim.Deliver(msg...)
	h.waitReceived(msg...)
	h.waitEmpty()
}

func TestSIMFullNothingLost(t *testing.T) {
	h := newHarness(t, sim.Options{Slots: 3}, Config{ScanEvery: 500 * time.Millisecond})
	var all []string
	for i := range 10 {
		all = append(all, encode(t, "+15551234567", "code 10000"+string(rune('0'+i)), 0, 0)...)
	}
	h.sim.Deliver(all...) // 3 stored before the modem even starts, 7 held at the SMSC
	h.run()
	h.waitReceived(all...)
	h.waitEmpty()
	if n := h.sim.Pending(); n != 0 {
		t.Fatalf("%d still pending", n)
	}
}

func TestConcatPartsOutOfOrder(t *testing.T) {
	h := newHarness(t, sim.Options{Profile: sim.SIMComSIM7600}, Config{})
	h.run()
	h.waitState(StateReady)
	parts := encode(t, "+15551234567", strings.Repeat("Your verification code is 482913. ", 8), 7, 60)
	if len(parts) < 3 {
		t.Fatalf("want at least 3 parts, got %d", len(parts))
	}
	rev := slices.Clone(parts)
	slices.Reverse(rev)
	h.sim.Deliver(rev...)
	h.waitReceived(parts...)
	h.waitEmpty()
}

func TestGarbageOnTheLine(t *testing.T) {
	h := newHarness(t, sim.Options{Profile: sim.HuaweiE3372}, Config{})
	h.run()
	h.waitState(StateReady)
	h.sim.Garbage([]byte("\x00\xff\xfe@@@\r\n\x1b+CMTI\r\nOK?\r\n\r"))
	msg := encode(t, "+15551234567", "code 555666", 0, 0)
	h.sim.Deliver(msg...)
	h.waitReceived(msg...)
	h.waitEmpty()
}

func TestListingErrorIsSurvived(t *testing.T) {
	h := newHarness(t, sim.Options{Profile: sim.HuaweiE3372}, Config{ScanEvery: 300 * time.Millisecond})
	h.run()
	h.waitState(StateReady)
	h.sim.CMSError500Once()
	h.sim.FailNext("+CMGL", "+CMS ERROR: 500") // the bare fallback fails too: next scan
	msg := encode(t, "+15551234567", "code 424242", 0, 0)
	h.sim.Deliver(msg...)
	h.waitReceived(msg...)
	h.waitEmpty()
}

func TestDirectCMTIsStored(t *testing.T) {
	h := newHarness(t, sim.Options{}, Config{})
	h.run()
	h.waitState(StateReady)
	msg := encode(t, "+15551234567", "flash 777888", 0, 0)[0]
	h.sim.Flash(msg)
	h.waitReceived(msg)
	h.sink.mu.Lock()
	defer h.sink.mu.Unlock()
	if s := h.sink.got[0]; s.Storage != "" || s.Index != -1 {
		t.Fatalf("direct message recorded as %+v", s)
	}
}

func TestSilenceThenRecovery(t *testing.T) {
	h := newHarness(t, sim.Options{}, Config{HealthEvery: 100 * time.Millisecond, CommandTimeout: 300 * time.Millisecond})
	h.run()
	h.waitState(StateReady)
	h.sim.Silent(true)
	h.waitState(StateUnresponsive)
	h.sim.Silent(false)
	h.waitState(StateReady)
	msg := encode(t, "+15551234567", "code 999000", 0, 0)
	h.sim.Deliver(msg...)
	h.waitReceived(msg...)
}

// A wedged modem that ignores resync and reopen is reset with AT+CFUN=1,1 and comes back.
func TestWedgedModemIsReset(t *testing.T) {
	h := newHarness(t, sim.Options{Profile: sim.QuectelEC25}, Config{HealthEvery: 100 * time.Millisecond, CommandTimeout: 300 * time.Millisecond})
	h.run()
	h.waitState(StateReady)
	h.sim.Wedge()
	h.waitState(StateUnresponsive)
	waitFor(t, "a reset", func() bool { return h.sim.Counters().Resets == 1 })
	h.waitState(StateReady)
	msg := encode(t, "+15551234567", "code 135790", 0, 0)
	h.sim.Deliver(msg...)
	h.waitReceived(msg...)
	if n := h.sim.Counters().Resets; n != 1 {
		t.Fatalf("%d resets", n)
	}
}

func TestUnplugReplug(t *testing.T) {
	h := newHarness(t, sim.Options{Profile: sim.QuectelEC25}, Config{})
	h.run()
	h.waitState(StateReady)
	h.sim.Unplug()
	h.waitState(StateDisconnected)
	msg := encode(t, "+15551234567", "code 246810", 0, 0)
	h.sim.Deliver(msg...) // kept at the SMSC while the modem is away
	if err := h.sim.Replug(); err != nil {
		t.Fatal(err)
	}
	h.waitReceived(msg...)
	h.waitState(StateReady)
	h.waitEmpty()
	if n := h.sim.Counters().NVWrites; n != 1 { // QURCCFG is queried, written only when different
		t.Fatalf("%d NVRAM writes, want 1", n)
	}
}

// TestPINAfterModemRestart: a PIN the SIM accepted is entered again when the SIM asks after
// a modem restart (it cannot use up an attempt); no wrong PIN is ever sent.
func TestPINAfterModemRestart(t *testing.T) {
	h := newHarness(t, sim.Options{}, Config{PIN: "1234"})
	h.sim.PIN("1234")
	h.run()
	h.waitState(StateReady)
	h.sim.Unplug()
	h.waitState(StateDisconnected)
	h.sim.Replug() // the SIM asks again after a power cycle
	h.waitState(StateReady)
	if n, c := h.count(`AT+CPIN="`), h.sim.Counters(); n != 2 || c.WrongPINs != 0 {
		t.Fatalf("PIN entered %d times, %d wrong; want 2 and 0", n, c.WrongPINs)
	}
}

// TestSwappedSIMRejectsPINOnce: when a swapped SIM rejects the PIN that the old one
// accepted, firmline stops at that one wrong attempt.
func TestSwappedSIMRejectsPINOnce(t *testing.T) {
	h := newHarness(t, sim.Options{}, Config{PIN: "1234", HealthEvery: 50 * time.Millisecond})
	h.sim.PIN("1234")
	h.run()
	h.waitState(StateReady)
	h.sim.Unplug()
	h.waitState(StateDisconnected)
	h.sim.PIN("9999")
	h.sim.Replug()
	h.waitState(StatePINLocked)
	waitFor(t, "several health cycles", func() bool { return h.count("AT+CPIN?") >= 8 })
	if c := h.sim.Counters(); c.WrongPINs != 1 {
		t.Fatalf("wrong PIN sent %d times, want 1", c.WrongPINs)
	}
}

func TestWrongPINNotRetried(t *testing.T) {
	h := newHarness(t, sim.Options{}, Config{PIN: "0000", HealthEvery: 50 * time.Millisecond})
	h.sim.PIN("1234")
	h.run()
	h.waitState(StatePINLocked)
	waitFor(t, "several health cycles", func() bool { return h.count("AT+CPIN?") >= 5 })
	if c := h.sim.Counters(); c.WrongPINs != 1 {
		t.Fatalf("wrong PIN tried %d times", c.WrongPINs)
	}
}

func TestNoSIMThenInserted(t *testing.T) {
	h := newHarness(t, sim.Options{}, Config{HealthEvery: 100 * time.Millisecond})
	h.sim.NoSIM(true)
	h.run()
	h.waitState(StateNoSIM)
	h.sim.NoSIM(false)
	h.waitState(StateReady)
}

func TestNoNetwork(t *testing.T) {
	h := newHarness(t, sim.Options{}, Config{HealthEvery: 100 * time.Millisecond})
	h.sim.Registration(2, 2)
	h.run()
	h.waitState(StateNoNetwork)
	h.sim.Registration(0, 1)
	h.sim.FailNext("+CSMS", "ERROR")
	h.sim.FailNext("+CSMS", "ERROR")
	h.waitState(StateNoSMSService)
	h.sim.Registration(1, 1)
	h.waitState(StateReady)
}

func TestStatusCallbackAndAlive(t *testing.T) {
	h := newHarness(t, sim.Options{}, Config{})
	states := make(chan string, 100)
	h.m.onStatus = func(s Status) { states <- s.State }
	h.run()
	h.waitState(StateReady)
	if h.m.Alive().IsZero() {
		t.Fatal("Alive not advanced")
	}
	seen := map[string]bool{}
	for len(states) > 0 {
		seen[<-states] = true
	}
	if !seen[StateReady] || !seen[StateStarting] {
		t.Fatalf("callbacks saw %v", seen)
	}
}

func TestProbe(t *testing.T) {
	s, err := sim.Start(sim.Options{Profile: sim.TelitLE910, Dir: t.TempDir(), OwnNumber: "+15557654321"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	st, err := Probe(t.Context(), s.Path(), 115200, testLog(t))
	if err != nil {
		t.Fatal(err)
	}
	if st.Manufacturer != "Telit" || st.OwnNumber != "+15557654321" || st.State != StateReady || st.StorageTotal == 0 {
		t.Fatalf("probe: %+v", st)
	}
	for _, c := range s.Commands() {
		if strings.HasPrefix(c, "AT+CMGD") || strings.HasPrefix(c, "AT+CPIN=") {
			t.Fatalf("probe changed something: %q", c)
		}
	}
	s.Silent(true)
	if _, err := Probe(t.Context(), s.Path(), 115200, testLog(t)); err == nil || !strings.Contains(err.Error(), "does not answer") {
		t.Fatalf("silent port: %v", err)
	}
}

// syncBuffer is a goroutine-safe log sink.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// With Trace on, the raw traffic is logged at Debug — redacted: never a PDU or the PIN.
func TestTraceIsRedacted(t *testing.T) {
	var buf syncBuffer
	log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	h := newHarness(t, sim.Options{Profile: sim.HuaweiE3372}, Config{PIN: "8642", Trace: true, Log: log})
	h.sim.PIN("8642")
	h.run()
	h.waitState(StateReady)
	msg := encode(t, "+15551234567", "Your code is 482913", 0, 0)
	h.sim.Deliver(msg...)
	h.waitReceived(msg...)
	h.waitEmpty()
	out := buf.String()
	for _, secret := range []string{"8642", msg[0][20:60], "482913", "5551234567"} {
		if strings.Contains(out, secret) {
			t.Errorf("trace log contains %q", secret)
		}
	}
	for _, want := range []string{"at tx", "at rx", "kind=+CMTI", "kind=pdu"} {
		if !strings.Contains(out, want) {
			t.Errorf("trace log lacks %q", want)
		}
	}
}

func TestDetectSkipsSilentPorts(t *testing.T) {
	dir := t.TempDir()
	dead, err := sim.Start(sim.Options{Profile: sim.TelitLE910, Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer dead.Close()
	dead.Silent(true) // e.g. a GPS or diagnostics port
	live, err := sim.Start(sim.Options{Profile: sim.QuectelEC25, Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer live.Close()
	// Both symlinks match; the Telit one sorts after the Quectel one, so list it first.
	got, err := detect(t.Context(), []string{dead.Path(), filepath.Join(dir, "*")}, testLog(t))
	if err != nil || got != live.Path() {
		t.Fatalf("detect = %q, %v; want %q", got, err, live.Path())
	}
	if _, err := detect(t.Context(), []string{filepath.Join(t.TempDir(), "*")}, testLog(t)); !errors.Is(err, ErrNoModem) {
		t.Fatalf("no candidates: %v", err)
	}
}
