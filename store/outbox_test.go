package store

import (
	"errors"
	"path/filepath"
	"testing"
	"time"
)

func TestChannelsAndRules(t *testing.T) {
	s, _ := openTest(t)
	a, err := s.PutChannel(Channel{Type: "slack", Name: "b-slack", URL: "https://hooks.slack.test/x"})
	if err != nil || a.ID == "" || a.Created.IsZero() {
		t.Fatalf("PutChannel: %+v %v", a, err)
	}
	s.PutChannel(Channel{Type: "webhook", Name: "a-hook"})
	a.Redact = true
	if _, err := s.PutChannel(a); err != nil {
		t.Fatal(err)
	}
	list, _ := s.Channels()
	if len(list) != 2 || list[0].Name != "a-hook" || !list[1].Redact {
		t.Fatalf("Channels: %+v", list)
	}
	if got, err := s.Channel(a.ID); err != nil || got.URL != a.URL {
		t.Fatalf("Channel: %v", err)
	}
	if err := s.DeleteChannel(a.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteChannel(a.ID); !errors.Is(err, ErrNotFound) {
		t.Fatal("deleted twice")
	}
	if _, err := s.Channel(a.ID); !errors.Is(err, ErrNotFound) {
		t.Fatal("deleted channel found")
	}
	if rules, err := s.Rules(); err != nil || len(rules) != 0 {
		t.Fatal("a new store has rules")
	}
	in := []Rule{{Platform: "Clio", Channels: []string{"x"}, Stop: true}, {ID: "keep", Text: "^a", Regex: true}}
	if err := s.PutRules(in); err != nil {
		t.Fatal(err)
	}
	rules, _ := s.Rules()
	if len(rules) != 2 || rules[0].ID == "" || rules[0].Platform != "Clio" || rules[1].ID != "keep" || in[0].ID != "" {
		t.Fatalf("Rules: %+v", rules)
	}
}

func TestOutboxLifecycle(t *testing.T) {
	path := filepath.Join(t.TempDir(), "firmline.db")
	c := newClock()
	s, err := Open(path, Options{Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	m, _, _ := s.Ingest(Incoming{PDU: "00CC", ReceivedAt: c.Now()}, textFields)
	modem, _ := s.EnqueueEvent(Event{Kind: "modem", Data: map[string]string{"state": "no-sim"}})
	evs, _ := s.PendingEvents(0)
	if len(evs) != 2 || evs[0].MessageID != m.ID || evs[0].Kind != "message" || evs[1].ID != modem.ID {
		t.Fatalf("PendingEvents: %+v", evs)
	}
	if _, ok := s.NextDue(); ok {
		t.Fatal("NextDue with nothing pending")
	}
	now := c.Now()
	// Atomic: a bad second delivery leaves the event pending and adds nothing.
	if err := s.ExpandEvent(evs[0].ID, []Delivery{{ChannelID: "slack"}, {}}); err == nil {
		t.Fatal("a delivery without a channel was accepted")
	}
	if again, _ := s.PendingEvents(0); len(again) != 2 {
		t.Fatal("a failed expansion removed the event")
	}
	if d, _ := s.Deliveries("", 0); len(d) != 0 {
		t.Fatal("a failed expansion left deliveries behind")
	}
	err = s.ExpandEvent(evs[0].ID, []Delivery{
		{ChannelID: "slack", NextAttempt: now.Add(2 * time.Second)},
		{ChannelID: "mail"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.ExpandEvent(evs[0].ID, []Delivery{{ChannelID: "slack"}}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("expanding twice: %v", err)
	}
	s.ExpandEvent(modem.ID, []Delivery{{ChannelID: "teams", NextAttempt: now.Add(time.Second)}})
	if evs, _ := s.PendingEvents(0); len(evs) != 0 {
		t.Fatal("expanded events still pending")
	}
	due, _ := s.DueDeliveries(now.Add(time.Hour), 0)
	if len(due) != 3 || due[0].ChannelID != "mail" || due[1].ChannelID != "teams" || due[2].ChannelID != "slack" {
		t.Fatalf("DueDeliveries not ordered by NextAttempt: %+v", due)
	}
	if due[0].MessageID != m.ID || due[0].Kind != "message" || due[0].Status != StatusPending || due[1].Data["state"] != "no-sim" {
		t.Fatalf("delivery fields not taken from the event: %+v", due)
	}
	if d, _ := s.DueDeliveries(now, 0); len(d) != 1 {
		t.Fatalf("due now: %d, want 1", len(d))
	}
	if next, ok := s.NextDue(); !ok || !next.Equal(now) {
		t.Fatalf("NextDue = %v %v", next, ok)
	}
	mail, slack := due[0], due[2]
	// Close and reopen: nothing lost.
	s.Close()
	if s, err = Open(path, Options{Now: c.Now}); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	// A failure with a retry time, then success.
	d, err := s.FinishDelivery(mail.ID, false, "421 try later", now.Add(10*time.Second), false)
	if err != nil || d.Status != StatusPending || d.Attempts != 1 || d.LastError != "421 try later" {
		t.Fatalf("retry: %+v %v", d, err)
	}
	if got, _ := s.DueDeliveries(now.Add(5*time.Second), 0); len(got) != 2 || got[0].ID == mail.ID || got[1].ID == mail.ID {
		t.Fatalf("the retried delivery is due before its time: %+v", got)
	}
	if got, _ := s.DueDeliveries(now.Add(10*time.Second), 0); len(got) != 3 || got[2].ID != mail.ID {
		t.Fatal("the retried delivery is not due at its time")
	}
	c.Advance(10 * time.Second)
	d, err = s.FinishDelivery(mail.ID, true, "", time.Time{}, false)
	if err != nil || d.Status != StatusDelivered || d.Attempts != 2 || d.LastError != "" || !d.DoneAt.Equal(c.Now()) {
		t.Fatalf("delivered: %+v %v", d, err)
	}
	if _, err := s.FinishDelivery(mail.ID, true, "", time.Time{}, false); !errors.Is(err, ErrUsed) {
		t.Fatalf("finishing twice: %v", err)
	}
	d, _ = s.FinishDelivery(slack.ID, false, "gone", time.Time{}, true)
	if d.Status != StatusFailed || d.LastError != "gone" {
		t.Fatalf("final failure: %+v", d)
	}
	if got, _ := s.DueDeliveries(now.Add(time.Hour), 0); len(got) != 1 || got[0].ChannelID != "teams" {
		t.Fatalf("finished deliveries still due: %+v", got)
	}
	log, _ := s.Deliveries(m.ID, 0)
	if len(log) != 2 || log[0].ChannelID != "mail" || log[1].ChannelID != "slack" {
		t.Fatalf("Deliveries(message) newest first: %+v", log)
	}
	if all, _ := s.Deliveries("", 2); len(all) != 2 || all[0].ChannelID != "teams" {
		t.Fatalf("Deliveries(all) limit/newest first: %+v", all)
	}
	if _, err := s.FinishDelivery("zz", true, "", time.Time{}, false); !errors.Is(err, ErrNotFound) {
		t.Fatal("finish of a bad id")
	}
}
