package httpui

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"firmline/store"
)

// settingsPage is the Managers' and Owners' settings: the second-factor policy, notification
// channels, rules and delivery log; for Owners also the box, numbers and API tokens.
type settingsPage struct {
	pageBase
	Settings     store.Settings
	IsOwner      bool
	Channels     []channelRow
	ChannelNames map[string]string
	Rules        []store.Rule
	Deliveries   []deliveryRow
	Tokens       []store.Token
	NewToken     string
	NewSecret    string // a generated webhook signing secret, shown once
	Test         *testShown
	ModemNumbers []modemNumber
}

// channelRow is a channel as the page shows it: never the full URL or the secret.
type channelRow struct {
	ID, Type, Name, Where string
	Redact, Default       bool
}

// testShown is the answer to "Send test" as the page shows it.
type testShown struct {
	Channel, Answer string
	OK              bool
}

type modemNumber struct{ Modem, Number string }

func (p *pages) settings(w http.ResponseWriter, r *http.Request) {
	pg, err := p.settingsData(r)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	p.render(w, r, http.StatusOK, "settings", pg)
}

func (p *pages) settingsData(r *http.Request) (settingsPage, error) {
	c, _ := p.s.callerFrom(r)
	pg := settingsPage{pageBase: p.base(r, "Settings", "settings"), IsOwner: c.Role.AtLeast(store.RoleOwner)}
	var err error
	if pg.Settings, err = p.s.st.Settings(); err != nil {
		return pg, err
	}
	chs, err := p.s.st.Channels()
	if err != nil {
		return pg, err
	}
	pg.ChannelNames = map[string]string{}
	for _, ch := range chs {
		pg.Channels = append(pg.Channels, channelRow{ID: ch.ID, Type: ch.Type, Name: ch.Name,
			Where: channelWhere(ch), Redact: ch.Redact, Default: ch.Default})
		pg.ChannelNames[ch.ID] = ch.Name
	}
	if pg.Rules, err = p.s.st.Rules(); err != nil {
		return pg, err
	}
	pg.Deliveries = p.deliveryRows("", 50)
	if pg.IsOwner {
		if pg.Tokens, err = p.s.st.Tokens(); err != nil {
			return pg, err
		}
		pg.ModemNumbers = p.modemNumbers(pg.Modems, pg.Settings)
	}
	return pg, nil
}

// channelWhere is where a channel sends, safe to show: the URL's host, or the addresses.
func channelWhere(ch store.Channel) string {
	if ch.Type == "email" {
		return ch.To
	}
	if u, err := url.Parse(ch.URL); err == nil && u.Host != "" {
		return u.Host + "/…"
	}
	return ""
}

// modemNumbers are the modems known now or by a stored number, with the stored number.
func (p *pages) modemNumbers(ms []ModemStatus, set store.Settings) []modemNumber {
	names := map[string]bool{}
	for _, m := range ms {
		names[m.Name] = true
	}
	for n := range set.OwnNumbers {
		names[n] = true
	}
	var out []modemNumber
	for _, n := range sortedKeys(names) {
		out = append(out, modemNumber{Modem: n, Number: set.OwnNumbers[n]})
	}
	return out
}

func (p *pages) settingsPolicy(w http.ResponseWriter, r *http.Request) {
	c, _ := p.s.callerFrom(r)
	r.ParseForm()
	policy := r.PostForm.Get("policy")
	if policy != "required" && policy != "optional" {
		p.settingsError(w, r, badRequest("choose optional or required"))
		return
	}
	_, err := p.s.updateSettings(r.Context(), c, settingsInput{MFAPolicy: &policy})
	p.settingsDone(w, r, err, "policy")
}

func (p *pages) settingsBox(w http.ResponseWriter, r *http.Request) {
	c, _ := p.s.callerFrom(r)
	r.ParseForm()
	f := r.PostForm
	days, err := strconv.Atoi(strings.TrimSpace(f.Get("retention_days")))
	if err != nil || days < 0 || days > 36500 {
		p.settingsError(w, r, badRequest("the retention must be a number of days (0 keeps messages forever)"))
		return
	}
	public := strings.TrimSpace(f.Get("public_url"))
	if public != "" && publicOrigin(public) == "" {
		p.settingsError(w, r, badRequest("the public URL must look like https://firmline.example.local:8443"))
		return
	}
	numbers := map[string]string{}
	for k, v := range f {
		if m, ok := strings.CutPrefix(k, "number_"); ok && strings.TrimSpace(v[0]) != "" {
			numbers[m] = strings.TrimSpace(v[0])
		}
	}
	heartbeat := f.Get("heartbeat") != ""
	_, err = p.s.updateSettings(r.Context(), c, settingsInput{RetentionDays: &days, PublicURL: &public,
		OwnNumbers: &numbers, HeartbeatDaily: &heartbeat})
	p.settingsDone(w, r, err, "box")
}

// settingsDone ends a settings POST: redirect with its confirmation, or the page with the error.
func (p *pages) settingsDone(w http.ResponseWriter, r *http.Request, err error, ok string) {
	if err != nil {
		p.settingsError(w, r, err)
		return
	}
	redirect(w, r, "/settings", ok)
}

func (p *pages) settingsError(w http.ResponseWriter, r *http.Request, err error) {
	pg, perr := p.settingsData(r)
	if perr != nil {
		p.fail(w, r, perr)
		return
	}
	var status int
	status, pg.Error = formError(err)
	if status >= 500 {
		p.s.log.Error("settings change failed", "path", r.URL.Path, "error", err)
	}
	p.render(w, r, status, "settings", pg)
}

