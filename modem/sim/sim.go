// Package sim is a simulated LTE modem that speaks AT on a real pseudo-terminal, for tests
// and `firmline demo`. The host opens Path() — a symlink, like /dev/serial/by-id/... —
// with a real serial library; Unplug and Replug replace the pty and re-point the symlink,
// which looks to the host like USB re-enumeration behind a stable by-id name.
//
// The simulator keeps a SIM/ME message store with limited slots, announces stored
// messages with +CMTI, keeps messages at the "SMSC" while storage is full or the modem is
// unplugged, and reproduces per-family quirks (profiles.go) and faults (faults.go).
package sim

import (
	"cmp"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
	"unsafe"

	"github.com/creack/pty"
)

// Options configure a Sim.
type Options struct {
	Profile   Profile      // default Generic
	Slots     int          // slots per store (SM and ME), default 30
	Dir       string       // where the symlink lives; default a new temporary directory
	Echo      bool         // command echo at power-up (ATE1), as many real modems do
	OwnNumber string       // answered by AT+CNUM; "" means the SIM does not know it
	Log       *slog.Logger // Debug only; nil discards

	// Variants seen on real modems (modem.md §1.2, §3.1), independent of the profile.

	// Charset is the character set at power-up: "UCS2" is a modem another program left
	// in UCS2 — string fields (+CNUM, +COPS?, +CSCS?, the <mem> of +CMTI) come back as
	// UCS2 hex and AT+CSCS takes its argument in UCS2 hex only. Default "IRA".
	Charset string
	// Framing is how lines are terminated: "" is "\r\n" before and after every line,
	// "trailing" only after, "cr" a bare "\r" after, "lf" a bare "\n" after.
	Framing string
	// CPMSParams is how many parameters AT+CPMS= accepts (1-3); more give ERROR.
	// CPMSAll makes it insist on all three (fewer give ERROR), as some firmwares do.
	CPMSParams int
	CPMSAll    bool
	// NoCPMSQuery answers AT+CPMS? with ERROR (a firmware without the query form).
	NoCPMSQuery bool
	// DeliverTo stores incoming messages in this store (e.g. "ME") whatever <mem3>
	// says, and the +CMTI names it; it need not be offered by AT+CPMS=?.
	DeliverTo string
	// Listing varies the AT+CMGL answer: "alpha" gives +CMGL: <i>,<stat>,"<alpha>",<len>;
	// "lower" lower-case PDUs with trailing spaces; "noarg4" rejects AT+CMGL=4 (a bare
	// AT+CMGL lists only unread messages, AT+CMGL=1 the read ones).
	Listing string
	// CSQ overrides the +CSQ answer, e.g. "99,99" (unknown, typical on LTE).
	CSQ string
}

// Slot is one stored message.
type Slot struct {
	Storage string
	Index   int
	Stat    int // 0 received unread, 1 received read
	PDU     string
}

// ErrClosed is returned by operations on a closed Sim.
var ErrClosed = errors.New("sim: closed")

// Sim is a simulated modem. Its methods are safe for concurrent use. It owns its
// goroutines (one reader per plugged pty, a ^RSSI ticker on Huawei, a reset timer) and
// Close joins them.
type Sim struct {
	opt    Options
	q      quirks
	dir    string
	link   string
	ownDir bool
	log    *slog.Logger
	wg     sync.WaitGroup

	mu      sync.Mutex // guards everything below
	closed  bool
	conn    *conn // nil while unplugged
	stores  map[string][]*Slot
	pending []string // PDUs held at the "SMSC"
	cmds    []string
	st      state  // session state, reset at power-up
	nv      nvram  // settings that survive power cycles
	faults  faults // see faults.go
}

// state is the volatile modem configuration, reset at every power-up and by ATZ.
type state struct {
	echo             bool
	cmee, cmgf       int
	cnmi             [5]int
	mem              [3]string
	cscs             string
	creg, cereg      int
	curc             bool // Huawei periodic URCs on
	catr             int  // SIMCom URC port: 1 = UART (not us) until set
	pinOK            bool
	simFullAnnounced bool
}

