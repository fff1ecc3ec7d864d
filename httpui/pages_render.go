package httpui

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"math"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"firmline/assets"
	"firmline/store"
)

// staleAfter is the age after which a code is shown as stale (most codes expire in 5-10 min).
const staleAfter = 10 * time.Minute

// pages renders the server-side HTML pages. It is built once by pageRoutes and read-only
// afterwards, so its handlers are safe for concurrent use.
type pages struct {
	s      *Server
	tpl    map[string]*template.Template
	static *assets.Static
}

// newPages parses every template and hashes the static files.
func newPages(s *Server) (*pages, error) {
	st, err := assets.NewStatic()
	if err != nil {
		return nil, err
	}
	p := &pages{s: s, static: st}
	if p.tpl, err = assets.Templates(p.funcs()); err != nil {
		return nil, err
	}
	return p, nil
}

// pageBase is what the layout needs; every page struct embeds it.
type pageBase struct {
	Title    string
	Nav      string // "inbox", "team", "settings", "account", "" on sign-in pages
	User     *store.User
	Modems   []ModemStatus
	Seq      uint64 // the store's last change sequence at render time, for the live replay
	Flash    string
	Error    string
	FirmName string
	Version  string
}

// flashes are the fixed confirmations a redirect may ask for with ?ok=KEY (PRG); only these
// texts are shown, so nothing from the URL is reflected.
var flashes = map[string]string{
	"password":   "Your password was changed. Your other sessions were signed out.",
	"mfa-off":    "Two-step sign-in was turned off.",
	"session":    "That session was signed out.",
	"sessions":   "All your other sessions were signed out.",
	"notify":     "Your email preferences were saved.",
	"role":       "The role was changed. That person's sessions were signed out so the new role applies at once.",
	"removed":    "The person was removed: signed out everywhere, their API tokens revoked.",
	"revoked":    "The invitation was revoked.",
	"mfa-req":    "Two-step sign-in is now required for that person at their next sign-in.",
	"mfa-inv":    "The person was invited to turn on two-step sign-in.",
	"mfa-unreq":  "Two-step sign-in is no longer required for that person (the firm-wide policy still applies).",
	"mfa-dis":    "Their two-step sign-in was disabled. They can sign in with their password and set it up again.",
	"policy":     "The two-step sign-in policy was saved.",
	"channel":    "The channel was added.",
	"channel-rm": "The channel was deleted.",
	"rule":       "The rules were saved.",
	"box":        "The settings were saved.",
	"token-rm":   "The token was revoked.",
	"mfa-on":     "Two-step sign-in is on.",
	"welcome":    "Welcome to firmline.",
}

// base fills the layout's data for the caller of r.
func (p *pages) base(r *http.Request, title, nav string) pageBase {
	b := pageBase{Title: title, Nav: nav, Version: p.s.cfg.Version, Flash: flashes[r.URL.Query().Get("ok")]}
	if c, ok := p.s.callerFrom(r); ok && c.User.ID != "" && !c.Pending() {
		u := c.User
		b.User = &u
		b.Seq = p.s.st.LastSeq()
		b.Modems = p.modems()
	}
	return b
}

// modems returns the modem states with the Owner-entered numbers filled in where the SIM
// does not report its own.
func (p *pages) modems() []ModemStatus {
	ms := p.s.modems()
	set, err := p.s.st.Settings()
	if err != nil {
		return ms
	}
	for i := range ms {
		if n := set.OwnNumbers[ms[i].Name]; n != "" && ms[i].OwnNumber == "" {
			ms[i].OwnNumber = n
		}
	}
	return ms
}

