package otp

import (
	"strings"
	"testing"
)

func TestFindPipelineOrder(t *testing.T) {
	tests := []struct {
		name, sender, text string
		code, display      string
		conf               Confidence
	}{
		{"origin-bound beats a body number", "", "Your code is 111222.\n\n@example.com #654321", "654321", "654321", High},
		{"origin-bound with other origin", "", "Code 998877\n@login.example.com #998877 %partner.example.org", "998877", "998877", High},
		{"platform format", "22000", "G-482913 is your Google verification code.", "482913", "482913", High},
		{"keyword six digits", "", "Your verification code is 123456", "123456", "123456", High},
		{"keyword four digits", "", "Your PIN: 4821", "4821", "4821", Medium},
		{"split code", "", "Your code: 482 913", "482913", "482 913", High},
		{"alphanumeric", "", "Your code is A7K-29Q", "A7K29Q", "A7K-29Q", Medium},
		{"fallback", "", "482913", "482913", "482913", Low},
		{"no fallback with two numbers", "", "482913 and 112233", "", "", None},
		{"fallback refuses a year", "", "See you in 2027!", "", "", None},
		{"full-width digits", "", "コード：４８２９１３", "482913", "４８２９１３", High},
		{"persian digits", "", "کد تایید شما: ۴۸۲۹۱۳", "482913", "۴۸۲۹۱۳", High},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Find(tt.sender, tt.text)
			if r.Code != tt.code || r.Display != tt.display || r.Confidence != tt.conf {
				t.Errorf("Find(%q) = %q %q %v; want %q %q %v (candidates %+v)", tt.text, r.Code, r.Display, r.Confidence, tt.code, tt.display, tt.conf, r.Candidates)
			}
		})
	}
}

func TestFindNeverTakesSenderShortCode(t *testing.T) {
	r := Find("69525", "Microsoft: reply STOP to 69525 to stop. 69525")
	if r.Code == "69525" {
		t.Fatalf("took the sender's short code: %+v", r)
	}
	r = Find("69525", "Security code 69525 is not this one; use 7788 as Microsoft account security code")
	if r.Code != "7788" {
		t.Fatalf("Code = %q, want 7788 (%+v)", r.Code, r.Candidates)
	}
}

func TestFindListsRejectedCandidates(t *testing.T) {
	r := Find("", "Your code is 482913. Order #123456 ships 2026-11-23.")
	if r.Code != "482913" {
		t.Fatalf("Code = %q", r.Code)
	}
	var sawOrder bool
	for _, c := range r.Candidates {
		if c.Code == "123456" {
			sawOrder = c.Confidence == None && c.Reason == "reference"
		}
	}
	if !sawOrder {
		t.Errorf("the order number is not listed as rejected: %+v", r.Candidates)
	}
}

func TestDigitValue(t *testing.T) {
	for _, s := range []string{"0123456789", "٠١٢٣٤٥٦٧٨٩", "۰۱۲۳۴۵۶۷۸۹", "０１２３４５６７８９", "०१२३४५६७८९", "𝟎𝟏𝟐𝟑𝟒𝟓𝟔𝟕𝟖𝟗"} {
		i := 0
		for _, r := range s {
			v, ok := digitValue(r)
			if !ok || v != i {
				t.Errorf("digitValue(%q) = %d, %v; want %d", r, v, ok, i)
			}
			i++
		}
	}
	if _, ok := digitValue('a'); ok {
		t.Error("digitValue('a') reports a digit")
	}
}

func TestConfidenceString(t *testing.T) {
	got := strings.Join([]string{None.String(), Low.String(), Medium.String(), High.String()}, ",")
	if got != "none,low,medium,high" {
		t.Errorf("got %s", got)
	}
}

func TestFindLongMessage(t *testing.T) {
	filler := strings.Repeat("Order #4829130 ships Nov 25; call 1-800-935-9935. ", 100)
	r := Find("", filler+"\n@example.com #551902")
	if r.Code != "551902" || r.Confidence != High {
		t.Errorf("origin-bound line after %d bytes: %+v", len(filler), r)
	}
	r = Find("", "Your code is 482913. "+filler)
	if r.Code != "482913" {
		t.Errorf("code before a long tail: Code = %q", r.Code)
	}
	r = Find("", filler+"Your code is 482913.")
	if r.Code != "" {
		t.Errorf("a code past the scan limit was taken: %+v", r)
	}
}
