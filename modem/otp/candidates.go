package otp

import (
	"cmp"
	"slices"
)

// maxCandidates caps Result.Candidates; a long message lists its best numbers only.
const maxCandidates = 16

// candidate describes low[s:e] as a Candidate.
func (f *finder) candidate(s, e int, conf Confidence, reason string) Candidate {
	return Candidate{Code: f.t.code(s, e), Display: f.t.display(s, e), Confidence: conf, Reason: reason}
}

func (f *finder) add(c cand) { f.cands = append(f.cands, c) }

// codeShape reports whether sp could be a code at all: 4 to 10 letters and digits with at
// least one digit, and any letters written in upper case (so "20min", "v2" and the lower-case
// app hash of an SMS Retriever message are not codes). Tokens that fail it are not listed.
func (f *finder) codeShape(sp span) bool {
	code := f.t.code(sp.s, sp.e)
	if len(code) < minCodeLen || len(code) > maxCodeLen || digitCount(code) == 0 {
		return false
	}
	return allDigits(code) || f.t.upperLetters(sp.s, sp.e)
}

// reject returns why sp is not a code, or "" when it may be one.
func (f *finder) reject(sp span) string {
	if !f.codeShape(sp) {
		return "not code-shaped"
	}
	if sp.ambiguous {
		return "part of a number group (phone number, date or decimal)"
	}
	if m, ok := covering(f.marks, sp.s, sp.e); ok {
		return m.reason
	}
	if code := f.t.code(sp.s, sp.e); f.sender != "" && (code == f.sender || len(code) >= 7 && len(f.sender) > len(code) && f.sender[len(f.sender)-len(code):] == code) {
		return "the sender's own number"
	}
	return ""
}

// ranked returns the candidates best first, one per code, at most maxCandidates.
func (f *finder) ranked() []Candidate {
	slices.SortStableFunc(f.cands, func(a, b cand) int {
		return cmp.Or(
			cmp.Compare(b.Confidence, a.Confidence),
			cmp.Compare(a.from, b.from),
			cmp.Compare(a.gap, b.gap),
			cmp.Compare(a.pos, b.pos))
	})
	var out []Candidate
	seen := make(map[string]bool, len(f.cands))
	for _, c := range f.cands {
		if seen[c.Code] || len(out) == maxCandidates {
			continue
		}
		seen[c.Code] = true
		out = append(out, c.Candidate)
	}
	return out
}

func allDigits(s string) bool { return digitCount(s) == len(s) }

func digitCount(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if isDigit(s[i]) {
			n++
		}
	}
	return n
}
