// Package notify forwards messages and box alerts to a firm's channels (Slack, Microsoft
// Teams, email, signed webhooks). It is a list of senders behind the store's durable outbox:
// store.Ingest records a "message" event in the same transaction as the message; the Worker
// expands each event into one delivery per routed channel (store.ExpandEvent) and sends them,
// retrying with backoff for a day. The Worker is the only part that sends.
package notify

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"strings"
	"time"

	"firmline/store"
)

// Event kinds, as stored in store.Event.Kind and sent as the webhook's "event".
const (
	EventMessage   = "message"
	EventModem     = "modem"
	EventTest      = "test"
	EventHeartbeat = "heartbeat"
)

// Channel types (store.Channel.Type).
const (
	TypeSlack   = "slack"
	TypeTeams   = "teams"
	TypeEmail   = "email"
	TypeWebhook = "webhook"
)

var (
	// ErrInvalid wraps every channel or rule that Validate or ValidateRule refuses.
	ErrInvalid = errors.New("invalid notification channel")
	// ErrRetiredConnector is returned for an Office 365 connector URL pasted as a Teams channel.
	ErrRetiredConnector = errors.New("this is an Office 365 connector URL, which Microsoft retired; create a Teams Workflow 'When a Teams webhook request is received' and paste its URL")
	// ErrPermanent wraps a failure that retrying cannot fix (the receiver refused the payload,
	// the channel is misconfigured); the Worker marks such a delivery failed at once.
	ErrPermanent = errors.New("permanent failure")
	// ErrNoMailer is returned for email when no SMTP server is configured.
	ErrNoMailer = errors.New("no SMTP server is configured (set --smtp-host)")
)

// Notification is what a Sender renders: one event for one channel.
type Notification struct {
	Event      string         // EventMessage, EventModem, EventTest or EventHeartbeat
	DeliveryID string         // stable across retries; receivers dedupe on it
	Message    *store.Message // the message (EventMessage), a sample (EventTest), else nil
	Modem      *ModemFacts    // EventModem only
	Heartbeat  *Heartbeat     // EventHeartbeat only
	InboxURL   string         // the inbox ("" when the public URL is unknown)
	MessageURL string         // the message's page in the inbox, "" when unknown
	Redact     bool           // leave out code, text and sender (store.Channel.Redact)
	Time       time.Time      // when the event happened
}

// ModemFacts describes a modem health change.
type ModemFacts struct {
	Name      string    `json:"name"`
	State     string    `json:"state"`
	Since     time.Time `json:"since"`
	Recovered bool      `json:"recovered"`
}

// Heartbeat is the daily "all is well" summary.
type Heartbeat struct {
	Messages24h int               `json:"messages_24h"`
	Modems      map[string]string `json:"modems"` // name -> state
}

// Answer is what a receiver said: its HTTP status (or SMTP reply code) and the first 512
// bytes of its body, shown by the "send test" button.
type Answer struct {
	Status int    `json:"status"`
	Body   string `json:"body"`
}

// Sender delivers one notification to one channel of its type. Implementations are safe for
// concurrent use, never log or return the channel's URL or secret, and wrap ErrPermanent
// when a retry cannot help.
type Sender interface {
	Send(ctx context.Context, ch store.Channel, n Notification) (Answer, error)
}

// NewSecret returns a fresh random webhook signing secret (64 hex characters).
func NewSecret() string {
	b := make([]byte, 32)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// Mask shows a secret (a webhook URL, a signing key, a password) without giving it away: a
// URL keeps its scheme and host, anything keeps its last 4 characters
// ("https://hooks.slack.com/…TXk2", "…9f3a"). Short secrets are masked entirely.
func Mask(s string) string {
	const keep = 4
	scheme, rest, isURL := strings.Cut(s, "://")
	if !isURL {
		if len(s) < 3*keep {
			return "…"
		}
		return "…" + s[len(s)-keep:]
	}
	host, path := rest, ""
	if i := strings.IndexAny(rest, "/?#"); i >= 0 { // the authority ends at a path, query or fragment
		host, path = rest[:i], rest[i:]
	}
	if i := strings.LastIndex(host, "@"); i >= 0 {
		host = host[i+1:] // never show user:password@
	}
	if len(path) < 3*keep+1 {
		return scheme + "://" + host + "/…"
	}
	return scheme + "://" + host + "/…" + s[len(s)-keep:]
}
