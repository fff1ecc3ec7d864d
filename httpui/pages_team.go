package httpui

import (
	"net/http"
	"strings"

	"firmline/store"
)

// teamPage lists the firm's people and pending invitations.
type teamPage struct {
	pageBase
	Users       []userRow
	Invites     []store.Invite
	Roles       []store.Role // roles the caller may give (no higher than their own)
	NewLink     string       // the invitation link just created (shown once)
	Mailed      bool
	InviteEmail string
	MFAPolicy   string
}

// userRow is one person as the Team page and the report show them.
type userRow struct {
	store.User
	Self, CanManage bool
	HasMFA          bool
	MFAState        string
}

func newUserRow(u store.User, c caller) userRow {
	row := userRow{User: u, Self: u.ID == c.User.ID, HasMFA: u.TOTPSecret != ""}
	row.CanManage = !row.Self && c.Role.AtLeast(u.Role)
	switch {
	case row.HasMFA:
		row.MFAState = "on"
	case u.MFARequired:
		row.MFAState = "required, not set up yet"
	case u.MFAInvited:
		row.MFAState = "invited"
	default:
		row.MFAState = "off"
	}
	return row
}

// grantable are the roles c may give: no higher than their own.
func grantable(c caller) []store.Role {
	var out []store.Role
	for _, r := range []store.Role{store.RoleViewer, store.RoleManager, store.RoleOwner} {
		if c.Role.AtLeast(r) {
			out = append(out, r)
		}
	}
	return out
}

func (p *pages) team(w http.ResponseWriter, r *http.Request) {
	pg, err := p.teamData(r)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	p.render(w, r, http.StatusOK, "team", pg)
}

func (p *pages) teamData(r *http.Request) (teamPage, error) {
	c, _ := p.s.callerFrom(r)
	users, err := p.s.users(r.Context(), c)
	if err != nil {
		return teamPage{}, err
	}
	invs, err := p.s.invites(r.Context(), c)
	if err != nil {
		return teamPage{}, err
	}
	pg := teamPage{pageBase: p.base(r, "Team", "team"), Invites: invs, Roles: grantable(c)}
	for _, u := range users {
		pg.Users = append(pg.Users, newUserRow(u, c))
	}
	if set, err := p.s.st.Settings(); err == nil {
		pg.MFAPolicy = set.MFAPolicy
	}
	return pg, nil
}

// teamInvite creates an invitation and shows its link once on the Team page (not a redirect:
// the link exists only in this response).
func (p *pages) teamInvite(w http.ResponseWriter, r *http.Request) {
	c, _ := p.s.callerFrom(r)
	r.ParseForm()
	email := strings.TrimSpace(r.PostForm.Get("email"))
	role, err := store.ParseRole(r.PostForm.Get("role"))
	var res inviteResult
	if err == nil {
		res, err = p.s.invite(r.Context(), c, email, role, p.s.origin(r))
	}
	p.teamAfterInvite(w, r, res, err, email)
}

func (p *pages) teamResend(w http.ResponseWriter, r *http.Request) {
	c, _ := p.s.callerFrom(r)
	res, err := p.s.resendInvite(r.Context(), c, r.PathValue("id"), p.s.origin(r))
	p.teamAfterInvite(w, r, res, err, "")
}

func (p *pages) teamAfterInvite(w http.ResponseWriter, r *http.Request, res inviteResult, err error, email string) {
	pg, perr := p.teamData(r)
	if perr != nil {
		p.fail(w, r, perr)
		return
	}
	status := http.StatusOK
	if err != nil {
		status, pg.Error = formError(err)
		pg.InviteEmail = email
	} else {
		pg.NewLink, pg.Mailed = res.Link, res.Emailed
	}
	p.render(w, r, status, "team", pg)
}

func (p *pages) teamRevoke(w http.ResponseWriter, r *http.Request) {
	c, _ := p.s.callerFrom(r)
	p.done(w, r, p.s.revokeInvite(r.Context(), c, r.PathValue("id")), "/team", "revoked")
}

func (p *pages) teamRole(w http.ResponseWriter, r *http.Request) {
	c, _ := p.s.callerFrom(r)
	r.ParseForm()
	role, err := store.ParseRole(r.PostForm.Get("role"))
	if err == nil {
		_, err = p.s.changeRole(r.Context(), c, r.PathValue("id"), role)
	}
	p.done(w, r, err, "/team", "role")
}

