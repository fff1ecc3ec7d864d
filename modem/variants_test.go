package modem

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"firmline/modem/at"
	"firmline/modem/sim"
)

// Real modems differ from our simulator's defaults in framing, character set, storage
// and listing formats (modem.md §1.2, §3.1). Each variant runs the whole path through a
// real pty: init to ready, a message stored and announced, listed, committed, deleted.
func TestRealWorldVariants(t *testing.T) {
	cases := []struct {
		name  string
		opt   sim.Options
		check func(t *testing.T, h *harness)
	}{
		// Lines terminated only after ("OK\r\n"), echo on, noise glued to the next line.
		{"trailing-crlf-echo-noise", sim.Options{Framing: "trailing", Echo: true}, func(t *testing.T, h *harness) {
			h.sim.Garbage([]byte("\x00\xff\xfe\x00"))
		}},
		{"bare-cr", sim.Options{Framing: "cr", Profile: sim.QuectelEC25}, nil},
		{"bare-lf", sim.Options{Framing: "lf", Profile: sim.TelitLE910}, nil},
		// Left in UCS2 by another program: AT+CSCS="GSM" must be sent as UCS2 hex.
		{"ucs2-left-over", sim.Options{Charset: "UCS2", OwnNumber: "+15557654321"}, func(t *testing.T, h *harness) {
			if st := h.m.Status(); st.OwnNumber != "+15557654321" || st.Operator != "Firmline Sim" {
				t.Errorf("string fields in UCS2: own %q operator %q", st.OwnNumber, st.Operator)
			}
			if !slices.Contains(h.sim.Commands(), `AT+CSCS="00470053004D"`) {
				t.Errorf("GSM not selected in UCS2 hex: %q", h.sim.Commands())
			}
		}},
		{"ucs2-own-number-decoded", sim.Options{Charset: "UCS2", OwnNumber: "+15557654321", Profile: sim.SIMComSIM7600}, nil},
		{"cpms-one-parameter", sim.Options{CPMSParams: 1, Profile: sim.SierraEM7455}, nil},
		{"cpms-two-parameters", sim.Options{CPMSParams: 2}, nil},
		// No AT+CPMS? at all: init must not wait for it forever.
		{"cpms-query-unsupported", sim.Options{NoCPMSQuery: true, Profile: sim.TelitLE910}, nil},
		// Draining SM and ME selects each store; this firmware wants all three parameters.
		{"cpms-all-three-parameters", sim.Options{CPMSAll: true, Profile: sim.QuectelEC25, DeliverTo: "SM"}, nil},
		// Messages land in ME although AT+CPMS=? offers only SM: read the store +CMTI names.
		{"cmti-names-other-store", sim.Options{DeliverTo: "ME"}, nil},
		{"cmgl-with-alpha", sim.Options{Listing: "alpha", Profile: sim.QuectelEC25}, nil},
		{"cmgl-lower-case-trailing-spaces", sim.Options{Listing: "lower", Profile: sim.HuaweiE3372}, nil},
		{"cmgl-4-rejected", sim.Options{Listing: "noarg4", Profile: sim.TelitLE910}, nil},
		// +CSQ 99,99 on LTE is "unknown", not 0 bars and not a fault.
		{"csq-unknown-on-lte", sim.Options{CSQ: "99,99"}, func(t *testing.T, h *harness) {
			if st := h.m.Status(); st.State != StateReady || st.SignalBars <= 0 || st.RSRP == 0 {
				t.Errorf("CSQ 99 on LTE: %+v", st)
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, c.opt, Config{})
			h.run()
			h.waitState(StateReady)
			if c.check != nil {
				c.check(t, h)
			}
			msg := encode(t, "+15551234567", "Your code is 482913", 0, 0)
			if err := h.sim.Deliver(msg...); err != nil {
				t.Fatal(err)
			}
			h.waitReceived(msg...)
			h.waitEmpty()
			if st := h.m.Status(); st.Storage == "" {
				t.Errorf("storage not reported: %+v", st)
			}
		})
	}
}

