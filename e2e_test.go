package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"firmline/modem/pdu"
	"firmline/modem/sim"
	"firmline/store"
)

// testAppliance is a real `serve` (in this process) on a simulated modem on a real pty, with
// plain HTTP on a loopback port and a temp data dir.
type testAppliance struct {
	*appliance
	sim    *sim.Sim
	cancel context.CancelFunc
	done   chan error
}

// startAppliance runs serve until the test ends. The owner owner@firm.example exists with
// password ownerPassword and no second factor.
func startAppliance(t testing.TB, profile sim.Profile) *testAppliance {
	t.Helper()
	dir := t.TempDir()
	s, err := sim.Start(sim.Options{Profile: profile, Dir: dir})
	if err != nil {
		t.Fatalf("simulated modem: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	if err := seedOwner(dir); err != nil {
		t.Fatal(err)
	}
	return startOn(t, dir, s)
}

// startOn runs serve on an existing data dir and simulated modem; stop ends it early (a
// restart test starts another on the same dir afterwards).
func startOn(t testing.TB, dir string, s *sim.Sim, more ...*sim.Sim) *testAppliance {
	t.Helper()
	cfg := defaultConfig()
	cfg.Data, cfg.Listen, cfg.TLS, cfg.Modems, cfg.Grace = dir, "127.0.0.1:0", "off", []string{s.Path()}, 2*time.Second
	for _, m := range more {
		cfg.Modems = append(cfg.Modems, m.Path())
	}
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan *appliance, 1)
	done := make(chan error, 1)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	go func() {
		done <- serve(ctx, cfg, log, func(string) string { return "" }, func(a *appliance) { ready <- a })
	}()
	var a *appliance
	select {
	case a = <-ready:
	case err := <-done:
		cancel()
		t.Fatalf("serve stopped at start: %v", err)
	case <-time.After(30 * time.Second):
		cancel()
		t.Fatal("serve did not come up in 30 s")
	}
	ta := &testAppliance{appliance: a, sim: s, cancel: cancel, done: done}
	t.Cleanup(ta.stop)
	return ta
}

const ownerPassword = "correct horse battery staple 7"

func seedOwner(dir string) error {
	st, err := store.Open(filepath.Join(dir, dbName), store.Options{})
	if err != nil {
		return err
	}
	defer st.Close()
	return execAdmin(context.Background(), adminEnv{store: st, log: slog.New(slog.DiscardHandler)},
		adminRequest{Cmd: "user.add", Args: map[string]string{"email": "owner@firm.example", "role": "owner", "name": "Olive Owner"},
			Password: ownerPassword}, io.Discard)
}

// stop ends serve and waits for it; calling it again is harmless.
func (ta *testAppliance) stop() {
	ta.cancel()
	select {
	case err, ok := <-ta.done:
		if ok {
			close(ta.done)
			if err != nil {
				panic(fmt.Sprintf("serve ended with an error: %v", err))
			}
		}
	case <-time.After(30 * time.Second):
		panic("serve did not stop within 30 s of cancellation")
	}
}

// deliver encodes text from sender as SMS-DELIVER PDU(s) and hands them to the modem.
func (ta *testAppliance) deliver(t testing.TB, sender, text string, ref int) []string {
	t.Helper()
	pdus, err := pdu.EncodeDeliver(pdu.Deliver{SMSC: "+15550000000", Sender: sender, Text: text, SentAt: time.Now(), Ref: ref})
	if err != nil {
		t.Fatal(err)
	}
	if err := ta.sim.Deliver(pdus...); err != nil {
		t.Fatal(err)
	}
	return pdus
}

// waitFor polls cond until it holds or the deadline passes; the deadline is a safety net
// for a hung test, not a timing assertion.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting: %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitReady waits until every modem has finished its start-up and reports "ready".
func (ta *testAppliance) waitReady(t testing.TB) {
	t.Helper()
	waitFor(t, "modem ready", func() bool {
		for _, st := range ta.modems.statuses() {
			if st.State != "ready" {
				return false
			}
		}
		return true
	})
}

