package notify

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"firmline/store"
)

var t0 = time.Date(2026, 11, 23, 9, 41, 7, 123e6, time.UTC)

func clioMessage() store.Message {
	return store.Message{
		ID: "0001946b2c3d0001", ReceivedAt: t0, SentAt: time.Date(2026, 11, 23, 9, 41, 5, 0, time.FixedZone("", -5*3600)),
		Sender: "+15551234567", SenderType: "international", Text: "Your Clio verification code is 482913",
		Code: "482913", Platform: "Clio", Modem: "modem0", Parts: 1, PartsReceived: 1, Complete: true, Visible: true,
	}
}

func messageNote(redact bool) Notification {
	m := clioMessage()
	return Notification{Event: EventMessage, DeliveryID: "d-1", Message: &m, Redact: redact, Time: t0,
		InboxURL: "https://box.example/", MessageURL: "https://box.example/messages/0001946b2c3d0001"}
}

// decode parses a JSON body into a generic tree, so payload checks do not reuse our types.
func decode(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("body is not a JSON object: %v\n%s", err, b)
	}
	return v
}

func list(t *testing.T, v any, what string) []any {
	t.Helper()
	l, ok := v.([]any)
	if !ok {
		t.Fatalf("%s is %T, want an array", what, v)
	}
	return l
}

func obj(t *testing.T, v any, what string) map[string]any {
	t.Helper()
	o, ok := v.(map[string]any)
	if !ok {
		t.Fatalf("%s is %T, want an object", what, v)
	}
	return o
}

func TestMessageJSON(t *testing.T) {
	m := clioMessage()
	got := string(marshal(NewMessage(m)))
	want := `{"id":"0001946b2c3d0001","received_at":"2026-11-23T09:41:07.123Z","sender":"+15551234567",` +
		`"text":"Your Clio verification code is 482913","code":"482913","platform":"Clio",` +
		`"sent_at":"2026-11-23T09:41:05-05:00","modem":"modem0","parts":1,"complete":true}`
	if got != want {
		t.Errorf("NewMessage JSON\n got %s\nwant %s", got, want)
	}
	m.Code, m.Platform, m.SentAt = "", "", time.Time{}
	m.ReceivedAt = time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("", 3600))
	got = string(marshal(NewMessage(m)))
	for _, part := range []string{`"code":null`, `"platform":null`, `"sent_at":null`, `"received_at":"2026-01-02T02:04:05.000Z"`} {
		if !strings.Contains(got, part) {
			t.Errorf("JSON %s lacks %s", got, part)
		}
	}
	if u := MessageURL("https://box.example/", "a b"); u != "https://box.example/messages/a%20b" {
		t.Errorf("MessageURL = %q", u)
	}
}

func TestSlackPayload(t *testing.T) {
	rcv := newReceiver(t)
	a, err := Slack{}.Send(context.Background(), store.Channel{Type: TypeSlack, URL: rcv.URL + "/services/T0/B0/XXk2"}, messageNote(false))
	if err != nil || a.Status != 200 || a.Body != "ok" {
		t.Fatalf("Send = %+v, %v", a, err)
	}
	body := decode(t, rcv.next(t).Body)
	if txt, _ := body["text"].(string); txt != "Clio code 482913" {
		t.Errorf("fallback text = %q", txt)
	}
	raw := checkSlackBlocks(t, body)
	for _, want := range []string{"`482913`", "*Platform*\nClio", "*From*\n+15551234567", "Your Clio verification code is 482913", "https://box.example/messages/0001946b2c3d0001"} {
		if !strings.Contains(raw, want) {
			t.Errorf("blocks lack %q:\n%s", want, raw)
		}
	}
}