// The SIM answers "busy" (+CME ERROR: 14) and the SMS stack "not ready" (+CMS ERROR:
// 314) for a while after power-up: init backs off and reaches ready without waiting for
// a health check (there is none within the test).
func TestSIMBusyAtBootBacksOff(t *testing.T) {
	h := newHarness(t, sim.Options{Profile: sim.QuectelEC25}, Config{HealthEvery: time.Hour})
	for range 3 {
		h.sim.FailNext("+CPIN", "+CME ERROR: 14")
	}
	h.sim.FailNext("+CPMS", "+CMS ERROR: 314")
	h.sim.FailNext("+CPMS", "+CMS ERROR: 500")
	h.run()
	h.waitState(StateReady)
	msg := encode(t, "+15551234567", "code 918273", 0, 0)
	h.sim.Deliver(msg...)
	h.waitReceived(msg...)
}

// A modem that forgets +CNMI without telling us (no RDY) has it set again by the health
// check, so +CMTI flows again (scans are an hour apart here).
func TestLostCNMIIsRestored(t *testing.T) {
	h := newHarness(t, sim.Options{Profile: sim.SIMComSIM7600}, Config{})
	h.run()
	h.waitState(StateReady)
	before := h.count("AT+CNMI=2")
	h.sim.LoseCNMI()
	waitFor(t, "CNMI set again", func() bool { return h.count("AT+CNMI=2") > before })
	msg := encode(t, "+15551234567", "code 112233", 0, 0)
	h.sim.Deliver(msg...)
	h.waitReceived(msg...)
	h.waitEmpty()
}

// Outgoing entries (<stat> 3, SMS-SUBMIT) in a listing are neither handed to the sink nor
// deleted.
func TestOutgoingEntriesAreLeftAlone(t *testing.T) {
	h := newHarness(t, sim.Options{Profile: sim.HuaweiE3372}, Config{})
	const sent = "0011000B915155214365F70000AA0548656C6C6F"
	h.sim.StoreSent(sent)
	h.run()
	h.waitState(StateReady)
	msg := encode(t, "+15551234567", "code 445566", 0, 0)
	h.sim.Deliver(msg...)
	h.waitReceived(msg...)
	waitFor(t, "only the sent entry left", func() bool { return len(h.sim.Stored()) == 1 })
	if st := h.sim.Stored(); st[0].PDU != sent || st[0].Stat != 3 {
		t.Fatalf("left on the SIM: %+v", st)
	}
	if slices.Contains(h.sink.pdus(), sent) {
		t.Fatal("an outgoing entry reached the sink")
	}
}

// A full store (used == total) is state storage-full; once the sink works again, the drain
// a +CMTI triggers clears the state at once (no health check runs within the test) and
// the message held at the "SMSC" comes in.
func TestStorageFullClearedByDraining(t *testing.T) {
	h := newHarness(t, sim.Options{Slots: 2}, Config{HealthEvery: time.Hour})
	var all []string
	for i := range 3 {
		all = append(all, encode(t, "+15551234567", fmt.Sprintf("code 70000%d", i), 0, 0)...)
	}
	h.sim.Deliver(all...) // 2 stored, 1 held at the SMSC
	h.sink.mu.Lock()
	h.sink.fail = 1000
	h.sink.mu.Unlock()
	h.run()
	h.waitState(StateStorageFull)
	h.sink.mu.Lock()
	h.sink.fail = 0
	h.sink.mu.Unlock()
	h.sim.Garbage([]byte("\r\n+CMTI: \"SM\",1\r\n"))
	h.waitReceived(all...)
	h.waitEmpty()
	h.waitState(StateReady)
}

// `firmline modem probe` reads identity and state from every family, also from a modem
// left in UCS2 with echo on, and says in one sentence when the port is no tty at all.
func TestProbeEveryProfile(t *testing.T) {
	for _, p := range sim.Profiles {
		t.Run(string(p), func(t *testing.T) {
			t.Parallel()
			s, err := sim.Start(sim.Options{Profile: p, Dir: t.TempDir(), OwnNumber: "+15557654321",
				Echo: true, Charset: "UCS2", CSQ: "99,99"})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			st, err := Probe(t.Context(), s.Path(), 115200, testLog(t))
			if err != nil {
				t.Fatal(err)
			}
			if st.Model == "" || st.IMEI != sim.IMEI || st.ICCID != sim.ICCID || st.State != StateReady ||
				st.Registration != "home" || st.Operator != "Firmline Sim" || st.SignalBars < 0 ||
				st.OwnNumber != "+15557654321" || st.Storage == "" || st.StorageTotal == 0 {
				t.Fatalf("probe: %+v", st)
			}
		})
	}
	t.Run("not-a-tty", func(t *testing.T) {
		t.Parallel()
		_, err := Probe(t.Context(), os.DevNull, 115200, testLog(t))
		if err == nil || !strings.Contains(err.Error(), "not a serial port") {
			t.Fatalf("probe of %s: %v", os.DevNull, err)
		}
	})
}

