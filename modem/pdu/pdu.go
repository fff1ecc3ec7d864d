// Package pdu encodes and decodes SMS PDUs as 3GPP TS 23.040 / 23.038
// define them, in the form AT+CMGR and AT+CMGL print in PDU mode (RP-SMSC
// address first). It is pure: no I/O, no logging, no global mutable state;
// every function is safe for concurrent use.
//
// Decoding never panics and never loops: malformed input returns an error
// that wraps ErrMalformed and names the octet where decoding stopped. Oddities
// that do not stop decoding (an invalid timestamp, an invalid concatenation
// element) are reported in Message.Warnings.
package pdu

import (
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
)

// ErrMalformed is wrapped by every decoding error.
var ErrMalformed = errors.New("pdu: malformed")

// malformed is a decoding error; its text is complete on its own.
type malformed struct{ msg string }

func (e *malformed) Error() string        { return "pdu: " + e.msg }
func (e *malformed) Is(target error) bool { return target == ErrMalformed }

func errorf(format string, args ...any) error {
	return &malformed{msg: fmt.Sprintf(format, args...)}
}

// Message types reported in Message.Type.
const (
	TypeDeliver      = "deliver"
	TypeStatusReport = "status-report"
	TypeSubmit       = "submit"
)

// Message is one decoded PDU. Slices it holds are its own copies.
type Message struct {
	SMSC     string // service centre address as a person reads it, "" when absent
	SMSCType string // international|national|alphanumeric|other, "" when absent
	Type     string // deliver | status-report | submit

	Sender     string // originating address (deliver): "+digits", digits, or the alphanumeric name
	SenderType string // international|national|alphanumeric|other
	SenderTOA  byte   // raw type-of-address octet of the sender

	PID        byte   // TP-PID as received
	DCS        byte   // TP-DCS as received
	Alphabet   string // gsm7 | 8bit | ucs2
	Class      *int   // message class 0..3, nil when the DCS has none
	Compressed bool   // DCS says compressed: Text is empty, Data holds the payload
	AutoDelete bool   // DCS group 01xx: marked for automatic deletion

	SentAt time.Time // TP-SCTS in a fixed zone with the PDU's own offset; zero when invalid
	// TimestampInvalid is true when TP-SCTS was present but out of range.
	TimestampInvalid bool

	Text string // decoded text, valid UTF-8; "" for 8-bit and compressed data
	Data []byte // 8-bit (or compressed) payload after the UDH; nil for text

	UDH    []IE    // every user data header element, known ones included
	Concat *Concat // nil unless a valid concatenation element is present
	Port   *Port   // application port addressing, nil when absent

	NonText    bool // 8-bit, compressed or port-addressed: not for display as text
	Type0      bool // PID 0x40: short message type 0, acknowledge but do not show
	Replace    bool // PID 0x41..0x47: replaces an earlier message with the same sender and PID
	ReturnCall bool // PID 0x5F: return call message
	MWI        bool // message waiting indication (DCS group or UDH IEI 0x01/0x23)

	SingleShift  int // national language single-shift table (UDH IEI 0x24), 0 = default
	LockingShift int // national language locking-shift table (UDH IEI 0x25), 0 = default

	// Payload is the user data after the UDH, as Join concatenates it: one
	// septet per byte for gsm7, octets for ucs2 and 8bit.
	Payload []byte

	// Status-report (and submit) fields.
	Reference     int       // TP-MR
	Recipient     string    // TP-RA (status report) or TP-DA (submit)
	RecipientType string    // international|national|alphanumeric|other
	DischargedAt  time.Time // TP-DT; zero when invalid
	Status        byte      // TP-ST; 0x00..0x1F means delivered

	Warnings []string // oddities that did not stop decoding
}

// Decode decodes a PDU given as hex, as a modem prints it (SMSC first).
// Case does not matter; whitespace anywhere (line wrapping) is ignored.
func Decode(hexPDU string) (*Message, error) {
	s := hexPDU
	if strings.IndexFunc(s, unicode.IsSpace) >= 0 {
		s = strings.Join(strings.Fields(s), "")
	}
	if len(s)%2 != 0 {
		return nil, errorf("hex has an odd length (%d characters)", len(s))
	}
	b, err := hex.DecodeString(s)
	if err != nil {
		return nil, errorf("not hex: %v", err)
	}
	return DecodeBytes(b)
}

// DecodeBytes decodes a binary PDU (SMSC first). b is not retained.
func DecodeBytes(b []byte) (*Message, error) {
	r := &reader{b: b}
	smsc, err := decodeSMSC(r)
	if err != nil {
		return nil, err
	}
	fo, err := r.byte("first octet")
	if err != nil {
		return nil, err
	}
	m := &Message{SMSC: smsc.value, SMSCType: smsc.kind}
	switch fo & 0x03 {
	case 0:
		m.Type = TypeDeliver
		err = m.decodeDeliver(r, fo)
	case 1:
		m.Type = TypeSubmit
		err = m.decodeSubmit(r, fo)
	case 2:
		m.Type = TypeStatusReport
		err = m.decodeStatusReport(r, fo)
	default:
		err = errorf("unknown message type (TP-MTI 3) in first octet %02X", fo)
	}
	if err != nil {
		return nil, err
	}
	return m, nil
}

