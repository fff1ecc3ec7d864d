package httpui

import (
	"errors"
	"net/http"
	"strings"

	"firmline/store"
)

// loginPage is the sign-in page: the password step, then the second-factor step.
type loginPage struct {
	pageBase
	Step      string // "password" | "mfa" | "backup"
	Email     string
	Remember  bool
	SignedOut bool
	Next      string
}

// pendingTarget is where a session that still owes its second factor must go next.
func (p *pages) pendingTarget(c caller) string {
	if c.state == stateEnrolOwed {
		return "/account/mfa"
	}
	return "/login?step=mfa"
}

func (p *pages) loginPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if c, ok := p.s.callerFrom(r); ok && c.User.ID != "" {
		if !c.Pending() {
			http.Redirect(w, r, safeNext(q.Get("next")), http.StatusSeeOther)
			return
		}
		if c.state == stateEnrolOwed {
			http.Redirect(w, r, "/account/mfa", http.StatusSeeOther)
			return
		}
		step := "mfa"
		if q.Get("step") == "backup" {
			step = "backup"
		}
		p.showLogin(w, r, http.StatusOK, loginPage{Step: step})
		return
	}
	if p.s.setupOpen() {
		http.Redirect(w, r, "/setup", http.StatusSeeOther)
		return
	}
	p.showLogin(w, r, http.StatusOK, loginPage{Step: "password", SignedOut: q.Get("signed_out") != "", Next: q.Get("next")})
}

func (p *pages) showLogin(w http.ResponseWriter, r *http.Request, status int, pg loginPage) {
	err := pg.Error
	pg.pageBase = p.base(r, "Sign in", "")
	pg.Error = err
	pg.User = nil
	p.render(w, r, status, "login", pg)
}

func (p *pages) loginPost(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	in := loginInput{
		Email:     strings.TrimSpace(r.PostForm.Get("email")),
		Password:  r.PostForm.Get("password"),
		Remember:  r.PostForm.Get("remember") != "",
		Addr:      remoteAddr(r),
		UserAgent: r.UserAgent(),
	}
	next := safeNext(r.URL.Query().Get("next"))
	res, err := p.s.login(r.Context(), in)
	if err != nil {
		status, msg := formError(err)
		pg := loginPage{Step: "password", Email: in.Email, Remember: in.Remember}
		pg.Error = msg
		p.showLogin(w, r, status, pg)
		return
	}
	p.s.setSessionCookie(w, res)
	switch {
	case res.EnrolmentRequired:
		http.Redirect(w, r, "/account/mfa", http.StatusSeeOther)
	case res.MFARequired:
		http.Redirect(w, r, "/login?step=mfa", http.StatusSeeOther)
	default:
		http.Redirect(w, r, next, http.StatusSeeOther)
	}
}

func (p *pages) loginMFAPost(w http.ResponseWriter, r *http.Request) {
	c, _ := p.s.callerFrom(r)
	r.ParseForm()
	code := strings.ReplaceAll(strings.TrimSpace(r.PostForm.Get("code")), " ", "")
	backup := strings.TrimSpace(r.PostForm.Get("backup"))
	res, err := p.s.loginMFA(r.Context(), c, code, backup)
	if err != nil {
		status, msg := formError(err)
		if status == http.StatusUnauthorized {
			status = http.StatusOK // the session is still pending; the code was wrong
		}
		pg := loginPage{Step: "mfa"}
		if backup != "" {
			pg.Step = "backup"
		}
		pg.Error = msg
		p.showLogin(w, r, status, pg)
		return
	}
	if res.Cookie != "" {
		p.s.setSessionCookie(w, res)
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func (p *pages) logoutPost(w http.ResponseWriter, r *http.Request) {
	if c, ok := p.s.callerFrom(r); ok && c.User.ID != "" {
		if err := p.s.logout(r.Context(), c); err != nil {
			p.s.log.Warn("signing out", "error", err)
		}
	}
	p.s.clearSessionCookie(w)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// setupPage is the first-run page that creates the first Owner with the logged setup code.
type setupPage struct {
	pageBase
	Email, Name string
}

func (p *pages) setupPage(w http.ResponseWriter, r *http.Request) {
	if !p.s.setupOpen() {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	p.render(w, r, http.StatusOK, "setup", setupPage{pageBase: p.base(r, "Set up", "")})
}

func (p *pages) setupPost(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	f := r.PostForm
	in := setupInput{
		Code: strings.TrimSpace(f.Get("setup_code")), Email: strings.TrimSpace(f.Get("email")),
		Name: strings.TrimSpace(f.Get("name")), Password: f.Get("password"),
		Addr: remoteAddr(r), UserAgent: r.UserAgent(),
	}
	pg := setupPage{pageBase: p.base(r, "Set up", ""), Email: in.Email, Name: in.Name}
	pg.User = nil
	if in.Password != f.Get("password2") {
		pg.Error = "The two passwords differ."
		p.render(w, r, http.StatusBadRequest, "setup", pg)
		return
	}
	res, err := p.s.setup(r.Context(), in)
	if err != nil {
		var status int
		status, pg.Error = formError(err)
		p.render(w, r, status, "setup", pg)
		return
	}
	p.s.setSessionCookie(w, res)
	redirect(w, r, "/", "welcome")
}

// invitePage accepts an invitation: name and password, then the second factor when required.
type invitePage struct {
	pageBase
	Token, Email, Name string
	Role               store.Role
	NeedMFA            bool
	Invalid            string
}

func (p *pages) invitePage(w http.ResponseWriter, r *http.Request) {
	pg := p.inviteData(r)
	status := http.StatusOK
	if pg.Invalid != "" {
		status = http.StatusNotFound
	}
	p.render(w, r, status, "invite", pg)
}

func (p *pages) inviteData(r *http.Request) invitePage {
	pg := invitePage{pageBase: p.base(r, "Join your firm", ""), Token: r.PathValue("token")}
	pg.User = nil
	inv, err := p.s.checkInvite(r.Context(), pg.Token)
	switch {
	case errors.Is(err, store.ErrExpired):
		pg.Invalid = "This invitation has expired (invitations last 7 days)."
	case errors.Is(err, store.ErrUsed):
		pg.Invalid = "This invitation was already used. If it was you, sign in."
	case err != nil:
		pg.Invalid = "This invitation link is not valid: it may have been revoked or mistyped."
	}
	pg.Email, pg.Role = inv.Email, inv.Role
	if set, err := p.s.st.Settings(); err == nil {
		pg.NeedMFA = set.MFAPolicy == "required"
	}
	return pg
}

func (p *pages) invitePost(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	pg := p.inviteData(r)
	if pg.Invalid != "" {
		p.render(w, r, http.StatusNotFound, "invite", pg)
		return
	}
	f := r.PostForm
	pg.Name = strings.TrimSpace(f.Get("name"))
	if f.Get("password") != f.Get("password2") {
		pg.Error = "The two passwords differ."
		p.render(w, r, http.StatusBadRequest, "invite", pg)
		return
	}
	res, err := p.s.acceptInvite(r.Context(), acceptInput{Token: pg.Token, Name: pg.Name,
		Password: f.Get("password"), Addr: remoteAddr(r), UserAgent: r.UserAgent()})
	if err != nil {
		var status int
		status, pg.Error = formError(err)
		p.render(w, r, status, "invite", pg)
		return
	}
	p.s.setSessionCookie(w, res)
	if res.EnrolmentRequired || res.MFARequired {
		http.Redirect(w, r, "/account/mfa", http.StatusSeeOther)
		return
	}
	redirect(w, r, "/", "welcome")
}
