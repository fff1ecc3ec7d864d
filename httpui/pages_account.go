package httpui

import (
	"encoding/base64"
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"github.com/pquerna/otp"
)

// accountPage is the signed-in person's own settings.
type accountPage struct {
	pageBase
	PasswordError   string
	CanDisableMFA   bool
	Sessions        []sessionRow
	NotifyAll       bool
	NotifyPlatforms []platformPref
	MailerReady     bool
}

type sessionRow struct {
	sessionView
	Device string
	Key    string
}

type platformPref struct {
	Name string
	On   bool
}

func (p *pages) account(w http.ResponseWriter, r *http.Request) {
	pg, err := p.accountData(r)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	p.render(w, r, http.StatusOK, "account", pg)
}

func (p *pages) accountData(r *http.Request) (accountPage, error) {
	c, _ := p.s.callerFrom(r)
	views, err := p.s.sessions(r.Context(), c)
	if err != nil {
		return accountPage{}, err
	}
	pg := accountPage{pageBase: p.base(r, "My account", "account"), MailerReady: p.s.mailer != nil}
	for _, v := range views {
		pg.Sessions = append(pg.Sessions, sessionRow{sessionView: v, Device: device(v.UserAgent), Key: v.ID})
	}
	set, _ := p.s.st.Settings()
	pg.CanDisableMFA = set.MFAPolicy != "required" && !c.User.MFARequired
	chosen := map[string]bool{}
	for _, n := range c.User.NotifyPlatforms {
		chosen[n] = true
	}
	pg.NotifyAll = chosen["*"]
	names := map[string]bool{}
	for _, n := range knownPlatforms {
		names[n] = true
	}
	for n := range chosen {
		if n != "*" {
			names[n] = true
		}
	}
	for _, n := range sortedKeys(names) {
		pg.NotifyPlatforms = append(pg.NotifyPlatforms, platformPref{Name: n, On: chosen[n]})
	}
	return pg, nil
}

// device is a short human name for a browser's User-Agent.
func device(ua string) string {
	browser := "A browser"
	for _, b := range []struct{ key, name string }{
		{"Edg/", "Edge"}, {"Firefox/", "Firefox"}, {"Chrome/", "Chrome"}, {"Safari/", "Safari"}, {"curl/", "curl"},
	} {
		if strings.Contains(ua, b.key) {
			browser = b.name
			break
		}
	}
	for _, o := range []struct{ key, name string }{
		{"iPhone", "iPhone"}, {"iPad", "iPad"}, {"Android", "Android"}, {"Windows", "Windows"},
		{"Mac OS X", "Mac"}, {"Linux", "Linux"},
	} {
		if strings.Contains(ua, o.key) {
			return browser + " on " + o.name
		}
	}
	return browser
}

func (p *pages) accountPassword(w http.ResponseWriter, r *http.Request) {
	c, _ := p.s.callerFrom(r)
	r.ParseForm()
	f := r.PostForm
	var err error
	if f.Get("password") != f.Get("password2") {
		err = badRequest("the two new passwords differ")
	} else {
		err = p.s.changePassword(r.Context(), c, f.Get("current"), f.Get("password"))
	}
	if err == nil {
		redirect(w, r, "/account", "password")
		return
	}
	pg, perr := p.accountData(r)
	if perr != nil {
		p.fail(w, r, perr)
		return
	}
	status, msg := formError(err)
	if status == http.StatusUnauthorized {
		status = http.StatusBadRequest // a wrong current password, not a lost session
	}
	pg.PasswordError = msg
	p.render(w, r, status, "account", pg)
}

func (p *pages) sessionRevoke(w http.ResponseWriter, r *http.Request) {
	c, _ := p.s.callerFrom(r)
	p.done(w, r, p.s.revokeSession(r.Context(), c, r.PathValue("id")), "/account", "session")
}

func (p *pages) sessionRevokeOthers(w http.ResponseWriter, r *http.Request) {
	c, _ := p.s.callerFrom(r)
	p.done(w, r, p.s.revokeOtherSessions(r.Context(), c), "/account", "sessions")
}

func (p *pages) accountNotify(w http.ResponseWriter, r *http.Request) {
	c, _ := p.s.callerFrom(r)
	r.ParseForm()
	platforms := r.PostForm["platform"]
	for _, v := range platforms {
		if v == "*" {
			platforms = []string{"*"}
			break
		}
	}
	_, err := p.s.setNotifications(r.Context(), c, platforms)
	p.done(w, r, err, "/account", "notify")
}

// mfaPage is the second-factor enrolment (QR code and key), then the backup codes, once.
type mfaPage struct {
	pageBase
	QR          template.URL
	Secret      string
	Required    bool
	BackupCodes []string
	BackupFile  template.URL
}

// mfaPage starts (or resumes) the enrolment. A pending secret is reused, so reloading the
// page or mistyping the first code does not invalidate the QR code already scanned.
func (p *pages) mfaPage(w http.ResponseWriter, r *http.Request) {
	c, _ := p.s.callerFrom(r)
	if c.User.TOTPSecret != "" && !c.Pending() {
		http.Redirect(w, r, "/account#mfa", http.StatusSeeOther)
		return
	}
	pg, err := p.enrolment(r, c)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	p.render(w, r, http.StatusOK, "mfa", pg)
}

