package notify

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// view is the channel-neutral content of a notification, rendered by Slack, Teams and email.
// A redacted view has no code, text or sender.
type view struct {
	Headline string    // "Clio code 482913", "A Clio code arrived — open the inbox"
	Title    string    // short: "Clio code", "Modem disconnected"
	Code     string    // "" when none or redacted
	Facts    []fact    // label/value pairs shown as a table
	Text     string    // the SMS text, "" when redacted
	Link     string    // where the button points ("" when no public URL)
	LinkText string    // "Open in inbox"
	Time     time.Time // when it happened
}

type fact struct{ Label, Value string }

// render builds the view of n. The strings are plain text; each sender escapes for its format.
func render(n Notification) view {
	switch {
	case n.Modem != nil:
		return renderModem(n)
	case n.Heartbeat != nil:
		return renderHeartbeat(n)
	case n.Message != nil:
		return renderMessage(n)
	}
	return view{Headline: "firmline notification", Title: "firmline", Link: n.InboxURL, LinkText: "Open the inbox", Time: n.Time}
}

func renderMessage(n Notification) view {
	m := n.Message
	v := view{Link: n.MessageURL, LinkText: "Open in inbox", Time: m.ReceivedAt}
	if v.Link == "" {
		v.Link = n.InboxURL
	}
	what := "code"
	if m.Code == "" {
		what = "message"
	}
	name := m.Platform
	if name == "" && what == "code" {
		name = "verification"
	}
	switch {
	case n.Redact:
		v.Title = article(strings.TrimSpace(name+" "+what) + " arrived")
		v.Headline = v.Title + " — open the inbox"
	case m.Code != "":
		v.Title = name + " code"
		v.Headline = v.Title + " " + m.Code
		v.Code = m.Code
	default:
		v.Title = "New SMS from " + m.Sender
		v.Headline = v.Title
	}
	if n.Event == EventTest {
		v.Title, v.Headline = "Test: "+v.Title, "Test: "+v.Headline
	}
	if !n.Redact {
		v.Text = m.Text
		v.Facts = append(v.Facts, fact{"From", m.Sender})
	}
	if m.Platform != "" {
		v.Facts = append([]fact{{"Platform", m.Platform}}, v.Facts...)
	}
	v.Facts = append(v.Facts, fact{"Received", m.ReceivedAt.Format("Mon 2 Jan 15:04:05 MST")})
	if !m.Complete {
		v.Facts = append(v.Facts, fact{"Parts", fmt.Sprintf("%d of %d received", m.PartsReceived, m.Parts)})
	}
	return v
}

// article prefixes "A" or "An" (lower-casing nothing else): "A Clio code arrived".
func article(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case 'A', 'E', 'I', 'O', 'U', 'a', 'e', 'i', 'o', 'u':
		return "An " + s
	}
	return "A " + s
}

func renderModem(n Notification) view {
	f := n.Modem
	v := view{Link: n.InboxURL, LinkText: "Open the status page", Time: n.Time}
	if f.Recovered {
		v.Title = "Modem recovered"
		v.Headline = fmt.Sprintf("firmline: modem %s recovered (%s)", f.Name, f.State)
	} else {
		v.Title = "Modem " + f.State
		v.Headline = fmt.Sprintf("firmline: modem %s", f.State)
	}
	v.Facts = []fact{{"Modem", f.Name}, {"State", f.State}}
	if !f.Since.IsZero() {
		v.Facts = append(v.Facts, fact{"Since", f.Since.Format("Mon 2 Jan 15:04:05 MST")})
	}
	if !f.Recovered {
		v.Text = "Codes sent to this box's number are not being received. Check the modem, its SIM and its USB cable."
	}
	return v
}

func renderHeartbeat(n Notification) view {
	h := n.Heartbeat
	v := view{Title: "All is well", Headline: "firmline: all is well", Link: n.InboxURL,
		LinkText: "Open the inbox", Time: n.Time}
	v.Facts = []fact{{"Messages in the last 24 h", fmt.Sprint(h.Messages24h)}}
	for _, name := range sortedKeys(h.Modems) {
		v.Facts = append(v.Facts, fact{"Modem " + name, h.Modems[name]})
	}
	return v
}

func sortedKeys(m map[string]string) []string { return slices.Sorted(maps.Keys(m)) }