// A modem that rejects AT+CMGL=4 lists only unread messages with a bare AT+CMGL: a
// message already read (listed once, then not committed) is found with AT+CMGL=1.
func TestListingFallbackFindsReadMessages(t *testing.T) {
	h := newHarness(t, sim.Options{Listing: "noarg4", Profile: sim.TelitLE910}, Config{ScanEvery: 300 * time.Millisecond})
	h.sink.fail = 1 // the first listing marks it read and is not committed
	h.run()
	h.waitState(StateReady)
	msg := encode(t, "+15551234567", "code 246810", 0, 0)
	h.sim.Deliver(msg...)
	h.waitReceived(msg...)
	h.waitEmpty()
}

// An LTE-only SIM: +CREG says searching while +CEREG says registered. SMS works (the
// SMS stack answers), so the modem is ready, not "no network".
func TestLTEOnlyRegistrationIsReady(t *testing.T) {
	h := newHarness(t, sim.Options{Profile: sim.QuectelEC25, CSQ: "99,99"}, Config{})
	h.sim.Registration(2, 1)
	h.run()
	h.waitState(StateReady)
	if st := h.m.Status(); st.Registration != "home" || st.SignalBars < 0 {
		t.Fatalf("LTE-only: %+v", st)
	}
	msg := encode(t, "+15551234567", "code 135790", 0, 0)
	h.sim.Deliver(msg...)
	h.waitReceived(msg...)
}

// A status report stored in "SR" and announced with +CDSI is read from that store (which
// AT+CPMS=? need not offer), handed to the sink and deleted, so SR never fills up.
func TestStatusReportDrainedFromSR(t *testing.T) {
	h := newHarness(t, sim.Options{Profile: sim.SIMComSIM7600}, Config{})
	h.run()
	h.waitState(StateReady)
	const report = "07919730071111F106F20B919730123456F8621132114505216211321145052100"
	h.sim.DeliverReport(report)
	h.waitReceived(report)
	h.waitEmpty()
}

// URC handling: a restart is recognised however the modem spaces "+CFUN:1"; a +CMTI
// naming a store queues that store for the next drain.
func TestURCSignals(t *testing.T) {
	for _, c := range []struct {
		line   string
		reinit bool
		hint   string
	}{
		{"+CFUN:1", true, ""}, {"+CFUN: 1", true, ""}, {"+CFUN: 0", false, ""},
		{"+QIND: SMS DONE", true, ""}, {`+QIND: "csq",20,99`, false, ""},
		{`+CMTI: "ME",3`, false, "ME"}, {`+CDSI: "SR",0`, false, "SR"},
	} {
		m := New(Config{}, nil, nil)
		name, _, _ := strings.Cut(c.line, ":")
		m.onURC(at.URC{Name: name, Lines: []string{c.line}})
		if got := len(m.reinit) == 1; got != c.reinit {
			t.Errorf("%q: reinit %v, want %v", c.line, got, c.reinit)
		}
		if c.hint != "" && (!slices.Equal(m.hinted, []string{c.hint}) || len(m.scanSoon) != 1) {
			t.Errorf("%q: hinted %q, scan %d", c.line, m.hinted, len(m.scanSoon))
		}
	}
}

// A modem that refuses AT+CMGF=0 but is in PDU mode (27.005's default) is used as it is.
func TestCMGFRefusedButPDUMode(t *testing.T) {
	h := newHarness(t, sim.Options{Profile: sim.SierraEM7455}, Config{HealthEvery: time.Hour})
	h.sim.FailNext("+CMGF", "ERROR")
	h.run()
	h.waitState(StateReady)
	msg := encode(t, "+15551234567", "code 565656", 0, 0)
	h.sim.Deliver(msg...)
	h.waitReceived(msg...)
}

// A modem without AT+CPIN? (plain ERROR) is assumed to have a usable SIM rather than
// waited on forever.
func TestNoCPINQuery(t *testing.T) {
	h := newHarness(t, sim.Options{Profile: sim.TelitLE910}, Config{HealthEvery: time.Hour})
	for range 8 {
		h.sim.FailNext("+CPIN", "ERROR")
	}
	h.run()
	h.waitState(StateReady)
}
