// Package otp finds the one-time code in an SMS and names the platform that sent it
// (modem.md §7, requirements 34-38). It is pure: no I/O, no logging, no state between calls;
// Find is safe for concurrent use. Every name, word and pattern it knows lives in rules.go.
//
// The result is advisory (requirement 34): callers always show the full message and never
// act on a code by themselves.
package otp

import (
	"strings"
	"unicode/utf8"
)

// Confidence says how sure the finder is that a candidate is the code.
type Confidence int

// The confidence levels, lowest first. None marks a number that was looked at and rejected.
const (
	None Confidence = iota
	Low
	Medium
	High
)

// String returns the level's name in lower case.
func (c Confidence) String() string {
	switch c {
	case Low:
		return "low"
	case Medium:
		return "medium"
	case High:
		return "high"
	}
	return "none"
}

// Candidate is one number or alphanumeric token the finder considered.
type Candidate struct {
	Code       string     // normalised: separators removed, digits ASCII
	Display    string     // as written in the message
	Confidence Confidence // None when rejected
	Reason     string     // why it was taken or rejected, for people
}

// Result is what Find makes of one message.
type Result struct {
	Code       string     // the best code, normalised: separators removed, digits ASCII; "" when none
	Display    string     // as written in the message (e.g. "123-456")
	Platform   string     // "Clio", "Westlaw", ... or "" when unknown
	Confidence Confidence // the best code's confidence; None when there is no code
	// Candidates lists every code-shaped token considered, best first, one per code and at
	// most 16: the accepted ones, then the rejected ones with Confidence None and the reason
	// (an amount, a card ending, the sender's own number...).
	Candidates []Candidate
}

// Find looks for a one-time code in text, sent by sender (a short code, a number or an
// alphanumeric ID as the modem reports it), and names the platform. The pipeline is:
// an origin-bound last line "@domain #code", the platform's own code formats, a code near a
// keyword of any known language, and finally the only code-like token of the message.
// Numbers that read as amounts, dates, times, phone numbers, card endings, references,
// URLs or the sender's own number are never taken.
func Find(sender, text string) Result {
	f := newFinder(sender, text)
	domain := f.originBound(text)
	var res Result
	if p := rules.platformOf(sender, domain, f.t.low); p >= 0 {
		res.Platform = rules.platforms[p].name
		f.platformCodes(rules.platforms[p])
	}
	f.keywordCodes()
	f.fallback()
	res.Candidates = f.ranked()
	if len(res.Candidates) > 0 && res.Candidates[0].Confidence >= Low {
		best := res.Candidates[0]
		res.Code, res.Display, res.Confidence = best.Code, best.Display, best.Confidence
	}
	return res
}

// source orders candidates of equal confidence: the more specific rule wins.
type source int

const (
	fromOrigin source = iota
	fromPlatform
	fromKeyword
	fromFallback
	rejected
)

// cand is a Candidate with the facts used to rank it.
type cand struct {
	Candidate
	from source
	gap  int // characters between the keyword and the code
	pos  int
}

// finder holds one message while Find works on it; it is not shared.
type finder struct {
	t      *text
	sender string // the sender's digits when the sender is a number
	marks  []mark
	spans  []span
	cands  []cand
}

// maxScan caps the part of a message that is searched (about ten SMS parts); codes sit at the
// start of a message, and the cap keeps the work per message bounded whatever its length.
// The origin-bound last line is read from the whole message.
const maxScan = 1600

func newFinder(sender, s string) *finder {
	if len(s) > maxScan {
		cut := maxScan
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut]
	}
	f := &finder{t: newText(s), sender: senderDigits(sender)}
	if strings.ContainsAny(f.t.low, "0123456789") {
		f.marks = rules.marks(f.t.low)
		f.spans = spans(f.t.low, tokens(f.t.low))
	}
	return f
}

// senderDigits returns the sender's digits when it is a number (short code or phone).
func senderDigits(sender string) string {
	k := senderKey(sender)
	for i := 0; i < len(k); i++ {
		if !isDigit(k[i]) {
			return ""
		}
	}
	return k
}

// originBound takes the code of an "@domain #code" last line of msg (WICG origin-bound
// one-time codes, Apple's domain-bound codes) and returns the domain, or "".
func (f *finder) originBound(msg string) string {
	msg = strings.TrimRight(msg, " \t\n\r")
	lt := newText(msg[strings.LastIndexByte(msg, '\n')+1:])
	m := rules.origin.FindStringSubmatchIndex(lt.low)
	if m == nil || !strings.ContainsAny(lt.low[m[4]:m[5]], "0123456789") {
		return ""
	}
	c := Candidate{Code: lt.code(m[4], m[5]), Display: lt.display(m[4], m[5]), Confidence: High, Reason: "origin-bound @domain #code line"}
	f.add(cand{Candidate: c, from: fromOrigin})
	return lt.low[m[2]:m[3]]
}

