package pdu

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// FuzzDecode feeds arbitrary bytes to DecodeBytes (and their hex to Decode)
// and checks that decoding never panics and that a successful decode keeps
// its invariants.
func FuzzDecode(f *testing.F) {
	// Every vector of vectors_test.go: all alphabets, shift tables, address
	// types, zones, UDH shapes, status reports and SMS-SUBMIT.
	for _, v := range vectors {
		f.Add(v.hex)
	}
	f.Add("")                                                                               // nothing at all
	f.Add("00")                                                                             // SMSC length only
	f.Add("0004")                                                                           // deliver, no sender
	f.Add("00040BD0")                                                                       // alphanumeric sender cut short
	f.Add("0044" + "0B91" + "1346610089F6" + "0000" + "20806291731408" + "FF" + "FF")       // UDL 255, UDHL 255
	f.Add("00440B911346610089F6000020806291731408A0" + strings.Repeat("07000300000000", 8)) // nested IEs
	f.Add("00060000" + strings.Repeat("99", 14) + "FFFF")                                   // status report, PI FF
	f.Add("0011000B916407281553F80000AA0AE8329BFD4697D9EC37")                               // SMS-SUBMIT
	f.Fuzz(func(t *testing.T, h string) {
		m, err := Decode(h)
		if err != nil {
			return
		}
		checkInvariants(t, m)
	})
}

func checkInvariants(t *testing.T, m *Message) {
	for _, s := range []string{m.Text, m.Sender, m.SMSC, m.Recipient, Join([]*Message{m, nil, m})} {
		if !utf8.ValidString(s) {
			t.Fatalf("invalid UTF-8 %q", s)
		}
	}
	switch m.Type {
	case TypeDeliver, TypeSubmit, TypeStatusReport:
	default:
		t.Fatalf("type %q", m.Type)
	}
	switch m.Alphabet {
	case AlphabetGSM7, AlphabetUCS2, Alphabet8Bit:
	default:
		t.Fatalf("alphabet %q", m.Alphabet)
	}
	if m.SenderType == TypeAlphanumeric {
		if utf8.RuneCountInString(m.Sender) > maxAlphaChars || strings.IndexFunc(m.Sender, unicode.IsControl) >= 0 {
			t.Fatalf("alphanumeric sender %q", m.Sender)
		}
	}
	if c := m.Concat; c != nil && (c.Seq < 1 || c.Seq > c.Total) {
		t.Fatalf("concat %+v", c)
	}
	if m.Class != nil && (*m.Class < 0 || *m.Class > 3) {
		t.Fatalf("class %d", *m.Class)
	}
	if m.Type == TypeDeliver && m.TimestampInvalid != m.SentAt.IsZero() {
		t.Fatalf("TimestampInvalid %v with SentAt %v", m.TimestampInvalid, m.SentAt)
	}
	if m.Alphabet == Alphabet8Bit && m.Text != "" {
		t.Fatalf("8-bit message with text %q", m.Text)
	}
}

// FuzzRoundTrip encodes arbitrary text for arbitrary senders and languages
// and checks that decoding and joining give the text back.
func FuzzRoundTrip(f *testing.F) {
	f.Add("How are you?", "+31641600986", uint8(0), uint16(0))     // plain GSM 7-bit
	f.Add("€[]{}~^|\\\f", "Google", uint8(1), uint16(7))           // extension table, class 0
	f.Add("Emoji 😀 中文", "69525", uint8(0), uint16(300))            // UCS2 with a surrogate pair
	f.Add(strings.Repeat("a€", 90), "+1", uint8(2), uint16(65535)) // GSM7 split near escapes
	f.Add(strings.Repeat("ж😀", 40), "+1", uint8(4), uint16(1))     // UCS2 split near surrogates
	f.Add("Şiir ğ ı İ", "+90", uint8(8|1<<5), uint16(2))           // Turkish locking + single
	f.Add("नमस्ते", "+91", uint8(8|6<<4), uint16(3))               // Hindi via its tables
	f.Add("\xff\xfe bad utf8", "+1", uint8(0), uint16(0))          // invalid UTF-8 becomes U+FFFD
	f.Fuzz(func(t *testing.T, text, sender string, opts uint8, ref uint16) {
		d := Deliver{Sender: sender, Text: text, Ref: int(ref), Ref16: opts&2 != 0}
		if opts&1 != 0 {
			d.Class = intp(int(opts>>2) & 3)
		}
		if opts&8 != 0 {
			d.Language, d.Locking = int(opts>>4)%14, opts&4 != 0
		}
		if _, err := EncodeDeliver(d); err != nil {
			return // senders that cannot be encoded, or more than 255 parts
		}
		roundTrip(t, d)
	})
}
