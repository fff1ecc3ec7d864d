package pdu

import (
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// decodeUTF16BE decodes big-endian UTF-16 (which senders put in "UCS2"
// messages). Surrogate pairs become one rune; lone surrogates and a trailing
// odd byte become U+FFFD. It never fails and always returns valid UTF-8.
func decodeUTF16BE(b []byte) string {
	var sb strings.Builder
	sb.Grow(len(b))
	n := len(b) / 2
	for i := 0; i < n; i++ {
		u := rune(b[2*i])<<8 | rune(b[2*i+1])
		if utf16.IsSurrogate(u) && u < 0xDC00 && i+1 < n {
			u2 := rune(b[2*i+2])<<8 | rune(b[2*i+3])
			if r := utf16.DecodeRune(u, u2); r != utf8.RuneError {
				sb.WriteRune(r)
				i++
				continue
			}
		}
		if utf16.IsSurrogate(u) {
			u = utf8.RuneError
		}
		sb.WriteRune(u)
	}
	if len(b)%2 == 1 {
		sb.WriteRune(utf8.RuneError)
	}
	return sb.String()
}

// encodeUTF16BE encodes text as big-endian UTF-16 code units.
func encodeUTF16BE(text string) []byte {
	units := utf16.Encode([]rune(text))
	out := make([]byte, 2*len(units))
	for i, u := range units {
		out[2*i], out[2*i+1] = byte(u>>8), byte(u)
	}
	return out
}
