package notify

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"firmline/store"
)

// Webhook POSTs the documented JSON body (interfaces.md "Webhook deliveries", WEBHOOKS.md)
// signed with the channel's secret:
//
//	X-Firmline-Delivery: <delivery_id>
//	X-Firmline-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>
//
// Any 2xx is success; every other answer is retried (a receiver may be mid-deploy).
type Webhook struct {
	Client *http.Client     // NewHTTPClient() when nil
	Now    func() time.Time // signing time; time.Now when nil
}

// WebhookBody is the JSON body of a webhook delivery. Message is the (redacted, when the
// channel redacts) message for "message" and "test" events; Modem and Heartbeat carry the
// facts of the other events.
type WebhookBody struct {
	Event      string      `json:"event"`
	DeliveryID string      `json:"delivery_id"`
	Message    *Message    `json:"message,omitempty"`
	Modem      *ModemFacts `json:"modem,omitempty"`
	Heartbeat  *Heartbeat  `json:"heartbeat,omitempty"`
}

// Header names of a webhook delivery.
const (
	HeaderDelivery  = "X-Firmline-Delivery"
	HeaderSignature = "X-Firmline-Signature"
)

// Send implements Sender.
func (w Webhook) Send(ctx context.Context, ch store.Channel, n Notification) (Answer, error) {
	if ch.Secret == "" {
		return Answer{}, wrapPermanent(errNoSecret)
	}
	body := marshal(webhookBody(n))
	now := time.Now
	if w.Now != nil {
		now = w.Now
	}
	hdr := http.Header{}
	hdr.Set(HeaderDelivery, n.DeliveryID)
	hdr.Set(HeaderSignature, Sign(ch.Secret, now().Unix(), body))
	return postJSON(ctx, client(w.Client), ch.URL, body, hdr)
}

func webhookBody(n Notification) WebhookBody {
	b := WebhookBody{Event: n.Event, DeliveryID: n.DeliveryID, Modem: n.Modem, Heartbeat: n.Heartbeat}
	if n.Message != nil {
		m := NewMessage(*n.Message)
		m.URL = n.MessageURL
		if n.Redact {
			m = redacted(m)
		}
		b.Message = &m
	}
	return b
}

// Sign returns the X-Firmline-Signature value for body signed at unix time t.
func Sign(secret string, t int64, body []byte) string {
	ts := strconv.FormatInt(t, 10)
	return "t=" + ts + ",v1=" + hex.EncodeToString(mac(secret, ts, body))
}

func mac(secret, ts string, body []byte) []byte {
	h := hmac.New(sha256.New, []byte(secret))
	h.Write([]byte(ts))
	h.Write([]byte{'.'})
	h.Write(body)
	return h.Sum(nil)
}

var errNoSecret = fmt.Errorf("%w: the webhook has no signing secret", ErrInvalid)