// render executes the page into a buffer and writes it only on success.
func (p *pages) render(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	t, ok := p.tpl[name]
	var buf bytes.Buffer
	if !ok {
		p.s.log.Error("unknown page template", "template", name)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	if err := t.ExecuteTemplate(&buf, "layout", data); err != nil {
		p.s.log.Error("rendering page", "template", name, "error", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	buf.WriteTo(w)
}

// errorPage is the 403/404/500 page.
type errorPage struct {
	pageBase
	Heading, Text string
}

// fail renders the error page for err (statusOf maps it; users never see err.Error()).
func (p *pages) fail(w http.ResponseWriter, r *http.Request, err error) {
	status, msg := statusOf(err)
	if status == http.StatusUnauthorized {
		http.Redirect(w, r, "/login?signed_out=1", http.StatusSeeOther)
		return
	}
	p.showError(w, r, status, msg)
}

func (p *pages) showError(w http.ResponseWriter, r *http.Request, status int, msg string) {
	heading := map[int]string{
		http.StatusForbidden: "Not allowed",
		http.StatusNotFound:  "Not found",
	}[status]
	if heading == "" {
		heading = "Something went wrong"
	}
	if msg == "" || status >= 500 {
		msg = "The request could not be completed. Try again; if it keeps failing, the box's log says why."
	}
	if status == http.StatusForbidden {
		msg = "Your role does not allow this page. Ask an Owner or Manager of your firm if you need it."
	}
	pg := errorPage{pageBase: p.base(r, heading, ""), Heading: heading, Text: capitalise(msg)}
	p.render(w, r, status, "error", pg)
}

// denied answers a caller a page route refuses: the sign-in page for 401 and for sessions
// that still owe their second factor, the 403 page otherwise.
func (p *pages) denied(w http.ResponseWriter, r *http.Request, status int) {
	// The guard does not attach a refused caller to the request, so authenticate again to
	// tell a pending session (send it to its next sign-in step) from a missing one.
	c, err := p.s.authenticate(r)
	if err == nil && c.Pending() {
		http.Redirect(w, r, p.pendingTarget(c), http.StatusSeeOther)
		return
	}
	if err == nil {
		r = withCaller(r, c) // the 403 page keeps the signed-in header and navigation
	}
	if status == http.StatusUnauthorized {
		target := "/login"
		if r.Method == http.MethodGet && r.URL.Path != "/" {
			target += "?next=" + url.QueryEscape(r.URL.RequestURI())
		}
		http.Redirect(w, r, target, http.StatusSeeOther)
		return
	}
	p.showError(w, r, status, "")
}

// redirect ends a successful POST (PRG) with an optional fixed confirmation.
func redirect(w http.ResponseWriter, r *http.Request, path, ok string) {
	if ok != "" {
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		path += sep + "ok=" + ok
	}
	http.Redirect(w, r, path, http.StatusSeeOther)
}

// safeNext returns next when it is a local path, "/" otherwise (no open redirects). Browsers
// drop tabs and newlines from URLs and read a backslash as a slash, so any of those refuse.
func safeNext(next string) string {
	if next == "" || next[0] != '/' || strings.HasPrefix(next, "//") || strings.ContainsRune(next, '\\') ||
		strings.ContainsFunc(next, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return "/"
	}
	return next
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// formError is the message to show inline in a form for err, and its status.
func formError(err error) (int, string) {
	status, msg := statusOf(err)
	var pe *PolicyError
	if errors.As(err, &pe) {
		return http.StatusBadRequest, capitalise(pe.Reason) + "."
	}
	return status, capitalise(msg) + "."
}

// funcs are the template helpers. ago and stale use the server's clock.
func (p *pages) funcs() template.FuncMap {
	return template.FuncMap{
		"static":       p.static.URL,
		"ago":          func(t time.Time) string { return ago(p.s.now().Sub(t)) },
		"stale":        func(t time.Time) bool { return p.s.now().Sub(t) > staleAfter },
		"rfc3339":      func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		"longTime":     func(t time.Time) string { return t.UTC().Format("2 Jan 2006 15:04:05 UTC") },
		"networkTime":  func(t time.Time) string { return t.Format("2 Jan 2006 15:04:05 -07:00") },
		"roleAtLeast":  func(r store.Role, min string) bool { return r.AtLeast(store.Role(min)) },
		"modemClass":   modemClass,
		"modemProblem": modemProblem,
		"bars":         bars,
		"actionLabel":  actionLabel,
		"statusClass":  statusClass,
		"inc":          func(i int) int { return i + 1 },
		"channelNames": channelNames,
	}
}

// ago is the relative age shown on cards; app.js computes the same text every 30 s.
func ago(d time.Duration) string {
	s := math.Round(math.Max(0, d.Seconds()))
	if s < 45 {
		return "just now"
	}
	m := math.Round(s / 60)
	if m < 60 {
		return fmt.Sprintf("%d min ago", int(m))
	}
	h := math.Round(m / 60)
	if h < 24 {
		return fmt.Sprintf("%d h ago", int(h))
	}
	days := int(math.Round(h / 24))
	if days == 1 {
		return "yesterday"
	}
	return fmt.Sprintf("%d days ago", days)
}

func modemClass(m ModemStatus) string {
	switch m.State {
	case "ready":
		return "ok"
	case "disconnected", "no-sim", "no-network", "error":
		return "bad"
	}
	return "warn"
}

// modemProblem is the banner text for a modem that cannot receive codes, "" when it can.
// app.js has the same texts for live updates.
func modemProblem(m ModemStatus) string {
	switch m.State {
	case "disconnected":
		return "The modem " + m.Name + " is disconnected: no codes can arrive. Check its USB cable and power."
	case "no-sim":
		return "The modem " + m.Name + " has no SIM card: no codes can arrive."
	case "no-network":
		return "The modem " + m.Name + " has no mobile network: codes will arrive when it is back."
	}
	if m.StorageTotal > 0 && m.StorageUsed >= m.StorageTotal {
		return "The SIM storage of " + m.Name + " is full: new codes may be refused by the network."
	}
	return ""
}

// bars returns five booleans, true for each lit signal bar.
func bars(n int) []bool {
	b := make([]bool, 5)
	for i := range b {
		b[i] = i < n
	}
	return b
}

var actionLabels = map[string]string{
	"message.viewed":      "viewed the message",
	"message.code_copied": "copied the code",
	"message.copied":      "copied the code",
	"user.deleted":        "removed (offboarded)",
	"user.removed":        "removed (offboarded)",
	"user.role_changed":   "changed role",
	"user.joined":         "joined",
	"user.invited":        "invited",
	"mfa.disabled":        "second factor disabled",
	"mfa.reset":           "second factor reset",
	"token.revoked":       "API token revoked",
}

func actionLabel(a string) string {
	if l, ok := actionLabels[a]; ok {
		return l
	}
	return a
}

func statusClass(s string) string {
	switch s {
	case "delivered":
		return "ok"
	case "failed":
		return "bad"
	}
	return "warn"
}

// channelNames lists the names of channel IDs, in order, for the rules table.
func channelNames(names map[string]string, ids []string) string {
	if len(ids) == 0 {
		return "the default channels"
	}
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		n := names[id]
		if n == "" {
			n = "(deleted channel)"
		}
		out = append(out, n)
	}
	return strings.Join(out, ", ")
}

// sortedKeys returns the keys of m in case-insensitive order (iManage sorts among the Is).
func sortedKeys(m map[string]bool) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Slice(ks, func(i, j int) bool { return strings.ToLower(ks[i]) < strings.ToLower(ks[j]) })
	return ks
}
