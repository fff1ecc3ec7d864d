package pdu

import (
	"fmt"
	"time"
)

// maxTZQuarters bounds a valid time-zone offset: ±14 hours.
const maxTZQuarters = 14 * 4

// decodeTimestamp decodes a 7-octet TP-SCTS/TP-DT (23.040 §9.2.3.11):
// YY MM DD hh mm ss TZ as nibble-swapped BCD; TZ counts quarter hours with
// the sign in bit 3 of the octet (so 0x08 is "minus zero", i.e. UTC). The result is in a fixed
// zone with the PDU's own offset. An invalid value returns ok=false and a
// reason; it never fails the decode of the message around it.
func decodeTimestamp(b []byte) (t time.Time, reason string) {
	var v [6]int
	for i := range 6 {
		d, ok := swappedBCD(b[i])
		if !ok {
			return time.Time{}, fmt.Sprintf("timestamp octet %d (%02X) is not BCD", i, b[i])
		}
		v[i] = d
	}
	tzv, ok := swappedBCD(b[6] &^ 0x08)
	if !ok || tzv > maxTZQuarters {
		return time.Time{}, fmt.Sprintf("timestamp zone octet %02X is out of range", b[6])
	}
	year, month, day, hour, minute, sec := century(v[0]), v[1], v[2], v[3], v[4], v[5]
	if month < 1 || month > 12 || day < 1 || day > daysIn(year, month) ||
		hour > 23 || minute > 59 || sec > 59 {
		return time.Time{}, fmt.Sprintf("timestamp %02d-%02d-%02d %02d:%02d:%02d is out of range",
			v[0], month, day, hour, minute, sec)
	}
	offset := tzv * 15 * 60
	if b[6]&0x08 != 0 {
		offset = -offset
	}
	zone := time.FixedZone("", offset)
	return time.Date(year, time.Month(month), day, hour, minute, sec, 0, zone), ""
}

// century expands a two-digit year: 90..99 are 1990s (SMS predates 2000,
// the spec's own examples use 99), everything else is 20YY.
func century(yy int) int {
	if yy >= 90 {
		return 1900 + yy
	}
	return 2000 + yy
}

// swappedBCD reads an octet whose low nibble is the tens digit.
func swappedBCD(b byte) (int, bool) {
	lo, hi := int(b&0x0F), int(b>>4)
	if lo > 9 || hi > 9 {
		return 0, false
	}
	return lo*10 + hi, true
}

func daysIn(year, month int) int {
	return time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// encodeTimestamp is the inverse of decodeTimestamp for years 1990..2089;
// the offset is truncated to whole quarter hours.
func encodeTimestamp(t time.Time) []byte {
	_, offset := t.Zone()
	sign := byte(0)
	q := offset / (15 * 60)
	if q < 0 {
		sign, q = 0x08, -q
	}
	sw := func(n int) byte { return byte(n%10)<<4 | byte(n/10%10) }
	return []byte{
		sw(t.Year() % 100), sw(int(t.Month())), sw(t.Day()),
		sw(t.Hour()), sw(t.Minute()), sw(t.Second()), sw(q) | sign,
	}
}