// nvram is configuration a real modem writes to flash.
type nvram struct {
	qurcport string // Quectel URC port
	portsel  int    // Huawei URC port
	writes   int    // how often they were written
}

// conn is one plugged pty.
type conn struct {
	master *os.File // pollable: Close interrupts the reader
	slave  *os.File // held so the pty persists while the host closes and reopens it
	wmu    sync.Mutex
	stop   chan struct{}
}

// Start powers up a simulated modem and returns it plugged in.
func Start(opt Options) (*Sim, error) {
	if opt.Profile == "" {
		opt.Profile = Generic
	}
	q, ok := profiles[opt.Profile]
	if !ok {
		return nil, fmt.Errorf("sim: unknown profile %q", opt.Profile)
	}
	if opt.Slots <= 0 {
		opt.Slots = 30
	}
	s := &Sim{opt: opt, q: q, log: opt.Log, stores: map[string][]*Slot{}}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	for _, name := range q.stores {
		s.stores[name] = make([]*Slot, opt.Slots)
	}
	if opt.DeliverTo != "" && s.stores[opt.DeliverTo] == nil {
		s.stores[opt.DeliverTo] = make([]*Slot, opt.Slots)
	}
	s.nv = nvram{qurcport: "usbmodem", portsel: 1}
	s.faults.pinLeft, s.faults.pukLeft = 3, 10
	s.faults.creg, s.faults.cereg = 1, 1
	s.dir = opt.Dir
	if s.dir == "" {
		d, err := os.MkdirTemp("", "firmline-sim-")
		if err != nil {
			return nil, fmt.Errorf("sim: %w", err)
		}
		s.dir, s.ownDir = d, true
	}
	s.link = filepath.Join(s.dir, "usb-FirmlineSim_"+string(opt.Profile)+"-if02-port0")
	if err := s.plug(); err != nil {
		return nil, err
	}
	return s, nil
}

// Path is the stable symlink the host opens.
func (s *Sim) Path() string { return s.link }

// Close unplugs the modem for good and waits for its goroutines.
func (s *Sim) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	c := s.conn
	s.conn = nil
	s.mu.Unlock()
	s.shutdown(c)
	s.wg.Wait()
	os.Remove(s.link)
	if s.ownDir {
		os.RemoveAll(s.dir)
	}
	return nil
}

// plug creates a new pty, points the symlink at it, resets the volatile state, and starts
// the reader. Boot URCs are written at once: the host reads them when it opens the port.
func (s *Sim) plug() error {
	m, t, err := pty.Open()
	if err != nil {
		return fmt.Errorf("sim: open pty: %w", err)
	}
	master, err := pollable(m)
	if err != nil {
		t.Close()
		return err
	}
	if err := makeRaw(t); err != nil {
		master.Close()
		t.Close()
		return err
	}
	tmp := s.link + ".new"
	os.Remove(tmp)
	if err := os.Symlink(t.Name(), tmp); err == nil {
		err = os.Rename(tmp, s.link)
	}
	if err != nil {
		master.Close()
		t.Close()
		return fmt.Errorf("sim: symlink: %w", err)
	}
	c := &conn{master: master, slave: t, stop: make(chan struct{})}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		s.shutdown(c)
		return ErrClosed
	}
	s.conn = c
	s.st = s.powerOn()
	s.mu.Unlock()
	s.wg.Add(1)
	go s.read(c)
	if s.q.rssiSpam {
		s.wg.Add(1)
		go s.spam(c)
	}
	s.log.Debug("sim plugged", "profile", s.opt.Profile, "tty", t.Name())
	pre, post := s.framing()
	for _, u := range s.q.boot {
		s.write(c, pre+u+post)
	}
	s.flushPending()
	return nil
}

// powerOn is the volatile state after a power-up.
func (s *Sim) powerOn() state {
	mem := s.q.stores[0]
	return state{
		echo: s.opt.Echo, cnmi: [5]int{0, 0, 0, 0, 0}, mem: [3]string{mem, mem, mem},
		cscs: cmp.Or(s.opt.Charset, "IRA"), curc: true, catr: 1, pinOK: s.faults.pin == "",
	}
}

