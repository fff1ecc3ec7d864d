package pdu

import (
	"strings"
	"unicode"
)

// Sender types reported in Message.SenderType (and SMSCType, RecipientType).
//
// Rule: TON 001 is "international" ("+" and digits); TON 101 is
// "alphanumeric". A value of decimal digits only with TON 000 (unknown),
// 010 (national), 100 (subscriber) or 110 (abbreviated) is "national":
// modems and networks use TOA 0x81 for national numbers and short codes
// alike, and a person reads all of them as plain digits. Everything else
// (TON 011 network specific, 111 reserved, or digits with '*', '#', a-c)
// is "other".
const (
	TypeInternational = "international"
	TypeNational      = "national"
	TypeAlphanumeric  = "alphanumeric"
	TypeOther         = "other"
)

// maxDigits is the longest numeric TP address (10 octets of digits).
const maxDigits = 20

// maxAlphaChars caps an alphanumeric address (23.040 allows 11 characters).
const maxAlphaChars = 11

// Type-of-number values (bits 6..4 of the type-of-address octet).
const (
	tonUnknown       = 0
	tonInternational = 1
	tonNational      = 2
	tonSubscriber    = 4
	tonAbbreviated   = 6
	tonAlphanumeric  = 5
)

// bcdDigits maps address semi-octets to characters (24.008 §10.5.4.7);
// 0xF is the filler and never printed.
const bcdDigits = "0123456789*#abc"

// address is a decoded TP-OA/TP-DA/TP-RA or RP-SMSC address.
type address struct {
	value string
	kind  string
	toa   byte
}

// decodeAddress reads a TP address at r: length in semi-octets (useful
// digits), the type-of-address octet, then the value octets.
func decodeAddress(r *reader, what string) (address, error) {
	n, err := r.byte(what + " address length")
	if err != nil {
		return address{}, err
	}
	toa, err := r.byte(what + " type of address")
	if err != nil {
		return address{}, err
	}
	raw, err := r.take((int(n)+1)/2, what+" address")
	if err != nil {
		return address{}, err
	}
	if ton(toa) == tonAlphanumeric {
		return address{value: decodeAlpha(raw, int(n)*4/7), kind: TypeAlphanumeric, toa: toa}, nil
	}
	return numericAddress(raw, int(n), toa), nil
}

// decodeSMSC reads the RP-SMSC address: its length counts octets including
// the type-of-address octet; 0 means no address.
func decodeSMSC(r *reader) (address, error) {
	n, err := r.byte("smsc length")
	if err != nil || n == 0 {
		return address{}, err
	}
	raw, err := r.take(int(n), "smsc address")
	if err != nil {
		return address{}, err
	}
	if ton(raw[0]) == tonAlphanumeric {
		return address{value: decodeAlpha(raw[1:], (len(raw)-1)*8/7), kind: TypeAlphanumeric, toa: raw[0]}, nil
	}
	return numericAddress(raw[1:], 2*(len(raw)-1), raw[0]), nil
}

func ton(toa byte) int { return int(toa>>4) & 0x07 }

// numericAddress decodes n BCD semi-octets of raw and classifies them by
// the type-of-address octet.
func numericAddress(raw []byte, n int, toa byte) address {
	a := address{toa: toa, kind: TypeOther}
	prefix := ""
	if ton(toa) == tonInternational {
		a.kind, prefix = TypeInternational, "+"
	}
	a.value = bcd(raw, n, prefix)
	digits := a.value[len(prefix):]
	switch ton(toa) {
	case tonUnknown, tonNational, tonSubscriber, tonAbbreviated:
		if digits != "" && isDigits(digits) {
			a.kind = TypeNational
		}
	}
	if digits == "" {
		a.value = ""
	}
	return a
}

// bcd decodes up to n semi-octets of nibble-swapped BCD after prefix,
// skipping fillers.
func bcd(raw []byte, n int, prefix string) string {
	var b strings.Builder
	b.Grow(len(prefix) + n)
	b.WriteString(prefix)
	for i := 0; i < n && i/2 < len(raw); i++ {
		nib := raw[i/2] & 0x0F
		if i%2 == 1 {
			nib = raw[i/2] >> 4
		}
		if nib < 0x0F {
			b.WriteByte(bcdDigits[nib])
		}
	}
	return b.String()
}

// decodeAlpha decodes a packed GSM 7-bit alphanumeric address of septets
// septets with the default alphabet, strips control characters (a CR/LF in
// a sender could be echoed into an AT command) and caps it at 11 runes.
func decodeAlpha(raw []byte, septets int) string {
	if max := len(raw) * 8 / 7; septets > max {
		septets = max
	}
	cs := charsetFor(0, 0)
	text := cs.decodeSeptets(unpackSeptets(raw, 0, septets))
	var b strings.Builder
	n := 0
	for _, r := range text {
		if unicode.IsControl(r) || r == '\uFFFD' {
			continue
		}
		if n == maxAlphaChars {
			break
		}
		b.WriteRune(r)
		n++
	}
	return strings.TrimSpace(b.String())
}

// encodeAddress encodes a TP address: "+digits" international (0x91),
// digits national/unknown (0x81), anything else alphanumeric (0xD0) when it
// is at most 11 septets of the default alphabet without control characters
// or surrounding spaces (which decoding would strip).
func encodeAddress(s string) ([]byte, error) {
	if isDigits(strings.TrimPrefix(s, "+")) && s != "+" && s != "" {
		toa := byte(0x81)
		if strings.HasPrefix(s, "+") {
			toa, s = 0x91, s[1:]
		}
		if len(s) > maxDigits {
			return nil, errorf("address %q has more than %d digits", s, maxDigits)
		}
		return append([]byte{byte(len(s)), toa}, packBCD(s)...), nil
	}
	if s != strings.TrimSpace(s) || strings.IndexFunc(s, unicode.IsControl) >= 0 {
		return nil, errorf("sender %q has control characters or surrounding spaces", s)
	}
	septets, ok := newEncoder(charsetFor(0, 0)).encode(s)
	if !ok || len(septets) == 0 || len(septets) > maxAlphaChars {
		return nil, errorf("sender %q cannot be encoded as an alphanumeric address", s)
	}
	packed := packSeptets(septets, 0)
	return append([]byte{byte((len(septets)*7 + 3) / 4), 0xD0}, packed...), nil
}

// encodeSMSC encodes the RP-SMSC address with its octet length; "" is 00.
func encodeSMSC(s string) ([]byte, error) {
	if s == "" {
		return []byte{0}, nil
	}
	a, err := encodeAddress(s)
	if err != nil || a[1] == 0xD0 {
		return nil, errorf("smsc %q must be digits", s)
	}
	return append([]byte{byte(len(a) - 1)}, a[1:]...), nil
}

func packBCD(digits string) []byte {
	out := make([]byte, (len(digits)+1)/2)
	for i := range out {
		lo, hi := digits[2*i]-'0', byte(0x0F)
		if 2*i+1 < len(digits) {
			hi = digits[2*i+1] - '0'
		}
		out[i] = hi<<4 | lo
	}
	return out
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