func (ta *testAppliance) messages(t testing.TB) []store.Message {
	t.Helper()
	msgs, _, err := ta.store.Messages(store.Query{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	return msgs
}

// login signs the owner in over the JSON API and returns a client holding the cookie.
func (ta *testAppliance) login(t testing.TB) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	body := fmt.Sprintf(`{"email":"owner@firm.example","password":%q}`, ownerPassword)
	req, _ := http.NewRequest("POST", ta.url+"/api/v1/session", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("sign-in: %d %s", resp.StatusCode, b)
	}
	return c
}

func TestReceiveEndToEnd(t *testing.T) {
	ta := startAppliance(t, sim.Profile("quectel-ec25"))
	ta.deliver(t, "+12065550143", "Your Clio verification code is 482913. It expires in 10 minutes.", 1)
	waitFor(t, "message committed", func() bool { return len(ta.messages(t)) == 1 })
	m := ta.messages(t)[0]
	if m.Code != "482913" || m.Platform != "Clio" || m.Sender != "+12065550143" || !m.Complete {
		t.Fatalf("stored message = %+v", m)
	}
	waitFor(t, "SIM slot freed after commit", func() bool { return len(ta.sim.Stored()) == 0 })

	c := ta.login(t)
	resp, err := c.Get(ta.url + "/api/v1/messages?limit=10")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var page struct {
		Messages []map[string]any `json:"messages"`
		Next     *string          `json:"next"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&page); err != nil {
		t.Fatal(err)
	}
	if len(page.Messages) != 1 || page.Messages[0]["code"] != "482913" || page.Messages[0]["platform"] != "Clio" || page.Next != nil {
		t.Fatalf("API page = %+v", page)
	}

	// The SIM does not know its number (AT+CNUM is empty): the Owner's setting shows instead.
	if _, err := ta.store.UpdateSettings(func(s *store.Settings) error {
		s.OwnNumbers = map[string]string{"modem1": "+12065550100"}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	resp, err = c.Get(ta.url + "/api/v1/status")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var status struct {
		Modems []struct {
			State     string `json:"state"`
			OwnNumber string `json:"own_number"`
		} `json:"modems"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&status); err != nil || len(status.Modems) != 1 ||
		status.Modems[0].OwnNumber != "+12065550100" || status.Modems[0].State != "ready" {
		t.Fatalf("status = %+v, %v", status, err)
	}
}

func TestConcatenatedOutOfOrderAndIncomplete(t *testing.T) {
	ta := startAppliance(t, sim.Profile("simcom-sim7600"))
	long := strings.Repeat("Your NetDocuments sign-in needs a second step. ", 5) + "Security code: 731904"
	pdus, err := pdu.EncodeDeliver(pdu.Deliver{SMSC: "+15550000000", Sender: "+14155550199", Text: long, SentAt: time.Now(), Ref: 77})
	if err != nil || len(pdus) < 2 {
		t.Fatalf("encode: %v (%d parts)", err, len(pdus))
	}
	// The last part first, then the rest: one complete message.
	ta.sim.Deliver(pdus[len(pdus)-1])
	ta.sim.Deliver(pdus[:len(pdus)-1]...)
	waitFor(t, "complete message", func() bool { ms := ta.messages(t); return len(ms) == 1 && ms[0].Complete })
	if m := ta.messages(t)[0]; m.Text != long || m.Code != "731904" {
		t.Fatalf("reassembled = %q code %q", m.Text, m.Code)
	}
	// A message whose second part never comes is shown incomplete after the grace period.
	short, _ := pdu.EncodeDeliver(pdu.Deliver{SMSC: "+15550000000", Sender: "+14155550100", Text: long, SentAt: time.Now(), Ref: 78})
	ta.sim.Deliver(short[0])
	waitFor(t, "incomplete message revealed", func() bool { return len(ta.messages(t)) == 2 })
	inc := ta.messages(t)[0]
	if inc.Complete || inc.PartsReceived != 1 || inc.Parts != len(short) {
		t.Fatalf("incomplete = %+v", inc)
	}
	ta.sim.Deliver(short[1:]...)
	waitFor(t, "completed in place", func() bool { m, _ := ta.store.Message(inc.ID); return m.Complete })
	if n := len(ta.messages(t)); n != 2 {
		t.Fatalf("%d messages after completion, want 2 (updated in place)", n)
	}
}

// TestTwoModems: with two modems configured, each message records the modem that received it.
func TestTwoModems(t *testing.T) {
	dir := t.TempDir()
	var sims []*sim.Sim
	for _, p := range []sim.Profile{"quectel-ec25", "huawei-e3372"} {
		s, err := sim.Start(sim.Options{Profile: p, Dir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		sims = append(sims, s)
	}
	if err := seedOwner(dir); err != nil {
		t.Fatal(err)
	}
	ta := startOn(t, dir, sims[0], sims[1])
	for i, s := range sims {
		pdus, _ := pdu.EncodeDeliver(pdu.Deliver{SMSC: "+15550000000", Sender: "+1206555014" + fmt.Sprint(i),
			Text: fmt.Sprintf("Your Clio verification code is 55500%d", i), SentAt: time.Now()})
		s.Deliver(pdus...)
	}
	waitFor(t, "both messages", func() bool { return len(ta.messages(t)) == 2 })
	got := map[string]string{}
	for _, m := range ta.messages(t) {
		got[m.Code] = m.Modem
	}
	if got["555000"] != "modem1" || got["555001"] != "modem2" {
		t.Fatalf("code -> modem = %v, want 555000 on modem1 and 555001 on modem2", got)
	}
}

// TestConsoleRevokesLiveToken: a token revoked on the console while serve runs loses its open
// WebSocket at once, through the admin socket.
func TestConsoleRevokesLiveToken(t *testing.T) {
	ta := startAppliance(t, sim.Profile("generic"))
	ta.waitReady(t) // no modem frame may arrive afterwards to trip a per-frame check by chance
	var out strings.Builder
	if err := runAdmin(context.Background(), ta.cfg.Data, adminRequest{Cmd: "token.create",
		Args: map[string]string{"name": "wallboard", "role": "viewer"}}, &out); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	token := lines[len(lines)-1]
	ws, _, err := websocket.DefaultDialer.Dial(strings.Replace(ta.url, "http", "ws", 1)+"/api/v1/stream",
		http.Header{"Authorization": {"Bearer " + token}})
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	if err := runAdmin(context.Background(), ta.cfg.Data, adminRequest{Cmd: "token.revoke",
		Args: map[string]string{"name": "wallboard"}}, io.Discard); err != nil {
		t.Fatal(err)
	}
	ws.SetReadDeadline(time.Now().Add(30 * time.Second)) // a safety net, not a timing assertion
	for {
		if _, _, err := ws.ReadMessage(); err != nil {
			if websocket.IsCloseError(err, 4001) {
				return
			}
			t.Fatalf("socket ended with %v, want close 4001 (signed out)", err)
		}
	}
}

// TestWebBackupRestores: the Owner's "Download a backup now" gives a file that passes the
// integrity check and restores into a fresh data dir with the message in it.
func TestWebBackupRestores(t *testing.T) {
	ta := startAppliance(t, sim.Profile("sierra-em7455"))
	ta.deliver(t, "+12065550143", "Your Clio verification code is 246810", 1)
	waitFor(t, "message committed", func() bool { return len(ta.messages(t)) == 1 })
	resp, err := ta.login(t).Get(ta.url + "/api/v1/backup")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	file := filepath.Join(t.TempDir(), "download.db")
	f, _ := os.Create(file)
	io.Copy(f, resp.Body)
	f.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("backup download: %d", resp.StatusCode)
	}
	fresh := t.TempDir()
	if code, out, errOut := runArgs(t, "", "restore", "--data", fresh, "--in", file); code != 0 {
		t.Fatalf("restore: exit %d %s %s", code, out, errOut)
	}
	st, err := store.Open(filepath.Join(fresh, dbName), store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	msgs, _, _ := st.Messages(store.Query{})
	if len(msgs) != 1 || msgs[0].Code != "246810" {
		t.Fatalf("restored messages = %+v", msgs)
	}
}