// checkSlackBlocks validates body["blocks"] against Block Kit's rules for the block types
// we use and returns all texts and URLs joined, for content checks.
func checkSlackBlocks(t *testing.T, body map[string]any) string {
	t.Helper()
	var all []string
	blocks := list(t, body["blocks"], "blocks")
	if len(blocks) == 0 || len(blocks) > 50 {
		t.Fatalf("%d blocks, want 1..50", len(blocks))
	}
	for i, b := range blocks {
		blk := obj(t, b, "block")
		switch blk["type"] {
		case "header":
			txt := obj(t, blk["text"], "header text")
			if txt["type"] != "plain_text" || len([]rune(txt["text"].(string))) > 150 {
				t.Errorf("block %d: header text %v", i, txt)
			}
			all = append(all, txt["text"].(string))
		case "section":
			if blk["text"] == nil && blk["fields"] == nil {
				t.Errorf("block %d: section without text or fields", i)
			}
			if blk["text"] != nil {
				all = append(all, slackTextOf(t, blk["text"], 3000))
			}
			if blk["fields"] != nil {
				fields := list(t, blk["fields"], "fields")
				if len(fields) > 10 {
					t.Errorf("block %d: %d fields > 10", i, len(fields))
				}
				for _, f := range fields {
					all = append(all, slackTextOf(t, f, 2000))
				}
			}
		case "actions":
			for _, e := range list(t, blk["elements"], "elements") {
				btn := obj(t, e, "element")
				u, _ := btn["url"].(string)
				if btn["type"] != "button" || obj(t, btn["text"], "button text")["type"] != "plain_text" || !strings.HasPrefix(u, "https://") {
					t.Errorf("block %d: bad button %v", i, btn)
				}
				all = append(all, u)
			}
		default:
			t.Errorf("block %d: unexpected type %v", i, blk["type"])
		}
	}
	return strings.Join(all, "\n")
}

func slackTextOf(t *testing.T, v any, max int) string {
	t.Helper()
	o := obj(t, v, "text object")
	s, _ := o["text"].(string)
	if (o["type"] != "mrkdwn" && o["type"] != "plain_text") || s == "" || len([]rune(s)) > max {
		t.Errorf("bad text object %v", o)
	}
	return s
}

func TestSlackRedactAndEscape(t *testing.T) {
	rcv := newReceiver(t)
	n := messageNote(true)
	if _, err := (Slack{}).Send(context.Background(), store.Channel{URL: rcv.URL}, n); err != nil {
		t.Fatal(err)
	}
	raw := string(rcv.next(t).Body)
	for _, secret := range []string{"482913", "verification code is", "5551234567"} {
		if strings.Contains(raw, secret) {
			t.Errorf("redacted Slack message contains %q: %s", secret, raw)
		}
	}
	body := decode(t, []byte(raw))
	if body["text"] != "A Clio code arrived — open the inbox" {
		t.Errorf("redacted text = %q", body["text"])
	}
	if all := checkSlackBlocks(t, body); !strings.Contains(all, n.MessageURL) {
		t.Errorf("redacted message lacks the inbox link: %s", all)
	}

	n = messageNote(false)
	n.Message.Text = "<!channel> see <https://evil.example|your bank> & more"
	if _, err := (Slack{}).Send(context.Background(), store.Channel{URL: rcv.URL}, n); err != nil {
		t.Fatal(err)
	}
	if raw := string(rcv.next(t).Body); strings.Contains(raw, "<!channel>") || !strings.Contains(raw, "&lt;!channel&gt;") {
		t.Errorf("SMS text not escaped for mrkdwn: %s", raw)
	}
}

