// Package modem owns one LTE modem's AT port: it opens it by a stable path, initialises
// the modem the way mature SMS daemons do (modem.md §2.3), lists every receive store with
// AT+CMGL=4 at start, on +CMTI and periodically, hands the raw PDUs to a Sink and deletes
// a message from the modem only after the Sink has durably committed it. It watches the
// modem's health and climbs a recovery ladder (resync, reopen, AT+CFUN=1,1) when it hangs
// or vanishes.
package modem

import (
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"sync"
	"time"
)

// State names (exact strings, used by the API and the UI).
const (
	StateStarting     = "starting"
	StateDisconnected = "disconnected"   // no device, or it vanished
	StateUnresponsive = "unresponsive"   // the port is open but the modem does not answer
	StateNoSIM        = "no-sim"         // +CME ERROR: 10
	StatePINLocked    = "pin-locked"     // SIM PIN needed and not (or wrongly) configured
	StatePUKLocked    = "puk-locked"     // never touched: an operator must unlock it
	StateNoNetwork    = "no-network"     // neither +CREG nor +CEREG registered
	StateNoSMSService = "no-sms-service" // see smsService in health.go
	StateStorageFull  = "storage-full"   // >= 90% used, +CMS ERROR: 322 or ^SMMEMFULL
	StateReady        = "ready"
)

// Config configures one modem.
type Config struct {
	Name        string        // shown in the UI and recorded with each message
	Port        string        // stable path, e.g. /dev/serial/by-id/...-if02-port0
	Baud        int           // default 115200 (USB ignores it)
	PIN         string        // SIM PIN, entered at most once per process lifetime
	ScanEvery   time.Duration // periodic listing of every store, default 3m
	HealthEvery time.Duration // liveness and state refresh, default 30s
	Log         *slog.Logger
	Trace       bool             // log the (redacted) AT traffic at Debug
	Now         func() time.Time // default time.Now

	// CommandTimeout, when set, replaces the per-command AT deadlines (tests).
	CommandTimeout time.Duration
}

// Stored is one message as listed by the modem: the raw PDU (hex, SMSC address included),
// where it was and its <stat> (0 received unread, 1 received read). A +CMT delivered
// directly has Storage "" and Index -1.
type Stored struct {
	Storage string
	Index   int
	Stat    int
	PDU     string
}

// Sink receives listed messages; it must return only after a durable commit. Only
// messages whose Receive returned nil are deleted from the modem (AT+CMGD=<index>, never
// CMGD=1,4). Receive is called from the modem's Run goroutine, one call at a time per
// modem; several modems may call one Sink concurrently.
type Sink interface {
	Receive(ctx context.Context, modem string, msgs []Stored) error
}

// Status is a snapshot of the modem for the UI, the API and health alerts.
type Status struct {
	Name, Port, State                      string
	Manufacturer, Model, Firmware          string
	IMEI, ICCID, IMSI, OwnNumber, Operator string
	Registration                           string // "home", "roaming", "searching", "denied", "sms-only", "unknown", ...
	CSQ                                    int    // 0-31, 99 unknown
	SignalBars                             int    // 0-5, -1 unknown
	RSRP                                   int    // dBm, 0 unknown
	Storage                                string // the receive store chosen (MT, ME or SM)
	StorageUsed, StorageTotal              int
	LastError                              string // plain words for an operator, "" when fine
	Since                                  time.Time
	LastMessage                            time.Time
}

// Modem owns one port. Run does all the work on its own goroutine; Status and Alive may be
// called from any goroutine.
type Modem struct {
	cfg      Config
	sink     Sink
	onStatus func(Status)
	log      *slog.Logger

	// Set by the URC handler (the engine's dispatcher goroutine), consumed by Run.
	scanSoon chan struct{}
	reinit   chan struct{}
	urcMu    sync.Mutex
	cmts     []Stored // +CMT PDUs not yet accepted by the sink
	memFull  bool     // ^SMMEMFULL or +CMS ERROR: 322 seen since the last drain
	hinted   []string // stores named by +CMTI/+CDSI since the last drain

	mu     sync.Mutex // guards status, alive
	status Status
	alive  time.Time

	// Owned by the Run goroutine.
	pinTried    bool        // the configured PIN was sent once; never again in this process
	pinAccepted bool        // ... and the SIM accepted it
	resets      []time.Time // AT+CFUN=1,1 in the last 24 h
	sess        session     // per-open facts learnt during init
	procRoot    string      // "/proc", replaced in tests
	sysRoot     string      // "/sys", replaced in tests
}

