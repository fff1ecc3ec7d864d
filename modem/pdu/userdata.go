package pdu

import "bytes"

// decodeUserData reads TP-UDL and TP-UD and fills the text fields. TP-UDL
// counts septets (UDH included) for gsm7 and octets otherwise; exactly that
// many are decoded. Data beyond TP-UDL is ignored; too little is an error.
func (m *Message) decodeUserData(r *reader, udhi bool) error {
	udl, err := r.byte("user data length")
	if err != nil {
		return err
	}
	start := r.off
	octets := int(udl)
	if m.Alphabet == AlphabetGSM7 && !m.Compressed {
		octets = (int(udl)*7 + 7) / 8
	}
	ud, err := r.take(octets, "user data")
	if err != nil {
		return errorf("user data length %d needs %d octets at octet %d, %d left", udl, octets, start, len(r.b)-start)
	}
	hdrLen := 0
	if udhi {
		if hdrLen, err = m.decodeHeader(ud); err != nil {
			return err
		}
	}
	if m.Alphabet == AlphabetGSM7 && !m.Compressed {
		return m.decodeGSM7(ud, int(udl), hdrLen)
	}
	m.Payload = bytes.Clone(ud[hdrLen:])
	m.setBinaryText()
	return nil
}

// decodeHeader parses the UDH at the start of ud and returns its length
// including the UDHL octet.
func (m *Message) decodeHeader(ud []byte) (int, error) {
	if len(ud) == 0 {
		return 0, errorf("user data header indicated but user data is empty")
	}
	udhl := int(ud[0])
	if udhl+1 > len(ud) {
		return 0, errorf("user data header length %d exceeds the user data (%d octets)", udhl, len(ud))
	}
	h, err := parseUDH(ud[1 : 1+udhl])
	if err != nil {
		return 0, err
	}
	m.UDH = cloneIEs(h.ies)
	m.Concat, m.Port = h.concat, h.port
	m.SingleShift, m.LockingShift = h.single, h.locking
	m.MWI = m.MWI || h.mwi
	m.NonText = m.NonText || h.port != nil
	m.Warnings = append(m.Warnings, h.warnings...)
	return udhl + 1, nil
}

// decodeGSM7 unpacks the udl septets of ud that follow a header of hdrLen
// octets (UDHL included); the header plus its fill bits occupy whole septets.
func (m *Message) decodeGSM7(ud []byte, udl, hdrLen int) error {
	skip := 0
	if hdrLen > 0 {
		skip = (hdrLen*8 + fillBits(hdrLen-1)) / 7
	}
	if skip > udl {
		return errorf("user data header (%d octets) is longer than user data length %d septets", hdrLen, udl)
	}
	m.Payload = unpackSeptets(ud, skip*7, udl-skip)
	cs := charsetFor(m.LockingShift, m.SingleShift)
	m.Text = cs.decodeSeptets(m.Payload)
	return nil
}

// setBinaryText fills Text (ucs2) or Data (8-bit, compressed) from Payload.
func (m *Message) setBinaryText() {
	if m.Alphabet == AlphabetUCS2 && !m.Compressed {
		m.Text = decodeUTF16BE(m.Payload)
		return
	}
	m.NonText = true
	m.Data = bytes.Clone(m.Payload)
}

func cloneIEs(ies []IE) []IE {
	out := make([]IE, len(ies))
	for i, ie := range ies {
		out[i] = IE{ID: ie.ID, Data: bytes.Clone(ie.Data)}
	}
	return out
}
