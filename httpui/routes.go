package httpui

import (
	"net/http"

	"firmline/store"
)

// access is the least a caller must be to reach a route.
type access int

const (
	anyone  access = iota // no credentials needed
	viewer                // a signed-in Viewer, Manager or Owner (or an API token of that role)
	manager               // Manager or Owner
	owner                 // Owner
)

// role is the store role an access level needs.
func (a access) role() store.Role {
	switch a {
	case manager:
		return store.RoleManager
	case owner:
		return store.RoleOwner
	}
	return store.RoleViewer
}

// flags refine a route's access.
type flags uint8

const (
	// codeOwed also admits a session whose password was accepted but whose TOTP or backup code
	// is still owed (the sign-in's second step).
	codeOwed flags = 1 << iota
	// enrolOwed also admits a session that must enrol a second factor before anything else
	// (MFA required by policy or by an admin, not yet enrolled).
	enrolOwed
	// userOnly refuses API tokens (403): the route acts on the signed-in person's own account.
	userOnly
)

// route is one row of the route table: who may do what.
type route struct {
	pattern string // Go 1.22+ ServeMux pattern with its method: "GET /api/v1/messages/{id}"
	min     access
	flags   flags
	handler http.HandlerFunc
	// denied, when set, answers a caller this route refuses (status 401 or 403); nil answers
	// {"error": ...} as JSON. Page routes set it to redirect to the sign-in page.
	denied func(w http.ResponseWriter, r *http.Request, status int)
}

// routes is THE table of who may do what. The middleware (guard) enforces each row; the
// access test iterates this table, so a row without an expected status there fails it.
// Finer rules that depend on the target (a Manager may not remove an Owner, nobody may
// delete the primary owner, Owner-only settings fields) live in the service methods.
func (s *Server) routes() []route {
	const me = userOnly
	rs := []route{
		{"GET /healthz", anyone, 0, s.handleHealth, nil},
		{"GET /api/v1/setup", anyone, 0, s.api(s.handleSetupState), nil},
		{"POST /api/v1/setup", anyone, 0, s.api(s.handleSetup), nil},
		{"POST /api/v1/session", anyone, 0, s.api(s.handleLogin), nil},
		{"POST /api/v1/session/mfa", viewer, codeOwed | me, s.api(s.handleLoginMFA), nil},
		{"DELETE /api/v1/session", viewer, codeOwed | enrolOwed | me, s.api(s.handleLogout), nil},
		{"GET /api/v1/invites/accept", anyone, 0, s.api(s.handleCheckInvite), nil},
		{"POST /api/v1/invites/accept", anyone, 0, s.api(s.handleAcceptInvite), nil},

		{"GET /api/v1/me", viewer, codeOwed | enrolOwed, s.api(s.handleMe), nil},
		{"POST /api/v1/me/password", viewer, me, s.api(s.handleChangePassword), nil},
		{"POST /api/v1/me/mfa/totp", viewer, enrolOwed | me, s.api(s.handleEnrolTOTP), nil},
		{"POST /api/v1/me/mfa/totp/confirm", viewer, enrolOwed | me, s.api(s.handleConfirmTOTP), nil},
		{"DELETE /api/v1/me/mfa", viewer, me, s.api(s.handleRemoveMFA), nil},
		{"POST /api/v1/me/backup-codes", viewer, me, s.api(s.handleBackupCodes), nil},
		{"GET /api/v1/me/sessions", viewer, me, s.api(s.handleSessions), nil},
		{"DELETE /api/v1/me/sessions/{id}", viewer, me, s.api(s.handleRevokeSession), nil},
		{"PUT /api/v1/me/notifications", viewer, me, s.api(s.handleNotifications), nil},

		{"GET /api/v1/messages", viewer, 0, s.api(s.handleMessages), nil},
		{"GET /api/v1/messages/{id}", viewer, 0, s.api(s.handleMessage), nil},
		{"POST /api/v1/messages/{id}/copied", viewer, 0, s.api(s.handleCopied), nil},
		{"GET /api/v1/messages/{id}/access", manager, 0, s.api(s.handleMessageAccess), nil},
		{"GET /api/v1/stream", viewer, 0, s.handleStream, nil},
		{"GET /api/v1/status", viewer, 0, s.api(s.handleStatus), nil},

		{"GET /api/v1/users", manager, 0, s.api(s.handleUsers), nil},
		{"PATCH /api/v1/users/{id}", manager, 0, s.api(s.handlePatchUser), nil},
		{"DELETE /api/v1/users/{id}", manager, 0, s.api(s.handleDeleteUser), nil},
		{"POST /api/v1/users/{id}/mfa/disable", manager, me, s.api(s.handleDisableMFA), nil},
		{"GET /api/v1/invites", manager, 0, s.api(s.handleInvites), nil},
		{"POST /api/v1/invites", manager, 0, s.api(s.handleInvite), nil},
		{"DELETE /api/v1/invites/{id}", manager, 0, s.api(s.handleRevokeInvite), nil},
		{"POST /api/v1/invites/{id}/resend", manager, 0, s.api(s.handleResendInvite), nil},

		{"GET /api/v1/settings", manager, 0, s.api(s.handleSettings), nil},
		{"PUT /api/v1/settings", manager, 0, s.api(s.handlePutSettings), nil},
		{"GET /api/v1/channels", manager, 0, s.api(s.handleChannels), nil},
		{"POST /api/v1/channels", manager, 0, s.api(s.handleCreateChannel), nil},
		{"DELETE /api/v1/channels/{id}", manager, 0, s.api(s.handleDeleteChannel), nil},
		{"POST /api/v1/channels/{id}/test", manager, 0, s.api(s.handleTestChannel), nil},
		{"GET /api/v1/rules", manager, 0, s.api(s.handleRules), nil},
		{"PUT /api/v1/rules", manager, 0, s.api(s.handlePutRules), nil},
		{"GET /api/v1/deliveries", manager, 0, s.api(s.handleDeliveries), nil},
		{"GET /api/v1/audit", manager, 0, s.api(s.handleAudit), nil},
		{"GET /api/v1/audit/export", manager, 0, s.handleAuditExport, nil},

		{"GET /api/v1/backup", owner, 0, s.handleBackup, nil},
		{"GET /api/v1/tokens", owner, 0, s.api(s.handleTokens), nil},
		{"POST /api/v1/tokens", owner, me, s.api(s.handleCreateToken), nil},
		{"DELETE /api/v1/tokens/{name}", owner, 0, s.api(s.handleRevokeToken), nil},
	}
	return append(rs, s.pageRoutes()...)
}

