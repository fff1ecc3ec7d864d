package notify

import (
	"context"
	"net/http"
	"strings"

	"firmline/store"
)

// Teams posts an Adaptive Card (version 1.4) to a Microsoft Teams Workflows webhook, the
// "When a Teams webhook request is received" trigger, in the envelope that trigger expects:
// {"type":"message","attachments":[{"contentType":"application/vnd.microsoft.card.adaptive",
// "content":{AdaptiveCard}}]}. The retired Office 365 connector URLs are refused before any
// request is made. Workflows answer 202 Accepted.
type Teams struct {
	Client *http.Client // NewHTTPClient() when nil
}

// Send implements Sender.
func (t Teams) Send(ctx context.Context, ch store.Channel, n Notification) (Answer, error) {
	if err := teamsURL(ch.URL); err != nil {
		return Answer{}, wrapPermanent(err)
	}
	a, err := postJSON(ctx, client(t.Client), ch.URL, marshal(teamsPayload(render(n))), nil)
	return a, permanent4xx(a, err)
}

type teamsEnvelope struct {
	Type        string            `json:"type"`
	Attachments []teamsAttachment `json:"attachments"`
}

type teamsAttachment struct {
	ContentType string       `json:"contentType"`
	ContentURL  *string      `json:"contentUrl"`
	Content     adaptiveCard `json:"content"`
}

type adaptiveCard struct {
	Schema  string         `json:"$schema"`
	Type    string         `json:"type"`
	Version string         `json:"version"`
	Body    []cardElement  `json:"body"`
	Actions []cardAction   `json:"actions,omitempty"`
	MSTeams map[string]any `json:"msteams,omitempty"`
}

type cardElement struct {
	Type     string     `json:"type"` // TextBlock | FactSet
	Text     string     `json:"text,omitempty"`
	Size     string     `json:"size,omitempty"`
	Weight   string     `json:"weight,omitempty"`
	FontType string     `json:"fontType,omitempty"`
	Wrap     bool       `json:"wrap,omitempty"`
	Spacing  string     `json:"spacing,omitempty"`
	IsSubtle bool       `json:"isSubtle,omitempty"`
	Facts    []cardFact `json:"facts,omitempty"`
}

type cardFact struct {
	Title string `json:"title"`
	Value string `json:"value"`
}

type cardAction struct {
	Type  string `json:"type"` // Action.OpenUrl
	Title string `json:"title"`
	URL   string `json:"url"`
}

const (
	cardContentType = "application/vnd.microsoft.card.adaptive"
	cardSchema      = "http://adaptivecards.io/schemas/adaptive-card.json"
	cardVersion     = "1.4"
)

func teamsPayload(v view) teamsEnvelope {
	card := adaptiveCard{Schema: cardSchema, Type: "AdaptiveCard", Version: cardVersion,
		MSTeams: map[string]any{"width": "Full"}}
	card.Body = append(card.Body, cardElement{Type: "TextBlock", Text: cardEscape(v.Title), Size: "Medium", Weight: "Bolder", Wrap: true})
	if v.Code != "" {
		card.Body = append(card.Body, cardElement{Type: "TextBlock", Text: cardEscape(v.Code), Size: "ExtraLarge", Weight: "Bolder", FontType: "Monospace"})
	} else if v.Headline != v.Title {
		card.Body = append(card.Body, cardElement{Type: "TextBlock", Text: cardEscape(v.Headline), Wrap: true})
	}
	if len(v.Facts) > 0 {
		set := cardElement{Type: "FactSet"}
		for _, f := range v.Facts {
			set.Facts = append(set.Facts, cardFact{cardEscape(f.Label), cardEscape(f.Value)})
		}
		card.Body = append(card.Body, set)
	}
	if v.Text != "" {
		card.Body = append(card.Body, cardElement{Type: "TextBlock", Text: cardEscape(v.Text), Wrap: true, IsSubtle: true, Spacing: "Medium"})
	}
	if v.Link != "" {
		card.Actions = []cardAction{{Type: "Action.OpenUrl", Title: v.LinkText, URL: v.Link}}
	}
	return teamsEnvelope{Type: "message", Attachments: []teamsAttachment{{ContentType: cardContentType, Content: card}}}
}

// cardEscape keeps an SMS from forming a Markdown link ("[text](url)") in a TextBlock, whose
// visible text could disguise where it leads.
func cardEscape(s string) string { return strings.ReplaceAll(s, "](", "]\u200b(") }
