package httpui

import (
	"net/http"
	"net/url"
	"strings"

	"firmline/store"
)

// inboxPageSize is how many messages one inbox page shows.
const inboxPageSize = 50

// knownPlatforms are offered in the platform filter even before a code from them arrived.
var knownPlatforms = []string{"Clio", "Westlaw", "NetDocuments", "iManage", "MyCase", "Microsoft", "Google"}

// inboxPage is the list of messages, newest first.
type inboxPage struct {
	pageBase
	Messages    []store.Message
	Next        string // ID to page back from; "" at the end
	OlderURL    string
	Q, Platform string
	Platforms   []string
	Live        bool // the newest page without a "before": live messages are inserted
	FirmNumbers []string
}

func (p *pages) inbox(w http.ResponseWriter, r *http.Request) {
	c, _ := p.s.callerFrom(r)
	q := r.URL.Query()
	query := store.Query{Limit: inboxPageSize, Before: q.Get("before"),
		Text: strings.TrimSpace(q.Get("q")), Platform: strings.TrimSpace(q.Get("platform"))}
	msgs, next, err := p.s.messages(r.Context(), c, query)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	pg := inboxPage{pageBase: p.base(r, "Inbox", "inbox"), Messages: msgs, Next: next,
		Q: query.Text, Platform: query.Platform, Live: query.Before == ""}
	if next != "" {
		v := url.Values{"before": {next}}
		if query.Text != "" {
			v.Set("q", query.Text)
		}
		if query.Platform != "" {
			v.Set("platform", query.Platform)
		}
		pg.OlderURL = "/?" + v.Encode()
	}
	pg.Platforms = platformsOf(msgs, query.Platform)
	pg.FirmNumbers = p.firmNumbers(pg.Modems)
	p.render(w, r, http.StatusOK, "inbox", pg)
}

// platformsOf is the filter's choice list: the known platforms plus those on the page.
func platformsOf(msgs []store.Message, selected string) []string {
	seen := map[string]bool{}
	for _, n := range knownPlatforms {
		seen[n] = true
	}
	for _, m := range msgs {
		if m.Platform != "" {
			seen[m.Platform] = true
		}
	}
	if selected != "" {
		seen[selected] = true
	}
	return sortedKeys(seen)
}

// firmNumbers are the numbers of the firm's modems: reported by the SIM or entered by an Owner.
func (p *pages) firmNumbers(ms []ModemStatus) []string {
	var out []string
	seen := map[string]bool{}
	add := func(n string) {
		if n != "" && !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	for _, m := range ms {
		add(m.OwnNumber)
	}
	if set, err := p.s.st.Settings(); err == nil {
		for _, k := range sortedKeys(boolKeys(set.OwnNumbers)) {
			add(set.OwnNumbers[k])
		}
	}
	return out
}

func boolKeys(m map[string]string) map[string]bool {
	out := make(map[string]bool, len(m))
	for k := range m {
		out[k] = true
	}
	return out
}

// messagePage is one message with, for Managers and Owners, who saw it and where it was sent.
type messagePage struct {
	pageBase
	Msg        store.Message
	ShowAudit  bool
	Views      []accessEntry
	Deliveries []deliveryRow
}

// deliveryRow is a delivery with its channel's name.
type deliveryRow struct {
	store.Delivery
	Channel string
}

func (p *pages) message(w http.ResponseWriter, r *http.Request) {
	c, _ := p.s.callerFrom(r)
	id := r.PathValue("id")
	m, err := p.s.message(r.Context(), c, id)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	pg := messagePage{pageBase: p.base(r, messageTitle(m), "inbox"), Msg: m}
	if c.Role.AtLeast(store.RoleManager) {
		pg.ShowAudit = true
		if pg.Views, err = p.s.messageAccess(r.Context(), c, id); err != nil {
			p.fail(w, r, err)
			return
		}
		pg.Deliveries = p.deliveryRows(id, 100)
	}
	p.render(w, r, http.StatusOK, "message", pg)
}

func messageTitle(m store.Message) string {
	if m.Platform != "" {
		return m.Platform + " message"
	}
	return "Message"
}

// deliveryRows is the delivery log (of one message, or all when messageID is "") with names.
func (p *pages) deliveryRows(messageID string, limit int) []deliveryRow {
	ds, err := p.s.st.Deliveries(messageID, limit)
	if err != nil {
		p.s.log.Warn("reading the delivery log", "error", err)
		return nil
	}
	names := p.channelNameMap()
	rows := make([]deliveryRow, len(ds))
	for i, d := range ds {
		rows[i] = deliveryRow{Delivery: d, Channel: names[d.ChannelID]}
		if rows[i].Channel == "" {
			rows[i].Channel = "(deleted channel)"
		}
	}
	return rows
}

func (p *pages) channelNameMap() map[string]string {
	names := map[string]string{}
	chs, err := p.s.st.Channels()
	if err != nil {
		return names
	}
	for _, ch := range chs {
		names[ch.ID] = ch.Name
	}
	return names
}
