package notify

import (
	"context"
	"errors"
	"html"
	"slices"
	"strings"
	"testing"

	"firmline/store"
)

func TestEmailNotification(t *testing.T) {
	for _, mode := range []string{"starttls", "tls"} {
		t.Run(mode, func(t *testing.T) {
			mb := newMailbox(t, mode)
			m, err := NewMailer(mb.smtpConfig(mode))
			if err != nil {
				t.Fatal(err)
			}
			ch := store.Channel{Type: TypeEmail, To: "a@firm.example, B <b@firm.example>"}
			a, err := Email{Mailer: m}.Send(context.Background(), ch, messageNote(false))
			if err != nil || a.Status != 250 {
				t.Fatalf("Send = %+v, %v", a, err)
			}
			env, p := mb.next(t)
			if env.From != "firmline@firm.example" || !slices.Equal(env.To, []string{"a@firm.example", "b@firm.example"}) {
				t.Errorf("envelope from %q to %q", env.From, env.To)
			}
			if p.Subject != "Clio code 482913" {
				t.Errorf("Subject = %q", p.Subject)
			}
			for _, want := range []string{"482913", "Your Clio verification code is 482913", "+15551234567", "https://box.example/messages/0001946b2c3d0001"} {
				if !strings.Contains(p.Text, want) || !strings.Contains(html.UnescapeString(p.HTML), want) {
					t.Errorf("text or HTML part lacks %q\ntext: %s\nhtml: %s", want, p.Text, p.HTML)
				}
			}
			if !strings.Contains(p.HTML, `href="https://box.example/messages/0001946b2c3d0001"`) {
				t.Errorf("HTML has no link: %s", p.HTML)
			}
		})
	}
}

func TestEmailRedactedAndHealth(t *testing.T) {
	mb := newMailbox(t, "starttls")
	m, err := NewMailer(mb.smtpConfig("starttls"))
	if err != nil {
		t.Fatal(err)
	}
	ch := store.Channel{Type: TypeEmail, To: "a@firm.example"}
	n := messageNote(true)
	n.Message.Text = "Your Clio code is <b>482913</b>"
	if _, err := (Email{Mailer: m}).Send(context.Background(), ch, n); err != nil {
		t.Fatal(err)
	}
	env, p := mb.next(t)
	if p.Subject != "A Clio code arrived" {
		t.Errorf("redacted Subject = %q", p.Subject)
	}
	if strings.Contains(string(env.Data), "482913") || strings.Contains(string(env.Data), "5551234567") {
		t.Errorf("redacted mail carries the code or sender:\n%s", env.Data)
	}
	if !strings.Contains(p.Text, "https://box.example/messages/") {
		t.Errorf("redacted mail lacks the link: %s", p.Text)
	}

	h := Notification{Event: EventModem, Modem: &ModemFacts{Name: "modem0", State: "disconnected", Since: t0}, InboxURL: "https://box.example/"}
	if _, err := (Email{Mailer: m}).Send(context.Background(), ch, h); err != nil {
		t.Fatal(err)
	}
	if _, p := mb.next(t); p.Subject != "firmline: modem disconnected" || !strings.Contains(p.Text, "modem0") {
		t.Errorf("health mail subject %q text %q", p.Subject, p.Text)
	}
}

func TestEmailHTMLEscapes(t *testing.T) {
	mb := newMailbox(t, "tls")
	m, _ := NewMailer(mb.smtpConfig("tls"))
	n := messageNote(false)
	n.Message.Text = `<script>alert(1)</script>`
	if _, err := (Email{Mailer: m}).Send(context.Background(), store.Channel{To: "a@firm.example"}, n); err != nil {
		t.Fatal(err)
	}
	if _, p := mb.next(t); strings.Contains(p.HTML, "<script>") || !strings.Contains(p.HTML, "&lt;script&gt;") {
		t.Errorf("SMS text not escaped in HTML: %s", p.HTML)
	}
}

func TestEmailAuthFailureHidesPassword(t *testing.T) {
	mb := newMailbox(t, "starttls")
	cfg := mb.smtpConfig("starttls")
	cfg.Password = "wrong-password-xyz"
	m, _ := NewMailer(cfg)
	_, err := Email{Mailer: m}.Send(context.Background(), store.Channel{To: "a@firm.example"}, messageNote(false))
	if err == nil || strings.Contains(err.Error(), "wrong-password-xyz") {
		t.Errorf("bad password = %v", err)
	}
	if len(mb.got) != 0 {
		t.Error("mail accepted without auth")
	}
	if _, err := (Email{}).Send(context.Background(), store.Channel{To: "a@firm.example"}, messageNote(false)); !errors.Is(err, ErrNoMailer) {
		t.Errorf("no mailer = %v", err)
	}
}

func TestSendInvite(t *testing.T) {
	mb := newMailbox(t, "starttls")
	m, _ := NewMailer(mb.smtpConfig("starttls"))
	link := "https://box.example/invite/abcdef0123456789"
	if err := m.SendInvite(context.Background(), "new@firm.example", link, "Ann Owner", "manager"); err != nil {
		t.Fatal(err)
	}
	env, p := mb.next(t)
	if !slices.Equal(env.To, []string{"new@firm.example"}) || !strings.Contains(p.Subject, "Ann Owner") {
		t.Errorf("invite to %v subject %q", env.To, p.Subject)
	}
	if !strings.Contains(p.Text, link) || !strings.Contains(p.HTML, `href="`+link+`"`) || !strings.Contains(p.Text, "manager") {
		t.Errorf("invite parts lack link or role:\n%s\n%s", p.Text, p.HTML)
	}
}

func TestSMTPValidate(t *testing.T) {
	bad := SMTP{Host: "mx", TLS: "ssl", Port: 70000, From: "not an address"}
	err := bad.Validate()
	for _, want := range []string{"smtp-tls", "smtp-port", "smtp-from"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate() = %v, want it to name %s", err, want)
		}
	}
	if _, err := NewMailer(SMTP{}); !errors.Is(err, ErrNoMailer) {
		t.Errorf("NewMailer(empty) = %v", err)
	}
}
