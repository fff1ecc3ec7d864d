package pdu

import "testing"

// TestTables checks that every national language table has 128 entries,
// that ESC is never a character, and a few anchor points of 23.038 Annex A.
func TestTables(t *testing.T) {
	for lang := range lockingSrc {
		if n := len([]rune(lockingSrc[lang])); n != 128 && lockingSrc[lang] != "" {
			t.Errorf("locking table %d has %d entries", lang, n)
		}
		if n := len([]rune(shiftSrc[lang])); n != 128 {
			t.Errorf("shift table %d has %d entries", lang, n)
		}
		if tables[0][lang][septetEsc] != undefined || tables[1][lang][septetEsc] != undefined {
			t.Errorf("language %d maps ESC to a character", lang)
		}
	}
	anchors := []struct {
		locking bool
		lang    int
		code    byte
		want    rune
	}{
		{true, 0, 0x00, '@'}, {true, 0, 0x20, ' '}, {true, 0, 0x7F, 'à'},
		{false, 0, 0x65, '€'}, {false, 0, 0x0A, '\f'}, {false, 0, 0x2F, '\\'},
		{true, 1, 0x04, '€'}, {true, 1, 0x07, 'ı'}, {true, 1, 0x40, 'İ'}, {true, 1, 0x60, 'ç'},
		{false, 1, 0x47, 'Ğ'}, {false, 1, 0x73, 'ş'},
		{false, 2, 0x09, 'ç'}, {false, 2, 0x41, 'Á'}, {false, 2, 0x75, 'ú'},
		{true, 3, 0x04, 'ê'}, {true, 3, 0x5B, 'Ã'}, {false, 3, 0x05, 'ê'}, {false, 3, 0x7F, 'â'},
		{true, 4, 0x03, '\u0985'}, {true, 4, 0x7C, '\u09dc'}, {false, 4, 0x24, '\u09df'},
		{true, 6, 0x00, '\u0901'}, {true, 6, 0x15, 'क'}, {true, 6, 0x60, 'ॐ'}, {false, 6, 0x2C, '\u0958'},
		{false, 6, 0x19, '।'}, {true, 11, 0x15, 'க'}, {true, 13, 0x00, 'ا'}, {false, 13, 0x19, '\u0600'},
		{true, 10, 0x47, '\u0a33'}, {false, 10, 0x26, '\u0a59'}, {false, 10, 0x2C, '\u0a5e'},
	}
	for _, a := range anchors {
		tab := tables[1][a.lang]
		if a.locking {
			tab = tables[0][a.lang]
		}
		if got := tab[a.code]; got != a.want {
			t.Errorf("locking=%v lang %d code %02X = %U, want %U", a.locking, a.lang, a.code, got, a.want)
		}
	}
}

// TestFillBits checks the padding after common UDH sizes (23.040 §9.2.3.24):
// 1 bit after the 6-octet 8-bit concatenation header, none after the 7-octet
// 16-bit one.
func TestFillBits(t *testing.T) {
	for udhl, want := range map[int]int{5: 1, 6: 0, 2: 4, 3: 3, 11: 2} {
		if got := fillBits(udhl); got != want {
			t.Errorf("fillBits(%d) = %d, want %d", udhl, got, want)
		}
	}
}
