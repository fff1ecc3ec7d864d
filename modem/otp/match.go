package otp

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ruleset is rules.go compiled once at start-up. It is never modified afterwards, so Find is
// safe to call from any number of goroutines.
type ruleset struct {
	exclusions []exclusion
	keywords   []string
	platforms  []platform
	senders    map[string]int // normalised sender ID -> index in platforms
	origin     *regexp.Regexp
}

// exclusion is one compiled exclusionRule: either re over the whole text, or words with the
// before/after patterns anchored at each occurrence.
type exclusion struct {
	reason        string
	re            *regexp.Regexp
	words         []string
	prefix        bool
	before, after *regexp.Regexp
	benign        bool
}

// lookBehind is how far before a word the before pattern may reach, in bytes.
const lookBehind = 48

func compileExclusion(r exclusionRule) exclusion {
	x := exclusion{reason: r.reason, words: r.words, prefix: r.prefix, benign: r.benign}
	if len(r.words) == 0 {
		x.re = regexp.MustCompile(r.pattern)
		return x
	}
	if r.before != "" {
		x.before = regexp.MustCompile(`(?:` + r.before + `)$`)
	}
	if r.after != "" {
		x.after = regexp.MustCompile(`^(?:` + r.after + `)`)
	}
	return x
}

// find appends the stretches of low that x claims.
func (x exclusion) find(low string, out []mark) []mark {
	if x.re != nil {
		for _, m := range x.re.FindAllStringIndex(low, -1) {
			out = append(out, mark{s: m[0], e: m[1], reason: x.reason, benign: x.benign})
		}
		return out
	}
	for _, w := range x.words {
		eachASCIIWord(low, w, !x.prefix, func(s, e int) {
			if m, ok := x.around(low, s, e); ok {
				out = append(out, m)
			}
		})
	}
	return out
}

// around matches the before and after patterns next to the word at low[s:e].
func (x exclusion) around(low string, s, e int) (mark, bool) {
	m := mark{s: s, e: e, reason: x.reason, benign: x.benign}
	if x.before != nil {
		from := max(0, s-lookBehind)
		loc := x.before.FindStringIndex(low[from:s])
		if loc == nil {
			return m, false
		}
		m.s = from + loc[0]
	}
	if x.after != nil {
		loc := x.after.FindStringIndex(low[e:])
		if loc == nil {
			return m, false
		}
		m.e = e + loc[1]
	}
	return m, true
}

// eachASCIIWord calls fn for each occurrence of w in low that starts a word, and ends one when
// strictEnd is set, in the sense of RE2's \b: only where w has an ASCII letter or digit.
func eachASCIIWord(low, w string, strictEnd bool, fn func(s, e int)) {
	for from := 0; from < len(low); {
		i := strings.Index(low[from:], w)
		if i < 0 {
			return
		}
		s, e := from+i, from+i+len(w)
		from = s + 1
		if isWordByte(w[0]) && s > 0 && isWordByte(low[s-1]) {
			continue
		}
		if strictEnd && isWordByte(w[len(w)-1]) && e < len(low) && isWordByte(low[e]) {
			continue
		}
		fn(s, e)
	}
}

func isWordByte(c byte) bool { return isAlnum(c) || c == '_' }

type platform struct {
	name    string
	words   []string
	domains []string
	codes   []*regexp.Regexp
}

// rules is the compiled rule book; a bad pattern in rules.go panics at start-up (and in
// every test), never at run time.
var rules = compileRules()