func (p *pages) channelAdd(w http.ResponseWriter, r *http.Request) {
	c, _ := p.s.callerFrom(r)
	r.ParseForm()
	f := r.PostForm
	in := channelInput{Type: f.Get("type"), Name: strings.TrimSpace(f.Get("name")),
		URL: strings.TrimSpace(f.Get("url")), To: strings.TrimSpace(f.Get("to")),
		Secret: strings.TrimSpace(f.Get("secret")), Redact: f.Get("redact") != "", Default: f.Get("default") != ""}
	_, generated, err := p.s.createChannel(r.Context(), c, in)
	if err != nil || generated == "" {
		p.settingsDone(w, r, err, "channel")
		return
	}
	// The generated webhook secret exists only in this response: show it once, no redirect.
	pg, err := p.settingsData(r)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	pg.Flash, pg.NewSecret = flashes["channel"], generated
	p.render(w, r, http.StatusOK, "settings", pg)
}

// channelTest sends a test and shows the receiver's answer on the settings page.
func (p *pages) channelTest(w http.ResponseWriter, r *http.Request) {
	c, _ := p.s.callerFrom(r)
	id := r.PathValue("id")
	ch, err := p.s.st.Channel(id)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	res, err := p.s.testChannel(r.Context(), c, id)
	if err != nil {
		p.settingsError(w, r, err)
		return
	}
	pg, err := p.settingsData(r)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	pg.Test = &testShown{Channel: ch.Name, OK: res.OK, Answer: testAnswer(res)}
	p.render(w, r, http.StatusOK, "settings", pg)
}

// testAnswer says what the receiver answered, in words.
func testAnswer(res testResult) string {
	var parts []string
	if res.Status != 0 {
		parts = append(parts, fmt.Sprintf("the receiver answered %d", res.Status))
	}
	if b := strings.TrimSpace(res.Body); b != "" {
		parts = append(parts, "“"+b+"”")
	}
	if res.Error != "" {
		parts = append(parts, "not delivered: "+res.Error)
	}
	if len(parts) == 0 {
		return "delivered"
	}
	return strings.Join(parts, " ")
}

func (p *pages) channelDeletePage(w http.ResponseWriter, r *http.Request) {
	ch, err := p.s.st.Channel(r.PathValue("id"))
	if err != nil {
		p.fail(w, r, err)
		return
	}
	pg := confirmPage{pageBase: p.base(r, "Delete channel", "settings"), Heading: "Delete the channel " + ch.Name + "?",
		Lines:  []string{"Codes will no longer be sent to " + ch.Name + ". Rules that name it stop sending there; notifications already queued for it are dropped."},
		Action: "/settings/channels/" + ch.ID + "/delete", Button: "Delete " + ch.Name, Cancel: "/settings#channels", Danger: true}
	p.render(w, r, http.StatusOK, "confirm", pg)
}

func (p *pages) channelDeletePost(w http.ResponseWriter, r *http.Request) {
	c, _ := p.s.callerFrom(r)
	p.settingsDone(w, r, p.s.deleteChannel(r.Context(), c, r.PathValue("id")), "channel-rm")
}

func (p *pages) ruleAdd(w http.ResponseWriter, r *http.Request) {
	c, _ := p.s.callerFrom(r)
	r.ParseForm()
	f := r.PostForm
	rule := store.Rule{Platform: strings.TrimSpace(f.Get("platform")), Sender: strings.TrimSpace(f.Get("sender")),
		Text: strings.TrimSpace(f.Get("text")), Regex: f.Get("regex") != "", Channels: f["channel"], Stop: f.Get("stop") != ""}
	rules, err := p.s.st.Rules()
	if err == nil {
		err = p.s.putRules(r.Context(), c, append(rules, rule))
	}
	p.settingsDone(w, r, err, "rule")
}

func (p *pages) ruleDelete(w http.ResponseWriter, r *http.Request) {
	c, _ := p.s.callerFrom(r)
	rules, err := p.s.st.Rules()
	if err != nil {
		p.fail(w, r, err)
		return
	}
	kept := rules[:0]
	for _, ru := range rules {
		if ru.ID != r.PathValue("id") {
			kept = append(kept, ru)
		}
	}
	p.settingsDone(w, r, p.s.putRules(r.Context(), c, kept), "rule")
}

// tokenCreate makes an API token and shows it once on the settings page.
func (p *pages) tokenCreate(w http.ResponseWriter, r *http.Request) {
	c, _ := p.s.callerFrom(r)
	r.ParseForm()
	role, err := store.ParseRole(r.PostForm.Get("role"))
	var plain string
	if err == nil {
		_, plain, err = p.s.createToken(r.Context(), c, strings.TrimSpace(r.PostForm.Get("name")), role)
	}
	if err != nil {
		p.settingsError(w, r, err)
		return
	}
	pg, err := p.settingsData(r)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	pg.NewToken = plain
	p.render(w, r, http.StatusOK, "settings", pg)
}

func (p *pages) tokenRevoke(w http.ResponseWriter, r *http.Request) {
	c, _ := p.s.callerFrom(r)
	r.ParseForm()
	p.settingsDone(w, r, p.s.revokeToken(r.Context(), c, r.PostForm.Get("name")), "token-rm")
}
