package httpui

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/pquerna/otp/totp"

	"firmline/store"
)

// TestFirstRunInviteAndMFA walks the pages a firm uses on day one: setup with the logged
// code, an invitation accepted, a second factor enrolled with its backup codes, and a
// sign-in that owes and then pays its second factor with a backup code.
func TestFirstRunInviteAndMFA(t *testing.T) {
	t.Parallel()
	e := newPgEnv(t, nil)
	if _, err := e.st.UpdateSettings(func(s *store.Settings) error {
		s.SetupCodeHash = hashSecret(normSetupCode("TEST-CODE"))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if got, _, loc := e.do("GET", "/login", nil, nil); got != 303 || loc != "/setup" {
		t.Fatalf("GET /login before setup: %d %q", got, loc)
	}
	setup := url.Values{"setup_code": {"test-code"}, "name": {"Olivia Owner"}, "email": {"olivia@firm.example"},
		"password": {"correct horse battery staple"}, "password2": {"correct horse battery stapler"}}
	if got, body, _, _ := e.form("/setup", nil, setup); got != 400 || !strings.Contains(body, "The two passwords differ.") {
		t.Fatalf("setup with differing passwords: %d", got)
	}
	setup.Set("password2", "correct horse battery staple")
	got, _, loc, ownerCk := e.form("/setup", nil, setup)
	if got != 303 || loc != "/?ok=welcome" || ownerCk == nil {
		t.Fatalf("setup: %d %q cookie %v", got, loc, ownerCk)
	}

	got, body, _, _ := e.form("/team/invite", ownerCk, url.Values{"email": {"alex@firm.example"}, "role": {"viewer"}})
	link := between(body, `<code class="link-box" id="invite-link">`, "</code>")
	if got != 200 || !strings.Contains(link, "/invite/") {
		t.Fatalf("invite: %d, link %q", got, link)
	}
	invitePath := link[strings.Index(link, "/invite/"):]
	if got, body, _ := e.do("GET", invitePath, nil, nil); got != 200 || !strings.Contains(body, "alex@firm.example") {
		t.Fatalf("GET %s: %d", invitePath, got)
	}
	got, _, loc, alexCk := e.form(invitePath, nil, url.Values{"name": {"Alex Associate"},
		"password": {"lemon tractor violin 42"}, "password2": {"lemon tractor violin 42"}})
	if got != 303 || alexCk == nil {
		t.Fatalf("accept: %d %q", got, loc)
	}
	if got, body, _ := e.do("GET", invitePath, nil, nil); got != 404 || !strings.Contains(body, "already used") {
		t.Fatalf("a used invitation: %d", got)
	}

	_, body, _ = e.do("GET", "/account/mfa", alexCk, nil)
	secret := between(body, `<code class="secret" id="totp-secret">`, "</code>")
	if secret == "" || !strings.Contains(body, `src="data:image/png;base64,`) {
		t.Fatal("the enrolment page has no key or QR code")
	}
	if got, body, _, _ := e.form("/account/mfa", alexCk, url.Values{"code": {"000000"}}); got != 400 || !strings.Contains(body, secret) {
		t.Fatalf("a wrong first code: %d (the same key must stay on the page)", got)
	}
	code, err := totp.GenerateCode(secret, e.clock())
	if err != nil {
		t.Fatal(err)
	}
	got, body, _, _ = e.form("/account/mfa", alexCk, url.Values{"code": {code}})
	backup := between(body, `<ol class="backup-codes mono"><li>`, "</li>")
	if got != 200 || strings.Count(body, "</li>") < 10 || backup == "" || !strings.Contains(body, `download="firmline-backup-codes.txt"`) {
		t.Fatalf("confirm: %d, first backup code %q", got, backup)
	}

	e.form("/logout", alexCk, url.Values{})
	got, _, loc, pending := e.form("/login", nil, url.Values{"email": {"alex@firm.example"}, "password": {"lemon tractor violin 42"}})
	if got != 303 || loc != "/login?step=mfa" || pending == nil {
		t.Fatalf("password step: %d %q", got, loc)
	}
	if got, _, loc := e.do("GET", "/", pending, nil); got != 303 || loc != "/login?step=mfa" {
		t.Fatalf("the inbox with a code still owed: %d %q", got, loc)
	}
	if got, body, _, _ := e.form("/login/mfa", pending, url.Values{"code": {"000000"}}); got != 200 || !strings.Contains(body, "Wrong or already used code.") {
		t.Fatalf("a wrong code: %d", got)
	}
	got, _, loc, full := e.form("/login/mfa", pending, url.Values{"backup": {backup}})
	if got != 303 || loc != "/" {
		t.Fatalf("backup code: %d %q", got, loc)
	}
	if full == nil {
		full = pending // the session was upgraded in place
	}
	if got, _, _ := e.do("GET", "/", full, nil); got != 200 {
		t.Fatalf("the inbox after the second factor: %d", got)
	}
}

// TestSettingsChannelsRulesAndTest adds a webhook channel (its generated secret shown once),
// sends a test and shows the receiver's answer, adds and deletes a rule, deletes the channel
// after its confirmation page, and saves the Owner's box settings.
func TestSettingsChannelsRulesAndTest(t *testing.T) {
	t.Parallel()
	e := newPgEnv(t, nil)
	u := e.team()
	got, body, _, _ := e.form("/settings/channels", u.managerCk, url.Values{"type": {"webhook"}, "name": {"Front desk hook"},
		"url": {"https://hooks.firm.example/in"}, "default": {"1"}})
	if got != 200 || !strings.Contains(body, "Webhook signing secret") {
		t.Fatalf("add webhook: %d", got)
	}
	chs, err := e.st.Channels()
	if err != nil || len(chs) != 1 {
		t.Fatalf("channels %v, %v", chs, err)
	}
	if strings.Contains(body, "https://hooks.firm.example/in") {
		t.Error("the settings page shows a channel's full URL")
	}
	got, body, _, _ = e.form("/settings/channels", u.managerCk, url.Values{"type": {"teams"}, "name": {"Old"},
		"url": {"https://firm.webhook.office.com/webhookb2/x"}})
	if got != 400 || !strings.Contains(body, "Microsoft retired") {
		t.Errorf("a retired Office 365 connector: %d (want the reason inline)", got)
	}
	id := chs[0].ID
	if got, body, _, _ = e.form("/settings/channels/"+id+"/test", u.managerCk, url.Values{}); got != 200 ||
		!strings.Contains(body, "the receiver answered 200") {
		t.Fatalf("send test: %d", got)
	}
	if got, _, loc, _ := e.form("/settings/rules", u.managerCk, url.Values{"platform": {"Clio"}, "channel": {id}, "stop": {"1"}}); got != 303 || loc != "/settings?ok=rule" {
		t.Fatalf("add rule: %d %q", got, loc)
	}
	rules, _ := e.st.Rules()
	if len(rules) != 1 || rules[0].Platform != "Clio" {
		t.Fatalf("rules %+v", rules)
	}
	if got, _, _, _ := e.form("/settings/rules/"+rules[0].ID+"/delete", u.managerCk, url.Values{}); got != 303 {
		t.Fatalf("delete rule: %d", got)
	}
	if _, body, _ := e.do("GET", "/settings/channels/"+id+"/delete", u.managerCk, nil); !strings.Contains(body, "Codes will no longer be sent to Front desk hook.") {
		t.Fatal("the channel delete confirmation does not say what happens")
	}
	if got, _, _, _ := e.form("/settings/channels/"+id+"/delete", u.managerCk, url.Values{"confirm": {"yes"}}); got != 303 {
		t.Fatalf("delete channel: %d", got)
	}
	if chs, _ := e.st.Channels(); len(chs) != 0 {
		t.Fatal("the channel is still there")
	}
	box := url.Values{"retention_days": {"90"}, "public_url": {"https://inbox.firm.example:8443"}, "number_sim0": {"+15550100"}}
	if got, _, loc, _ := e.form("/settings/box", u.ownerCk, box); got != 303 || loc != "/settings?ok=box" {
		t.Fatalf("box settings: %d %q", got, loc)
	}
	set, _ := e.st.Settings()
	if set.RetentionDays != 90 || set.OwnNumbers["sim0"] != "+15550100" || set.PublicURL != "https://inbox.firm.example:8443" {
		t.Fatalf("settings not saved: %+v", set)
	}
	if got, _, _, _ := e.form("/settings/box", u.ownerCk, url.Values{"retention_days": {"-1"}}); got != 400 {
		t.Fatalf("a negative retention: %d", got)
	}
}

// TestReportJSONAndAudit: the compliance report lists everyone with their second-factor
// state and the offboarding, says the chain is intact, and exports the same as JSON; the
// audit page filters by action.
func TestReportJSONAndAudit(t *testing.T) {
	t.Parallel()
	e := newPgEnv(t, nil)
	u := e.team()
	if got, _, _, _ := e.form("/team/users/"+u.viewer.ID+"/remove", u.ownerCk, url.Values{"confirm": {"yes"}}); got != 303 {
		t.Fatalf("remove: %d", got)
	}
	status, body, _ := e.do("GET", "/report", u.managerCk, nil)
	if status != 200 || !strings.Contains(body, "max@firm.example") || !strings.Contains(body, "intact") ||
		!strings.Contains(body, "val@firm.example") {
		t.Fatalf("report: %d\n%s", status, body)
	}
	status, body, _ = e.do("GET", "/report?format=json", u.managerCk, nil)
	var rep struct {
		Users []struct {
			Email string `json:"email"`
			MFA   string `json:"second_factor"`
		} `json:"users"`
		Changes []store.AuditEntry `json:"access_changes"`
		Intact  bool               `json:"audit_chain_intact"`
	}
	if err := json.Unmarshal([]byte(body), &rep); err != nil || status != 200 {
		t.Fatalf("report JSON: %d %v", status, err)
	}
	if len(rep.Users) != 2 || !rep.Intact || len(rep.Changes) == 0 {
		t.Fatalf("report JSON %+v", rep)
	}
	_, body, _ = e.do("GET", "/audit?action="+url.QueryEscape(rep.Changes[0].Action), u.managerCk, nil)
	if !strings.Contains(body, rep.Changes[0].Target) || !strings.Contains(body, "/api/v1/audit/export?format=csv") {
		t.Fatal("the audit page does not show the filtered entry or the export link")
	}
}
