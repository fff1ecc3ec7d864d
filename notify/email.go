package notify

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"html/template"
	"strings"
	"time"

	mail "github.com/wneessen/go-mail"

	"firmline/store"
)

// SMTP is the mail server for email notifications and invitations (--smtp-* flags).
type SMTP struct {
	Host     string // "" disables email
	Port     int    // 0: 587 for starttls, 465 for tls, 25 for none
	User     string // "" = no authentication
	Password string // never logged or shown
	From     string // the From address
	TLS      string // "starttls" (default), "tls" (implicit TLS) or "none"
	// TLSConfig overrides the TLS settings (nil: system roots, ServerName = Host). Tests use
	// it to trust their own server.
	TLSConfig *tls.Config
}

// Enabled reports whether a mail server is configured.
func (c SMTP) Enabled() bool { return c.Host != "" }

// Validate names every bad value of an enabled configuration.
func (c SMTP) Validate() error {
	if !c.Enabled() {
		return nil
	}
	var errs []error
	switch c.TLS {
	case "", "starttls", "tls", "none":
	default:
		errs = append(errs, fmt.Errorf("smtp-tls must be starttls, tls or none, not %q", c.TLS))
	}
	if c.Port < 0 || c.Port > 65535 {
		errs = append(errs, fmt.Errorf("smtp-port %d is not a port number", c.Port))
	}
	if _, err := recipients(c.From); err != nil || strings.Contains(c.From, ",") {
		errs = append(errs, errors.New("smtp-from must be one email address"))
	}
	return errors.Join(errs...)
}

// Mailer sends mail through one SMTP server, one connection per message. It is safe for
// concurrent use.
type Mailer struct {
	cfg  SMTP
	tmpl *template.Template
}

// NewMailer checks cfg and returns its Mailer.
func NewMailer(cfg SMTP) (*Mailer, error) {
	if !cfg.Enabled() {
		return nil, ErrNoMailer
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Mailer{cfg: cfg, tmpl: template.Must(template.New("").Parse(mailTemplates))}, nil
}

// Send mails one multipart (text and HTML) message to the recipients. The Answer carries the
// server's acceptance; errors never contain the password.
func (m *Mailer) Send(ctx context.Context, to []string, subject, text, html string) (Answer, error) {
	msg := mail.NewMsg(mail.WithNoDefaultUserAgent())
	if err := msg.From(m.cfg.From); err != nil {
		return Answer{}, wrapPermanent(fmt.Errorf("smtp-from: %w", err))
	}
	if err := msg.To(to...); err != nil {
		return Answer{}, wrapPermanent(fmt.Errorf("recipient: %w", err))
	}
	msg.Subject(strings.Join(strings.Fields(subject), " ")) // no header injection from an SMS
	msg.SetDate()
	msg.SetMessageID()
	msg.SetGenHeader("Auto-Submitted", "auto-generated")
	msg.SetBodyString(mail.TypeTextPlain, text)
	msg.AddAlternativeString(mail.TypeTextHTML, html)
	c, err := m.client()
	if err != nil {
		return Answer{}, err
	}
	if err := c.DialAndSendWithContext(ctx, msg); err != nil {
		return Answer{}, smtpError(err)
	}
	return Answer{Status: 250, Body: "accepted by " + m.cfg.Host}, nil
}

func (m *Mailer) client() (*mail.Client, error) {
	cfg := m.cfg
	opts := []mail.Option{mail.WithTimeout(10 * time.Second)}
	tc := &tls.Config{ServerName: cfg.Host, MinVersion: tls.VersionTLS12}
	if cfg.TLSConfig != nil {
		tc = cfg.TLSConfig.Clone()
		if tc.ServerName == "" {
			tc.ServerName = cfg.Host
		}
	}
	opts = append(opts, mail.WithTLSConfig(tc))
	switch cfg.TLS {
	case "tls":
		opts = append(opts, mail.WithSSL(), mail.WithPort(port(cfg.Port, 465)))
	case "none":
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS), mail.WithPort(port(cfg.Port, 25)))
	default:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory), mail.WithPort(port(cfg.Port, 587)))
	}
	if cfg.User != "" {
		// PLAIN without TLS is allowed by go-mail only to localhost; elsewhere the best
		// mechanism the server offers over TLS is chosen.
		auth := mail.SMTPAuthAutoDiscover
		if cfg.TLS == "none" {
			auth = mail.SMTPAuthPlain
		}
		opts = append(opts, mail.WithSMTPAuth(auth), mail.WithUsername(cfg.User), mail.WithPassword(cfg.Password))
	}
	c, err := mail.NewClient(cfg.Host, opts...)
	if err != nil {
		return nil, wrapPermanent(fmt.Errorf("smtp settings: %w", err))
	}
	return c, nil
}

