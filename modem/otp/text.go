package otp

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// text is a message prepared for matching: low is the message lower-cased, with every
// decimal digit of any script made ASCII and every space-like character made a space. off maps
// each byte offset of low (and len(low)) to the byte offset in orig where it came from, so a
// match in low can be shown as written.
type text struct {
	orig string
	low  string
	off  []int
}

// newText prepares s; it never fails, invalid UTF-8 becomes U+FFFD.
func newText(s string) *text {
	var b strings.Builder
	b.Grow(len(s))
	off := make([]int, 0, len(s)+1)
	for i, r := range s {
		r = foldRune(r)
		n := b.Len()
		b.WriteRune(r)
		for range b.Len() - n {
			off = append(off, i)
		}
	}
	off = append(off, len(s))
	return &text{orig: s, low: b.String(), off: off}
}

// foldRune lower-cases r, makes a digit of any script ASCII and any space a plain space.
func foldRune(r rune) rune {
	if r < utf8.RuneSelf {
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		if r == '\t' {
			return ' '
		}
		return r
	}
	if v, ok := digitValue(r); ok {
		return '0' + rune(v)
	}
	if unicode.IsSpace(r) && r != '\n' {
		return ' '
	}
	return unicode.ToLower(r)
}

// digitValue returns the value of a decimal digit of any script (Arabic-Indic, Persian,
// full-width, Devanagari, ...). Unicode keeps every Nd digit in runs that start at zero, so the
// value is the distance from the start of its range modulo ten.
func digitValue(r rune) (int, bool) {
	if !unicode.IsDigit(r) {
		return 0, false
	}
	for _, rg := range unicode.Nd.R16 {
		if rune(rg.Lo) <= r && r <= rune(rg.Hi) {
			return int(r-rune(rg.Lo)) % 10, true
		}
	}
	for _, rg := range unicode.Nd.R32 {
		if rune(rg.Lo) <= r && r <= rune(rg.Hi) {
			return int(r-rune(rg.Lo)) % 10, true
		}
	}
	return 0, false
}

// display returns the original text behind low[s:e].
func (t *text) display(s, e int) string {
	return t.orig[t.off[s]:t.off[e]]
}

// code returns the code behind low[s:e]: its ASCII letters and digits, letters in the case
// they were written in, separators dropped.
func (t *text) code(s, e int) string {
	var b strings.Builder
	for i := s; i < e; i++ {
		c := t.low[i]
		switch {
		case isDigit(c):
			b.WriteByte(c)
		case isLower(c):
			if o := t.orig[t.off[i]]; o == c-'a'+'A' {
				c = o
			}
			b.WriteByte(c)
		}
	}
	return b.String()
}

// upperLetters reports whether every letter of low[s:e] was written in upper case.
func (t *text) upperLetters(s, e int) bool {
	for i := s; i < e; i++ {
		if c := t.low[i]; isLower(c) && t.orig[t.off[i]] != c-'a'+'A' {
			return false
		}
	}
	return true
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }
func isLower(c byte) bool { return 'a' <= c && c <= 'z' }
func isAlnum(c byte) bool { return isDigit(c) || isLower(c) }

// token is a run of ASCII letters and digits in low, [s, e), with its digit count.
type token struct {
	s, e   int
	digits int
}

func (k token) len() int        { return k.e - k.s }
func (k token) allDigits() bool { return k.digits == k.len() }

// tokens returns the runs of ASCII letters and digits in low.
func tokens(low string) []token {
	var out []token
	for i := 0; i < len(low); {
		if !isAlnum(low[i]) {
			i++
			continue
		}
		k := token{s: i}
		for i < len(low) && isAlnum(low[i]) {
			if isDigit(low[i]) {
				k.digits++
			}
			i++
		}
		k.e = i
		out = append(out, k)
	}
	return out
}

// span is a candidate code in low: one token, or two joined by a separator.
type span struct {
	s, e int
	sep  byte // 0 for a single token
	// ambiguous is set when the token belongs to a chain of number groups that is not one
	// code (a phone number, a date, a decimal).
	ambiguous bool
}

// spans groups tokens into candidate spans. Tokens separated by one of " -." form a chain;
// a chain of two groups that look like halves of one code ("123 456", "123-456", "A7K-29Q")
// becomes one span; otherwise a chain with two or more all-digit groups (a phone number, a
// date, a decimal) marks its members ambiguous, unless it is just two numbers side by side.
func spans(low string, toks []token) []span {
	var out []span
	for i := 0; i < len(toks); {
		j := i
		for j+1 < len(toks) && chained(low, toks[j], toks[j+1]) {
			j++
		}
		out = appendChain(out, low, toks[i:j+1])
		i = j + 1
	}
	return out
}

// chained reports whether b follows a after exactly one separator: a dash next to a digit,
// or a space or dot between two numbers.
func chained(low string, a, b token) bool {
	if b.s != a.e+1 {
		return false
	}
	sep := low[a.e]
	switch sep {
	case '-':
		return a.digits > 0 || b.digits > 0
	case ' ', '.':
		return a.allDigits() && b.allDigits()
	}
	return false
}

func appendChain(out []span, low string, ch []token) []span {
	switch {
	case len(ch) == 1:
		if ch[0].digits == 0 {
			return out
		}
		return append(out, span{s: ch[0].s, e: ch[0].e})
	case len(ch) == 2 && halves(low[ch[0].e], ch[0], ch[1]):
		return append(out, span{s: ch[0].s, e: ch[1].e, sep: low[ch[0].e]})
	}
	numbers := 0
	for _, k := range ch {
		if k.allDigits() {
			numbers++
		}
	}
	ambiguous := numbers >= 2 && (len(ch) > 2 || low[ch[0].e] != ' ')
	for _, k := range ch {
		if k.digits > 0 {
			out = append(out, span{s: k.s, e: k.e, ambiguous: ambiguous})
		}
	}
	return out
}

// halves reports whether a and b, joined by sep, read as one code split for legibility.
func halves(sep byte, a, b token) bool {
	total := a.len() + b.len()
	if total < minCodeLen || total > maxCodeLen {
		return false
	}
	if a.allDigits() && b.allDigits() {
		return a.len() == b.len() && (a.len() == 3 || a.len() == 4 || (sep == '-' && a.len() == 2))
	}
	if sep != '-' || a.len() < 2 || b.len() < 2 {
		return false
	}
	return (a.digits > 0 && b.digits > 0) || a.len() == b.len()
}