func compileRules() *ruleset {
	rs := &ruleset{
		senders: make(map[string]int),
		origin:  regexp.MustCompile(originPattern),
	}
	for _, r := range exclusionRules {
		rs.exclusions = append(rs.exclusions, compileExclusion(r))
	}
	seen := make(map[string]bool)
	for _, set := range keywordSets {
		for _, w := range set.words {
			if !seen[w] {
				seen[w] = true
				rs.keywords = append(rs.keywords, w)
			}
		}
	}
	for i, pr := range platformRules {
		p := platform{name: pr.name, words: pr.words, domains: pr.domains}
		for _, c := range pr.codes {
			p.codes = append(p.codes, regexp.MustCompile(c))
		}
		rs.platforms = append(rs.platforms, p)
		for _, s := range pr.senders {
			if _, dup := rs.senders[senderKey(s)]; !dup {
				rs.senders[senderKey(s)] = i
			}
		}
	}
	return rs
}

// senderKey folds a sender ID for comparison: lower case, without spaces, dashes, dots,
// underscores or a leading plus.
func senderKey(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '-', '.', '_', '+':
			return -1
		}
		return unicode.ToLower(r)
	}, s)
}

// mark is a stretch of low that an exclusion rule claimed.
type mark struct {
	s, e   int
	reason string
	benign bool
}

// marks runs every exclusion rule over low.
func (rs *ruleset) marks(low string) []mark {
	var out []mark
	for _, x := range rs.exclusions {
		out = x.find(low, out)
	}
	return out
}

// covering returns the first mark that overlaps [s, e).
func covering(ms []mark, s, e int) (mark, bool) {
	for _, m := range ms {
		if s < m.e && m.s < e {
			return m, true
		}
	}
	return mark{}, false
}

// hit is one occurrence of a word in low.
type hit struct {
	s, e int
	word string
}

// keywordHits finds every code keyword in low that no non-benign mark covers.
func (rs *ruleset) keywordHits(low string, ms []mark) []hit {
	var out []hit
	for _, w := range rs.keywords {
		eachWord(low, w, utf8.RuneCountInString(w) <= 3, func(s, e int) {
			if m, ok := covering(ms, s, e); ok && !m.benign {
				return
			}
			out = append(out, hit{s: s, e: e, word: w})
		})
	}
	return out
}

// eachWord calls fn for each occurrence of w in low. When w starts with a letter or digit of
// a script that separates words with spaces, the occurrence must start a word; when strictEnd
// is set and w ends with one, it must also end a word.
func eachWord(low, w string, strictEnd bool, fn func(s, e int)) {
	first, _ := utf8.DecodeRuneInString(w)
	last, _ := utf8.DecodeLastRuneInString(w)
	for from := 0; from < len(low); {
		i := strings.Index(low[from:], w)
		if i < 0 {
			return
		}
		s, e := from+i, from+i+len(w)
		from = s + 1
		if spaced(first) && wordRune(lastRune(low[:s])) {
			continue
		}
		if strictEnd && spaced(last) && wordRune(firstRune(low[e:])) {
			continue
		}
		fn(s, e)
	}
}

// spaced reports whether r belongs to a script that separates words with spaces.
func spaced(r rune) bool {
	return r < utf8.RuneSelf && (isAlnum(byte(r))) ||
		unicode.In(r, unicode.Latin, unicode.Greek, unicode.Cyrillic)
}

func wordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

func lastRune(s string) rune  { r, _ := utf8.DecodeLastRuneInString(s); return r }
func firstRune(s string) rune { r, _ := utf8.DecodeRuneInString(s); return r }

// platformOf names the service of a message: the origin domain, else the sender, else the
// platform word that comes first in the text (the earlier rule on a tie). It returns -1 when
// none matches.
func (rs *ruleset) platformOf(sender, domain, low string) int {
	if domain != "" {
		for i, p := range rs.platforms {
			for _, d := range p.domains {
				if domain == d || strings.HasSuffix(domain, "."+d) {
					return i
				}
			}
		}
	}
	if i, ok := rs.senders[senderKey(sender)]; ok {
		return i
	}
	best, at := -1, len(low)+1
	for i, p := range rs.platforms {
		for _, w := range p.words {
			eachWord(low, w, true, func(s, _ int) {
				if s < at {
					best, at = i, s
				}
			})
		}
	}
	return best
}
