package notify

import (
	"context"
	"strings"
	"testing"

	"firmline/store"
)

// TestSlackFallbackTextEscaped: the top-level "text" (what Slack shows in push notifications
// and parses as mrkdwn) is escaped like the blocks. An alphanumeric sender is chosen by whoever
// sends the SMS, and "<!channel>" fits in its 11 characters.
func TestSlackFallbackTextEscaped(t *testing.T) {
	rcv := newReceiver(t)
	n := messageNote(false)
	n.Message.Code, n.Message.Platform = "", ""
	n.Message.Sender, n.Message.SenderType = "<!channel>", "alphanumeric"
	n.Message.Text = "hello"
	if _, err := (Slack{}).Send(context.Background(), store.Channel{URL: rcv.URL}, n); err != nil {
		t.Fatal(err)
	}
	raw := rcv.next(t).Body
	body := decode(t, raw)
	text, _ := body["text"].(string)
	if strings.Contains(text, "<!channel>") || !strings.Contains(text, "&lt;!channel&gt;") {
		t.Fatalf("fallback text not escaped for mrkdwn: %q", text)
	}
}
