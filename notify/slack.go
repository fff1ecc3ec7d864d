package notify

import (
	"context"
	"net/http"
	"strings"

	"firmline/store"
)

// Slack posts to a Slack incoming webhook (https://hooks.slack.com/services/…) a Block Kit
// message: a header, the code large in monospace, platform/sender/time fields, the SMS text,
// and a button to the message in the inbox, with a plain `text` fallback for notifications.
// Slack answers 200 "ok"; a 4xx (invalid_payload, no_service, channel_is_archived) is permanent.
type Slack struct {
	Client *http.Client // NewHTTPClient() when nil
}

// Send implements Sender.
func (s Slack) Send(ctx context.Context, ch store.Channel, n Notification) (Answer, error) {
	a, err := postJSON(ctx, client(s.Client), ch.URL, marshal(slackPayload(render(n))), nil)
	return a, permanent4xx(a, err)
}

type slackMessage struct {
	Text   string       `json:"text"`
	Blocks []slackBlock `json:"blocks"`
}

type slackBlock struct {
	Type     string       `json:"type"`
	Text     *slackText   `json:"text,omitempty"`
	Fields   []slackText  `json:"fields,omitempty"`
	Elements []slackBlock `json:"elements,omitempty"` // context texts or action buttons
	URL      string       `json:"url,omitempty"`      // button
}

type slackText struct {
	Type string `json:"type"` // plain_text | mrkdwn
	Text string `json:"text"`
}

// Slack's limits (Block Kit reference): header 150, section text 3000, a field 2000.
const (
	slackHeaderMax  = 150
	slackSectionMax = 3000
	slackFieldMax   = 2000
	slackMaxFields  = 10
)

func slackPayload(v view) slackMessage {
	m := slackMessage{Text: clip(slackEscape(v.Headline), slackSectionMax)} // mrkdwn too
	m.Blocks = append(m.Blocks, slackBlock{Type: "header", Text: &slackText{"plain_text", clip(v.Title, slackHeaderMax)}})
	if v.Code != "" {
		m.Blocks = append(m.Blocks, mrkdwnSection("*`"+slackEscape(v.Code)+"`*"))
	} else if v.Title != v.Headline {
		m.Blocks = append(m.Blocks, mrkdwnSection(slackEscape(v.Headline)))
	}
	if f := slackFields(v.Facts); len(f) > 0 {
		m.Blocks = append(m.Blocks, slackBlock{Type: "section", Fields: f})
	}
	if v.Text != "" {
		m.Blocks = append(m.Blocks, mrkdwnSection("> "+strings.ReplaceAll(slackEscape(v.Text), "\n", "\n> ")))
	}
	if v.Link != "" {
		btn := slackBlock{Type: "button", Text: &slackText{"plain_text", v.LinkText}, URL: v.Link}
		m.Blocks = append(m.Blocks, slackBlock{Type: "actions", Elements: []slackBlock{btn}})
	}
	return m
}

func mrkdwnSection(s string) slackBlock {
	return slackBlock{Type: "section", Text: &slackText{"mrkdwn", clip(s, slackSectionMax)}}
}

func slackFields(facts []fact) []slackText {
	var out []slackText
	for _, f := range facts {
		if len(out) == slackMaxFields {
			break
		}
		out = append(out, slackText{"mrkdwn", clip("*"+slackEscape(f.Label)+"*\n"+slackEscape(f.Value), slackFieldMax)})
	}
	return out
}

// slackEscape escapes the three characters Slack's mrkdwn treats as control characters, so an
// SMS cannot inject mentions or links.
func slackEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// clip shortens s to at most max bytes without splitting a UTF-8 sequence.
func clip(s string, max int) string {
	if len(s) <= max {
		return s
	}
	s = s[:max-len("…")]
	for len(s) > 0 && s[len(s)-1]&0xC0 == 0x80 {
		s = s[:len(s)-1]
	}
	if len(s) > 0 && s[len(s)-1] >= 0xC0 {
		s = s[:len(s)-1]
	}
	return s + "…"
}

func client(c *http.Client) *http.Client {
	if c == nil {
		return NewHTTPClient()
	}
	return c
}