func (s *Sim) shutdown(c *conn) {
	if c == nil {
		return
	}
	close(c.stop)
	c.master.Close()
	c.slave.Close()
}

// pollable turns the pty master into a non-blocking, poller-backed file so that Close
// interrupts a pending Read (pty.Open leaves it blocking).
func pollable(m *os.File) (*os.File, error) {
	defer m.Close()
	fd, err := syscall.Dup(int(m.Fd()))
	if err != nil {
		return nil, fmt.Errorf("sim: dup: %w", err)
	}
	if err := syscall.SetNonblock(fd, true); err != nil {
		syscall.Close(fd)
		return nil, fmt.Errorf("sim: nonblock: %w", err)
	}
	return os.NewFile(uintptr(fd), "ptmx"), nil
}

// makeRaw puts the slave into raw mode so the line discipline neither echoes nor
// translates while the host has not yet configured it.
func makeRaw(t *os.File) error {
	var tio syscall.Termios
	fd := t.Fd()
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, fd, syscall.TCGETS, uintptr(unsafe.Pointer(&tio))); e != 0 {
		return fmt.Errorf("sim: tcgets: %w", e)
	}
	tio.Iflag &^= syscall.IGNBRK | syscall.BRKINT | syscall.PARMRK | syscall.ISTRIP | syscall.INLCR | syscall.IGNCR | syscall.ICRNL | syscall.IXON
	tio.Oflag &^= syscall.OPOST
	tio.Lflag &^= syscall.ECHO | syscall.ECHONL | syscall.ICANON | syscall.ISIG | syscall.IEXTEN
	tio.Cflag &^= syscall.CSIZE | syscall.PARENB
	tio.Cflag |= syscall.CS8
	tio.Cc[syscall.VMIN], tio.Cc[syscall.VTIME] = 1, 0
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, fd, syscall.TCSETS, uintptr(unsafe.Pointer(&tio))); e != 0 {
		return fmt.Errorf("sim: tcsets: %w", e)
	}
	return nil
}

// read is the one reader of c's master: it splits commands on '\r' and answers them.
func (s *Sim) read(c *conn) {
	defer s.wg.Done()
	buf := make([]byte, 1024)
	var line []byte
	for {
		n, err := c.master.Read(buf)
		if err != nil {
			return
		}
		if s.silent() {
			continue
		}
		if s.echoOn() && !s.wedged() {
			s.write(c, string(buf[:n]))
		}
		for _, b := range buf[:n] {
			switch b {
			case 0x1b:
				line = line[:0]
			case '\r':
				cmd := strings.TrimSpace(string(line))
				line = line[:0]
				if cmd != "" {
					s.answer(c, cmd)
				}
			case '\n':
			default:
				if len(line) < 4096 {
					line = append(line, b)
				}
			}
		}
	}
}

// write sends s to the host; a host that does not read for 2 s loses the bytes, as on a
// real serial line.
func (s *Sim) write(c *conn, text string) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.master.SetWriteDeadline(time.Now().Add(2 * time.Second))
	c.master.Write([]byte(text))
}

// spam writes Huawei's periodic ^RSSI while ^CURC is on.
func (s *Sim) spam(c *conn) {
	defer s.wg.Done()
	t := time.NewTicker(150 * time.Millisecond)
	defer t.Stop()
	for rssi := 10; ; rssi = 10 + (rssi+7)%15 {
		select {
		case <-c.stop:
			return
		case <-t.C:
		}
		s.mu.Lock()
		on := s.st.curc && !s.faults.silent
		s.mu.Unlock()
		if on {
			s.write(c, fmt.Sprintf("\r\n^RSSI: %d\r\n", rssi))
		}
	}
}

func (s *Sim) silent() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.faults.silent
}

func (s *Sim) wedged() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.faults.wedged
}

func (s *Sim) echoOn() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st.echo
}
