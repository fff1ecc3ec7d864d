package at

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"
)

// Do runs one command and returns its information lines. Calls are serialised; each
// waits for the previous one. A timeout (or a cancelled ctx) leaves the engine
// unsynchronised, and the next Do first resynchronises (ESC, quiet period, "AT", accept
// one OK, quiet period again), so a late answer never becomes the next command's answer.
// Errors are wrapped with the command name (never its arguments): match them with
// errors.Is (ErrError, ErrTimeout...) or CMECode/CMSCode.
func (e *Engine) Do(ctx context.Context, req Request) ([]string, error) {
	select {
	case e.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-e.done:
		return nil, e.stopped()
	}
	defer func() { <-e.sem }()
	if e.unsynced {
		if err := e.resync(ctx); err != nil {
			return nil, err
		}
	}
	lines, err := e.exchange(ctx, req)
	if err != nil && (errors.Is(err, ErrTimeout) || errors.Is(err, ErrNoPrompt) || ctx.Err() != nil) {
		e.unsynced = true
	}
	if err != nil {
		err = fmt.Errorf("AT%s: %w", Name(req.Cmd), err)
	}
	return lines, err
}

// Resync resynchronises now (after a suspected hang), whatever the engine's state.
func (e *Engine) Resync(ctx context.Context) error {
	select {
	case e.sem <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	case <-e.done:
		return e.stopped()
	}
	defer func() { <-e.sem }()
	e.unsynced = true
	return e.resync(ctx)
}

func (e *Engine) stopped() error {
	if err := e.Err(); err != nil {
		return err
	}
	return ErrClosed
}

// exchange writes one command and collects its answer up to the final result.
func (e *Engine) exchange(ctx context.Context, req Request) ([]string, error) {
	timeout := req.Timeout
	if timeout <= 0 {
		timeout = e.opt.Timeout
	}
	if timeout <= 0 {
		timeout = DefaultTimeout(req.Cmd)
	}
	e.setActive(true, req.Prefix)
	defer e.setActive(false, "")
	if err := e.write("AT"+req.Cmd+"\r", Name(req.Cmd)); err != nil {
		return nil, err
	}
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	idle := e.idleTimer(req.Cmd)
	defer idle.Stop()
	echo := "AT" + req.Cmd
	var c collector
	c.req = req
	for {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-e.done:
			return nil, e.stopped()
		case <-timer.C:
			if req.Data != "" && !c.sentData {
				e.write("\x1b", "ESC")
				return nil, ErrNoPrompt
			}
			return c.lines, ErrTimeout
		case <-idle.C:
			return c.lines, fmt.Errorf("%w: the modem went silent in the middle of the answer", ErrTimeout)
		case t := <-e.resp:
			idle.Reset(e.idleFor(req.Cmd))
			if t.Prompt {
				if err := e.sendData(&c); err != nil {
					return nil, err
				}
				continue
			}
			t.Line = stripEcho(t.Line, echo)
			if t.Line == "" || (req.Data != "" && strings.HasPrefix(t.Line, req.Data)) {
				continue // echo (possibly duplicated) of the command or the data
			}
			if final, err := Final(t.Line); final {
				return c.lines, err
			}
			if !c.add(t.Line) {
				e.log.Debug("at stray line", "cmd", Name(req.Cmd), "kind", redact(t), "bytes", len(t.Line))
			}
		}
	}
}

// idleFor is how long a listing (+CMGL) may stay silent between two lines of its answer:
// a listing streams its entries, and a modem that stops in the middle of one has hung —
// waiting out the whole 120 s deadline would only delay recovery. Other commands (a
// +CMGS waits for the network) have no idle limit.
func (e *Engine) idleFor(cmd string) time.Duration {
	if CommandPrefix(cmd) != "+CMGL" {
		return time.Duration(1<<63 - 1)
	}
	return e.opt.Idle
}

func (e *Engine) idleTimer(cmd string) *time.Timer { return time.NewTimer(e.idleFor(cmd)) }

// stripEcho removes the command's echo from the front of line, repeatedly ("ATE0ATE0"),
// also when the modem glued the first answer line to it without a line break
// ("AT+CMGL=4+CMGL: 1,0,,23"). It returns what is left, "" for a pure echo.
func stripEcho(line, echo string) string {
	for len(line) >= len(echo) && strings.EqualFold(line[:len(echo)], echo) {
		line = strings.TrimSpace(line[len(echo):])
	}
	return line
}

