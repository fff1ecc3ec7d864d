package notify

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"firmline/store"
)

// verifySignature is the receiver's check exactly as WEBHOOKS.md documents it, written
// independently of Sign: parse t and v1, recompute HMAC-SHA256(secret, t + "." + body),
// compare in constant time, and refuse timestamps outside the tolerance.
func verifySignature(secret, header string, body []byte, now time.Time, tolerance time.Duration) error {
	var ts, sig string
	for _, kv := range strings.Split(header, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(kv), "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			sig = v
		}
	}
	t, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || sig == "" {
		return errors.New("malformed signature header")
	}
	if d := now.Sub(time.Unix(t, 0)); d > tolerance || d < -tolerance {
		return errors.New("timestamp outside the replay window")
	}
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts + "." + string(body)))
	want := hex.EncodeToString(m.Sum(nil))
	if !hmac.Equal([]byte(want), []byte(sig)) {
		return errors.New("signature mismatch")
	}
	return nil
}

func TestWebhookBodyAndSignature(t *testing.T) {
	rcv := newReceiver(t, 204)
	const secret = "s3cr3t-s3cr3t-s3cr3t"
	w := Webhook{Now: func() time.Time { return t0 }}
	ch := store.Channel{Type: TypeWebhook, URL: rcv.URL, Secret: secret}
	if a, err := w.Send(context.Background(), ch, messageNote(false)); err != nil || a.Status != 204 {
		t.Fatalf("Send = %+v, %v", a, err)
	}
	q := rcv.next(t)
	if got := q.Header.Get("X-Firmline-Delivery"); got != "d-1" {
		t.Errorf("X-Firmline-Delivery = %q", got)
	}
	sig := q.Header.Get("X-Firmline-Signature")
	if !strings.HasPrefix(sig, "t="+strconv.FormatInt(t0.Unix(), 10)+",v1=") {
		t.Errorf("signature header = %q", sig)
	}
	if err := verifySignature(secret, sig, q.Body, t0.Add(time.Minute), 5*time.Minute); err != nil {
		t.Errorf("documented verification fails: %v", err)
	}
	if err := verifySignature("other-secret", sig, q.Body, t0, 5*time.Minute); err == nil {
		t.Error("a wrong secret verifies")
	}
	if err := verifySignature(secret, sig, append(q.Body, ' '), t0, 5*time.Minute); err == nil {
		t.Error("a changed body verifies")
	}
	if err := verifySignature(secret, sig, q.Body, t0.Add(time.Hour), 5*time.Minute); err == nil {
		t.Error("a replay an hour later verifies")
	}

	body := decode(t, q.Body)
	if len(body) != 3 || body["event"] != "message" || body["delivery_id"] != "d-1" {
		t.Errorf("body keys = %v", body)
	}
	msg := obj(t, body["message"], "message")
	want := map[string]any{"id": "0001946b2c3d0001", "received_at": "2026-11-23T09:41:07.123Z", "sender": "+15551234567",
		"text": "Your Clio verification code is 482913", "code": "482913", "platform": "Clio",
		"sent_at": "2026-11-23T09:41:05-05:00", "modem": "modem0", "parts": 1.0, "complete": true,
		"url": "https://box.example/messages/0001946b2c3d0001"}
	for k, v := range want {
		if msg[k] != v {
			t.Errorf("message.%s = %v, want %v", k, msg[k], v)
		}
	}

	// A retry of the same delivery carries the same delivery id.
	if _, err := w.Send(context.Background(), ch, messageNote(false)); err != nil {
		t.Fatal(err)
	}
	if got := rcv.next(t).Header.Get("X-Firmline-Delivery"); got != "d-1" {
		t.Errorf("retry delivery id = %q", got)
	}
}

func TestWebhookRedactAndFailures(t *testing.T) {
	rcv := newReceiver(t, 200, 404)
	ch := store.Channel{Type: TypeWebhook, URL: rcv.URL, Secret: "0123456789abcdef"}
	if _, err := (Webhook{}).Send(context.Background(), ch, messageNote(true)); err != nil {
		t.Fatal(err)
	}
	q := rcv.next(t)
	msg := obj(t, decode(t, q.Body)["message"], "message")
	if msg["text"] != "" || msg["code"] != nil || msg["sender"] != "" || msg["id"] != "0001946b2c3d0001" {
		t.Errorf("redacted webhook message = %v", msg)
	}
	if strings.Contains(string(q.Body), "482913") {
		t.Errorf("redacted body carries the code: %s", q.Body)
	}
	// A webhook's 4xx is retried: the receiver may be mid-deploy.
	if _, err := (Webhook{}).Send(context.Background(), ch, messageNote(false)); err == nil || errors.Is(err, ErrPermanent) {
		t.Errorf("404 = %v, want retryable", err)
	}
	ch.Secret = ""
	if _, err := (Webhook{}).Send(context.Background(), ch, messageNote(false)); !errors.Is(err, ErrPermanent) {
		t.Errorf("no secret = %v, want permanent", err)
	}
}

func TestWebhookModemEvent(t *testing.T) {
	rcv := newReceiver(t)
	ch := store.Channel{Type: TypeWebhook, URL: rcv.URL, Secret: "0123456789abcdef"}
	n := Notification{Event: EventModem, DeliveryID: "d-2", Modem: &ModemFacts{Name: "modem0", State: "no-sim", Since: t0}, Time: t0}
	if _, err := (Webhook{}).Send(context.Background(), ch, n); err != nil {
		t.Fatal(err)
	}
	body := decode(t, rcv.next(t).Body)
	m := obj(t, body["modem"], "modem")
	if body["event"] != "modem" || m["state"] != "no-sim" || m["name"] != "modem0" || body["message"] != nil {
		t.Errorf("modem body = %v", body)
	}
}
