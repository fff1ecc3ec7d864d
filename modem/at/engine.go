// Package at is the AT command engine: it frames a modem's byte stream into lines, runs
// one command at a time with a per-command deadline, turns final results into typed
// errors, and cuts unsolicited result codes (URCs) out of the stream — also from the
// middle of a command's response — and hands them, in arrival order, to one handler.
package at

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"
)

// Options configure an Engine. The zero value is usable.
type Options struct {
	// Handler receives every URC, in arrival order, on one dispatcher goroutine. It must
	// not block for long and must not wait for a command of the same engine to finish
	// (signal another goroutine instead). Nil discards URCs.
	Handler func(URC)
	// Log receives stray lines and, with Trace, the redacted traffic, at Debug.
	Log *slog.Logger
	// Trace logs every line read and command written at Debug, redacted: keyword and byte
	// count only, never a PDU, PIN or other argument.
	Trace bool
	// Quiet is the silence that resynchronisation waits for (default 200 ms).
	Quiet time.Duration
	// Timeout overrides the per-command default deadlines when non-zero (tests).
	Timeout time.Duration
	// Idle bounds the silence between two lines of a listing's answer (default 20 s).
	Idle time.Duration
}

// Request is one command. Cmd is written as "AT"+Cmd+"\r" ("+CMGL=4", "E0", "" for "AT").
type Request struct {
	Cmd string
	// Prefix filters the answer: only lines with this keyword (and the Trailing lines
	// after each) are kept; other non-URC lines go to the stray log. "" keeps every line.
	Prefix string
	// Trailing is the number of lines that belong to each prefixed line (1 for PDU-mode
	// +CMGL and +CMGR, whose PDU follows on the next line).
	Trailing int
	// Timeout is the deadline; 0 picks the default for the command (DefaultTimeout).
	Timeout time.Duration
	// Data, when set, is written after the "> " prompt and terminated with Ctrl-Z.
	Data string
}

// Engine runs AT commands over an io.ReadWriter. Run owns reading; Do and Command may be
// called from any goroutine and are serialised. An Engine is single-use: after Run
// returns, every call fails with the error Run returned.
type Engine struct {
	rw   io.ReadWriter
	opt  Options
	log  *slog.Logger
	sem  chan struct{} // one command at a time; also guards unsynced
	resp chan Token    // lines for the command in flight, fed by Run's router
	urcs chan URC      // router -> dispatcher
	done chan struct{} // closed when Run has stopped

	mu     sync.Mutex // guards active, prefix, err
	active bool
	prefix string
	err    error

	unsynced bool // owned by the holder of sem
}

// New returns an engine over rw. Call Run before sending commands.
func New(rw io.ReadWriter, opt Options) *Engine {
	if opt.Quiet <= 0 {
		opt.Quiet = 200 * time.Millisecond
	}
	if opt.Idle <= 0 {
		opt.Idle = 20 * time.Second
	}
	log := opt.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Engine{
		rw: rw, opt: opt, log: log,
		sem:  make(chan struct{}, 1),
		resp: make(chan Token, 512),
		urcs: make(chan URC, 1024),
		done: make(chan struct{}),
	}
}

// Done is closed when Run has returned; Err then reports why.
func (e *Engine) Done() <-chan struct{} { return e.done }

// Err is the reason the engine stopped (ErrDeviceGone wrapping the read error, or the
// context's error), or nil while it runs.
func (e *Engine) Err() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.err
}

// Run reads and routes the modem's output until ctx is done or reading fails. It owns
// two goroutines, the reader and the URC dispatcher, and returns only after both have
// exited. To unblock the reader on ctx cancellation, Run closes rw if it is an io.Closer;
// otherwise the caller must make the pending Read return. It returns an error wrapping
// ErrDeviceGone when reading failed, ctx.Err() when cancelled.
func (e *Engine) Run(ctx context.Context) error {
	toks := make(chan Token, 256)
	readErr := make(chan error, 1)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); readErr <- e.read(toks) }()
	go func() { defer wg.Done(); e.dispatch() }()
	err := e.route(ctx, toks, readErr)
	if c, ok := e.rw.(io.Closer); ok {
		c.Close()
	}
	close(e.urcs)
	e.mu.Lock()
	e.err = err
	e.mu.Unlock()
	close(e.done) // also releases a reader blocked on toks
	wg.Wait()
	return err
}

