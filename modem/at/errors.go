package at

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Final results other than OK, as errors. A command returns exactly one of these, a
// *CMEError, a *CMSError, or nil.
var (
	// ErrError is the plain "ERROR" final result.
	ErrError = errors.New("at: ERROR")
	// ErrNotSupported is Huawei's "COMMAND NOT SUPPORT".
	ErrNotSupported = errors.New("at: COMMAND NOT SUPPORT")
	// ErrNoCarrier, ErrBusy, ErrNoAnswer and ErrNoDialtone are the dial results.
	ErrNoCarrier  = errors.New("at: NO CARRIER")
	ErrBusy       = errors.New("at: BUSY")
	ErrNoAnswer   = errors.New("at: NO ANSWER")
	ErrNoDialtone = errors.New("at: NO DIALTONE")
	// ErrTimeout means no final result arrived before the command's deadline. The engine is
	// then unsynchronised and resynchronises before the next command.
	ErrTimeout = errors.New("at: command timed out")
	// ErrNoPrompt means a command that sends data never got the "> " prompt.
	ErrNoPrompt = errors.New("at: no prompt")
	// ErrDeviceGone means reading the port failed (EOF, EIO): the device was unplugged or
	// closed. The engine stops; the owner reopens the port and starts a new engine.
	ErrDeviceGone = errors.New("at: device gone")
	// ErrClosed means the engine is not running (stopped, or Run not started).
	ErrClosed = errors.New("at: engine stopped")
	// ErrUnsynced means resynchronisation after a timeout failed; the modem does not answer.
	ErrUnsynced = errors.New("at: modem does not answer resync")
)

// CMEError is "+CME ERROR: <n>" (numeric, AT+CMEE=1) or "+CME ERROR: <text>" (verbose,
// AT+CMEE=2). Code is -1 when a verbose text is not in the known table.
type CMEError struct {
	Code int
	Text string
}

func (e *CMEError) Error() string {
	if e.Text != "" {
		return fmt.Sprintf("+CME ERROR: %d (%s)", e.Code, e.Text)
	}
	return fmt.Sprintf("+CME ERROR: %d", e.Code)
}

// CMSError is "+CMS ERROR: <n>" or its verbose form; Code is -1 for unknown texts.
type CMSError struct {
	Code int
	Text string
}

func (e *CMSError) Error() string {
	if e.Text != "" {
		return fmt.Sprintf("+CMS ERROR: %d (%s)", e.Code, e.Text)
	}
	return fmt.Sprintf("+CMS ERROR: %d", e.Code)
}

// Well-known codes (3GPP TS 27.007 §9.2 and 27.005 §3.2.5).
const (
	CMESIMNotInserted = 10
	CMESIMPINRequired = 11
	CMESIMPUKRequired = 12
	CMESIMFailure     = 13
	CMESIMBusy        = 14
	CMEIncorrectPIN   = 16
	CMSSIMNotInserted = 310
	CMSSIMBusy        = 314
	CMSInvalidIndex   = 321
	CMSMemoryFull     = 322
	CMSUnknown        = 500
)

// cmeTexts maps verbose CME texts (lower case) to their codes.
var cmeTexts = map[string]int{
	"phone failure": 0, "operation not allowed": 3, "operation not supported": 4,
	"sim not inserted": 10, "sim pin required": 11, "sim puk required": 12,
	"sim failure": 13, "sim busy": 14, "sim wrong": 15, "incorrect password": 16,
	"sim pin2 required": 17, "sim puk2 required": 18, "memory full": 20,
	"invalid index": 21, "not found": 22, "memory failure": 23, "no network service": 30,
	"network timeout": 31, "unknown": 100,
}

// cmsTexts maps verbose CMS texts (lower case) to their codes.
var cmsTexts = map[string]int{
	"sim not inserted": 310, "sim pin required": 311, "sim failure": 316, "sim busy": 314,
	"memory failure": 320, "invalid memory index": 321, "memory full": 322,
	"unknown error": 500, "operation not allowed": 302, "operation not supported": 303,
}

// CMECode reports the CME error code of err, if it is one.
func CMECode(err error) (int, bool) {
	var e *CMEError
	if errors.As(err, &e) {
		return e.Code, true
	}
	return 0, false
}

// CMSCode reports the CMS error code of err, if it is one.
func CMSCode(err error) (int, bool) {
	var e *CMSError
	if errors.As(err, &e) {
		return e.Code, true
	}
	return 0, false
}

// parseCode splits the argument of a CME/CMS error into code and text.
func parseCode(arg string, texts map[string]int) (int, string) {
	arg = strings.TrimSpace(arg)
	if n, err := strconv.Atoi(arg); err == nil {
		return n, ""
	}
	if n, ok := texts[strings.ToLower(arg)]; ok {
		return n, arg
	}
	return -1, arg
}

// Final classifies a line: final reports whether it ends a command, err is its result.
// It is a pure function of the line.
func Final(line string) (final bool, err error) {
	switch line {
	case "OK", "CONNECT":
		return true, nil
	case "ERROR", "NA":
		return true, ErrError
	case "COMMAND NOT SUPPORT", "TOO MANY PARAMETERS":
		return true, ErrNotSupported
	case "NO CARRIER":
		return true, ErrNoCarrier
	case "BUSY":
		return true, ErrBusy
	case "NO ANSWER":
		return true, ErrNoAnswer
	case "NO DIALTONE":
		return true, ErrNoDialtone
	}
	switch {
	case strings.HasPrefix(line, "+CME ERROR:"):
		code, text := parseCode(line[len("+CME ERROR:"):], cmeTexts)
		return true, &CMEError{Code: code, Text: text}
	case strings.HasPrefix(line, "+CMS ERROR:"):
		code, text := parseCode(line[len("+CMS ERROR:"):], cmsTexts)
		return true, &CMSError{Code: code, Text: text}
	case strings.HasPrefix(line, "MODEM ERROR:"), strings.HasPrefix(line, "CONNECT "):
		if line[0] == 'C' {
			return true, nil
		}
		return true, fmt.Errorf("%w: %s", ErrError, line)
	}
	return false, nil
}
