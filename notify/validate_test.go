package notify

import (
	"errors"
	"strings"
	"testing"

	"firmline/store"
)

func TestValidate(t *testing.T) {
	ok := []store.Channel{
		{Type: TypeSlack, Name: "s", URL: "https://hooks.slack.com/services/T0/B0/abc"},
		{Type: TypeWebhook, Name: "w", URL: "http://127.0.0.1:9000/hook", Secret: "0123456789abcdef"},
		{Type: TypeWebhook, Name: "w", URL: "http://localhost/hook", Secret: "0123456789abcdef"},
		{Type: TypeEmail, Name: "e", To: "a@firm.example, Bob <b@firm.example>"},
		{Type: TypeTeams, Name: "t", URL: "https://prod.logic.azure.com/workflows/x"},
	}
	for _, ch := range ok {
		if err := Validate(ch); err != nil {
			t.Errorf("Validate(%+v) = %v", ch, err)
		}
	}
	bad := map[string]store.Channel{
		"type":         {Type: "sms", Name: "x"},
		"name":         {Type: TypeSlack, URL: "https://hooks.slack.com/x"},
		"http remote":  {Type: TypeSlack, Name: "s", URL: "http://hooks.slack.com/services/x"},
		"relative":     {Type: TypeSlack, Name: "s", URL: "/services/x"},
		"scheme":       {Type: TypeWebhook, Name: "w", URL: "ftp://example.com/x", Secret: "0123456789abcdef"},
		"no secret":    {Type: TypeWebhook, Name: "w", URL: "https://example.com/x"},
		"short secret": {Type: TypeWebhook, Name: "w", URL: "https://example.com/x", Secret: "abc"},
		"no to":        {Type: TypeEmail, Name: "e", To: " , "},
		"bad to":       {Type: TypeEmail, Name: "e", To: "a@firm.example, not-an-address"},
		"o365":         {Type: TypeTeams, Name: "t", URL: "https://firm.webhook.office.com/webhookb2/x"},
	}
	for name, ch := range bad {
		err := Validate(ch)
		if !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: Validate = %v, want ErrInvalid", name, err)
		}
		if err != nil && ch.URL != "" && strings.Contains(err.Error(), ch.URL) {
			t.Errorf("%s: error shows the URL: %v", name, err)
		}
	}
}

func TestMask(t *testing.T) {
	cases := map[string]string{
		"https://hooks.slack.com/services/T0123/B0456/abcdefXk2Q": "https://hooks.slack.com/…Xk2Q",
		"https://user:pw@example.com/path/secretsecret":           "https://example.com/…cret",
		"0123456789abcdef0123":                                    "…0123",
		"short":                                                   "…",
		"https://example.com":                                     "https://example.com/…",
		"https://u:p@example.com/ab":                              "https://example.com/…",
		// No path: the query (or fragment) is not part of the host and must not show.
		"https://example.com?key=supersecretvalue":     "https://example.com/…alue",
		"https://u:p@example.com#sig=supersecretvalue": "https://example.com/…alue",
		"https://example.com?a=b@evil.example":         "https://example.com/…mple",
	}
	for in, want := range cases {
		if got := Mask(in); got != want {
			t.Errorf("Mask(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzMask checks that a masked secret shows at most its last 4 characters (and, for a URL,
// its scheme and host, never its user:password). Seeds: a Slack URL, a URL with userinfo, a
// bare key.
func FuzzMask(f *testing.F) {
	f.Add("https://hooks.slack.com/services/T0/B0/XXXXXXXXXXXXXXXXXXXX")
	f.Add("https://user:password@example.com/hook?token=abcdefgh")
	f.Add("0123456789abcdef0123456789abcdef")
	f.Add("https://example.com?key=supersecretvalue") // no path: the query is not the host
	f.Fuzz(func(t *testing.T, s string) {
		m := Mask(s)
		scheme, rest, isURL := strings.Cut(s, "://")
		if !isURL {
			if m != "…" && m != "…"+s[len(s)-4:] {
				t.Errorf("Mask(%q) = %q", s, m)
			}
			return
		}
		authority := rest
		if i := strings.IndexAny(rest, "/?#"); i >= 0 {
			authority = rest[:i]
		}
		host := authority[strings.LastIndex(authority, "@")+1:]
		if !strings.HasPrefix(m, scheme+"://"+host+"/…") {
			t.Errorf("Mask(%q) = %q, want only scheme and host before the tail", s, m)
		}
		if len(m) > len(scheme)+len("://")+len(authority)+len("/…")+4 {
			t.Errorf("Mask(%q) = %q shows too much", s, m)
		}
	})
}

// FuzzValidate feeds arbitrary channel URLs and recipient lists, as pasted in the settings
// page: Validate must not panic, and an accepted URL is https or loopback http. Seeds: a
// Slack URL, an Office 365 connector, a loopback webhook, a recipient list.
func FuzzValidate(f *testing.F) {
	f.Add("slack", "https://hooks.slack.com/services/T0/B0/x", "")
	f.Add("teams", "https://a.webhook.office.com/webhookb2/x", "")
	f.Add("webhook", "http://[::1]:80/x", "")
	f.Add("email", "", "a@b.example, \"B\" <b@c.example>")
	f.Fuzz(func(t *testing.T, typ, u, to string) {
		ch := store.Channel{Type: typ, Name: "x", URL: u, To: to, Secret: "0123456789abcdef"}
		if Validate(ch) == nil && typ != TypeEmail && !strings.HasPrefix(strings.ToLower(u), "https:") && !strings.HasPrefix(strings.ToLower(u), "http:") {
			t.Errorf("accepted %q", u)
		}
	})
}
