package otp

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzFind checks Find on arbitrary senders and texts: it must not panic, and a code it
// returns must be 4 to 10 ASCII letters and digits that are written in the text, as Display,
// with only separators and non-ASCII digits between them and the code.
func FuzzFind(f *testing.F) {
	// A typical code with a keyword.
	f.Add("+14155550123", "Your Clio verification code is 482913.")
	// An origin-bound last line, also with a second origin.
	f.Add("Apple", "Your code is: 583920\n\n@apple.com #583920 %apple.com")
	// Google's prefix from its short code.
	f.Add("22000", "G-482913 is your Google verification code.")
	// The sender's short code in the text.
	f.Add("69525", "Use 4821 as Microsoft account security code. STOP to 69525")
	// Split and alphanumeric codes.
	f.Add("", "Your code: 482 913 or A7K-29Q")
	// Non-Latin digits: Arabic-Indic, Persian, full-width.
	f.Add("", "رمز ٤٨٢٩١٣ کد ۵۸۳۹۲۰ コード４８２９１３")
	// Amounts, dates, phones and card endings only.
	f.Add("", "$12.50 on 2026-11-23 10:30, call +1 555 123 4567, card ending 1234")
	// Invalid UTF-8 and a lone origin marker.
	f.Add("\xff", "\xff\xfe code 12\x0034 \n@ #")
	// Case folding that changes byte length (Turkish dotted I, Kelvin sign).
	f.Add("İ", "İİİ KOD 4821 K 9999")
	f.Fuzz(func(t *testing.T, sender, text string) {
		r := Find(sender, text)
		if r.Code == "" {
			if r.Display != "" || r.Confidence != None {
				t.Fatalf("no code but Display %q, Confidence %v", r.Display, r.Confidence)
			}
			return
		}
		if n := len(r.Code); n < minCodeLen || n > maxCodeLen || digitCount(r.Code) == 0 {
			t.Fatalf("Code %q has a bad shape", r.Code)
		}
		if !strings.Contains(text, r.Display) {
			t.Fatalf("Display %q is not in the text %q", r.Display, text)
		}
		if got := strip(r.Display); got != strings.ToLower(r.Code) {
			t.Fatalf("Display %q normalises to %q, Code is %q", r.Display, got, r.Code)
		}
		if r.Confidence < Low || len(r.Candidates) == 0 || r.Candidates[0].Code != r.Code {
			t.Fatalf("Result %+v is not its best candidate", r)
		}
	})
}

// strip normalises a Display the independent way: digits of any script to ASCII, ASCII
// letters to lower case, everything else dropped.
func strip(s string) string {
	var b strings.Builder
	for _, r := range s {
		if v, ok := digitValue(r); ok {
			b.WriteByte(byte('0' + v))
		} else if r < utf8.RuneSelf && isAlnum(byte(foldRune(r))) {
			b.WriteRune(foldRune(r))
		}
	}
	return b.String()
}
