package modem

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"firmline/modem/at"
)

// session holds what one open port learnt during init; owned by the Run goroutine.
type session struct {
	eng         *at.Engine
	q           quirks
	mem         string   // receive store chosen for <mem1>/<mem3>
	stores      []string // every receive store to drain
	csmsService int      // +CSMS <service>: 1 means +CMT must be acknowledged with +CNMA
	initialised bool     // init completed (SIM ready, storage chosen)
	ucs2        bool     // the modem stayed in the UCS2 character set: decode string fields
	cnmi        string   // the +CNMI setting the modem accepted, "" when none
	cpmsArgs    int      // parameters AT+CPMS= took when selecting a store to drain (0 unknown)
}

// session opens the port, runs an AT engine on it and serves until the device goes away,
// stops answering, or ctx ends. On return the engine has stopped, the port is closed and
// its reader goroutine has exited, so the next session may open the tty again.
func (m *Modem) session(ctx context.Context, l *ladder) error {
	port, dev, err := openPort(m.cfg.Port, m.cfg.Baud)
	if err != nil {
		m.setState(StateDisconnected, m.explainMissing(err))
		return err
	}
	if hs := rivals(m.procRoot, dev, m.log); len(hs) > 0 {
		port.Close()
		msg := heldMessage(dev, hs)
		m.log.Error("modem port is busy", "port", dev, "pid", hs[0].PID, "process", hs[0].Name, "problem", msg)
		m.setState(StateDisconnected, msg)
		return errPortHeld
	}
	sctx, cancel := context.WithCancel(ctx)
	eng := at.New(port, at.Options{Handler: m.onURC, Log: m.log, Trace: m.cfg.Trace, Timeout: m.cfg.CommandTimeout})
	done := make(chan error, 1)
	go func() { done <- eng.Run(sctx) }() // Run closes port on return
	defer func() { cancel(); <-done }()
	m.sess = session{eng: eng}
	m.log.Info("modem port open", "port", m.cfg.Port, "device", dev)
	if l.resetNext {
		return m.reset(sctx, l)
	}
	return m.serve(sctx, l)
}

// serve initialises the modem and then runs the event loop.
func (m *Modem) serve(ctx context.Context, l *ladder) error {
	m.setState(StateStarting, "")
	if err := m.initialise(ctx); err != nil && !errors.Is(err, errSIMWait) {
		return err
	}
	if m.sess.initialised {
		l.ok()
	}
	scan := time.NewTicker(m.cfg.ScanEvery)
	defer scan.Stop()
	health := time.NewTicker(m.cfg.HealthEvery)
	defer health.Stop()
	for {
		var err error
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-m.sess.eng.Done():
			return fmt.Errorf("%w: %w", errGone, m.sess.eng.Err())
		case <-m.scanSoon:
			// Leading edge: list at once. +CMTIs that arrive during the listing coalesce in
			// the one-slot channel into a single follow-up listing, so a burst costs two.
			err = m.drainAll(ctx, true)
		case <-scan.C:
			err = m.drainAll(ctx, false)
		case <-m.reinit:
			m.log.Info("modem restarted by itself; initialising again")
			m.setState(StateStarting, "")
			err = m.initialise(ctx)
		case <-health.C:
			err = m.healthCheck(ctx)
		}
		if err != nil && !errors.Is(err, errSIMWait) {
			return err
		}
		if m.sess.initialised {
			l.ok()
		}
		m.touch()
	}
}

// cmd runs one AT command on the session's engine.
func (m *Modem) cmd(ctx context.Context, c string) ([]string, error) {
	return m.sess.eng.Command(ctx, c)
}

// fatal decides whether err ends the session: a vanished device does (errGone); a
// timeout does when resynchronisation fails too (errUnresponsive). Plain AT errors
// (ERROR, +CME/+CMS) do not: fatal returns nil and the caller handles them.
func (m *Modem) fatal(ctx context.Context, err error) error {
	switch {
	case err == nil:
		return nil
	case ctx.Err() != nil:
		return ctx.Err()
	case errors.Is(err, at.ErrDeviceGone), errors.Is(err, at.ErrClosed):
		return fmt.Errorf("%w: %w", errGone, err)
	case !errors.Is(err, at.ErrTimeout) && !errors.Is(err, at.ErrUnsynced) && !errors.Is(err, at.ErrNoPrompt):
		return nil
	}
	prev := m.Status()
	m.setState(StateUnresponsive, "the modem stopped answering AT commands; trying to resynchronise")
	for range 2 {
		rerr := m.sess.eng.Resync(ctx)
		if rerr == nil {
			m.log.Info("modem answers again after resync")
			m.setState(prev.State, prev.LastError)
			return nil
		}
		if errors.Is(rerr, at.ErrDeviceGone) || ctx.Err() != nil {
			return fmt.Errorf("%w: %w", errGone, rerr)
		}
	}
	return fmt.Errorf("%w: %w", errUnresponsive, err)
}

// onURC runs on the engine's dispatcher goroutine: it only records and signals; the Run
// goroutine does the work.
func (m *Modem) onURC(u at.URC) {
	switch u.Name {
	case "+CMTI", "+CDSI":
		if mem := storeOf(u.Lines[0]); mem != "" {
			m.urcMu.Lock()
			if !slices.Contains(m.hinted, mem) {
				m.hinted = append(m.hinted, mem)
			}
			m.urcMu.Unlock()
		}
		signal(m.scanSoon)
	case "+CMT", "+CDS":
		if len(u.Lines) == 2 {
			m.urcMu.Lock()
			m.cmts = append(m.cmts, Stored{Storage: "", Index: -1, Stat: 0, PDU: u.Lines[1]})
			m.urcMu.Unlock()
		}
		signal(m.scanSoon)
	case "^SMMEMFULL":
		m.urcMu.Lock()
		m.memFull = true
		m.urcMu.Unlock()
		signal(m.scanSoon)
	case "RDY", "SMS DONE", "SMS READY", "^SYSSTART", "+CPIN":
		signal(m.reinit)
	case "+CFUN", "+QIND":
		if f := fields(u.Lines[0]); (u.Name == "+CFUN" && f[0] == "1") || strings.Contains(u.Lines[0], "SMS DONE") {
			signal(m.reinit)
		}
	}
	if m.cfg.Trace && u.Name != "^RSSI" {
		m.log.Debug("modem urc", "urc", u.Name)
	}
}

func signal(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}
