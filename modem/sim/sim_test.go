package sim

import (
	"context"
	"errors"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"firmline/modem/at"
)

// pdu is a small SMS-DELIVER ("hello" from +1555...), SMSC address included.
const pdu = "07911326040000F0040B911355551234F50000622111215500000568656C6C6F"

// host opens the sim's path like firmline does and runs an AT engine on it.
func host(t *testing.T, s *Sim) (*at.Engine, chan at.URC) {
	t.Helper()
	f, err := os.OpenFile(s.Path(), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	urcs := make(chan at.URC, 100)
	e := at.New(f, at.Options{Handler: func(u at.URC) {
		if u.Name != "^RSSI" {
			urcs <- u
		}
	}})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	return e, urcs
}

func start(t *testing.T, opt Options) *Sim {
	t.Helper()
	opt.Dir = t.TempDir()
	s, err := Start(opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func must(t *testing.T, e *at.Engine, ctx context.Context, cmd string) []string {
	t.Helper()
	lines, err := e.Command(ctx, cmd)
	if err != nil {
		t.Fatalf("AT%s: %v", cmd, err)
	}
	return lines
}

func waitURC(t *testing.T, urcs chan at.URC, name string) at.URC {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case u := <-urcs:
			if u.Name == name {
				return u
			}
		case <-timeout:
			t.Fatalf("no %s URC", name)
		}
	}
}

func TestDeliverListDelete(t *testing.T) {
	for _, p := range Profiles {
		t.Run(string(p), func(t *testing.T) {
			s := start(t, Options{Profile: p, Echo: true, Slots: 2})
			e, urcs := host(t, s)
			ctx := ctxT(t)
			must(t, e, ctx, "E0")
			must(t, e, ctx, "+CMEE=1")
			must(t, e, ctx, "+CMGF=0")
			switch s.q.urcRoute {
			case "QURCCFG":
				must(t, e, ctx, `+QURCCFG="urcport","usbat"`)
			case "CATR":
				must(t, e, ctx, "+CATR=0")
			case "PORTSEL":
				must(t, e, ctx, "^PORTSEL=0")
			}
			must(t, e, ctx, "+CNMI=2,1,0,0,0")
			if err := s.Deliver(pdu, pdu, pdu); err != nil {
				t.Fatal(err)
			}
			u := waitURC(t, urcs, "+CMTI")
			if !strings.HasPrefix(u.Lines[0], `+CMTI: "`) {
				t.Fatalf("URC %q", u.Lines)
			}
			lines := must(t, e, ctx, "+CMGL=4")
			if len(lines) != 4 || lines[1] != pdu {
				t.Fatalf("CMGL = %q", lines)
			}
			if s.Pending() != 1 {
				t.Fatalf("pending = %d, want 1 (SIM full)", s.Pending())
			}
			first := s.Stored()[0].Index
			must(t, e, ctx, "+CMGD="+itoa(first))
			waitURC(t, urcs, "+CMTI") // the second stored message
			if got := waitURC(t, urcs, "+CMTI"); !strings.HasSuffix(got.Lines[0], ","+itoa(first)) {
				t.Fatalf("held message stored at %q, want index %d", got.Lines[0], first)
			}
			if _, err := e.Command(ctx, "+CMGD=1,4"); err == nil || s.Counters().BulkDeletes != 1 {
				t.Fatalf("bulk delete accepted: %v", err)
			}
		})
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestCNMIOutOfRangeIsRejected(t *testing.T) {
	s := start(t, Options{Profile: Generic})
	e, _ := host(t, s)
	if _, err := e.Command(ctxT(t), "+CNMI=2,1,0,2,0"); !errors.Is(err, at.ErrError) {
		t.Fatalf("ds=2 on generic: %v", err)
	}
}

func TestPINAndNoSIM(t *testing.T) {
	s := start(t, Options{})
	s.PIN("1234")
	e, _ := host(t, s)
	ctx := ctxT(t)
	must(t, e, ctx, "+CMEE=1")
	if l := must(t, e, ctx, "+CPIN?"); l[0] != "+CPIN: SIM PIN" {
		t.Fatalf("CPIN? = %q", l)
	}
	if _, err := e.Command(ctx, `+CPIN="0000"`); err == nil {
		t.Fatal("wrong PIN accepted")
	}
	must(t, e, ctx, `+CPIN="1234"`)
	if l := must(t, e, ctx, "+CPIN?"); l[0] != "+CPIN: READY" {
		t.Fatalf("CPIN? = %q", l)
	}
	s.NoSIM(true)
	if _, err := e.Command(ctx, "+CPIN?"); func() bool { c, ok := at.CMECode(err); return !ok || c != 10 }() {
		t.Fatalf("no SIM: %v", err)
	}
	if s.Counters().WrongPINs != 1 {
		t.Fatalf("counters %+v", s.Counters())
	}
}

func TestUnplugReplugKeepsPath(t *testing.T) {
	s := start(t, Options{Profile: QuectelEC25})
	e, _ := host(t, s)
	must(t, e, ctxT(t), "")
	s.Unplug()
	<-e.Done()
	if !errors.Is(e.Err(), at.ErrDeviceGone) {
		t.Fatalf("engine: %v", e.Err())
	}
	if _, err := os.Stat(s.Path()); err == nil {
		t.Fatal("path still there while unplugged")
	}
	if err := s.Deliver(pdu); err != nil {
		t.Fatal(err)
	}
	if err := s.Replug(); err != nil {
		t.Fatal(err)
	}
	e2, _ := host(t, s)
	must(t, e2, ctxT(t), "+CMGF=0")
	lines := must(t, e2, ctxT(t), "+CMGL=4")
	if len(lines) != 2 {
		t.Fatalf("message delivered while unplugged not stored after replug: %q", lines)
	}
}
