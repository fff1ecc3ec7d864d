package pdu

import (
	"encoding/hex"
	"strings"
	"time"
	"unicode/utf16"
)

// Deliver describes an SMS-DELIVER to encode (for the modem simulator, the
// demo and round-trip tests).
type Deliver struct {
	SMSC   string // service centre, "+digits" or digits; "" encodes no SMSC
	Sender string // "+digits" international, digits national, anything else alphanumeric (max 11)
	Text   string // the text; ignored when Data is set
	Data   []byte // 8-bit payload; when non-nil the message is 8-bit data

	// Alphabet forces "gsm7" or "ucs2"; "" picks gsm7 when the text fits the
	// chosen tables (default plus extension unless Language is set), else ucs2.
	Alphabet string
	Class    *int      // message class 0..3, nil for none
	PID      byte      // TP-PID
	SentAt   time.Time // TP-SCTS; zero encodes 2000-01-01 00:00:00 UTC

	Ref   int  // concatenation reference used when the message is split
	Ref16 bool // use a 16-bit reference (IEI 0x08) instead of 8-bit (0x00)

	Language int  // national language for gsm7: adds IEI 0x24 (single shift)
	Locking  bool // with Language, also adds IEI 0x25 (locking shift)

	// SplitAnywhere lets a split fall between a GSM 7-bit escape and its
	// character or inside a UTF-16 surrogate pair (to test Join).
	SplitAnywhere bool
	// PartSize, when positive, caps the payload units per part (septets for
	// gsm7, octets otherwise) below what fits, to force small parts in tests.
	PartSize int
}

// maxUD is the TP-UD capacity in octets.
const maxUD = 140

// EncodeDeliver returns one or more upper-case hex PDUs (SMSC first). Text
// that does not fit one PDU is split with a concatenation UDH (153 septets
// or 67 UCS2 units per part with an 8-bit reference).
func EncodeDeliver(d Deliver) ([]string, error) {
	h, err := deliverHead(d)
	if err != nil {
		return nil, err
	}
	alphabet, payload, err := deliverPayload(d)
	if err != nil {
		return nil, err
	}
	langIEs := languageIEs(d, alphabet)
	chunks := split(payload, alphabet, langIEs, d)
	if len(chunks) > 255 {
		return nil, errorf("text needs %d parts, at most 255 are possible", len(chunks))
	}
	out := make([]string, len(chunks))
	for i, c := range chunks {
		udh := append([]byte(nil), langIEs...)
		if len(chunks) > 1 {
			udh = append(concatIE(d, len(chunks), i+1), udh...)
		}
		out[i] = strings.ToUpper(hex.EncodeToString(assemble(h, d, alphabet, udh, c)))
	}
	return out, nil
}

// deliverHead encodes the SMSC and the originating address.
func deliverHead(d Deliver) (head, error) {
	s, err := encodeSMSC(d.SMSC)
	if err != nil {
		return head{}, err
	}
	oa, err := encodeAddress(d.Sender)
	if err != nil {
		return head{}, err
	}
	return head{smsc: s, oa: oa}, nil
}

// head holds the encoded SMSC and originating address shared by all parts.
type head struct{ smsc, oa []byte }

// deliverPayload picks the alphabet and returns the payload units: septets
// for gsm7, octets for ucs2 and 8bit.
func deliverPayload(d Deliver) (string, []byte, error) {
	if d.Data != nil {
		return Alphabet8Bit, d.Data, nil
	}
	if d.Alphabet == AlphabetUCS2 {
		return AlphabetUCS2, encodeUTF16BE(d.Text), nil
	}
	if d.Alphabet != "" && d.Alphabet != AlphabetGSM7 {
		return "", nil, errorf("alphabet %q cannot be encoded", d.Alphabet)
	}
	septets, ok := newEncoder(charsetFor(lockingLang(d), d.Language)).encode(d.Text)
	switch {
	case ok:
		return AlphabetGSM7, septets, nil
	case d.Alphabet == AlphabetGSM7:
		return "", nil, errorf("text has characters outside the GSM 7-bit tables")
	default:
		return AlphabetUCS2, encodeUTF16BE(d.Text), nil
	}
}

