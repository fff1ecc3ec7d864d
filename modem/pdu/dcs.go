package pdu

// Alphabets reported in Message.Alphabet.
const (
	AlphabetGSM7 = "gsm7"
	Alphabet8Bit = "8bit"
	AlphabetUCS2 = "ucs2"
)

// coding is the meaning of a TP-DCS octet (23.038 §4).
type coding struct {
	alphabet   string
	class      *int // nil when the DCS carries no message class
	compressed bool
	autoDelete bool // group 01xx: marked for automatic deletion
	mwi        bool // groups 1100, 1101, 1110: message waiting indication
	mwiDiscard bool // group 1100: the message may be discarded
}

// parseDCS decodes a TP-DCS octet. Reserved alphabets and reserved coding
// groups (1000..1011) are treated as GSM 7-bit, as 23.038 asks.
func parseDCS(dcs byte) coding {
	switch g := dcs >> 4; {
	case g <= 0x7: // general data coding, 01xx = automatic deletion
		c := coding{
			alphabet:   alphabetBits(dcs >> 2),
			compressed: dcs&0x20 != 0,
			autoDelete: g >= 0x4,
		}
		if dcs&0x10 != 0 {
			c.class = classOf(dcs)
		}
		return c
	case g == 0xC:
		return coding{alphabet: AlphabetGSM7, mwi: true, mwiDiscard: true}
	case g == 0xD:
		return coding{alphabet: AlphabetGSM7, mwi: true}
	case g == 0xE:
		return coding{alphabet: AlphabetUCS2, mwi: true}
	case g == 0xF: // data coding / message class
		c := coding{alphabet: AlphabetGSM7, class: classOf(dcs)}
		if dcs&0x04 != 0 {
			c.alphabet = Alphabet8Bit
		}
		return c
	default:
		return coding{alphabet: AlphabetGSM7}
	}
}

func alphabetBits(b byte) string {
	switch b & 0x03 {
	case 1:
		return Alphabet8Bit
	case 2:
		return AlphabetUCS2
	default:
		return AlphabetGSM7
	}
}

func classOf(dcs byte) *int {
	c := int(dcs & 0x03)
	return &c
}

// encodeDCS returns the TP-DCS octet for an alphabet and optional class.
func encodeDCS(alphabet string, class *int) byte {
	var d byte
	switch alphabet {
	case Alphabet8Bit:
		d = 0x04
	case AlphabetUCS2:
		d = 0x08
	}
	if class != nil {
		d |= 0x10 | byte(*class&0x03)
	}
	return d
}
