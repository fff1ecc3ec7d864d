package at

// URC is one unsolicited result code: Name is its keyword ("+CMTI", "RING", "^RSSI"),
// Lines its header line followed by its body lines (the PDU of "+CMT", "+CDS", "+CBM").
type URC struct {
	Name  string
	Lines []string
}

// urcLines maps a URC keyword to the number of lines that follow its header. Keywords in
// contextual are URCs only when the command in flight does not expect that prefix (an
// answer to AT+CREG? looks like the +CREG URC).
var urcLines = map[string]int{
	"+CMTI": 0, "+CMT": 1, "+CDS": 1, "+CDSI": 0, "+CBM": 1, "+CBMI": 0,
	"RING": 0, "+CRING": 0, "+CLIP": 0, "+CCWA": 0, "+CUSD": 0,
	"+CREG": 0, "+CGREG": 0, "+CEREG": 0, "+C5GREG": 0, "+CPIN": 0, "+CFUN": 0,
	"RDY": 0, "+QIND": 0, "+QUSIM": 0, "+QSTAT": 0, "+CIEV": 0, "+CGEV": 0,
	"^RSSI": 0, "^BOOT": 0, "^MODE": 0, "^HCSQ": 0, "^SRVST": 0, "^SIMST": 0,
	"^NWTIME": 0, "^SMMEMFULL": 0, "^DSFLOWRPT": 0, "^RFSWITCH": 0, "^STIN": 0,
	"^CEND": 0, "^ORIG": 0, "^CONF": 0, "^CONN": 0, "^NDISSTAT": 0, "^SYSSTART": 0,
	"SMS READY": 0, "PB DONE": 0, "CALL READY": 0, "*ATREADY": 0, "+CPINR": -1,
	"+STIN": 0, "+CTZV": 0, "+CTZE": 0, "+NITZ": 0, "#STN": 0,
	"+QSIMSTAT": 0, "+QNITZ": 0, "+PACSP": 0, "+CSCON": 0, "+SIMCARD": 0, "#QSS": 0,
	"#NITZ": 0, "^EONS": 0, "^ECCLIST": 0, "^CSNR": 0, "^ACTIVEBAND": 0,
}

// bareURCs are URC lines that carry spaces and so have no keyword.
var bareURCs = map[string]bool{"SMS READY": true, "PB DONE": true, "CALL READY": true, "SMS DONE": true}

// urcKind reports whether line starts a URC while a command expecting prefix is in flight
// ("" when idle or unfiltered) and how many body lines follow it. "+QURCCFG" and "+CPINR"
// are never URCs. It is a pure function.
func urcKind(line, prefix string) (name string, body int, ok bool) {
	if bareURCs[line] {
		return line, 0, true
	}
	k := Keyword(line)
	if k == "" || k == prefix {
		return "", 0, false
	}
	n, found := urcLines[k]
	if !found || n < 0 {
		return "", 0, false
	}
	return k, n, true
}

// IsURC reports whether line would be taken as the start of a URC while a command
// expecting prefix is in flight.
func IsURC(line, prefix string) bool {
	_, _, ok := urcKind(line, prefix)
	return ok
}
