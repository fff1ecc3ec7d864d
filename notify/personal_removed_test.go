package notify

import (
	"log/slog"
	"strings"
	"testing"

	"firmline/store"
)

// TestPersonalEmailStopsWhenUserRemoved: a code planned for a person's own address (their
// notification preferences) is not sent once they have been removed, even if the delivery
// was planned (or failed and is retrying) before the removal.
func TestPersonalEmailStopsWhenUserRemoved(t *testing.T) {
	clk := newClock()
	st, _ := tempStore(t, clk.now)
	mb := newMailbox(t, "starttls")
	mailer, err := NewMailer(mb.smtpConfig("starttls"))
	if err != nil {
		t.Fatal(err)
	}
	u, err := st.CreateUser(store.User{Email: "leaver@firm.example", Name: "Leaver", Role: store.RoleViewer, NotifyPlatforms: []string{"*"}})
	if err != nil {
		t.Fatal(err)
	}
	ingest(t, st, 1, clk.now(), "Clio", "482913")
	if err := New(st, Config{Now: clk.now, Mailer: mailer}, slog.New(slog.DiscardHandler)).expand(); err != nil {
		t.Fatal(err)
	}
	if _, err := st.DeleteUser(u.ID); err != nil { // offboarded after the delivery was planned
		t.Fatal(err)
	}
	w := startWorker(t, st, clk, Config{Mailer: mailer})
	w.Wake()
	d := w.attempt(t)
	if d.ChannelID != "user:"+u.ID || d.Status != store.StatusFailed || !strings.Contains(d.LastError, "removed") {
		t.Fatalf("delivery to a removed user: %+v", d)
	}
	if strings.Contains(d.LastError, "leaver@") {
		t.Errorf("the error names the address: %q", d.LastError)
	}
}
