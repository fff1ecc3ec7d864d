package modem

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"firmline/modem/at"
)

// drainAll hands every pending +CMT to the sink, then lists every receive store with
// AT+CMGL=4, hands deliver/status-report entries (stat 0/1) to the sink, and deletes
// exactly those the sink committed. hint means a +CMTI asked for it (Huawei's storage
// may lag: an empty listing is repeated once). It returns only session-ending errors.
func (m *Modem) drainAll(ctx context.Context, hint bool) error {
	if !m.sess.initialised {
		return nil
	}
	if err := m.flushCMT(ctx); err != nil {
		return err
	}
	stores := m.drainStores()
	sel := len(stores) > 1 || stores[0] != m.sess.mem
	found := 0
	for _, store := range stores {
		n, err := m.drain(ctx, store, sel)
		if err != nil {
			return err
		}
		found += n
	}
	if hint && found == 0 && m.sess.q.cpmsLag && m.sleep(ctx, 500*time.Millisecond) {
		for _, store := range stores {
			if _, err := m.drain(ctx, store, sel); err != nil {
				return err
			}
		}
	}
	m.urcMu.Lock()
	m.memFull = false
	m.urcMu.Unlock()
	if sel {
		if _, err := m.selectStore(ctx, m.sess.mem); err != nil {
			return err
		}
	}
	return m.refreshFull(ctx)
}

// drainStores is every receive store plus those a +CMTI/+CDSI named since the last
// drain (a message may land in a store we did not select: "+CMTI: "ME",3" while we use
// SM, or a status report in SR); the hints are consumed.
func (m *Modem) drainStores() []string {
	stores := slices.Clone(m.sess.stores)
	m.urcMu.Lock()
	for _, h := range m.hinted {
		if !slices.Contains(stores, h) {
			stores = append(stores, h)
		}
	}
	m.hinted = nil
	m.urcMu.Unlock()
	return stores
}

// refreshFull re-reads the storage use after a drain while the state says storage-full,
// so the state clears as soon as draining made room, not at the next health check.
func (m *Modem) refreshFull(ctx context.Context) error {
	if m.Status().State != StateStorageFull {
		return nil
	}
	f, err := m.collect(ctx)
	if err != nil {
		return err
	}
	m.apply(f)
	return nil
}

// drain lists one store (selecting it first when sel) and processes it; it returns how
// many messages it found.
func (m *Modem) drain(ctx context.Context, store string, sel bool) (int, error) {
	if sel {
		ok, err := m.selectStore(ctx, store)
		if err != nil || !ok {
			return 0, err
		}
	}
	lines, err := m.list(ctx)
	if err != nil {
		return 0, err
	}
	var msgs []Stored
	for _, s := range parseList(store, lines) {
		dup := slices.ContainsFunc(msgs, func(o Stored) bool { return o.Index == s.Index })
		if (s.Stat == 0 || s.Stat == 1) && !dup { // 2/3 are outgoing entries: neither ours nor deleted
			msgs = append(msgs, s)
		}
	}
	if len(msgs) == 0 {
		return 0, nil
	}
	return len(msgs), m.deliver(ctx, msgs)
}

// selectStore makes store <mem1> (listing and deleting act on it): AT+CPMS="X", or with
// two or three parameters for modems that insist on them (the form that worked is kept
// for the session). It reports whether the store was selected; the error ends the session.
func (m *Modem) selectStore(ctx context.Context, store string) (bool, error) {
	var err error
	for n := max(m.sess.cpmsArgs, 1); n <= 3; n++ {
		args := strings.TrimSuffix(strings.Repeat(`"`+store+`",`, n), ",")
		_, err = m.cmd(ctx, "+CPMS="+args)
		if f := m.fatal(ctx, err); f != nil {
			return false, f
		}
		if err == nil {
			m.sess.cpmsArgs = n
			return true, nil
		}
	}
	m.log.Warn("cannot select SMS store", "storage", store, "error", err)
	return false, nil
}

