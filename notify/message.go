package notify

import (
	"net/url"
	"strings"
	"time"

	"firmline/store"
)

// Time layouts of the Message JSON (interfaces.md).
const (
	// ReceivedLayout is RFC 3339 with milliseconds, always in UTC ("2026-11-23T09:41:07.123Z").
	ReceivedLayout = "2006-01-02T15:04:05.000Z07:00"
	// SentLayout is RFC 3339 keeping the SMSC's own offset ("2026-11-23T09:41:05-05:00").
	SentLayout = time.RFC3339
)

// Message is the JSON form of a stored message, shared by the webhook body and the HTTP API
// (interfaces.md "A Message is at least"). Code, Platform and SentAt are null when unknown.
// URL is the message's page in the inbox, set when the public URL is known.
type Message struct {
	ID         string  `json:"id"`
	ReceivedAt string  `json:"received_at"`
	Sender     string  `json:"sender"`
	Text       string  `json:"text"`
	Code       *string `json:"code"`
	Platform   *string `json:"platform"`
	SentAt     *string `json:"sent_at"`
	Modem      string  `json:"modem"`
	Parts      int     `json:"parts"`
	Complete   bool    `json:"complete"`
	URL        string  `json:"url,omitempty"`
}

// NewMessage renders m as its JSON form, without URL (see MessageURL).
func NewMessage(m store.Message) Message {
	return Message{
		ID:         m.ID,
		ReceivedAt: m.ReceivedAt.UTC().Format(ReceivedLayout),
		Sender:     m.Sender,
		Text:       m.Text,
		Code:       nullable(m.Code),
		Platform:   nullable(m.Platform),
		SentAt:     sentAt(m.SentAt),
		Modem:      m.Modem,
		Parts:      m.Parts,
		Complete:   m.Complete,
	}
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func sentAt(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	return nullable(t.Format(SentLayout))
}

// MessageURL is the link to message id in the inbox at publicURL ("https://box/messages/ID"),
// or "" when publicURL is empty.
func MessageURL(publicURL, id string) string {
	base := InboxURL(publicURL)
	if base == "" || id == "" {
		return base
	}
	return base + "messages/" + url.PathEscape(id)
}

// InboxURL is publicURL with exactly one trailing slash, or "" when publicURL is empty.
func InboxURL(publicURL string) string {
	if publicURL == "" {
		return ""
	}
	return strings.TrimRight(publicURL, "/") + "/"
}

// redacted returns the JSON form of m stripped of what a redacting channel must not carry:
// the text, the code and the sender.
func redacted(j Message) Message {
	j.Text, j.Code, j.Sender = "", nil, ""
	return j
}

// sampleMessage is the made-up message a test notification carries, so that a receiver sees
// the real layout.
func sampleMessage(now time.Time) store.Message {
	return store.Message{
		ID:         "test",
		ReceivedAt: now.UTC(),
		Sender:     "firmline",
		Text:       "This is a test from firmline. Your verification code is 123456",
		Code:       "123456",
		Platform:   "firmline",
		Modem:      "test",
		Parts:      1,
		Complete:   true,
	}
}