// New returns a modem; nothing happens until Run. onStatus (may be nil) is called on
// every status change, from the Run goroutine.
func New(cfg Config, sink Sink, onStatus func(Status)) *Modem {
	if cfg.Baud == 0 {
		cfg.Baud = 115200
	}
	if cfg.ScanEvery <= 0 {
		cfg.ScanEvery = 3 * time.Minute
	}
	if cfg.HealthEvery <= 0 {
		cfg.HealthEvery = 30 * time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if onStatus == nil {
		onStatus = func(Status) {}
	}
	m := &Modem{cfg: cfg, sink: sink, onStatus: onStatus, log: cfg.Log,
		scanSoon: make(chan struct{}, 1), reinit: make(chan struct{}, 1),
		procRoot: "/proc", sysRoot: "/sys"}
	m.status = Status{Name: cfg.Name, Port: cfg.Port, State: StateStarting, SignalBars: -1, CSQ: 99, Since: cfg.Now()}
	return m
}

// Status returns a copy of the current status.
func (m *Modem) Status() Status {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.status
}

// Alive is the last time Run completed a cycle: a health check, a scan, or a reconnect
// attempt while the device is away. A stuck Run stops advancing it (watchdog).
func (m *Modem) Alive() time.Time {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.alive
}

func (m *Modem) touch() {
	m.mu.Lock()
	m.alive = m.cfg.Now()
	m.mu.Unlock()
}

// update applies f to the status and calls onStatus if anything changed.
func (m *Modem) update(f func(*Status)) {
	m.mu.Lock()
	old := m.status
	f(&m.status)
	if m.status.State != old.State {
		m.status.Since = m.cfg.Now()
	}
	st, changed := m.status, m.status != old
	m.mu.Unlock()
	if changed {
		if st.State != old.State {
			m.log.Info("modem state", "state", st.State, "was", old.State, "problem", st.LastError)
		}
		m.onStatus(st)
	}
}

func (m *Modem) setState(state, problem string) {
	m.update(func(s *Status) { s.State, s.LastError = state, problem })
}

// Run owns the port until ctx is done: open, initialise, drain, then serve URCs, scans and
// health checks; when the modem hangs or vanishes it recovers (ladder in recover.go) and
// starts over. It returns nil when ctx is cancelled; every goroutine it started has
// exited by then.
func (m *Modem) Run(ctx context.Context) error {
	var l ladder
	for ctx.Err() == nil {
		m.touch()
		err := m.session(ctx, &l)
		if ctx.Err() != nil {
			break
		}
		wait := l.next(err, m)
		m.log.Debug("modem session ended", "error", err, "retry_in", wait)
		if !m.waitNode(ctx, wait) {
			break
		}
	}
	m.setState(StateDisconnected, "")
	return nil
}

// waitNode waits d before the next open, but returns early when the port's path
// reappears after having been missing (USB re-enumeration), after a short settle time for
// udev. It reports whether to go on.
func (m *Modem) waitNode(ctx context.Context, d time.Duration) bool {
	deadline := time.Now().Add(d)
	missing := false
	for time.Now().Before(deadline) {
		_, err := filepath.EvalSymlinks(m.cfg.Port)
		if err != nil {
			missing = true
		} else if missing {
			return m.sleep(ctx, 200*time.Millisecond)
		}
		m.touch()
		if !m.sleep(ctx, min(250*time.Millisecond, time.Until(deadline))) {
			return false
		}
	}
	return ctx.Err() == nil
}

// sleep waits d or until ctx is done; it reports whether to go on.
func (m *Modem) sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// Errors that end a session; Run decides the next rung from them.
var (
	errUnresponsive = errors.New("modem does not answer")
	errNoDevice     = errors.New("no device")
	errPortHeld     = errors.New("port held by another process")
	errGone         = errors.New("device gone")
)
