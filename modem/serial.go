package modem

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/tarm/serial"
)

// openPort opens the tty behind path (symlinks resolved, so a by-id name follows the
// device across re-enumeration) as a raw 8N1 port.
//
// tarm/serial configures the line (raw termios, VMIN=1/VTIME=0 from ReadTimeout 0), but
// its file is switched to blocking mode, and a blocking read is not interrupted by Close
// (warthog618/modem#21): an old reader could linger and split the byte stream with the
// next one. So the tty is opened a second time through the os package, which registers it
// with the runtime poller — Close then makes the pending Read return at once — and only
// then is tarm's handle closed (the tty stays open throughout, so its settings stay).
// The returned file is the one long-lived port; its single reader is the AT engine's.
func openPort(path string, baud int) (*os.File, string, error) {
	dev, err := filepath.EvalSymlinks(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, "", fmt.Errorf("%w: %s does not exist", errNoDevice, path)
		}
		return nil, "", fmt.Errorf("%w: %w", errNoDevice, err)
	}
	cfgd, err := serial.OpenPort(&serial.Config{Name: dev, Baud: baud, ReadTimeout: 0})
	if err != nil {
		return nil, dev, fmt.Errorf("%w: open %s: %w", errNoDevice, dev, err)
	}
	defer cfgd.Close()
	f, err := os.OpenFile(dev, os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		return nil, dev, fmt.Errorf("%w: open %s: %w", errNoDevice, dev, err)
	}
	return f, dev, nil
}

// holder is another process with the device open.
type holder struct {
	PID  int
	Name string
}

// holders scans procRoot/*/fd for links to dev (a resolved path), skipping this process.
func holders(procRoot, dev string) []holder {
	entries, err := os.ReadDir(procRoot)
	if err != nil {
		return nil
	}
	self := os.Getpid()
	var out []holder
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == self {
			continue
		}
		dir := filepath.Join(procRoot, e.Name())
		if holdsDevice(filepath.Join(dir, "fd"), dev) && !ownsPTY(dir, dev) {
			comm, _ := os.ReadFile(filepath.Join(procRoot, e.Name(), "comm"))
			out = append(out, holder{PID: pid, Name: strings.TrimSpace(string(comm))})
		}
	}
	return out
}

// ownsPTY reports whether the process in procDir holds the master of the pseudo-terminal
// dev (/dev/pts/N): then it is the device itself (the simulator, a terminal), not a
// competing reader. The master's fdinfo names its pty index where the kernel says so.
func ownsPTY(procDir, dev string) bool {
	n, ok := strings.CutPrefix(dev, "/dev/pts/")
	if !ok {
		return false
	}
	fds, err := os.ReadDir(filepath.Join(procDir, "fd"))
	if err != nil {
		return false
	}
	for _, fd := range fds {
		// "/dev/ptmx", or "/dev/pts/ptmx" where /dev/ptmx is a symlink (containers).
		if target, err := os.Readlink(filepath.Join(procDir, "fd", fd.Name())); err != nil || filepath.Base(target) != "ptmx" {
			continue
		}
		info, err := os.ReadFile(filepath.Join(procDir, "fdinfo", fd.Name()))
		if err != nil || !strings.Contains(string(info), "tty-index:") {
			return true // cannot tell which pty: assume its own
		}
		for _, line := range strings.Split(string(info), "\n") {
			if k, v, _ := strings.Cut(line, ":"); k == "tty-index" && strings.TrimSpace(v) == n {
				return true
			}
		}
	}
	return false
}

func holdsDevice(fdDir, dev string) bool {
	fds, err := os.ReadDir(fdDir)
	if err != nil {
		return false
	}
	for _, fd := range fds {
		if target, err := os.Readlink(filepath.Join(fdDir, fd.Name())); err == nil && target == dev {
			return true
		}
	}
	return false
}

// rivalNames are programs known to talk to modems: when one holds the port, two readers
// would split the modem's answers, so firmline stops and says so.
var rivalNames = []string{"modemmanager", "gammu", "smsd", "brltty", "gpsd", "pppd", "wvdial", "minicom",
	"picocom", "mmcli", "qmicli", "chan_dongle", "asterisk"}

// rivals returns the holders of dev that are known modem programs. Other holders (a test
// harness that keeps a pty's other end open, a monitoring tool) are logged and tolerated: a
// port firmline refuses to open receives nothing, which is worse than a possible conflict
// that the health checks will surface.
func rivals(procRoot, dev string, log *slog.Logger) []holder {
	var out []holder
	for _, h := range holders(procRoot, dev) {
		name := strings.ToLower(h.Name)
		known := false
		for _, r := range rivalNames {
			known = known || strings.Contains(name, r)
		}
		if known {
			out = append(out, h)
		} else if log != nil {
			log.Warn("another process has the modem port open; carrying on", "port", dev, "pid", h.PID, "process", h.Name)
		}
	}
	return out
}

// heldMessage says plainly who holds the port and what to do.
func heldMessage(dev string, hs []holder) string {
	h := hs[0]
	msg := fmt.Sprintf("port %s is held by %s (pid %d); ", dev, h.Name, h.PID)
	if strings.Contains(strings.ToLower(h.Name), "modemmanager") {
		return msg + "stop it (systemctl disable --now ModemManager) or install firmline's udev rule " +
			"(packaging/60-firmline-modem.rules sets ID_MM_DEVICE_IGNORE=1), then replug the modem"
	}
	return msg + "stop that program: two readers on one serial port split the modem's answers between them"
}
