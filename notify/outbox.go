package notify

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"firmline/store"
)

// expand turns every pending outbox event into its deliveries (one store transaction per
// event). An event whose message is gone expands to nothing.
func (w *Worker) expand() error {
	w.expandMu.Lock()
	defer w.expandMu.Unlock()
	events, err := w.st.PendingEvents(100)
	if err != nil {
		return err
	}
	for _, e := range events {
		ds, err := w.plan(e)
		if err != nil {
			return err
		}
		if err := w.st.ExpandEvent(e.ID, ds); err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
	}
	return nil
}

// plan lists the deliveries of event e: routed channels and personal emails for a message,
// the default channels for modem alerts and heartbeats, the named channel for a test.
func (w *Worker) plan(e store.Event) ([]store.Delivery, error) {
	channels, err := w.st.Channels()
	if err != nil {
		return nil, err
	}
	var ids []string
	var ds []store.Delivery
	switch e.Kind {
	case EventMessage:
		m, err := w.st.Message(e.MessageID)
		if errors.Is(err, store.ErrNotFound) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		rules, err := w.st.Rules()
		if err != nil {
			return nil, err
		}
		ids = Route(rules, channels, m)
		if ds, err = w.personal(m); err != nil {
			return nil, err
		}
	case EventModem, EventHeartbeat:
		if ids = defaults(channels); len(ids) == 0 {
			w.log.Warn("no default notification channel: a box alert goes nowhere", "kind", e.Kind, "modem", e.Data["modem"])
		}
	case EventTest:
		ids = existing([]string{e.Data["channel"]}, channels)
	}
	for _, id := range ids {
		ds = append(ds, store.Delivery{ChannelID: id})
	}
	return ds, nil
}

// personal lists the emails of users who asked for m's platform, when SMTP is configured.
func (w *Worker) personal(m store.Message) ([]store.Delivery, error) {
	if w.cfg.Mailer == nil {
		return nil, nil
	}
	users, err := w.st.Users()
	if err != nil {
		return nil, err
	}
	var ds []store.Delivery
	for _, u := range Recipients(users, m) {
		ds = append(ds, store.Delivery{ChannelID: userChannel + u.ID, Data: map[string]string{"to": u.Email}})
	}
	return ds, nil
}

// notification builds what delivery d sends, and the channel it goes to.
func (w *Worker) notification(d store.Delivery) (store.Channel, Notification, error) {
	ch, err := w.channel(d)
	if err != nil {
		return ch, Notification{}, err
	}
	set, err := w.st.Settings()
	if err != nil {
		return ch, Notification{}, err
	}
	pub := set.PublicURL
	if pub == "" {
		pub = w.cfg.PublicURL
	}
	n := Notification{Event: d.Kind, DeliveryID: d.ID, InboxURL: InboxURL(pub), Redact: ch.Redact, Time: d.Created}
	switch d.Kind {
	case EventMessage:
		m, err := w.st.Message(d.MessageID)
		if errors.Is(err, store.ErrNotFound) {
			return ch, n, wrapPermanent(errors.New("the message was deleted"))
		}
		if err != nil {
			return ch, n, err
		}
		n.Message, n.MessageURL = &m, MessageURL(pub, m.ID)
	case EventTest:
		m := sampleMessage(d.Created)
		n.Message = &m
	case EventModem:
		n.Modem = modemFacts(d.Data)
	case EventHeartbeat:
		n.Heartbeat = heartbeatFacts(d.Data)
	default:
		return ch, n, wrapPermanent(fmt.Errorf("unknown event kind %q", d.Kind))
	}
	return ch, n, nil
}

// Test sends a test notification to channel id now and returns the receiver's answer. The
// attempt is recorded in the delivery log like any other (and never retried).
func (w *Worker) Test(ctx context.Context, channelID string) (Answer, error) {
	ch, err := w.st.Channel(channelID)
	if err != nil {
		return Answer{}, fmt.Errorf("test notification: %w", err)
	}
	d, err := w.testDelivery(ch.ID)
	if err != nil {
		return Answer{}, fmt.Errorf("test notification: %w", err)
	}
	n := Notification{Event: EventTest, DeliveryID: d.ID, Redact: ch.Redact, Time: d.Created}
	if set, err := w.st.Settings(); err == nil {
		n.InboxURL = InboxURL(firstNonEmpty(set.PublicURL, w.cfg.PublicURL))
	}
	m := sampleMessage(d.Created)
	n.Message = &m
	a, sendErr := w.send(ctx, ch, n)
	errText := ""
	if sendErr != nil {
		errText = clip(sendErr.Error(), 300)
	}
	if got, err := w.st.FinishDelivery(d.ID, sendErr == nil, errText, time.Time{}, true); err == nil {
		w.logAttempt(got, ch, sendErr)
	}
	return a, sendErr
}

// testDelivery records a test event and its one delivery, parked an hour ahead so that Run
// leaves it to Test; returns the delivery.
func (w *Worker) testDelivery(channelID string) (store.Delivery, error) {
	w.expandMu.Lock()
	defer w.expandMu.Unlock()
	e, err := w.st.EnqueueEvent(store.Event{Kind: EventTest, Data: map[string]string{"channel": channelID}})
	if err != nil {
		return store.Delivery{}, err
	}
	park := w.cfg.Now().Add(time.Hour)
	if err := w.st.ExpandEvent(e.ID, []store.Delivery{{ChannelID: channelID, NextAttempt: park}}); err != nil {
		return store.Delivery{}, err
	}
	recent, err := w.st.Deliveries("", 50)
	if err != nil {
		return store.Delivery{}, err
	}
	for _, d := range recent {
		if d.EventID == e.ID {
			return d, nil
		}
	}
	return store.Delivery{}, errors.New("the test delivery was not recorded")
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func modemFacts(data map[string]string) *ModemFacts {
	f := &ModemFacts{Name: data["modem"], State: data["state"], Recovered: data["recovered"] == "true"}
	f.Since, _ = time.Parse(time.RFC3339, data["since"])
	return f
}

func heartbeatFacts(data map[string]string) *Heartbeat {
	h := &Heartbeat{Modems: map[string]string{}}
	h.Messages24h, _ = strconv.Atoi(data["messages_24h"])
	for k, v := range data {
		if name, ok := strings.CutPrefix(k, "modem:"); ok {
			h.Modems[name] = v
		}
	}
	return h
}
