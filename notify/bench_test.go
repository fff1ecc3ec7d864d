package notify

import (
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// BenchmarkCommitToReceiver measures, on the real clock, the time from store.Ingest returning
// (the message, its outbox event and audit entry committed and fsync'd) to a webhook receiver
// on loopback starting to handle the signed POST: Wake, event expansion into a delivery
// (one more bbolt commit), the send. Reports p50 and p99 in milliseconds.
func BenchmarkCommitToReceiver(b *testing.B) {
	b.ReportAllocs()
	st := openStore(b, filepath.Join(b.TempDir(), "firmline.db"), time.Now)
	defer st.Close()
	rcv := newReceiver(b)
	webhookChannel(b, st, rcv.URL, true)
	w := startWorker(b, st, nil, Config{})
	defer w.stop()
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := range b.N {
		ingest(b, st, i+1, time.Now(), "Clio", "482913")
		committed := time.Now()
		w.Wake()
		q := rcv.wait(b)
		lat = append(lat, q.At.Sub(committed))
		w.attempt(b) // the delivery is recorded before the next message
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[(len(lat)*99)/100].Microseconds())/1000, "p99-ms")
}