// read is the only reader of rw: it parses chunks into tokens until a read fails.
func (e *Engine) read(toks chan<- Token) error {
	var p Parser
	buf := make([]byte, 4096)
	for {
		n, err := e.rw.Read(buf)
		if n > 0 {
			p.Feed(buf[:n], func(t Token) {
				select {
				case toks <- t:
				case <-e.done:
				}
			})
		}
		if err != nil {
			return err
		}
		if n == 0 {
			return io.EOF
		}
	}
}

// route classifies tokens: URCs (with their body lines) to the dispatcher, the rest to
// the command in flight, or to the stray log when none is.
func (e *Engine) route(ctx context.Context, toks <-chan Token, readErr <-chan error) error {
	var cur *URC
	body := 0
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case err := <-readErr:
			if errors.Is(err, io.EOF) {
				err = io.EOF
			}
			return fmt.Errorf("%w: %w", ErrDeviceGone, err)
		case t := <-toks:
			e.traceIn(t)
			if cur != nil && !t.Prompt {
				cur.Lines = append(cur.Lines, t.Line)
				if body--; body == 0 {
					e.emitURC(*cur)
					cur = nil
				}
				continue
			}
			active, prefix := e.state()
			if !t.Prompt {
				if name, n, ok := urcKind(t.Line, prefix); ok {
					u := URC{Name: name, Lines: []string{t.Line}}
					if n == 0 {
						e.emitURC(u)
					} else {
						cur, body = &u, n
					}
					continue
				}
			}
			if !active {
				e.log.Debug("at stray line", "kind", redact(t), "bytes", len(t.Line))
				continue
			}
			select {
			case e.resp <- t:
			default:
				e.log.Warn("at response overflow; line dropped", "bytes", len(t.Line))
			}
		}
	}
}

func (e *Engine) emitURC(u URC) {
	select {
	case e.urcs <- u:
	default:
		e.log.Warn("at URC queue full; URC dropped", "urc", u.Name)
	}
}

// dispatch calls the handler for each URC in order; it exits when Run closes urcs.
func (e *Engine) dispatch() {
	for u := range e.urcs {
		if e.opt.Handler != nil {
			e.opt.Handler(u)
		}
	}
}

func (e *Engine) state() (bool, string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.active, e.prefix
}

func (e *Engine) setActive(active bool, prefix string) {
	e.mu.Lock()
	e.active, e.prefix = active, prefix
	e.mu.Unlock()
	if !active {
		return
	}
	for { // discard lines left over from a previous command
		select {
		case <-e.resp:
		default:
			return
		}
	}
}

// Command runs "AT"+cmd with the prefix filter and trailing-line count derived from the
// command (PDU-mode +CMGL/+CMGR keep the PDU line after each header) and the default
// deadline. It returns the information lines.
func (e *Engine) Command(ctx context.Context, cmd string) ([]string, error) {
	req := Request{Cmd: cmd, Prefix: CommandPrefix(cmd)}
	if req.Prefix == "+CMGL" || req.Prefix == "+CMGR" {
		req.Trailing = 1
	}
	return e.Do(ctx, req)
}

// DefaultTimeout is the deadline for cmd: 10 s for +CMGR/+CMGD, 120 s for +CMGL, 300 s for
// +CMGS, 20 s for +CFUN and +COPS, 3 s otherwise (ModemManager's values).
func DefaultTimeout(cmd string) time.Duration {
	name := strings.ToUpper(cmd)
	if i := strings.IndexAny(name, "=?"); i >= 0 {
		name = name[:i]
	}
	switch name {
	case "+CMGR", "+CMGD":
		return 10 * time.Second
	case "+CMGL":
		return 120 * time.Second
	case "+CMGS", "+CMSS":
		return 300 * time.Second
	case "+CFUN", "+COPS", "+CPIN":
		return 20 * time.Second
	}
	return 3 * time.Second
}