func TestTeamsPayload(t *testing.T) {
	rcv := newReceiver(t)
	rcv.answer = ""
	rcv.script = []int{202}
	a, err := Teams{}.Send(context.Background(), store.Channel{Type: TypeTeams, URL: rcv.URL + "/workflows/x"}, messageNote(false))
	if err != nil || a.Status != 202 {
		t.Fatalf("Send = %+v, %v", a, err)
	}
	card := checkTeamsEnvelope(t, decode(t, rcv.next(t).Body))
	var code bool
	var texts []string
	for _, e := range list(t, card["body"], "card body") {
		el := obj(t, e, "card element")
		switch el["type"] {
		case "TextBlock":
			texts = append(texts, el["text"].(string))
			code = code || (el["text"] == "482913" && el["fontType"] == "Monospace")
		case "FactSet":
			for _, f := range list(t, el["facts"], "facts") {
				fo := obj(t, f, "fact")
				texts = append(texts, fo["title"].(string)+"="+fo["value"].(string))
			}
		default:
			t.Errorf("unexpected card element %v", el["type"])
		}
	}
	all := strings.Join(texts, "\n")
	if !code || !strings.Contains(all, "Platform=Clio") || !strings.Contains(all, "From=+15551234567") {
		t.Errorf("card lacks the monospace code or facts: %s", all)
	}
	act := obj(t, list(t, card["actions"], "actions")[0], "action")
	if act["type"] != "Action.OpenUrl" || act["url"] != "https://box.example/messages/0001946b2c3d0001" {
		t.Errorf("action = %v", act)
	}
}

// checkTeamsEnvelope checks the Workflows webhook envelope and returns the Adaptive Card.
func checkTeamsEnvelope(t *testing.T, body map[string]any) map[string]any {
	t.Helper()
	if body["type"] != "message" {
		t.Errorf("envelope type = %v", body["type"])
	}
	att := list(t, body["attachments"], "attachments")
	if len(att) != 1 {
		t.Fatalf("%d attachments", len(att))
	}
	a := obj(t, att[0], "attachment")
	if a["contentType"] != "application/vnd.microsoft.card.adaptive" {
		t.Errorf("contentType = %v", a["contentType"])
	}
	card := obj(t, a["content"], "content")
	v, _ := card["version"].(string)
	if card["type"] != "AdaptiveCard" || (v != "1.4" && v != "1.5") || card["$schema"] == nil {
		t.Errorf("card header = %v %v %v", card["type"], card["version"], card["$schema"])
	}
	return card
}

func TestTeamsRefusesOffice365(t *testing.T) {
	rcv := newReceiver(t)
	for _, u := range []string{
		"https://contoso.webhook.office.com/webhookb2/abc@def/IncomingWebhook/123/456",
		"https://outlook.office.com/webhook/abc@def/IncomingWebhook/123/456",
	} {
		ch := store.Channel{Type: TypeTeams, Name: "t", URL: u}
		err := Validate(ch)
		if !errors.Is(err, ErrRetiredConnector) || !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "When a Teams webhook request is received") {
			t.Errorf("Validate(%s) = %v", u, err)
		}
		if _, err := (Teams{}).Send(context.Background(), ch, messageNote(false)); !errors.Is(err, ErrPermanent) {
			t.Errorf("Send to a connector = %v, want permanent", err)
		}
	}
	if len(rcv.got) != 0 {
		t.Error("a request was made")
	}
	ok := store.Channel{Type: TypeTeams, Name: "t", URL: "https://prod-12.westeurope.logic.azure.com:443/workflows/abc/triggers/manual/paths/invoke?sig=x"}
	if err := Validate(ok); err != nil {
		t.Errorf("Validate(workflow URL) = %v", err)
	}
}

func TestHTTPErrors(t *testing.T) {
	rcv := newReceiver(t, 400, 500)
	ch := store.Channel{URL: rcv.URL + "/services/T0/B0/SECRETSECRET"}
	_, err := Slack{}.Send(context.Background(), ch, messageNote(false))
	if !errors.Is(err, ErrPermanent) || !strings.Contains(err.Error(), "400") {
		t.Errorf("Slack 400 = %v, want permanent", err)
	}
	_, err = Slack{}.Send(context.Background(), ch, messageNote(false))
	if err == nil || errors.Is(err, ErrPermanent) {
		t.Errorf("Slack 500 = %v, want a retryable error", err)
	}
	rcv.Close()
	_, err = Slack{}.Send(context.Background(), ch, messageNote(false))
	if err == nil || strings.Contains(err.Error(), "SECRET") || errors.Is(err, ErrPermanent) {
		t.Errorf("unreachable receiver = %v, want a retryable error without the URL", err)
	}
}
