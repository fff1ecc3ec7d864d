package modem

import (
	"context"
	"strings"
)

// quirks is what firmline does differently per modem family (modem.md §1, req. 12),
// keyed on +CGMI/+CGMM.
type quirks struct {
	family    string
	zeroBased bool     // indexes start at 0 (informational: indexes are always taken from listings)
	cpmsLag   bool     // storage lags behind +CMTI: repeat an empty listing once (Huawei)
	iccid     []string // ICCID commands to try, in order
	// route points unsolicited codes at our port; run on every init (SIMCom's setting is
	// not saved). NVRAM settings are queried first and written only when different.
	route func(ctx context.Context, m *Modem) error
}

// quirksFor picks the family from manufacturer and model.
func quirksFor(manufacturer, model string) quirks {
	id := strings.ToLower(manufacturer + " " + model)
	switch {
	case strings.Contains(id, "quectel"):
		return quirks{family: "quectel", iccid: []string{"+QCCID", "+CCID"}, route: quectelRoute}
	case strings.Contains(id, "simcom"):
		return quirks{family: "simcom", zeroBased: true, iccid: []string{"+CICCID", "+CCID"}, route: simcomRoute}
	case strings.Contains(id, "huawei"):
		return quirks{family: "huawei", zeroBased: true, cpmsLag: true, iccid: []string{"^ICCID?", "+CCID"}, route: huaweiRoute}
	case strings.Contains(id, "telit"):
		return quirks{family: "telit", iccid: []string{"+CCID", "#CCID"}, route: noRoute}
	case strings.Contains(id, "sierra"):
		return quirks{family: "sierra", iccid: []string{"+CCID", "!ICCID?"}, route: noRoute}
	}
	return quirks{family: "generic", iccid: []string{"+CCID", "+QCCID", "^ICCID?", "+CICCID"}, route: noRoute}
}

func noRoute(context.Context, *Modem) error { return nil }

// quectelRoute makes sure URCs come out of the USB AT port (AT+QURCCFG, kept in NVRAM:
// query first, write only if different). firmline is meant to use the primary AT
// interface (if02, "usbat").
func quectelRoute(ctx context.Context, m *Modem) error {
	lines, err := m.cmd(ctx, `+QURCCFG="urcport"`)
	if f := m.fatal(ctx, err); f != nil {
		return f
	}
	if err == nil && len(lines) > 0 {
		if f := fields(lines[0]); len(f) >= 2 && (f[1] == "usbat" || f[1] == "all") {
			return nil
		}
	}
	_, err = m.cmd(ctx, `+QURCCFG="urcport","usbat"`)
	if f := m.fatal(ctx, err); f != nil {
		return f
	}
	if err != nil {
		m.log.Warn("cannot route Quectel URCs to the AT port; relying on periodic scans", "error", err)
	} else {
		m.log.Info("Quectel URC port set to the USB AT port (saved in the modem)")
	}
	return nil
}

// huaweiRoute turns off the periodic ^RSSI/^MODE... spam (^CURC=0) and sends URCs to the
// PCUI (AT) port (^PORTSEL=0, NVRAM: query first).
func huaweiRoute(ctx context.Context, m *Modem) error {
	if _, err := m.cmd(ctx, "^CURC=0"); m.fatal(ctx, err) != nil {
		return m.fatal(ctx, err)
	}
	lines, err := m.cmd(ctx, "^PORTSEL?")
	if f := m.fatal(ctx, err); f != nil {
		return f
	}
	if err == nil && len(lines) > 0 && bareValue(lines) == "0" {
		return nil
	}
	_, err = m.cmd(ctx, "^PORTSEL=0")
	if f := m.fatal(ctx, err); f != nil {
		return f
	}
	if err != nil {
		m.log.Warn("cannot route Huawei URCs to the AT port; relying on periodic scans", "error", err)
	}
	return nil
}

// simcomRoute sends URCs to all ports (AT+CATR=0); SIMCom does not save it, so every boot.
func simcomRoute(ctx context.Context, m *Modem) error {
	_, err := m.cmd(ctx, "+CATR=0")
	if f := m.fatal(ctx, err); f != nil {
		return f
	}
	if err != nil {
		m.log.Warn("cannot route SIMCom URCs; relying on periodic scans", "error", err)
	}
	return nil
}