func (p *pages) teamMFARequire(w http.ResponseWriter, r *http.Request) {
	c, _ := p.s.callerFrom(r)
	_, err := p.s.requireMFA(r.Context(), c, r.PathValue("id"), true)
	p.done(w, r, err, "/team", "mfa-req")
}

func (p *pages) teamMFAUnrequire(w http.ResponseWriter, r *http.Request) {
	c, _ := p.s.callerFrom(r)
	_, err := p.s.requireMFA(r.Context(), c, r.PathValue("id"), false)
	p.done(w, r, err, "/team", "mfa-unreq")
}

func (p *pages) teamMFAInvite(w http.ResponseWriter, r *http.Request) {
	c, _ := p.s.callerFrom(r)
	_, err := p.s.inviteMFA(r.Context(), c, r.PathValue("id"))
	p.done(w, r, err, "/team", "mfa-inv")
}

// done ends a form POST: the redirect with its confirmation, or the error page. Forms whose
// errors belong inline re-render their own page instead.
func (p *pages) done(w http.ResponseWriter, r *http.Request, err error, path, ok string) {
	if err != nil {
		p.fail(w, r, err)
		return
	}
	redirect(w, r, path, ok)
}

// confirmPage asks before an action that cannot be undone; the action is its form's POST.
type confirmPage struct {
	pageBase
	Heading                string
	Lines                  []string
	Action, Button, Cancel string
	Danger                 bool
	Checkbox               string
	AskPassword, AskCode   bool
}

// managedUser looks up the user of the path for a confirmation page.
func (p *pages) managedUser(w http.ResponseWriter, r *http.Request) (store.User, bool) {
	u, err := p.s.st.User(r.PathValue("id"))
	if err != nil {
		p.fail(w, r, err)
		return u, false
	}
	return u, true
}

func displayName(u store.User) string {
	if u.Name != "" {
		return u.Name
	}
	return u.Email
}

func (p *pages) teamRemovePage(w http.ResponseWriter, r *http.Request) {
	u, ok := p.managedUser(w, r)
	if !ok {
		return
	}
	n := displayName(u)
	pg := confirmPage{pageBase: p.base(r, "Remove "+n, "team"), Heading: "Remove " + n + " (" + u.Email + ")?",
		Lines: []string{
			n + " will be signed out everywhere at once, their API tokens revoked, and they will not be able to sign in again.",
			"Any inbox they have open closes immediately. The audit log keeps the record of what they viewed and copied.",
			"To give them access again later, send a new invitation.",
		},
		Action: "/team/users/" + u.ID + "/remove", Button: "Remove " + n, Cancel: "/team", Danger: true}
	p.render(w, r, http.StatusOK, "confirm", pg)
}

func (p *pages) teamRemovePost(w http.ResponseWriter, r *http.Request) {
	c, _ := p.s.callerFrom(r)
	_, err := p.s.deleteUser(r.Context(), c, r.PathValue("id"))
	p.done(w, r, err, "/team", "removed")
}

func (p *pages) teamMFADisablePage(w http.ResponseWriter, r *http.Request) {
	u, ok := p.managedUser(w, r)
	if !ok {
		return
	}
	n := displayName(u)
	pg := confirmPage{pageBase: p.base(r, "Disable two-step sign-in", "team"),
		Heading: "Disable two-step sign-in for " + n + "?",
		Lines: []string{
			"Do this only when " + n + " is locked out: they lost their phone and their backup codes.",
			n + " will be able to sign in with their password alone until they set up two-step sign-in again (required at their next sign-in when the firm requires it).",
		},
		Checkbox: "I confirm I want to disable two-step sign-in for " + n + ".",
		Action:   "/team/users/" + u.ID + "/mfa/disable", Button: "Disable two-step sign-in", Cancel: "/team", Danger: true}
	p.render(w, r, http.StatusOK, "confirm", pg)
}

func (p *pages) teamMFADisablePost(w http.ResponseWriter, r *http.Request) {
	c, _ := p.s.callerFrom(r)
	r.ParseForm()
	if r.PostForm.Get("understood") != "yes" {
		p.teamMFADisablePage(w, r)
		return
	}
	_, err := p.s.disableMFA(r.Context(), c, r.PathValue("id"))
	p.done(w, r, err, "/team", "mfa-dis")
}
