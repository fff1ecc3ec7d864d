package main

import (
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"firmline/modem/sim"
	"firmline/store"
)

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

// percentiles reports p50 and p99 of ds as benchmark metrics in milliseconds.
func percentiles(b *testing.B, ds []time.Duration, prefix string) {
	if len(ds) == 0 {
		return
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	b.ReportMetric(ms(ds[len(ds)/2]), prefix+"p50-ms")
	b.ReportMetric(ms(ds[(len(ds)*99)/100]), prefix+"p99-ms")
}

// timeCodes delivers b.N codes through the simulated modem, each timed from the delivery
// (the modem stores the SMS and writes +CMTI) until arrived(code) returns, and reports p50/p99.
func timeCodes(b *testing.B, ta *testAppliance, metric string, arrived func(code string)) {
	var ds []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		code := fmt.Sprintf("%06d", i)
		start := time.Now()
		ta.deliver(b, "+12065550143", "Your Clio verification code is "+code, 0)
		arrived(code)
		ds = append(ds, time.Since(start))
	}
	b.StopTimer()
	percentiles(b, ds, metric)
}

// BenchmarkCMTIToCommit measures the time from the simulated modem storing a message and
// writing +CMTI to the message being durably committed in bbolt, through the real serve.
func BenchmarkCMTIToCommit(b *testing.B) {
	ta := startAppliance(b, sim.Profile("quectel-ec25"))
	ta.waitReady(b)
	timeCodes(b, ta, "cmti-commit-", func(code string) {
		for {
			if msgs, _, _ := ta.store.Messages(store.Query{Limit: 1}); len(msgs) == 1 && msgs[0].Code == code {
				return
			}
			time.Sleep(200 * time.Microsecond)
		}
	})
}

// BenchmarkCMTIToWebSocket measures the time from +CMTI at the simulated modem to the
// WebSocket frame carrying the message at a signed-in client.
func BenchmarkCMTIToWebSocket(b *testing.B) {
	ta := startAppliance(b, sim.Profile("quectel-ec25"))
	ta.waitReady(b)
	c := ta.login(b)
	hdr := http.Header{"Origin": {ta.url}}
	for _, ck := range c.Jar.Cookies(mustURL(ta.url)) {
		hdr.Add("Cookie", ck.Name+"="+ck.Value)
	}
	ws, _, err := websocket.DefaultDialer.Dial(strings.Replace(ta.url, "http", "ws", 1)+"/api/v1/stream", hdr)
	if err != nil {
		b.Fatal(err)
	}
	defer ws.Close()
	timeCodes(b, ta, "cmti-ws-", func(code string) {
		for {
			var f struct {
				Type    string `json:"type"`
				Message struct {
					Code string `json:"code"`
				} `json:"message"`
			}
			ws.SetReadDeadline(time.Now().Add(30 * time.Second))
			if err := ws.ReadJSON(&f); err != nil {
				b.Fatal(err)
			}
			if f.Type == "message" && f.Message.Code == code {
				return
			}
		}
	})
}
