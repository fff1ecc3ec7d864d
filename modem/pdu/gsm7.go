package pdu

import (
	"strings"
	"unicode/utf8"
)

// Septet values with a fixed meaning in every table.
const (
	septetEsc   = 0x1B // escape to the single-shift (extension) table
	undefined   = rune(0)
	maxLanguage = 13
)

// charset is one resolved pair of tables: the locking-shift table that maps
// plain septets and the single-shift table that maps septets after ESC.
// Undefined code points are 0. Values are read-only after init.
type charset struct {
	locking *[128]rune
	shift   *[128]rune
}

// tables holds the parsed locking ([0]) and shift ([1]) tables per language;
// built once at init from nls_tables.go and never written afterwards.
var tables = buildTables()

func buildTables() (t [2][maxLanguage + 1][128]rune) {
	for lang := range lockingSrc {
		t[0][lang] = parseTable(lockingSrc[lang], true)
		t[1][lang] = parseTable(shiftSrc[lang], false)
	}
	return t
}

// parseTable turns a 128-code-point source string into a table. Spaces mark
// undefined entries except at 0x20 of a locking table; ESC maps to 0.
func parseTable(src string, locking bool) (out [128]rune) {
	i := 0
	for _, r := range src {
		if i >= 128 {
			break
		}
		switch {
		case r == '\uffff':
			r = undefined
		case r == ' ' && !(locking && i == 0x20):
			r = undefined
		}
		out[i] = r
		i++
	}
	return out
}

// charsetFor returns the tables for a locking and a single-shift language.
// Unknown languages and languages without a locking table (Spanish) fall
// back to the default table.
func charsetFor(locking, single int) charset {
	if locking < 0 || locking > maxLanguage || lockingSrc[locking] == "" {
		locking = 0
	}
	if single < 0 || single > maxLanguage {
		single = 0
	}
	return charset{locking: &tables[0][locking], shift: &tables[1][single]}
}

// decodeSeptets renders unpacked septets (one per byte, values 0..127) as
// text. ESC followed by a code that is undefined in the shift table renders
// the locking table's character for that code (23.038 §6.2.1.1); ESC ESC and
// a trailing ESC render a space / nothing. Undefined locking entries render
// U+FFFD. The result is always valid UTF-8.
func (cs charset) decodeSeptets(septets []byte) string {
	var b strings.Builder
	b.Grow(len(septets))
	for i := 0; i < len(septets); i++ {
		s := septets[i] & 0x7F
		if s != septetEsc {
			b.WriteRune(cs.plain(s))
			continue
		}
		i++
		if i >= len(septets) {
			break
		}
		next := septets[i] & 0x7F
		switch r := cs.shift[next]; {
		case next == septetEsc:
			b.WriteByte(' ')
		case r != undefined:
			b.WriteRune(r)
		default:
			b.WriteRune(cs.plain(next))
		}
	}
	return b.String()
}

func (cs charset) plain(s byte) rune {
	if r := cs.locking[s]; r != undefined {
		return r
	}
	return utf8.RuneError
}

// unpackSeptets extracts count septets from packed data starting at bit
// offset skipBits (the UDH plus fill bits). The caller guarantees that data
// holds at least ceil((skipBits+7*count)/8) octets.
func unpackSeptets(data []byte, skipBits, count int) []byte {
	out := make([]byte, count)
	for k := range count {
		p := skipBits + 7*k
		i, sh := p/8, uint(p%8)
		v := uint16(data[i]) >> sh
		if sh > 1 && i+1 < len(data) {
			v |= uint16(data[i+1]) << (8 - sh)
		}
		out[k] = byte(v) & 0x7F
	}
	return out
}

// packSeptets packs septets (values 0..127) LSB first after skipBits zero
// bits (the room left for a UDH is filled in by the caller).
func packSeptets(septets []byte, skipBits int) []byte {
	total := skipBits + 7*len(septets)
	out := make([]byte, (total+7)/8)
	for k, s := range septets {
		p := skipBits + 7*k
		i, sh := p/8, uint(p%8)
		v := uint16(s&0x7F) << sh
		out[i] |= byte(v)
		if v > 0xFF {
			out[i+1] |= byte(v >> 8)
		}
	}
	return out
}

// encoder maps runes to septet sequences (1 or 2 septets) for one charset.
type encoder map[rune][]byte

// newEncoder builds the reverse map of cs. Plain entries win over shifted
// ones so every character costs as few septets as possible.
func newEncoder(cs charset) encoder {
	e := make(encoder, 256)
	for i := 127; i >= 0; i-- {
		if r := cs.shift[i]; r != undefined && i != septetEsc {
			e[r] = []byte{septetEsc, byte(i)}
		}
	}
	for i := 127; i >= 0; i-- {
		if r := cs.locking[i]; r != undefined && i != septetEsc {
			e[r] = []byte{byte(i)}
		}
	}
	return e
}

// encode returns the septets of text, or ok=false when a rune has no code.
func (e encoder) encode(text string) (septets []byte, ok bool) {
	septets = make([]byte, 0, len(text))
	for _, r := range text {
		s, found := e[r]
		if !found {
			return nil, false
		}
		septets = append(septets, s...)
	}
	return septets, true
}
