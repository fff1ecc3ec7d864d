package modem

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"firmline/modem/at"
)

// ErrNoModem means Detect found no port that answers AT.
var ErrNoModem = errors.New("no modem AT port found")

// noATPort lists USB ids of dongles that expose no AT tty at all (modem.md §1.1, req. 13).
var noATPort = map[string]string{
	"12d1:14dc": "a Huawei HiLink dongle (a router on a stick: network interface only, no AT port); it needs 'stick' (modem) firmware to work with firmline",
	"12d1:14db": "a Huawei HiLink dongle (network interface only, no AT port); it needs 'stick' (modem) firmware to work with firmline",
	"12d1:1f01": "a Huawei dongle still in CD-ROM mode (usb_modeswitch did not switch it); once switched it may turn out to be HiLink, which has no AT port",
	"19d2:1405": "a ZTE MF79x/MF8xx Wi-Fi/RNDIS dongle; it is managed through its web API and has no AT port, so firmline cannot use it",
	"19d2:1225": "a ZTE dongle in CD-ROM/RNDIS mode with no AT port",
}

// usbWithoutAT returns a sentence about a plugged-in dongle that has no AT port, or "".
func usbWithoutAT(sysRoot string) string {
	devs, _ := filepath.Glob(filepath.Join(sysRoot, "bus/usb/devices/*/idVendor"))
	for _, v := range devs {
		dir := filepath.Dir(v)
		vendor, err1 := os.ReadFile(v)
		product, err2 := os.ReadFile(filepath.Join(dir, "idProduct"))
		if err1 != nil || err2 != nil {
			continue
		}
		id := strings.TrimSpace(string(vendor)) + ":" + strings.TrimSpace(string(product))
		if why, ok := noATPort[id]; ok {
			return fmt.Sprintf("the USB device %s is %s", id, why)
		}
	}
	return ""
}

// explainMissing turns an open failure into words for an operator.
func (m *Modem) explainMissing(err error) string {
	if why := usbWithoutAT(m.sysRoot); why != "" {
		return fmt.Sprintf("cannot open %s: %s", m.cfg.Port, why)
	}
	if errors.Is(err, syscall.ENOTTY) || errors.Is(err, syscall.EINVAL) {
		return fmt.Sprintf("%s is not a serial port (it has no terminal settings), so it cannot be a modem's AT port", m.cfg.Port)
	}
	if errors.Is(err, os.ErrPermission) {
		return fmt.Sprintf("no permission to open %s; the firmline user must be in the dialout group", m.cfg.Port)
	}
	return fmt.Sprintf("no modem at %s; waiting for it to appear", m.cfg.Port)
}

// Probe opens port, initialises the modem far enough to identify it and read its state
// (no PIN is entered, nothing is deleted, no NVRAM setting is written) and returns the
// status, for `firmline modem probe`.
func Probe(ctx context.Context, port string, baud int, log *slog.Logger) (Status, error) {
	m := New(Config{Name: "probe", Port: port, Baud: baud, Log: log, CommandTimeout: 0}, nil, nil)
	f, dev, err := openPort(port, baud)
	if err != nil {
		return m.Status(), errors.New(m.explainMissing(err))
	}
	if hs := rivals(m.procRoot, dev, log); len(hs) > 0 {
		f.Close()
		return m.Status(), errors.New(heldMessage(dev, hs))
	}
	pctx, cancel := context.WithCancel(ctx)
	m.sess = session{eng: at.New(f, at.Options{Log: log})}
	done := make(chan error, 1)
	go func() { done <- m.sess.eng.Run(pctx) }()
	defer func() { cancel(); <-done }()
	if err := m.sess.eng.Resync(pctx); err != nil {
		return m.Status(), fmt.Errorf("%s does not answer AT commands: it may be the modem's diagnostic, GPS or PPP port "+
			"(use the AT interface, usually the by-id name ending in -if02-port0 or -if03-port0), "+
			"or a HiLink/RNDIS dongle that has no AT port at all", port)
	}
	err = m.probe(pctx)
	return m.Status(), err
}

// probe reads identity and state without changing anything that persists.
func (m *Modem) probe(ctx context.Context) error {
	m.cmd(ctx, "E0")
	m.cmd(ctx, "+CMEE=1")
	if err := m.setCharset(ctx); err != nil { // volatile: nothing persists
		return err
	}
	if err := m.identify(ctx); err != nil {
		return err
	}
	code, err := m.cpin(ctx)
	if err != nil {
		return err
	}
	switch code {
	case "READY":
	case "no-sim":
		m.setState(StateNoSIM, "no SIM card")
		return nil
	case "SIM PIN":
		m.setState(StatePINLocked, "the SIM needs its PIN")
		return nil
	case "SIM PUK", "SIM PUK2":
		m.setState(StatePUKLocked, "the SIM needs its PUK")
		return nil
	}
	if err := m.simIdentity(ctx); err != nil {
		return err
	}
	f, err := m.collect(ctx)
	if err != nil {
		return err
	}
	m.apply(f)
	return nil
}

// Detect returns the first candidate port that answers AT with OK, trying
// /dev/firmline-at* (our udev rule names exactly the AT port of known modems), then
// /dev/serial/by-id/* (stable names), /dev/ttyUSB* and /dev/ttyACM*, with short timeouts.
// Ports a known modem program holds are skipped.
func Detect(ctx context.Context, log *slog.Logger) (string, error) {
	return detect(ctx, []string{"/dev/firmline-at*", "/dev/serial/by-id/*", "/dev/ttyUSB*", "/dev/ttyACM*"}, log)
}

// detect tries the paths matching patterns, in order, each device once.
func detect(ctx context.Context, patterns []string, log *slog.Logger) (string, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	seen := map[string]bool{}
	for _, pattern := range patterns {
		paths, _ := filepath.Glob(pattern)
		for _, p := range paths {
			dev, err := filepath.EvalSymlinks(p)
			if err != nil || seen[dev] {
				continue
			}
			seen[dev] = true
			if ctx.Err() != nil {
				return "", ctx.Err()
			}
			if answersAT(ctx, p, log) {
				log.Info("modem AT port found", "port", p)
				return p, nil
			}
		}
	}
	if why := usbWithoutAT("/sys"); why != "" {
		return "", fmt.Errorf("%w: %s", ErrNoModem, why)
	}
	return "", ErrNoModem
}

// answersAT opens p and reports whether it answers AT with OK within a short time.
func answersAT(ctx context.Context, p string, log *slog.Logger) bool {
	f, dev, err := openPort(p, 115200)
	if err != nil {
		return false
	}
	if hs := rivals("/proc", dev, nil); len(hs) > 0 {
		f.Close()
		log.Warn("skipping a busy port", "port", p, "problem", heldMessage(dev, hs))
		return false
	}
	pctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	e := at.New(f, at.Options{Timeout: 700 * time.Millisecond, Quiet: 100 * time.Millisecond})
	done := make(chan error, 1)
	go func() { done <- e.Run(pctx) }()
	err = e.Resync(pctx)
	cancel()
	<-done
	return err == nil
}
