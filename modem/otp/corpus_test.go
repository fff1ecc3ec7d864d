package otp

import (
	"encoding/json"
	"os"
	"testing"
)

// sample is one line of testdata/corpus.json: a real-world-shaped message and what the inbox
// must show for it. A null want_code means the message holds no code; a null want_platform
// means no platform may be named.
type sample struct {
	Lang         string  `json:"lang"`
	Sender       string  `json:"sender"`
	Text         string  `json:"text"`
	WantCode     *string `json:"want_code"`
	WantPlatform *string `json:"want_platform"`
	Note         string  `json:"note"`
}

func loadCorpus(t testing.TB) []sample {
	t.Helper()
	b, err := os.ReadFile("testdata/corpus.json")
	if err != nil {
		t.Fatal(err)
	}
	var cs []sample
	if err := json.Unmarshal(b, &cs); err != nil {
		t.Fatalf("testdata/corpus.json: %v", err)
	}
	return cs
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// TestCorpus runs every sample of the regression corpus (requirement 38) and prints each
// failure with the candidates the finder saw, then the totals per language.
func TestCorpus(t *testing.T) {
	cs := loadCorpus(t)
	type tally struct{ pos, neg int }
	perLang := map[string]*tally{}
	failed := 0
	for i, c := range cs {
		ty := perLang[c.Lang]
		if ty == nil {
			ty = &tally{}
			perLang[c.Lang] = ty
		}
		if c.WantCode == nil {
			ty.neg++
		} else {
			ty.pos++
		}
		r := Find(c.Sender, c.Text)
		if r.Code == deref(c.WantCode) && r.Platform == deref(c.WantPlatform) {
			continue
		}
		failed++
		t.Errorf("sample %d (%s, %s): Find(%q, %q) = code %q platform %q (%v); want code %q platform %q\n  candidates: %+v",
			i, c.Lang, c.Note, c.Sender, c.Text, r.Code, r.Platform, r.Confidence, deref(c.WantCode), deref(c.WantPlatform), r.Candidates)
	}
	neg := 0
	for lang, ty := range perLang {
		neg += ty.neg
		t.Logf("%s: %d with a code, %d without", lang, ty.pos, ty.neg)
	}
	t.Logf("corpus: %d samples, %d without a code, %d failed", len(cs), neg, failed)
	if len(cs) < 120 || 3*neg < len(cs) {
		t.Errorf("corpus has %d samples, %d without a code; want at least 120 and a third without", len(cs), neg)
	}
}