// list runs AT+CMGL=4. For modems that reject the argument it falls back to a bare
// AT+CMGL — which lists only unread messages in PDU mode — plus AT+CMGL=1 for the read
// ones, and last to the text-mode form some firmwares take. A failure is logged and reads
// as an empty store: nothing is deleted.
func (m *Modem) list(ctx context.Context) ([]string, error) {
	lines, err := m.cmd(ctx, "+CMGL=4")
	if f := m.fatal(ctx, err); f != nil {
		return nil, f
	}
	if err == nil {
		return lines, nil
	}
	m.noteCMS(err)
	var all []string
	answered := false
	for _, c := range []string{"+CMGL", "+CMGL=1", `+CMGL="ALL"`} {
		if answered && c == `+CMGL="ALL"` {
			break
		}
		lines, err = m.cmd(ctx, c)
		if f := m.fatal(ctx, err); f != nil {
			return nil, f
		}
		if err == nil {
			answered = true
			all = append(all, lines...)
		}
	}
	if !answered {
		m.noteCMS(err)
		m.log.Warn("cannot list SMS storage; will retry at the next scan", "error", err)
	}
	return all, nil
}

// deliver hands msgs to the sink and deletes each one after the sink returned nil.
func (m *Modem) deliver(ctx context.Context, msgs []Stored) error {
	if err := m.sink.Receive(ctx, m.cfg.Name, msgs); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		m.log.Error("messages not stored; they stay on the modem and are retried at the next scan",
			"count", len(msgs), "error", err)
		m.update(func(s *Status) { s.LastError = "received messages could not be stored: " + err.Error() })
		return nil
	}
	m.update(func(s *Status) {
		s.LastMessage = m.cfg.Now()
		if s.State == StateReady || s.State == StateStorageFull {
			s.LastError = ""
		}
	})
	for _, s := range msgs {
		_, err := m.cmd(ctx, fmt.Sprintf("+CMGD=%d", s.Index))
		if f := m.fatal(ctx, err); f != nil {
			return f
		}
		if err != nil {
			m.log.Warn("cannot delete a stored message; it will be listed again (and deduplicated)",
				"storage", s.Storage, "index", s.Index, "error", err)
		}
	}
	m.log.Debug("messages received", "count", len(msgs), "storage", msgs[0].Storage)
	return nil
}

// flushCMT hands directly delivered (+CMT) PDUs to the sink, then acknowledges them with
// AT+CNMA when the modem runs phase 2+ (+CSMS service 1). On a sink error they stay
// queued in memory and are retried at the next scan (the modem has no copy).
func (m *Modem) flushCMT(ctx context.Context) error {
	m.urcMu.Lock()
	msgs := append([]Stored(nil), m.cmts...)
	m.urcMu.Unlock()
	if len(msgs) == 0 {
		return nil
	}
	if err := m.sink.Receive(ctx, m.cfg.Name, msgs); err != nil {
		m.log.Error("directly delivered messages not stored; retrying at the next scan", "count", len(msgs), "error", err)
		return nil
	}
	m.urcMu.Lock()
	m.cmts = m.cmts[len(msgs):]
	m.urcMu.Unlock()
	m.update(func(s *Status) { s.LastMessage = m.cfg.Now() })
	if m.sess.csmsService != 1 {
		return nil
	}
	for range msgs {
		_, err := m.cmd(ctx, "+CNMA")
		if f := m.fatal(ctx, err); f != nil {
			return f
		}
	}
	return nil
}

// noteCMS records storage-full errors (+CMS ERROR: 322).
func (m *Modem) noteCMS(err error) {
	if code, ok := at.CMSCode(err); ok && code == at.CMSMemoryFull {
		m.urcMu.Lock()
		m.memFull = true
		m.urcMu.Unlock()
	}
}