// platformCodes applies the platform's own code formats (Google's "G-123456", ...).
func (f *finder) platformCodes(p platform) {
	for _, re := range p.codes {
		for _, m := range re.FindAllStringSubmatchIndex(f.t.low, -1) {
			s, e := m[2], m[3]
			if why := f.reject(span{s: s, e: e}); why != "" {
				continue
			}
			f.add(cand{Candidate: f.candidate(s, e, High, p.name+" code format"), from: fromPlatform, pos: s})
		}
	}
}

// keywordCodes takes every acceptable token within the window of a code keyword, and
// records the rejected ones.
func (f *finder) keywordCodes() {
	if len(f.spans) == 0 {
		return
	}
	hits := rules.keywordHits(f.t.low, f.marks)
	free := f.freeRunes()
	for _, sp := range f.spans {
		if !f.codeShape(sp) {
			continue
		}
		if why := f.reject(sp); why != "" {
			f.add(cand{Candidate: f.candidate(sp.s, sp.e, None, why), from: rejected, pos: sp.s})
			continue
		}
		h, gap, ok := nearest(sp, hits, free)
		if !ok {
			continue
		}
		conf := Medium
		if code := f.t.code(sp.s, sp.e); len(code) == 6 && allDigits(code) {
			conf = High // the typical code: six digits right by a keyword
		}
		f.add(cand{Candidate: f.candidate(sp.s, sp.e, conf, `near keyword "`+h.word+`"`), from: fromKeyword, gap: gap, pos: sp.s})
	}
}

// freeRunes returns, for each byte offset i of low, how many characters of low[:i] no mark
// covers. The distance between a keyword and a code counts only those: an amount, a card
// ending or an IBAN between them is explained, and does not push the code out of reach.
func (f *finder) freeRunes() []int {
	low := f.t.low
	depth := make([]int, len(low)+1) // how many marks start minus end at each offset
	for _, m := range f.marks {
		depth[m.s]++
		depth[m.e]--
	}
	free := make([]int, len(low)+1)
	covered := 0
	for i := 0; i < len(low); i++ {
		covered += depth[i]
		free[i+1] = free[i]
		if covered == 0 && utf8.RuneStart(low[i]) {
			free[i+1]++
		}
	}
	return free
}

// nearest returns the keyword closest to sp within the windows, and the distance in
// unmarked characters.
func nearest(sp span, hits []hit, free []int) (hit, int, bool) {
	var best hit
	bestGap, found := 0, false
	for _, h := range hits {
		var gap int
		switch {
		case h.e <= sp.s:
			gap = free[sp.s] - free[h.e]
			if gap > windowAfter {
				continue
			}
		case sp.e <= h.s:
			gap = free[h.s] - free[sp.e]
			if gap > windowBefore {
				continue
			}
		default:
			continue
		}
		if !found || gap < bestGap {
			best, bestGap, found = h, gap, true
		}
	}
	return best, bestGap, found
}

// fallback takes the only number-like token of a message that has no other candidate, if it
// is an acceptable code of the cautious shape (User Consent API criterion, Low).
func (f *finder) fallback() {
	for _, c := range f.cands {
		if c.Confidence >= Low {
			return
		}
	}
	var only span
	n := 0
	for _, sp := range f.spans {
		if m, ok := covering(f.marks, sp.s, sp.e); ok && m.benign {
			continue
		}
		only = sp
		n++
	}
	if n != 1 || f.reject(only) != "" || !f.fallbackShape(only) {
		return
	}
	f.add(cand{Candidate: f.candidate(only.s, only.e, Low, "the only code-like token"), from: fromFallback, pos: only.s})
}

// fallbackShape accepts digits only (a lone "8XYZ123" is more often a licence plate or a
// flight than a code; letters need a keyword or an origin-bound line), and rejects a year or
// a number that starts with one ("2026-0042").
func (f *finder) fallbackShape(sp span) bool {
	code := f.t.code(sp.s, sp.e)
	if !allDigits(code) {
		return false
	}
	return !yearLike(code) || len(code) > 4 && (sp.sep == 0 || f.t.low[sp.s+4] != sp.sep)
}

// yearLike reports whether code starts with four digits from 1900 to 2099.
func yearLike(code string) bool {
	return len(code) >= 4 && allDigits(code[:4]) && (code[:2] == "19" || code[:2] == "20")
}
