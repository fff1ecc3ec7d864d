package at

import "strings"

// MaxLine is the longest line the parser keeps; longer runs of bytes without a terminator
// are cut at this length (a PDU line is at most 2*(12+164)+2 hex digits).
const MaxLine = 4096

// Token is one unit of the modem's output: a complete line (trimmed, never empty) or the
// "> " data prompt, which has no line terminator.
type Token struct {
	Line   string
	Prompt bool
}

// Parser frames a byte stream into tokens. It is incremental: bytes may arrive in any
// chunks, and a line split across chunks is kept until its terminator. It accepts "\r\n",
// bare "\r" and bare "\n" as terminators and drops blank lines. Bytes no AT line can
// contain (NUL and other control characters, DEL, bytes >= 0x80: line noise, a modem
// booting) are dropped, so noise glued to the front of a line ("\x00\xffOK") cannot hide
// a final result; every token is therefore printable ASCII. A Parser is owned by one
// goroutine; it is not safe for concurrent use.
type Parser struct {
	buf []byte
}

// Feed consumes b and calls emit for every token it completes, in order. After the bytes
// are consumed, a pending "> " (or ">") with no terminator is emitted as the prompt.
func (p *Parser) Feed(b []byte, emit func(Token)) {
	for _, c := range b {
		if c == '\r' || c == '\n' {
			p.flush(emit)
			continue
		}
		if c == '\t' {
			c = ' '
		}
		if c < ' ' || c >= 0x7f {
			continue
		}
		if len(p.buf) >= MaxLine {
			p.flush(emit)
		}
		p.buf = append(p.buf, c)
	}
	if n := len(p.buf); n > 0 && n <= 2 && p.buf[0] == '>' && (n == 1 || p.buf[1] == ' ') {
		p.buf = p.buf[:0]
		emit(Token{Prompt: true})
	}
}

// Pending reports how many bytes wait for a terminator.
func (p *Parser) Pending() int { return len(p.buf) }

func (p *Parser) flush(emit func(Token)) {
	s := strings.TrimSpace(string(p.buf))
	p.buf = p.buf[:0]
	if s != "" {
		emit(Token{Line: s})
	}
}

// Keyword is the part of a line that names it: the text before ':' for "+X: ...",
// "^X: ...", "#X: ...", "!X: ...", "$X: ..." and "*X: ..." (SIMCom "*ATREADY: 1") lines, else the whole line if it is a bare word such as "RING" or "RDY";
// "" otherwise (hex PDUs, free text).
func Keyword(line string) string {
	if line == "" {
		return ""
	}
	if strings.IndexByte("+^#!$*", line[0]) >= 0 {
		if i := strings.IndexByte(line, ':'); i > 0 {
			return strings.TrimSpace(line[:i])
		}
		return line
	}
	for _, c := range line {
		if (c < 'A' || c > 'Z') && c != '_' {
			return ""
		}
	}
	return line
}

// CommandPrefix derives the information-response prefix a command's answer lines carry:
// "+CMGL" for "+CMGL=4", "^SYSCFG" for "^SYSCFG?". Commands whose answers are bare lines
// (identity queries, basic commands) give "".
func CommandPrefix(cmd string) string {
	cmd = strings.TrimPrefix(strings.TrimPrefix(cmd, "AT"), "at")
	if cmd == "" || (cmd[0] != '+' && cmd[0] != '^' && cmd[0] != '!' && cmd[0] != '#' && cmd[0] != '$') {
		return ""
	}
	end := strings.IndexAny(cmd, "=?")
	if end < 0 {
		end = len(cmd)
	}
	name := strings.ToUpper(cmd[:end])
	if bareReply[name] {
		return ""
	}
	return name
}

// bareReply lists commands whose answers carry no prefix on at least one modem family.
var bareReply = map[string]bool{
	"+CGMI": true, "+CGMM": true, "+CGMR": true, "+CGSN": true, "+CIMI": true,
	"+GMI": true, "+GMM": true, "+GMR": true, "+GSN": true, "+CCID": true,
}
