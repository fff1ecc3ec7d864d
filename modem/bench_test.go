package modem

import (
	"context"
	"slices"
	"testing"
	"time"

	"firmline/modem/sim"
)

// timingSink records when Receive is called.
type timingSink struct {
	got chan time.Time
}

func (s *timingSink) Receive(ctx context.Context, modem string, msgs []Stored) error {
	now := time.Now()
	for range msgs {
		s.got <- now
	}
	return nil
}

// BenchmarkCMTIToSink measures the time from the simulator storing a message and writing
// +CMTI to Sink.Receive being called (in-memory sink), through the real pty, serial port,
// AT engine and AT+CMGL=4 listing. Reports p50/p99 in milliseconds.
//
//	go test -run - -bench CMTIToSink -benchtime 200x ./modem/
func BenchmarkCMTIToSink(b *testing.B) {
	b.ReportAllocs()
	s, err := sim.Start(sim.Options{Profile: sim.QuectelEC25, Dir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	sink := &timingSink{got: make(chan time.Time, 16)}
	m := New(Config{Name: "bench", Port: s.Path(), Log: testLog(b), ScanEvery: time.Hour}, sink, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	defer func() { cancel(); <-done }()
	waitFor(b, "ready", func() bool { return m.Status().State == StateReady })
	msg := encode(b, "+15551234567", "Your code is 482913", 0, 0)[0]
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		if err := s.Deliver(msg); err != nil {
			b.Fatal(err)
		}
		select {
		case at := <-sink.got:
			lat = append(lat, at.Sub(start))
		case <-time.After(20 * time.Second):
			b.Fatal("message not received")
		}
	}
	b.StopTimer()
	slices.Sort(lat)
	ms := func(q float64) float64 {
		return float64(lat[int(q*float64(len(lat)-1))]) / float64(time.Millisecond)
	}
	b.ReportMetric(ms(0.50), "p50-ms")
	b.ReportMetric(ms(0.99), "p99-ms")
}