func (e *Engine) sendData(c *collector) error {
	if c.req.Data == "" || c.sentData {
		return nil
	}
	c.sentData = true
	return e.write(c.req.Data+"\x1a", "data")
}

// collector applies a request's prefix filter to its answer lines.
type collector struct {
	req      Request
	lines    []string
	trailing int
	sentData bool
}

// add keeps line if it belongs to the answer and reports whether it did.
func (c *collector) add(line string) bool {
	switch {
	case c.req.Prefix == "":
	case Keyword(line) == c.req.Prefix:
		c.trailing = c.req.Trailing
	case c.trailing > 0:
		c.trailing--
	default:
		return false
	}
	c.lines = append(c.lines, line)
	return true
}

// resync brings the line back to a known state; the caller holds sem.
func (e *Engine) resync(ctx context.Context) error {
	e.setActive(true, "")
	defer e.setActive(false, "")
	// ESC aborts a half-finished data prompt; the "\r" ends the line for a modem (or a
	// simulator) that does not treat ESC specially, so the "AT" after it starts clean
	// instead of arriving as "\x1bAT" (gammu writes the same).
	if err := e.write("\x1b\r", "ESC"); err != nil {
		return err
	}
	if err := e.quiet(ctx); err != nil {
		return err
	}
	for range 3 {
		if err := e.write("AT\r", "resync"); err != nil {
			return err
		}
		wait := time.Second
		if e.opt.Timeout > 0 && e.opt.Timeout < wait {
			wait = e.opt.Timeout
		}
		ok, err := e.awaitOK(ctx, wait)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		if err := e.quiet(ctx); err != nil { // swallow a late second OK
			return err
		}
		e.unsynced = false
		e.log.Debug("at resynchronised")
		return nil
	}
	return ErrUnsynced
}

// quiet discards answer lines until none arrived for opt.Quiet (bounded at 25 periods).
func (e *Engine) quiet(ctx context.Context) error {
	deadline := time.Now().Add(25 * e.opt.Quiet)
	t := time.NewTimer(e.opt.Quiet)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-e.done:
			return e.stopped()
		case <-t.C:
			return nil
		case <-e.resp:
			if time.Now().After(deadline) {
				return nil
			}
			t.Reset(e.opt.Quiet)
		}
	}
}

// awaitOK waits up to d for an "OK", discarding every other line.
func (e *Engine) awaitOK(ctx context.Context, d time.Duration) (bool, error) {
	t := time.NewTimer(d)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return false, ctx.Err()
		case <-e.done:
			return false, e.stopped()
		case <-t.C:
			return false, nil
		case tok := <-e.resp:
			if tok.Line == "OK" {
				return true, nil
			}
		}
	}
}

func (e *Engine) write(s, what string) error {
	if e.opt.Trace {
		e.log.Debug("at tx", "cmd", what, "bytes", len(s))
	}
	if d, ok := e.rw.(interface{ SetWriteDeadline(time.Time) error }); ok {
		d.SetWriteDeadline(time.Now().Add(writeTimeout)) // a stalled USB endpoint must not hang us
	}
	if _, err := e.rw.Write([]byte(s)); err != nil {
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return fmt.Errorf("%w: write stalled", ErrTimeout)
		}
		return fmt.Errorf("%w: write: %w", ErrDeviceGone, err)
	}
	return nil
}

// writeTimeout bounds one write to the port.
const writeTimeout = 5 * time.Second

func (e *Engine) traceIn(t Token) {
	if e.opt.Trace {
		e.log.Debug("at rx", "kind", redact(t), "bytes", len(t.Line))
	}
}

// Name is the loggable name of a command: its text up to '=' or '?' ("+CPIN" for
// `+CPIN="1234"`), so arguments such as a PIN are never logged or put into errors.
func Name(cmd string) string {
	if i := strings.IndexAny(cmd, "=?"); i >= 0 {
		cmd = cmd[:i]
	}
	if len(cmd) > 16 {
		cmd = cmd[:16]
	}
	return cmd
}

// redact names a token for logs without its content: the keyword, the final result, or
// "pdu"/"text" for anything else.
func redact(t Token) string {
	if t.Prompt {
		return "prompt"
	}
	if final, _ := Final(t.Line); final {
		if i := strings.IndexByte(t.Line, ':'); i > 0 {
			return t.Line[:i]
		}
		return t.Line
	}
	if k := Keyword(t.Line); k != "" {
		return k
	}
	for _, c := range t.Line {
		if !strings.ContainsRune("0123456789abcdefABCDEF", c) {
			return "text"
		}
	}
	return "pdu"
}
