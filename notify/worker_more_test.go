package notify

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"firmline/store"
)

func TestSendTestReportsAnswer(t *testing.T) {
	clk := newClock()
	st, _ := tempStore(t, clk.now)
	rcv := newReceiver(t, 202, 500)
	rcv.answer = "queued"
	ch := webhookChannel(t, st, rcv.URL, false)
	w := startWorker(t, st, clk, Config{PublicURL: "https://box.example"})

	a, err := w.Test(context.Background(), ch.ID)
	if err != nil || a.Status != 202 || a.Body != "queued" {
		t.Fatalf("Test = %+v, %v", a, err)
	}
	q := rcv.next(t)
	body := decode(t, q.Body)
	if body["event"] != "test" || obj(t, body["message"], "message")["code"] != "123456" || q.Header.Get(HeaderDelivery) == "" {
		t.Errorf("test body: %s", q.Body)
	}
	a, err = w.Test(context.Background(), ch.ID)
	if err == nil || a.Status != 500 {
		t.Errorf("failing Test = %+v, %v", a, err)
	}
	rcv.next(t)
	ds, _ := st.Deliveries("", 10)
	var statuses []string
	for _, d := range ds {
		if d.Kind != EventTest || d.ChannelID != ch.ID || d.Attempts != 1 {
			t.Errorf("test delivery %+v", d)
		}
		statuses = append(statuses, d.Status)
	}
	if !slices.Equal(statuses, []string{store.StatusFailed, store.StatusDelivered}) {
		t.Errorf("delivery log statuses %v", statuses)
	}
	if _, err := w.Test(context.Background(), "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Test(unknown) = %v", err)
	}
	if len(rcv.got) != 0 {
		t.Error("a test was sent twice")
	}
}

func TestPermanentFailuresStopAtOnce(t *testing.T) {
	clk := newClock()
	st, _ := tempStore(t, clk.now)
	rcv := newReceiver(t)
	rcv.always, rcv.answer = 404, "no_service"
	slack, _ := st.PutChannel(store.Channel{Type: TypeSlack, Name: "s", URL: rcv.URL + "/services/T/B/SECRET"})
	mail, _ := st.PutChannel(store.Channel{Type: TypeEmail, Name: "m", To: "a@firm.example"})
	gone, _ := st.PutChannel(store.Channel{Type: TypeSlack, Name: "g", URL: rcv.URL})
	if err := st.PutRules([]store.Rule{{Channels: []string{slack.ID, mail.ID, gone.ID}}}); err != nil {
		t.Fatal(err)
	}
	ingest(t, st, 1, clk.now(), "Clio", "482913")
	if err := New(st, Config{Now: clk.now}, slog.New(slog.DiscardHandler)).expand(); err != nil {
		t.Fatal(err)
	}
	st.DeleteChannel(gone.ID)              // after its delivery was planned
	w := startWorker(t, st, clk, Config{}) // no SMTP
	w.Wake()
	got := map[string]store.Delivery{}
	for range 3 {
		d := w.attempt(t)
		got[d.ChannelID] = d
	}
	for _, id := range []string{slack.ID, mail.ID, gone.ID} {
		d := got[id]
		if d.Status != store.StatusFailed || d.Attempts != 1 || strings.Contains(d.LastError, "SECRET") {
			t.Errorf("channel %s: %+v", id, d)
		}
	}
	if !strings.Contains(got[mail.ID].LastError, "SMTP") {
		t.Errorf("email without SMTP: %q", got[mail.ID].LastError)
	}
}

func TestRoutedPersonalEmailAndRedaction(t *testing.T) {
	clk := newClock()
	st, _ := tempStore(t, clk.now)
	mb := newMailbox(t, "starttls")
	mailer, err := NewMailer(mb.smtpConfig("starttls"))
	if err != nil {
		t.Fatal(err)
	}
	rcv := newReceiver(t)
	hook, _ := st.PutChannel(store.Channel{Type: TypeWebhook, Name: "h", URL: rcv.URL, Secret: "0123456789abcdef", Redact: true, Default: true})
	u, err := st.CreateUser(store.User{Email: "ann@firm.example", Name: "Ann", Role: store.RoleViewer, NotifyPlatforms: []string{"clio"}})
	if err != nil {
		t.Fatal(err)
	}
	w := startWorker(t, st, clk, Config{Mailer: mailer, PublicURL: "https://box.example/"})
	m := ingest(t, st, 1, clk.now(), "Clio", "482913")
	w.Wake()
	q := rcv.wait(t)
	msg := obj(t, decode(t, q.Body)["message"], "message")
	if msg["code"] != nil || msg["text"] != "" || msg["url"] != "https://box.example/messages/"+m.ID {
		t.Errorf("redacted webhook message: %v", msg)
	}
	byChannel := map[string]store.Delivery{}
	for range 2 {
		d := w.attempt(t)
		byChannel[d.ChannelID] = d
	}
	if byChannel[hook.ID].Status != store.StatusDelivered || byChannel["user:"+u.ID].Status != store.StatusDelivered {
		t.Fatalf("deliveries: %+v", byChannel)
	}
	env, p := mb.next(t)
	if !slices.Equal(env.To, []string{"ann@firm.example"}) || p.Subject != "Clio code 482913" {
		t.Errorf("personal email to %v subject %q", env.To, p.Subject)
	}
}
