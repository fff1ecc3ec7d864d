package notify

import (
	"errors"
	"slices"
	"testing"

	"firmline/store"
)

func TestRoute(t *testing.T) {
	channels := []store.Channel{{ID: "slack"}, {ID: "teams", Default: true}, {ID: "mail", Default: true}, {ID: "hook"}}
	rules := []store.Rule{
		{Platform: "clio", Channels: []string{"slack"}},
		{Sender: "555", Channels: []string{"hook", "slack"}},
		{Text: `code is \d{6}$`, Regex: true, Channels: []string{"mail"}, Stop: true},
		{Text: "ANYTHING", Channels: []string{"teams"}},
		{Text: "(unclosed", Regex: true, Channels: []string{"teams"}},
		{Platform: "Westlaw", Channels: []string{"gone"}},
	}
	cases := []struct {
		name string
		m    store.Message
		want []string
	}{
		{"platform, case-insensitive; repeats dropped", store.Message{Platform: "Clio", Sender: "+15551234567", Text: "x"}, []string{"slack", "hook"}},
		{"regex with stop", store.Message{Platform: "Clio", Sender: "Clio", Text: "Your code is 123456"}, []string{"slack", "mail"}},
		{"substring, case-insensitive", store.Message{Sender: "X", Text: "anything at all"}, []string{"teams"}},
		{"no rule matches: defaults", store.Message{Sender: "X", Text: "hello"}, []string{"teams", "mail"}},
		{"a rule naming a deleted channel", store.Message{Platform: "westlaw", Sender: "X", Text: "hello"}, nil},
	}
	for _, c := range cases {
		if got := Route(rules, channels, c.m); !slices.Equal(got, c.want) {
			t.Errorf("%s: Route = %v, want %v", c.name, got, c.want)
		}
	}
	if got := Route(nil, channels, store.Message{}); !slices.Equal(got, []string{"teams", "mail"}) {
		t.Errorf("no rules: %v", got)
	}
}

func TestValidateRule(t *testing.T) {
	if err := ValidateRule(store.Rule{Text: "(unclosed", Regex: true}); !errors.Is(err, ErrInvalid) {
		t.Errorf("bad regexp: %v", err)
	}
	if err := ValidateRule(store.Rule{Text: "(unclosed"}); err != nil {
		t.Errorf("plain text: %v", err)
	}
	long := make([]byte, maxPattern+1)
	for i := range long {
		long[i] = 'a'
	}
	if err := ValidateRule(store.Rule{Text: string(long), Regex: true}); !errors.Is(err, ErrInvalid) {
		t.Errorf("long pattern: %v", err)
	}
}

func TestRecipients(t *testing.T) {
	users := []store.User{
		{ID: "1", Email: "a@firm.example", NotifyPlatforms: []string{"clio"}},
		{ID: "2", Email: "b@firm.example", NotifyPlatforms: []string{"*"}},
		{ID: "3", Email: "c@firm.example", NotifyPlatforms: []string{"Westlaw"}},
		{ID: "4", Email: "d@firm.example"},
	}
	ids := func(us []store.User) []string {
		var out []string
		for _, u := range us {
			out = append(out, u.ID)
		}
		return out
	}
	if got := ids(Recipients(users, store.Message{Platform: "Clio"})); !slices.Equal(got, []string{"1", "2"}) {
		t.Errorf("Clio: %v", got)
	}
	if got := ids(Recipients(users, store.Message{})); !slices.Equal(got, []string{"2"}) {
		t.Errorf("unknown platform: %v", got)
	}
}

// FuzzRoute feeds arbitrary rule patterns (typed by Managers) and SMS texts (sent by anyone):
// Route must not panic, and a pattern ValidateRule refuses never matches. Seeds: a plain
// code pattern, a broken regexp, a huge repetition.
func FuzzRoute(f *testing.F) {
	f.Add(`code is \d{6}`, true, "Your code is 123456")
	f.Add(`(unclosed`, true, "(unclosed")
	f.Add(`a{1000}{1000}`, true, "aaaa")
	f.Add(`Clio`, false, "clio code")
	f.Fuzz(func(t *testing.T, pattern string, regex bool, text string) {
		r := store.Rule{Text: pattern, Regex: regex, Channels: []string{"c"}}
		got := Route([]store.Rule{r}, []store.Channel{{ID: "c"}, {ID: "d", Default: true}}, store.Message{Text: text})
		if ValidateRule(r) != nil && !slices.Equal(got, []string{"d"}) {
			t.Errorf("invalid rule %q matched: %v", pattern, got)
		}
	})
}