// decodeDeliver reads an SMS-DELIVER after its first octet.
func (m *Message) decodeDeliver(r *reader, fo byte) error {
	oa, err := decodeAddress(r, "sender")
	if err != nil {
		return err
	}
	m.Sender, m.SenderType, m.SenderTOA = oa.value, oa.kind, oa.toa
	if err := m.decodePIDDCS(r); err != nil {
		return err
	}
	if m.SentAt, err = m.timestamp(r, "service centre timestamp"); err != nil {
		return err
	}
	return m.decodeUserData(r, fo&0x40 != 0)
}

// decodeSubmit reads an SMS-SUBMIT (an MO message left in storage).
func (m *Message) decodeSubmit(r *reader, fo byte) error {
	mr, err := r.byte("message reference")
	if err != nil {
		return err
	}
	m.Reference = int(mr)
	da, err := decodeAddress(r, "recipient")
	if err != nil {
		return err
	}
	m.Recipient, m.RecipientType = da.value, da.kind
	if err := m.decodePIDDCS(r); err != nil {
		return err
	}
	if _, err := r.take(validityLen(fo), "validity period"); err != nil {
		return err
	}
	return m.decodeUserData(r, fo&0x40 != 0)
}

// validityLen returns the TP-VP length for the TP-VPF bits of a SUBMIT:
// none, relative (1 octet), enhanced or absolute (7 octets).
func validityLen(fo byte) int {
	switch (fo >> 3) & 0x03 {
	case 0:
		return 0
	case 2:
		return 1
	default:
		return 7
	}
}

// decodeStatusReport reads an SMS-STATUS-REPORT after its first octet.
func (m *Message) decodeStatusReport(r *reader, fo byte) error {
	mr, err := r.byte("message reference")
	if err != nil {
		return err
	}
	m.Reference = int(mr)
	ra, err := decodeAddress(r, "recipient")
	if err != nil {
		return err
	}
	m.Recipient, m.RecipientType = ra.value, ra.kind
	if m.SentAt, err = m.timestamp(r, "service centre timestamp"); err != nil {
		return err
	}
	if m.DischargedAt, err = m.timestamp(r, "discharge time"); err != nil {
		return err
	}
	if m.Status, err = r.byte("status"); err != nil {
		return err
	}
	return m.decodeReportTail(r, fo)
}

// decodeReportTail reads the optional TP-PI, TP-PID, TP-DCS and user data
// of a status report. Networks often stop after TP-ST: that is not an error.
func (m *Message) decodeReportTail(r *reader, fo byte) error {
	m.Alphabet = AlphabetGSM7
	if r.left() == 0 {
		return nil
	}
	pi, _ := r.byte("parameter indicator")
	if pi&0x01 != 0 && r.left() > 0 {
		m.PID, _ = r.byte("protocol identifier")
		m.flagsFromPID()
	}
	if pi&0x02 != 0 && r.left() > 0 {
		m.DCS, _ = r.byte("data coding scheme")
		m.applyDCS()
	}
	if pi&0x04 != 0 && r.left() > 0 {
		return m.decodeUserData(r, fo&0x40 != 0)
	}
	return nil
}

func (m *Message) decodePIDDCS(r *reader) error {
	var err error
	if m.PID, err = r.byte("protocol identifier"); err != nil {
		return err
	}
	m.flagsFromPID()
	if m.DCS, err = r.byte("data coding scheme"); err != nil {
		return err
	}
	m.applyDCS()
	return nil
}

func (m *Message) flagsFromPID() {
	m.Type0 = m.PID == 0x40
	m.Replace = m.PID >= 0x41 && m.PID <= 0x47
	m.ReturnCall = m.PID == 0x5F
}

func (m *Message) applyDCS() {
	c := parseDCS(m.DCS)
	m.Alphabet, m.Class, m.Compressed, m.AutoDelete = c.alphabet, c.class, c.compressed, c.autoDelete
	m.MWI = m.MWI || c.mwi
}

// timestamp reads a 7-octet timestamp; an invalid value is a warning.
func (m *Message) timestamp(r *reader, what string) (time.Time, error) {
	b, err := r.take(7, what)
	if err != nil {
		return time.Time{}, err
	}
	t, reason := decodeTimestamp(b)
	if reason != "" {
		m.TimestampInvalid = true
		m.Warnings = append(m.Warnings, what+": "+reason)
	}
	return t, nil
}

// reader walks a PDU octet by octet with bounds checks.
type reader struct {
	b   []byte
	off int
}

func (r *reader) left() int { return len(r.b) - r.off }

func (r *reader) byte(what string) (byte, error) {
	if r.off >= len(r.b) {
		return 0, errorf("truncated at octet %d: %s is missing", r.off, what)
	}
	r.off++
	return r.b[r.off-1], nil
}

func (r *reader) take(n int, what string) ([]byte, error) {
	if n > r.left() {
		return nil, errorf("truncated at octet %d: %s needs %d octets, %d left", r.off, what, n, r.left())
	}
	r.off += n
	return r.b[r.off-n : r.off], nil
}
