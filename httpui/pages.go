package httpui

import (
	"net/http"
	"strings"

	"firmline/assets"
)

// pageRoutes returns the server-rendered page routes. It parses the embedded templates once;
// they are part of the binary and covered by tests, so a parse failure is a programming error
// and panics at start-up (like template.Must), never on a request.
func (s *Server) pageRoutes() []route {
	p, err := newPages(s)
	if err != nil {
		panic("httpui: " + err.Error())
	}
	return append(p.routes(), p.inventoryRoutes()...)
}

// routes is the page part of the route table. Page routes answer refusals with the sign-in
// page or the 403 page (denied) instead of JSON.
func (p *pages) routes() []route {
	rs := []route{
		{pattern: "GET /static/{file}", min: anyone, handler: p.staticFile},
		{pattern: "GET /{$}", min: viewer, handler: p.inbox},
		{pattern: "GET /messages/{id}", min: viewer, handler: p.message},

		{pattern: "GET /login", min: anyone, handler: p.loginPage},
		{pattern: "POST /login", min: anyone, handler: p.loginPost},
		{pattern: "POST /login/mfa", min: viewer, flags: codeOwed | userOnly, handler: p.loginMFAPost},
		{pattern: "POST /logout", min: anyone, handler: p.logoutPost},
		{pattern: "GET /setup", min: anyone, handler: p.setupPage},
		{pattern: "POST /setup", min: anyone, handler: p.setupPost},
		{pattern: "GET /invite/{token}", min: anyone, handler: p.invitePage},
		{pattern: "POST /invite/{token}", min: anyone, handler: p.invitePost},

		{pattern: "GET /team", min: manager, handler: p.team},
		{pattern: "POST /team/invite", min: manager, flags: userOnly, handler: p.teamInvite},
		{pattern: "POST /team/invites/{id}/resend", min: manager, flags: userOnly, handler: p.teamResend},
		{pattern: "POST /team/invites/{id}/revoke", min: manager, flags: userOnly, handler: p.teamRevoke},
		{pattern: "POST /team/users/{id}/role", min: manager, flags: userOnly, handler: p.teamRole},
		{pattern: "GET /team/users/{id}/remove", min: manager, flags: userOnly, handler: p.teamRemovePage},
		{pattern: "POST /team/users/{id}/remove", min: manager, flags: userOnly, handler: p.teamRemovePost},
		{pattern: "POST /team/users/{id}/mfa/require", min: manager, flags: userOnly, handler: p.teamMFARequire},
		{pattern: "POST /team/users/{id}/mfa/unrequire", min: manager, flags: userOnly, handler: p.teamMFAUnrequire},
		{pattern: "POST /team/users/{id}/mfa/invite", min: manager, flags: userOnly, handler: p.teamMFAInvite},
		{pattern: "GET /team/users/{id}/mfa/disable", min: manager, flags: userOnly, handler: p.teamMFADisablePage},
		{pattern: "POST /team/users/{id}/mfa/disable", min: manager, flags: userOnly, handler: p.teamMFADisablePost},

		{pattern: "GET /account", min: viewer, flags: userOnly, handler: p.account},
		{pattern: "POST /account/password", min: viewer, flags: userOnly, handler: p.accountPassword},
		{pattern: "GET /account/mfa", min: viewer, flags: userOnly | enrolOwed, handler: p.mfaPage},
		{pattern: "POST /account/mfa", min: viewer, flags: userOnly | enrolOwed, handler: p.mfaPost},
		{pattern: "GET /account/mfa/disable", min: viewer, flags: userOnly, handler: p.mfaDisablePage},
		{pattern: "POST /account/mfa/disable", min: viewer, flags: userOnly, handler: p.mfaDisablePost},
		{pattern: "GET /account/backup-codes", min: viewer, flags: userOnly, handler: p.backupCodesPage},
		{pattern: "POST /account/backup-codes", min: viewer, flags: userOnly, handler: p.backupCodesPost},
		{pattern: "POST /account/sessions/{id}/revoke", min: viewer, flags: userOnly, handler: p.sessionRevoke},
		{pattern: "POST /account/sessions/revoke-others", min: viewer, flags: userOnly, handler: p.sessionRevokeOthers},
		{pattern: "POST /account/notifications", min: viewer, flags: userOnly, handler: p.accountNotify},

		{pattern: "GET /settings", min: manager, handler: p.settings},
		{pattern: "POST /settings/mfa-policy", min: manager, flags: userOnly, handler: p.settingsPolicy},
		{pattern: "POST /settings/channels", min: manager, flags: userOnly, handler: p.channelAdd},
		{pattern: "POST /settings/channels/{id}/test", min: manager, flags: userOnly, handler: p.channelTest},
		{pattern: "GET /settings/channels/{id}/delete", min: manager, flags: userOnly, handler: p.channelDeletePage},
		{pattern: "POST /settings/channels/{id}/delete", min: manager, flags: userOnly, handler: p.channelDeletePost},
		{pattern: "POST /settings/rules", min: manager, flags: userOnly, handler: p.ruleAdd},
		{pattern: "POST /settings/rules/{id}/delete", min: manager, flags: userOnly, handler: p.ruleDelete},
		{pattern: "POST /settings/box", min: owner, flags: userOnly, handler: p.settingsBox},
		{pattern: "POST /settings/tokens", min: owner, flags: userOnly, handler: p.tokenCreate},
		{pattern: "POST /settings/tokens/revoke", min: owner, flags: userOnly, handler: p.tokenRevoke},

		{pattern: "GET /audit", min: manager, handler: p.audit},
		{pattern: "GET /report", min: manager, handler: p.report},
	}
	for i := range rs {
		rs[i].denied = p.denied
	}
	return rs
}

// staticFile serves a file under its content-hashed name with a year-long immutable cache.
// An unhashed or outdated name is a 404, so a stale page never mixes old and new assets.
func (p *pages) staticFile(w http.ResponseWriter, r *http.Request) {
	f, ok := p.static.File(r.PathValue("file"))
	if !ok {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", assets.ContentType(f.Name))
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("ETag", f.ETag)
	if strings.Contains(r.Header.Get("If-None-Match"), f.ETag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Write(f.Body)
}