func (p *pages) enrolment(r *http.Request, c caller) (mfaPage, error) {
	pg := mfaPage{pageBase: p.base(r, "Two-step sign-in", "account"), Required: c.Pending() || c.User.MFARequired}
	if c.User.TOTPPending != "" {
		qr, err := pendingQR(c.User.Email, c.User.TOTPPending)
		if err == nil {
			pg.QR, pg.Secret = template.URL(qr), c.User.TOTPPending
			return pg, nil
		}
	}
	e, err := p.s.enrolTOTP(r.Context(), c)
	if err != nil {
		return pg, err
	}
	pg.QR, pg.Secret = template.URL(e.QR), e.Secret
	return pg, nil
}

// pendingQR renders the otpauth:// key of a pending secret as a PNG data: URL.
func pendingQR(email, secret string) (string, error) {
	u := url.URL{Scheme: "otpauth", Host: "totp", Path: "/" + totpIssuer + ":" + email,
		RawQuery: url.Values{"secret": {secret}, "issuer": {totpIssuer}, "algorithm": {"SHA1"},
			"digits": {"6"}, "period": {"30"}}.Encode()}
	key, err := otp.NewKeyFromURL(u.String())
	if err != nil {
		return "", err
	}
	return qrDataURL(key)
}

func (p *pages) mfaPost(w http.ResponseWriter, r *http.Request) {
	c, _ := p.s.callerFrom(r)
	r.ParseForm()
	code := strings.ReplaceAll(strings.TrimSpace(r.PostForm.Get("code")), " ", "")
	codes, res, err := p.s.confirmTOTP(r.Context(), c, code)
	if err != nil {
		pg, perr := p.enrolment(r, c)
		if perr != nil {
			p.fail(w, r, perr)
			return
		}
		_, pg.Error = formError(err)
		p.render(w, r, http.StatusBadRequest, "mfa", pg)
		return
	}
	p.s.setSessionCookie(w, res)
	p.showBackupCodes(w, r, codes)
}

// showBackupCodes shows new backup codes once, with a download link that carries them in a
// data: URL (they exist nowhere else in clear text).
func (p *pages) showBackupCodes(w http.ResponseWriter, r *http.Request, codes []string) {
	pg := mfaPage{pageBase: p.base(r, "Backup codes", "account"), BackupCodes: codes}
	if c, ok := p.s.callerFrom(r); ok && pg.User == nil {
		// The session was pending until this request finished the enrolment.
		if u, err := p.s.st.User(c.User.ID); err == nil {
			pg.User, pg.Seq, pg.Modems = &u, p.s.st.LastSeq(), p.modems()
		}
	}
	pg.Flash = flashes["mfa-on"]
	text := "firmline backup codes (each works once)\n\n" + strings.Join(codes, "\n") + "\n"
	pg.BackupFile = template.URL("data:text/plain;charset=utf-8;base64," + base64.StdEncoding.EncodeToString([]byte(text)))
	p.render(w, r, http.StatusOK, "mfa", pg)
}

func (p *pages) mfaDisablePage(w http.ResponseWriter, r *http.Request) {
	p.render(w, r, http.StatusOK, "confirm", p.mfaDisableConfirm(r))
}

func (p *pages) mfaDisableConfirm(r *http.Request) confirmPage {
	return confirmPage{pageBase: p.base(r, "Turn off two-step sign-in", "account"),
		Heading: "Turn off two-step sign-in?",
		Lines: []string{"Anyone who learns your password could then read the firm's codes. " +
			"Your backup codes stop working."},
		AskPassword: true, AskCode: true,
		Action: "/account/mfa/disable", Button: "Turn off", Cancel: "/account", Danger: true}
}

func (p *pages) mfaDisablePost(w http.ResponseWriter, r *http.Request) {
	c, _ := p.s.callerFrom(r)
	r.ParseForm()
	err := p.s.removeMFA(r.Context(), c, r.PostForm.Get("password"), strings.TrimSpace(r.PostForm.Get("code")))
	if err != nil {
		pg := p.mfaDisableConfirm(r)
		_, pg.Error = formError(err)
		p.render(w, r, http.StatusBadRequest, "confirm", pg)
		return
	}
	redirect(w, r, "/account", "mfa-off")
}

func (p *pages) backupCodesPage(w http.ResponseWriter, r *http.Request) {
	p.render(w, r, http.StatusOK, "confirm", p.backupConfirm(r))
}

func (p *pages) backupConfirm(r *http.Request) confirmPage {
	return confirmPage{pageBase: p.base(r, "New backup codes", "account"), Heading: "Make new backup codes?",
		Lines:       []string{"Your ten new codes replace the old ones: every old backup code stops working."},
		AskPassword: true, Action: "/account/backup-codes", Button: "Make new codes", Cancel: "/account"}
}

func (p *pages) backupCodesPost(w http.ResponseWriter, r *http.Request) {
	c, _ := p.s.callerFrom(r)
	r.ParseForm()
	codes, err := p.s.regenerateBackupCodes(r.Context(), c, r.PostForm.Get("password"))
	if err != nil {
		pg := p.backupConfirm(r)
		_, pg.Error = formError(err)
		p.render(w, r, http.StatusBadRequest, "confirm", pg)
		return
	}
	p.showBackupCodes(w, r, codes)
}
