package modem

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"firmline/modem/pdu"
	"firmline/modem/sim"
)

// recordSink is an in-memory Sink that records what it got and can fail on demand. check,
// when set, runs inside Receive (before it returns), e.g. to assert nothing was deleted yet.
type recordSink struct {
	mu    sync.Mutex
	got   []Stored
	calls int
	fail  int // fail this many calls first
	check func([]Stored)
	ch    chan struct{}
}

func newSink() *recordSink { return &recordSink{ch: make(chan struct{}, 1000)} }

func (s *recordSink) Receive(ctx context.Context, modem string, msgs []Stored) error {
	if s.check != nil {
		s.check(msgs)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	if s.fail > 0 {
		s.fail--
		return errors.New("disk on fire")
	}
	s.got = append(s.got, msgs...)
	s.ch <- struct{}{}
	return nil
}

func (s *recordSink) pdus() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, m := range s.got {
		out = append(out, m.PDU)
	}
	return out
}

// harness runs a Modem against a simulator until the test ends.
type harness struct {
	t    *testing.T
	sim  *sim.Sim
	m    *Modem
	sink *recordSink
}

func testLog(t testing.TB) *slog.Logger {
	if os.Getenv("FIRMLINE_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

func newHarness(t *testing.T, opt sim.Options, cfg Config) *harness {
	t.Helper()
	opt.Dir = t.TempDir()
	s, err := sim.Start(opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	h := &harness{t: t, sim: s, sink: newSink()}
	return h.withConfig(cfg)
}

func (h *harness) withConfig(cfg Config) *harness {
	cfg.Name, cfg.Port = "test", h.sim.Path()
	if cfg.Log == nil {
		cfg.Log = testLog(h.t)
	}
	if cfg.ScanEvery == 0 {
		cfg.ScanEvery = time.Hour
	}
	if cfg.HealthEvery == 0 {
		cfg.HealthEvery = 300 * time.Millisecond
	}
	if cfg.CommandTimeout == 0 {
		cfg.CommandTimeout = 2 * time.Second
	}
	h.m = New(cfg, h.sink, nil)
	return h
}

// run starts Run and stops it at cleanup, checking it returns.
func (h *harness) run() {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- h.m.Run(ctx) }()
	h.t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				h.t.Errorf("Run: %v", err)
			}
		case <-time.After(20 * time.Second):
			h.t.Error("Run did not return after cancel")
		}
	})
}

// waitFor polls cond until it holds or a generous deadline passes (a real pty is involved).
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(25 * time.Second)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		<-tick.C
	}
}

func (h *harness) waitState(state string) {
	h.t.Helper()
	waitFor(h.t, "state "+state, func() bool { return h.m.Status().State == state })
}

func (h *harness) waitReceived(pdus ...string) {
	h.t.Helper()
	waitFor(h.t, fmt.Sprintf("%d messages at the sink", len(pdus)), func() bool {
		got := h.sink.pdus()
		for _, p := range pdus {
			if !slices.Contains(got, p) {
				return false
			}
		}
		return true
	})
}

func (h *harness) waitEmpty() {
	h.t.Helper()
	waitFor(h.t, "SIM storage empty", func() bool { return len(h.sim.Stored()) == 0 })
}

func (h *harness) count(prefix string) int {
	n := 0
	for _, c := range h.sim.Commands() {
		if strings.HasPrefix(strings.ToUpper(c), prefix) {
			n++
		}
	}
	return n
}

// encode makes SMS-DELIVER PDUs for text from sender.
func encode(t testing.TB, sender, text string, ref, partSize int) []string {
	t.Helper()
	p, err := pdu.EncodeDeliver(pdu.Deliver{SMSC: "+15550000000", Sender: sender, Text: text, Ref: ref, PartSize: partSize,
		SentAt: time.Date(2026, 11, 23, 9, 41, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	return p
}