func lockingLang(d Deliver) int {
	if d.Locking {
		return d.Language
	}
	return 0
}

// languageIEs returns the national language IEs for a gsm7 message.
func languageIEs(d Deliver, alphabet string) []byte {
	if alphabet != AlphabetGSM7 || d.Language <= 0 {
		return nil
	}
	ies := []byte{ieiNationalSingle, 1, byte(d.Language)}
	if d.Locking {
		ies = append(ies, ieiNationalLocking, 1, byte(d.Language))
	}
	return ies
}

func concatIE(d Deliver, total, seq int) []byte {
	if d.Ref16 {
		return []byte{ieiConcat16, 4, byte(d.Ref >> 8), byte(d.Ref), byte(total), byte(seq)}
	}
	return []byte{ieiConcat8, 3, byte(d.Ref), byte(total), byte(seq)}
}

// capacity returns the payload units that fit beside a UDH of udhLen octets
// (without the UDHL octet; 0 means no UDH).
func capacity(alphabet string, udhLen int) int {
	hdr := 0
	if udhLen > 0 {
		hdr = udhLen + 1
	}
	if alphabet == AlphabetGSM7 {
		return (maxUD*8)/7 - (hdr*8+6)/7
	}
	return maxUD - hdr
}

// split cuts payload into parts that fit, never between an escape and its
// character or inside a surrogate pair unless d.SplitAnywhere.
func split(payload []byte, alphabet string, langIEs []byte, d Deliver) [][]byte {
	per := capacity(alphabet, len(langIEs))
	if len(payload) <= per && (d.PartSize <= 0 || len(payload) <= d.PartSize) {
		return [][]byte{payload}
	}
	per = capacity(alphabet, len(langIEs)+len(concatIE(d, 1, 1)))
	if d.PartSize > 0 && d.PartSize < per {
		per = d.PartSize
	}
	if alphabet == AlphabetUCS2 && !d.SplitAnywhere {
		per &^= 1 // whole UTF-16 units
	}
	per = max(per, 2)
	var parts [][]byte
	for len(payload) > 0 {
		n := min(per, len(payload))
		if n < len(payload) && !d.SplitAnywhere {
			n = safeCut(payload, n, alphabet)
		}
		parts = append(parts, payload[:n])
		payload = payload[n:]
	}
	return parts
}

// safeCut moves a cut at n back so it does not split a unit pair.
func safeCut(p []byte, n int, alphabet string) int {
	switch alphabet {
	case AlphabetGSM7:
		esc := 0 // count trailing escapes: an odd count means the last one is unpaired
		for i := n - 1; i >= 0 && p[i] == septetEsc; i-- {
			esc++
		}
		if esc%2 == 1 && n > 1 {
			return n - 1
		}
	case AlphabetUCS2:
		if n >= 4 && utf16.IsSurrogate(rune(p[n-2])<<8|rune(p[n-1])) && p[n-2] < 0xDC {
			return n - 2
		}
	}
	return n
}

// assemble builds one binary SMS-DELIVER.
func assemble(h head, d Deliver, alphabet string, udh, chunk []byte) []byte {
	fo := byte(0x04) // SMS-DELIVER, no more messages to send
	if len(udh) > 0 {
		fo |= 0x40
	}
	sent := d.SentAt
	if sent.IsZero() {
		sent = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	out := append(append([]byte{}, h.smsc...), fo)
	out = append(out, h.oa...)
	out = append(out, d.PID, encodeDCS(alphabet, d.Class))
	out = append(out, encodeTimestamp(sent)...)
	udl, ud := userData(alphabet, udh, chunk)
	return append(append(out, udl), ud...)
}

// userData returns TP-UDL and TP-UD for a chunk behind an optional UDH.
func userData(alphabet string, udh, chunk []byte) (byte, []byte) {
	hdr := []byte(nil)
	if len(udh) > 0 {
		hdr = append([]byte{byte(len(udh))}, udh...)
	}
	if alphabet != AlphabetGSM7 {
		ud := append(hdr, chunk...)
		return byte(len(ud)), ud
	}
	skip := (len(hdr)*8 + 6) / 7
	ud := packSeptets(chunk, skip*7)
	copy(ud, hdr)
	return byte(skip + len(chunk)), ud
}