func port(p, def int) int {
	if p == 0 {
		return def
	}
	return p
}

// smtpError wraps ErrPermanent around a 5xx reply (the server refused for good).
func smtpError(err error) error {
	err = fmt.Errorf("smtp: %w", err)
	var se *mail.SendError
	if errors.As(err, &se) && se.ErrorCode() >= 500 && se.ErrorCode() < 600 {
		return wrapPermanent(err)
	}
	return err
}

// SendInvite mails an invitation to join the firm's inbox.
func (m *Mailer) SendInvite(ctx context.Context, to, link, inviter, role string) error {
	data := struct{ Link, Inviter, Role string }{link, inviter, role}
	subject := inviter + " invited you to the firm's SMS code inbox"
	text := fmt.Sprintf("%s invited you to firmline, the firm's inbox for SMS verification codes, as a %s.\n\n"+
		"Accept the invitation (valid for 7 days, once):\n%s\n\nIf you did not expect this, ignore this email.\n",
		inviter, role, link)
	html, err := m.html("invite", data)
	if err != nil {
		return err
	}
	_, err = m.Send(ctx, []string{to}, subject, text, html)
	return err
}

// Email mails notifications to the channel's comma-separated To addresses.
type Email struct {
	Mailer *Mailer // nil: every send fails with ErrNoMailer
}

// Send implements Sender. The subject carries platform and code ("Clio code 482913"), or
// only "A Clio code arrived" when the channel redacts.
func (e Email) Send(ctx context.Context, ch store.Channel, n Notification) (Answer, error) {
	if e.Mailer == nil {
		return Answer{}, wrapPermanent(ErrNoMailer)
	}
	to, err := recipients(ch.To)
	if err != nil {
		return Answer{}, wrapPermanent(err)
	}
	v := render(n)
	subject := v.Headline
	if n.Redact && n.Message != nil {
		subject = v.Title
	}
	html, err := e.Mailer.html("notification", v)
	if err != nil {
		return Answer{}, err
	}
	return e.Mailer.Send(ctx, to, subject, mailText(v), html)
}

func (m *Mailer) html(name string, data any) (string, error) {
	var b strings.Builder
	if err := m.tmpl.ExecuteTemplate(&b, name, data); err != nil {
		return "", fmt.Errorf("render %s mail: %w", name, err)
	}
	return b.String(), nil
}

func mailText(v view) string {
	var b strings.Builder
	b.WriteString(v.Headline + "\n\n")
	for _, f := range v.Facts {
		fmt.Fprintf(&b, "%s: %s\n", f.Label, f.Value)
	}
	if v.Text != "" {
		b.WriteString("\n" + v.Text + "\n")
	}
	if v.Link != "" {
		fmt.Fprintf(&b, "\n%s: %s\n", v.LinkText, v.Link)
	}
	return b.String()
}

const mailTemplates = `
{{define "notification"}}<!doctype html>
<html><body style="font-family:system-ui,sans-serif;color:#1b1b1b">
<h2 style="margin:0 0 12px">{{.Title}}</h2>
{{if .Code}}<p style="font-family:ui-monospace,Menlo,Consolas,monospace;font-size:32px;font-weight:bold;letter-spacing:4px;margin:0 0 16px">{{.Code}}</p>
{{else if ne .Headline .Title}}<p>{{.Headline}}</p>{{end}}
{{if .Facts}}<table style="border-collapse:collapse;margin:0 0 12px">{{range .Facts}}<tr><td style="padding:2px 12px 2px 0;color:#666">{{.Label}}</td><td style="padding:2px 0">{{.Value}}</td></tr>{{end}}</table>{{end}}
{{if .Text}}<blockquote style="margin:0 0 16px;padding:8px 12px;border-left:3px solid #ccc;white-space:pre-wrap">{{.Text}}</blockquote>{{end}}
{{if .Link}}<p><a href="{{.Link}}" style="display:inline-block;padding:8px 16px;background:#1f5fbf;color:#fff;text-decoration:none;border-radius:4px">{{.LinkText}}</a></p>{{end}}
<p style="color:#888;font-size:12px">Sent by firmline.</p>
</body></html>{{end}}
{{define "invite"}}<!doctype html>
<html><body style="font-family:system-ui,sans-serif;color:#1b1b1b">
<p>{{.Inviter}} invited you to firmline, the firm's inbox for SMS verification codes, as a <b>{{.Role}}</b>.</p>
<p><a href="{{.Link}}" style="display:inline-block;padding:8px 16px;background:#1f5fbf;color:#fff;text-decoration:none;border-radius:4px">Accept the invitation</a></p>
<p style="color:#666">The link works once, for 7 days. If you did not expect this, ignore this email.</p>
</body></html>{{end}}`
