package pdu

import "testing"

// BenchmarkDecode measures one Decode of a single GSM 7-bit message, a UCS2
// message and one part of a concatenated message.
func BenchmarkDecode(b *testing.B) {
	for _, name := range []string{"textbook", "ucs2", "concat8 1"} {
		h := vectorHex(name)
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Decode(h); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkJoin measures joining the two parts of a split emoji.
func BenchmarkJoin(b *testing.B) {
	p1, _ := Decode(vectorHex("emoji 1"))
	p2, _ := Decode(vectorHex("emoji 2"))
	parts := []*Message{p1, p2}
	b.ReportAllocs()
	for b.Loop() {
		Join(parts)
	}
}
