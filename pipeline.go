package main

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"firmline/modem"
	"firmline/modem/otp"
	"firmline/modem/pdu"
	"firmline/store"
)

// pipeline is the one straight data path: a PDU listed by the modem is decoded, committed
// with its outbox event in one bbolt transaction, and only then acknowledged to the modem
// (which deletes the SIM copy); after the commit the message is published and the notifier
// woken. It implements modem.Sink and is safe for concurrent use by several modems.
type pipeline struct {
	store   *store.Store
	publish func(store.Message) // live fan-out; must not block
	wake    func()              // wakes the notification worker; must not block
	log     *slog.Logger
	now     func() time.Time
}

// Receive commits every message of one listing. It returns an error on the first message
// that could not be committed; those before it are committed (and deduplicated if they come
// again), so the modem may delete exactly the ones acknowledged by a nil return.
func (p *pipeline) Receive(ctx context.Context, modemName string, msgs []modem.Stored) error {
	for _, s := range msgs {
		if err := ctx.Err(); err != nil {
			return err
		}
		in := incoming(modemName, s, p.now())
		m, dup, err := p.store.Ingest(in, messageFields)
		if err != nil {
			return fmt.Errorf("commit message from %s slot %s/%d: %w", modemName, s.Storage, s.Index, err)
		}
		if dup {
			p.log.Debug("duplicate PDU ignored", "modem", modemName, "storage", s.Storage, "index", s.Index)
			continue
		}
		p.log.Info("message committed", "msg_id", m.ID, "modem", modemName, "parts", m.PartsReceived, "of", m.Parts, "platform", m.Platform)
		p.log.Debug("message content", "msg_id", m.ID, "sender", m.Sender, "code", m.Code)
		if m.Visible {
			p.publish(m)
			p.wake()
		}
	}
	return nil
}

// incoming describes one listed PDU for the store, with its reassembly group when it is a
// part of a concatenated message.
func incoming(modemName string, s modem.Stored, now time.Time) store.Incoming {
	in := store.Incoming{Modem: modemName, PDU: strings.ToUpper(strings.TrimSpace(s.PDU)),
		Storage: s.Storage, Index: s.Index, ReceivedAt: now.UTC()}
	d, err := pdu.Decode(in.PDU)
	if err != nil || d.Concat == nil {
		return in
	}
	bits := "8"
	if d.Concat.Ref16 {
		bits = "16"
	}
	in.Group = fmt.Sprintf("%s|%s|%s|%d|%d", modemName, d.Sender, bits, d.Concat.Ref, d.Concat.Total)
	in.Total, in.SeqNo = d.Concat.Total, d.Concat.Seq
	return in
}

// messageFields computes a message from all parts received so far ("" where a part is
// missing). It runs inside the store's write transaction: pure CPU work, no I/O.
func messageFields(parts []string) store.Message {
	decoded := make([]*pdu.Message, len(parts))
	var first *pdu.Message
	var firstErr error
	for i, h := range parts {
		if h == "" {
			continue
		}
		d, err := pdu.Decode(h)
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		decoded[i] = d
		if first == nil {
			first = d
		}
	}
	if first == nil {
		// Nothing lost: the raw PDU is kept, and the inbox shows why it has no text.
		text := "(this message could not be decoded; its raw PDU is kept)"
		if firstErr != nil {
			text = fmt.Sprintf("(this message could not be decoded: %v; its raw PDU is kept)", firstErr)
		}
		return store.Message{Kind: "undecodable", Text: text}
	}
	m := store.Message{Sender: first.Sender, SenderType: first.SenderType, SentAt: first.SentAt, Kind: kindOf(first)}
	if len(parts) > 1 {
		m.Text = pdu.Join(decoded)
	} else {
		m.Text = first.Text
	}
	switch m.Kind {
	case "text":
		r := otp.Find(m.Sender, m.Text)
		m.Code, m.Platform = r.Code, r.Platform
	case "data":
		m.Text = dataDescription(first)
	}
	return m
}

// dataDescription says what a binary message is, since it has no text to show.
func dataDescription(d *pdu.Message) string {
	what := fmt.Sprintf("a binary message of %d bytes", len(d.Data))
	if d.Port != nil {
		what += fmt.Sprintf(" for application port %d", d.Port.Dst)
		if d.Port.Dst == 2948 {
			what += " (WAP push, e.g. an MMS notification)"
		}
	}
	return "(" + what + "; not text, its raw PDU is kept)"
}

func kindOf(d *pdu.Message) string {
	switch {
	case d.Type == "status-report":
		return "status-report"
	case d.Type0:
		return "silent"
	case d.MWI:
		return "mwi"
	case d.NonText:
		return "data"
	default:
		return "text"
	}
}
