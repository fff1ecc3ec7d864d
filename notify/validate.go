package notify

import (
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"strings"

	"firmline/store"
)

// Validate checks a channel before it is stored: a known type, a usable https URL (http only
// to a loopback host), no retired Office 365 connector for Teams, parseable recipients for
// email, and a signing secret for a webhook. Errors wrap ErrInvalid (or ErrRetiredConnector)
// and never contain the URL or the secret.
func Validate(ch store.Channel) error {
	if strings.TrimSpace(ch.Name) == "" || len(ch.Name) > 100 {
		return fmt.Errorf("%w: a name of 1 to 100 characters is needed", ErrInvalid)
	}
	switch ch.Type {
	case TypeSlack, TypeWebhook:
		return validateHTTP(ch)
	case TypeTeams:
		if err := validateHTTP(ch); err != nil {
			return err
		}
		return teamsURL(ch.URL)
	case TypeEmail:
		_, err := recipients(ch.To)
		return err
	default:
		return fmt.Errorf("%w: type must be slack, teams, email or webhook", ErrInvalid)
	}
}

func validateHTTP(ch store.Channel) error {
	if err := checkURL(ch.URL); err != nil {
		return err
	}
	if ch.Type == TypeWebhook && len(ch.Secret) < 16 {
		return fmt.Errorf("%w: a webhook needs a signing secret of at least 16 characters", ErrInvalid)
	}
	return nil
}

// checkURL accepts https URLs, and http URLs whose host is a loopback address.
func checkURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || len(raw) > 2000 {
		return fmt.Errorf("%w: the URL is not a valid absolute URL", ErrInvalid)
	}
	switch {
	case u.Scheme == "https":
		return nil
	case u.Scheme == "http" && loopback(u.Hostname()):
		return nil
	}
	return fmt.Errorf("%w: the URL must start with https:// (http:// only to this box itself)", ErrInvalid)
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// teamsURL refuses the retired Office 365 connector URLs (…webhook.office.com/webhookb2/…,
// outlook.office.com/webhook/…).
func teamsURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("%w: the URL is not a valid absolute URL", ErrInvalid)
	}
	host := strings.ToLower(u.Hostname())
	if strings.HasSuffix(host, "webhook.office.com") ||
		(strings.HasSuffix(host, "outlook.office.com") && strings.Contains(u.Path, "/webhook")) {
		return fmt.Errorf("%w: %w", ErrInvalid, ErrRetiredConnector)
	}
	return nil
}

// recipients parses a comma-separated list of email addresses.
func recipients(to string) ([]string, error) {
	var out []string
	for _, a := range strings.Split(to, ",") {
		a = strings.TrimSpace(a)
		if a == "" {
			continue
		}
		addr, err := mail.ParseAddress(a)
		if err != nil {
			return nil, fmt.Errorf("%w: %q is not an email address", ErrInvalid, a)
		}
		out = append(out, addr.Address)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: at least one recipient address is needed", ErrInvalid)
	}
	return out, nil
}
