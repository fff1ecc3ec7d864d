package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"firmline/modem"
	"firmline/modem/otp"
	"firmline/modem/pdu"
)

// pduJSON is one line of `firmline pdu decode` output (interfaces.md).
type pduJSON struct {
	SMSC       string     `json:"smsc"`
	Type       string     `json:"type"`
	Sender     string     `json:"sender"`
	SenderType string     `json:"sender_type"`
	SentAt     *string    `json:"sent_at"`
	DCS        pduDCS     `json:"dcs"`
	Text       string     `json:"text"`
	Concat     *pduConcat `json:"concat"`
	Code       *string    `json:"code"`
	Platform   *string    `json:"platform"`
	Status     *pduStatus `json:"status,omitempty"`
}

type pduDCS struct {
	Alphabet string `json:"alphabet"`
	Class    *int   `json:"class"`
}

type pduConcat struct {
	Ref   int `json:"ref"`
	Total int `json:"total"`
	Seq   int `json:"seq"`
}

type pduStatus struct {
	Reference    int     `json:"reference"`
	Recipient    string  `json:"recipient"`
	DischargedAt *string `json:"discharged_at"`
	Status       int     `json:"status"`
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func rfc3339(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	return optional(t.Format(time.RFC3339))
}

func decodeLine(hexPDU string) (pduJSON, error) {
	d, err := pdu.Decode(hexPDU)
	if err != nil {
		return pduJSON{}, err
	}
	out := pduJSON{SMSC: d.SMSC, Type: d.Type, Sender: d.Sender, SenderType: d.SenderType, SentAt: rfc3339(d.SentAt),
		DCS: pduDCS{Alphabet: d.Alphabet, Class: d.Class}, Text: d.Text}
	if d.Concat != nil {
		out.Concat = &pduConcat{Ref: int(d.Concat.Ref), Total: d.Concat.Total, Seq: d.Concat.Seq}
	}
	if d.Type == "status-report" {
		out.Status = &pduStatus{Reference: d.Reference, Recipient: d.Recipient, DischargedAt: rfc3339(d.DischargedAt), Status: int(d.Status)}
	}
	if d.Type == "deliver" && !d.NonText {
		r := otp.Find(d.Sender, d.Text)
		out.Code, out.Platform = optional(r.Code), optional(r.Platform)
	}
	return out, nil
}

// cmdPDU decodes PDUs from the arguments, or one per line from stdin. A bad PDU prints
// {"error": ...} for its line and makes the exit status 1 at the end.
func cmdPDU(env cliEnv, args []string) error {
	if len(args) == 0 || args[0] != "decode" {
		return fmt.Errorf("%w: pdu needs decode", errUsage)
	}
	enc := json.NewEncoder(env.stdout)
	enc.SetEscapeHTML(false)
	bad := 0
	one := func(line string) {
		line = strings.TrimSpace(line)
		if line == "" {
			return
		}
		out, err := decodeLine(line)
		if err != nil {
			bad++
			enc.Encode(map[string]string{"error": err.Error()})
			return
		}
		enc.Encode(out)
	}
	if len(args) > 1 {
		for _, a := range args[1:] {
			one(a)
		}
	} else {
		sc := bufio.NewScanner(env.stdin)
		sc.Buffer(make([]byte, 4096), 1<<20)
		for sc.Scan() {
			one(sc.Text())
		}
		if err := sc.Err(); err != nil {
			return fmt.Errorf("cannot read stdin: %w", err)
		}
	}
	if bad > 0 {
		return fmt.Errorf("%d of the PDUs could not be decoded", bad)
	}
	return nil
}

func cmdModem(env cliEnv, args []string) error {
	if len(args) == 0 || args[0] != "probe" {
		return fmt.Errorf("%w: modem needs probe", errUsage)
	}
	fs := newFlags(env, "modem probe")
	port := fs.String("modem", "", "serial device of the modem's AT port (empty = auto-detect)")
	baud := fs.Int("baud", 115200, "serial speed")
	if err := parseFlags(env, fs, args[1:]); err != nil {
		return err
	}
	log := newLogger("warn", env.stderr, env.getenv)
	ctx, cancel := context.WithTimeout(env.ctx, 90*time.Second)
	defer cancel()
	if *port == "" {
		p, err := modem.Detect(ctx, log)
		if err != nil {
			return fmt.Errorf("no modem answered on any serial port: %w", err)
		}
		*port = p
	}
	st, err := modem.Probe(ctx, *port, *baud, log)
	printProbe(env.stdout, st)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return fmt.Errorf("the modem on %s did not finish answering in time", *port)
		}
		return fmt.Errorf("probing %s: %w", *port, err)
	}
	return nil
}

func printProbe(w io.Writer, s modem.Status) {
	row := func(k, v string) {
		if v != "" {
			fmt.Fprintf(w, "%-14s %s\n", k+":", v)
		}
	}
	row("port", s.Port)
	row("state", s.State)
	row("manufacturer", s.Manufacturer)
	row("model", s.Model)
	row("firmware", s.Firmware)
	row("IMEI", s.IMEI)
	row("ICCID", s.ICCID)
	row("IMSI", s.IMSI)
	row("registration", s.Registration)
	row("operator", s.Operator)
	if s.SignalBars >= 0 {
		row("signal", fmt.Sprintf("%d/5 (CSQ %d)", s.SignalBars, s.CSQ))
	}
	row("own number", s.OwnNumber)
	if s.StorageTotal > 0 {
		row("SMS storage", strings.TrimSpace(fmt.Sprintf("%s %d of %d used", s.Storage, s.StorageUsed, s.StorageTotal)))
	}
	row("problem", s.LastError)
}
