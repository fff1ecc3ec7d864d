package pdu

import "strings"

// MissingPart is what Join renders for a part that has not arrived.
const MissingPart = " … "

// Join returns the text of a concatenated message from its parts in sequence
// order (parts[i] is part i+1); a nil entry is a missing part, rendered as
// MissingPart. Consecutive present parts are joined as raw payloads before
// conversion, so a UCS2 surrogate pair or a GSM 7-bit escape split across
// parts decodes correctly. GSM 7-bit runs use the national language tables
// of their first part. Parts without text (8-bit data) add nothing.
func Join(parts []*Message) string {
	var b strings.Builder
	var run []*Message
	flush := func() {
		b.WriteString(joinRun(run))
		run = run[:0]
	}
	for _, p := range parts {
		switch {
		case p == nil:
			flush()
			b.WriteString(MissingPart)
		case len(run) > 0 && run[0].Alphabet != p.Alphabet:
			flush()
			run = append(run, p)
		default:
			run = append(run, p)
		}
	}
	flush()
	return b.String()
}

// joinRun decodes the concatenated payloads of parts sharing one alphabet.
func joinRun(run []*Message) string {
	if len(run) == 0 {
		return ""
	}
	first := run[0]
	var payload []byte
	for _, p := range run {
		payload = append(payload, p.Payload...)
	}
	switch {
	case first.Compressed || first.Alphabet == Alphabet8Bit:
		return ""
	case first.Alphabet == AlphabetUCS2:
		return decodeUTF16BE(payload)
	default:
		cs := charsetFor(first.LockingShift, first.SingleShift)
		return cs.decodeSeptets(payload)
	}
}
