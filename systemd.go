package main

// systemd integration: the sd_notify protocol (READY, STATUS, STOPPING, the watchdog) and
// socket activation. See packaging/firmline.service and packaging/firmline.socket.

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/coreos/go-systemd/v22/activation"
	"github.com/coreos/go-systemd/v22/daemon"
)

// notifier wraps sd_notify; all methods are no-ops when NOTIFY_SOCKET is unset.
//
// It reads its environment once, in newNotifier, through the injected getenv, so tests can point
// it at their own socket without touching the process environment. Every send dials the socket
// afresh (one datagram, as libsystemd does), so a notifier is safe for concurrent use and holds
// no file descriptor between sends.
type notifier struct {
	addr     *net.UnixAddr // nil when notification is off
	watchdog time.Duration // the ping period (WATCHDOG_USEC/2); 0 when the watchdog is off
	log      *slog.Logger
}

// newNotifier reads NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID through getenv. The watchdog
// is on only when WATCHDOG_USEC is a positive number and WATCHDOG_PID is unset or names this
// process (systemd sets it; a child that inherited the variables must not ping for its parent).
func newNotifier(getenv func(string) string, log *slog.Logger) *notifier {
	n := &notifier{log: log}
	path := getenv("NOTIFY_SOCKET")
	switch {
	case path == "":
		return n
	case strings.HasPrefix(path, "/"), strings.HasPrefix(path, "@"):
		// Go maps a leading '@' to the Linux abstract namespace itself.
		n.addr = &net.UnixAddr{Name: path, Net: "unixgram"}
	default:
		log.Warn("systemd notification off: unsupported NOTIFY_SOCKET address", "notify_socket", path)
		return n
	}
	n.watchdog = watchdogPeriod(getenv, os.Getpid(), log)
	return n
}

// watchdogPeriod returns half of WATCHDOG_USEC, or 0 when the watchdog is not asked for this pid.
func watchdogPeriod(getenv func(string) string, pid int, log *slog.Logger) time.Duration {
	usecText := getenv("WATCHDOG_USEC")
	if usecText == "" {
		return 0
	}
	usec, err := strconv.ParseInt(usecText, 10, 64)
	if err != nil || usec <= 0 {
		log.Warn("systemd watchdog off: bad WATCHDOG_USEC", "watchdog_usec", usecText)
		return 0
	}
	if pidText := getenv("WATCHDOG_PID"); pidText != "" {
		if p, err := strconv.Atoi(pidText); err != nil || p != pid {
			log.Debug("systemd watchdog is for another process", "watchdog_pid", pidText, "pid", pid)
			return 0
		}
	}
	return time.Duration(usec) * time.Microsecond / 2
}

// Ready tells systemd that start-up is complete: call it once the store is open and the
// listener is bound.
func (n *notifier) Ready() { n.sendLogged(daemon.SdNotifyReady) }

// Status sets the one-line status shown by `systemctl status` (for example "modem ready,
// signal 4/5, 12 codes today"). Line breaks are replaced by spaces: the protocol is one
// assignment per line.
func (n *notifier) Status(line string) {
	line = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ").Replace(line)
	n.sendLogged("STATUS=" + line)
}

// Stopping tells systemd that shutdown has begun.
func (n *notifier) Stopping() { n.sendLogged(daemon.SdNotifyStopping) }

// Watchdog sends WATCHDOG=1 every WATCHDOG_USEC/2 while healthy() returns nil; when it returns
// an error it stops pinging (and logs once), so systemd restarts a hung process. Pinging resumes
// if healthy() recovers before systemd acts; a failing send is logged once until one
// succeeds. Runs until ctx is done, then returns nil; when the watchdog is off it just waits
// for ctx.
//
// healthy runs on the caller's goroutine between pings and must not block for long: a
// healthy() that blocks also stops the pings, which is the intended outcome for a hung loop.
func (n *notifier) Watchdog(ctx context.Context, healthy func() error) error {
	if n.addr == nil || n.watchdog <= 0 {
		<-ctx.Done()
		return nil
	}
	ticker := time.NewTicker(n.watchdog)
	defer ticker.Stop()
	failing, sendFailing := false, false
	for {
		err := healthy()
		switch {
		case err != nil && !failing:
			n.log.Error("health check failed; no longer feeding the systemd watchdog", "error", err)
			failing = true
		case err == nil && failing:
			n.log.Info("health check passes again; feeding the systemd watchdog")
			failing = false
		}
		if !failing {
			sendErr := n.send(daemon.SdNotifyWatchdog)
			if sendErr != nil && !sendFailing {
				n.log.Warn("systemd watchdog ping failed", "error", sendErr)
			}
			sendFailing = sendErr != nil
		}
		select {
		case <-ctx.Done():
			return nil
		case <-ticker.C:
		}
	}
}

// sendLogged sends state and logs a failure; notification is best effort.
func (n *notifier) sendLogged(state string) {
	if err := n.send(state); err != nil {
		n.log.Warn("systemd notification failed", "state", strings.SplitN(state, "=", 2)[0], "error", err)
	}
}

// sendTimeout bounds one notification write.
const sendTimeout = 2 * time.Second

// send writes one datagram to NOTIFY_SOCKET; nil when notification is off.
func (n *notifier) send(state string) error {
	if n.addr == nil {
		return nil
	}
	conn, err := net.DialUnix("unixgram", nil, n.addr)
	if err != nil {
		return fmt.Errorf("sd_notify: %w", err)
	}
	defer conn.Close()
	// A full receive queue would block the write; systemd drains its socket, but a stuck
	// manager must not stall shutdown or the watchdog loop.
	if err := conn.SetWriteDeadline(time.Now().Add(sendTimeout)); err != nil {
		return fmt.Errorf("sd_notify: %w", err)
	}
	if _, err := conn.Write([]byte(state)); err != nil {
		return fmt.Errorf("sd_notify: %w", err)
	}
	return nil
}

// errManySockets reports a socket unit that passes more than the one stream socket firmline serves.
var errManySockets = errors.New("systemd passed more than one listening socket; firmline.socket must have exactly one ListenStream=")

// systemdListener returns the listening socket passed by systemd socket activation
// (packaging/firmline.socket), or nil, nil when the process was not socket-activated. The
// caller owns the listener. It unsets LISTEN_PID/LISTEN_FDS/LISTEN_FDNAMES so children do not
// inherit them.
func systemdListener() (net.Listener, error) {
	listeners, err := activation.Listeners()
	if err != nil {
		return nil, fmt.Errorf("systemd socket activation: %w", err)
	}
	var found []net.Listener
	for _, l := range listeners {
		if l != nil {
			found = append(found, l)
		}
	}
	switch len(found) {
	case 0:
		if len(listeners) > 0 {
			return nil, errors.New("systemd passed a socket that is not a stream listener; use ListenStream= in firmline.socket")
		}
		return nil, nil
	case 1:
		return found[0], nil
	default:
		for _, l := range found {
			l.Close()
		}
		return nil, errManySockets
	}
}
