package notify

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"firmline/store"
)

// maxPattern bounds a rule's text pattern (Go's regexp is linear-time, but a huge pattern is
// still a mistake).
const maxPattern = 512

// Route picks the channels for message m: rules in order, each matching on platform (equal,
// case-insensitive), sender (substring, case-insensitive) and text (substring,
// case-insensitive, or a regular expression when Regex); an empty field matches anything. A
// matching rule adds its channels; Stop ends evaluation. When no rule matches, the channels
// marked Default get it. The result holds IDs of existing channels only, each once, in order.
func Route(rules []store.Rule, channels []store.Channel, m store.Message) []string {
	var ids []string
	matched := false
	for _, r := range rules {
		if !ruleMatches(r, m) {
			continue
		}
		matched = true
		ids = append(ids, r.Channels...)
		if r.Stop {
			break
		}
	}
	if !matched {
		ids = defaults(channels)
	}
	return existing(ids, channels)
}

// ruleMatches reports whether every non-empty matcher of r matches m. A regular expression
// that does not compile never matches (ValidateRule refuses it on the way in).
func ruleMatches(r store.Rule, m store.Message) bool {
	if r.Platform != "" && !strings.EqualFold(r.Platform, m.Platform) {
		return false
	}
	if r.Sender != "" && !containsFold(m.Sender, r.Sender) {
		return false
	}
	if r.Text == "" {
		return true
	}
	if !r.Regex {
		return containsFold(m.Text, r.Text)
	}
	re, err := compileRule(r.Text)
	return err == nil && re.MatchString(m.Text)
}

func containsFold(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(sub))
}

func compileRule(pattern string) (*regexp.Regexp, error) {
	if len(pattern) > maxPattern {
		return nil, fmt.Errorf("%w: the pattern is longer than %d characters", ErrInvalid, maxPattern)
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		return nil, fmt.Errorf("%w: the text pattern is not a valid regular expression: %w", ErrInvalid, err)
	}
	return re, nil
}

// ValidateRule checks a rule before it is stored: a text pattern that compiles when Regex.
// Rules naming channels that no longer exist are harmless (Route skips them).
func ValidateRule(r store.Rule) error {
	if !r.Regex {
		return nil
	}
	_, err := compileRule(r.Text)
	return err
}

func defaults(channels []store.Channel) []string {
	var ids []string
	for _, c := range channels {
		if c.Default {
			ids = append(ids, c.ID)
		}
	}
	return ids
}

// existing keeps the IDs of channels that exist, dropping repeats.
func existing(ids []string, channels []store.Channel) []string {
	var out []string
	for _, id := range ids {
		if slices.Contains(out, id) {
			continue
		}
		if slices.ContainsFunc(channels, func(c store.Channel) bool { return c.ID == id }) {
			out = append(out, id)
		}
	}
	return out
}

// Recipients are the email addresses of users who asked for the codes of m's platform by
// email (User.NotifyPlatforms holds the platform, case-insensitive, or "*"). Messages without
// a known platform go only to "*".
func Recipients(users []store.User, m store.Message) []store.User {
	var out []store.User
	for _, u := range users {
		if u.Email != "" && wants(u.NotifyPlatforms, m.Platform) {
			out = append(out, u)
		}
	}
	return out
}

func wants(platforms []string, platform string) bool {
	return slices.ContainsFunc(platforms, func(p string) bool {
		return p == "*" || (platform != "" && strings.EqualFold(p, platform))
	})
}
