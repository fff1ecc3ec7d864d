package pdu

// Information element identifiers of the user data header (23.040 §9.2.3.24).
const (
	ieiConcat8         = 0x00
	ieiSpecialSMS      = 0x01
	iePort8            = 0x04
	iePort16           = 0x05
	ieiConcat16        = 0x08
	ieiEnhancedVM      = 0x23
	ieiNationalSingle  = 0x24
	ieiNationalLocking = 0x25
)

// IE is one information element of a user data header, kept verbatim.
type IE struct {
	ID   byte   // information element identifier
	Data []byte // its data, without the IEI and length octets
}

// Concat is the concatenation information of one part.
type Concat struct {
	Ref   uint16 // reference shared by all parts of one message
	Total int    // number of parts, 1..255
	Seq   int    // this part's number, 1..Total
	Ref16 bool   // true when the reference came from IEI 0x08 (16 bits)
}

// Port is the application port addressing of IEI 0x04/0x05 (WAP push etc.).
type Port struct {
	Dst, Src int
}

// header is what the decoder learns from a UDH.
type header struct {
	ies      []IE
	concat   *Concat
	port     *Port
	single   int // national single-shift language, 0 = default
	locking  int // national locking-shift language, 0 = default
	mwi      bool
	warnings []string
}

// parseUDH parses the IEs of a UDH (without its UDHL octet). An IE whose
// length runs past the header is an error; an IE with a wrong length for its
// kind or an invalid concatenation (seq 0, total 0, seq > total) is kept in
// ies but otherwise ignored, with a warning.
func parseUDH(b []byte) (header, error) {
	var h header
	for i := 0; i < len(b); {
		if i+2 > len(b) {
			return h, errorf("user data header: element at octet %d is truncated", i)
		}
		id, n := b[i], int(b[i+1])
		if i+2+n > len(b) {
			return h, errorf("user data header: element %02X needs %d octets, %d left", id, n, len(b)-i-2)
		}
		data := b[i+2 : i+2+n]
		h.ies = append(h.ies, IE{ID: id, Data: data})
		h.apply(id, data)
		i += 2 + n
	}
	return h, nil
}

// apply interprets one known IE.
func (h *header) apply(id byte, d []byte) {
	switch {
	case id == ieiConcat8 && len(d) == 3:
		h.setConcat(uint16(d[0]), int(d[1]), int(d[2]), false)
	case id == ieiConcat16 && len(d) == 4:
		h.setConcat(uint16(d[0])<<8|uint16(d[1]), int(d[2]), int(d[3]), true)
	case id == iePort8 && len(d) == 2:
		h.port = &Port{Dst: int(d[0]), Src: int(d[1])}
	case id == iePort16 && len(d) == 4:
		h.port = &Port{Dst: int(d[0])<<8 | int(d[1]), Src: int(d[2])<<8 | int(d[3])}
	case id == ieiNationalSingle && len(d) == 1:
		h.single = int(d[0])
	case id == ieiNationalLocking && len(d) == 1:
		h.locking = int(d[0])
	case id == ieiSpecialSMS || id == ieiEnhancedVM:
		h.mwi = true
	case id == ieiConcat8 || id == ieiConcat16 || id == iePort8 || id == iePort16 ||
		id == ieiNationalSingle || id == ieiNationalLocking:
		h.warnings = append(h.warnings, "user data header: element with a wrong length ignored")
	}
}

func (h *header) setConcat(ref uint16, total, seq int, ref16 bool) {
	if total == 0 || seq == 0 || seq > total {
		h.warnings = append(h.warnings, "user data header: invalid concatenation ignored")
		return
	}
	h.concat = &Concat{Ref: ref, Total: total, Seq: seq, Ref16: ref16}
}

// fillBits returns the padding after a UDH of udhl octets (plus its length
// octet) so that GSM 7-bit text starts on a septet boundary.
func fillBits(udhl int) int {
	return (7 - ((udhl+1)*8)%7) % 7
}