// guard is the role middleware: it authenticates the caller, enforces the row's access,
// and hands the caller to the handler in the request context. On anyone routes the caller
// is attached when a valid credential happens to be present.
func (s *Server) guard(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := s.authenticate(r)
		if rt.min == anyone {
			if err == nil {
				r = withCaller(r, c)
			}
			rt.handler(w, r)
			return
		}
		if err == nil {
			err = rt.admits(c)
		}
		if err != nil {
			s.deny(rt, w, r, err)
			return
		}
		rt.handler(w, withCaller(r, c))
	})
}

// admits checks a caller against the row (the credential itself is already valid).
func (rt route) admits(c caller) error {
	switch {
	case c.state == stateCodeOwed && rt.flags&codeOwed == 0:
		return errMFAOwed
	case c.state == stateEnrolOwed && rt.flags&enrolOwed == 0:
		return errEnrolOwed
	case c.isToken() && rt.flags&userOnly != 0:
		return errUserOnly
	case !c.Role.AtLeast(rt.min.role()):
		return errRole
	}
	return nil
}

func (s *Server) deny(rt route, w http.ResponseWriter, r *http.Request, err error) {
	if rt.denied != nil {
		status, _ := statusOf(err)
		rt.denied(w, r, status)
		return
	}
	s.writeError(w, r, err)
}

// api adapts a handler that returns an error; the error is rendered by writeError.
func (s *Server) api(h func(w http.ResponseWriter, r *http.Request) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.writeError(w, r, err)
		}
	}
}

// must returns the caller of a guarded route (the guard guarantees one).
func (s *Server) must(r *http.Request) caller {
	c, _ := s.callerFrom(r)
	return c
}

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte("ok"))
}
