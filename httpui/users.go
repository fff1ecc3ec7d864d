package httpui

import (
	"context"
	"fmt"
	"html"
	"net/http"

	"firmline/notify"
	"firmline/store"
)

// Team management rules (beyond the route table's minimum role):
//   - a Manager manages Managers and Viewers; an Owner manages everyone;
//   - nobody gives a role higher than their own;
//   - the primary owner cannot be removed, demoted, or have their factor disabled here
//     (only `firmline user reset-mfa` on the box);
//   - nobody removes or demotes themselves here (ask another admin), so a firm cannot lock
//     itself out by accident;
//   - disabling another user's factor needs the admin's own factor (Clio's rule).

// canManage reports whether c may act on target.
func canManage(c caller, target store.User) bool {
	return c.Role.AtLeast(store.RoleOwner) || (c.Role.AtLeast(store.RoleManager) && target.Role != store.RoleOwner)
}

func (s *Server) target(c caller, id string) (store.User, error) {
	u, err := s.st.User(id)
	if err != nil {
		return u, err
	}
	if !canManage(c, u) {
		return u, forbidden("only an Owner can manage an Owner")
	}
	return u, nil
}

// users lists everyone (Manager+ by the route table).
func (s *Server) users(ctx context.Context, c caller) ([]store.User, error) {
	return s.st.Users()
}

// deleteUser offboards a user: the store removes them with their sessions and API tokens in
// one transaction, then their live sockets are closed (close code 4001).
func (s *Server) deleteUser(ctx context.Context, c caller, id string) (store.User, error) {
	u, err := s.target(c, id)
	switch {
	case err != nil:
		return u, err
	case u.Primary:
		return u, forbidden("the primary owner cannot be removed")
	case u.ID == c.User.ID:
		return u, conflict("you cannot remove yourself; ask another administrator")
	}
	if u, err = s.st.DeleteUser(id); err != nil {
		return u, err
	}
	s.hub.disconnectUser(u.ID, "")
	return u, s.audit(c.Actor(), "user.removed", u.Email, c.Addr, map[string]string{"role": string(u.Role)})
}

// changeRole sets a user's role. Lowering it ends all their sessions, closes their sockets
// and revokes API tokens they made that now outrank them.
func (s *Server) changeRole(ctx context.Context, c caller, id string, role store.Role) (store.User, error) {
	u, err := s.target(c, id)
	switch {
	case err != nil:
		return u, err
	case !c.Role.AtLeast(role):
		return u, forbidden("you cannot give a role higher than your own")
	case u.Primary && role != store.RoleOwner:
		return u, forbidden("the primary owner stays an Owner")
	case u.ID == c.User.ID && !role.AtLeast(u.Role):
		return u, conflict("you cannot lower your own role; ask another administrator")
	case u.Role == role:
		return u, nil
	}
	old := u.Role
	if u, err = s.st.UpdateUser(id, func(x *store.User) error { x.Role = role; return nil }); err != nil {
		return u, err
	}
	if !role.AtLeast(old) {
		if err := s.demoted(u); err != nil {
			return u, err
		}
	}
	return u, s.audit(c.Actor(), "user.role_changed", u.Email, c.Addr,
		map[string]string{"from": string(old), "to": string(role)})
}

func (s *Server) demoted(u store.User) error {
	if _, err := s.st.DeleteUserSessions(u.ID, ""); err != nil {
		return err
	}
	s.hub.disconnectUser(u.ID, "")
	toks, err := s.st.Tokens()
	if err != nil {
		return err
	}
	for _, t := range toks {
		if t.UserID == u.ID && !u.Role.AtLeast(t.Role) {
			if _, err := s.st.RevokeToken(t.Name); err != nil {
				return err
			}
		}
	}
	return nil
}

// requireMFA sets or clears "must enrol at next sign-in" for a user.
func (s *Server) requireMFA(ctx context.Context, c caller, id string, on bool) (store.User, error) {
	if _, err := s.target(c, id); err != nil {
		return store.User{}, err
	}
	u, err := s.st.UpdateUser(id, func(x *store.User) error { x.MFARequired = on; return nil })
	if err != nil {
		return u, err
	}
	return u, s.audit(c.Actor(), "mfa.required", u.Email, c.Addr, map[string]string{"required": boolText(on)})
}

// inviteMFA marks a user as invited to set up a second factor (shown on their pages) and,
// when a mailer that can send free-form mail is configured, emails them (a reminder when
// repeated).
func (s *Server) inviteMFA(ctx context.Context, c caller, id string) (store.User, error) {
	if _, err := s.target(c, id); err != nil {
		return store.User{}, err
	}
	u, err := s.st.UpdateUser(id, func(x *store.User) error { x.MFAInvited = x.TOTPSecret == ""; return nil })
	if err != nil || !u.MFAInvited {
		return u, err
	}
	emailed := s.mailMFAInvite(ctx, c, u)
	return u, s.audit(c.Actor(), "mfa.invited", u.Email, c.Addr, map[string]string{"emailed": boolText(emailed)})
}

// mfaMailer is the optional part of Deps.Mailer used for second-factor invitations
// (*notify.Mailer has it).
type mfaMailer interface {
	Send(ctx context.Context, to []string, subject, text, html string) (notify.Answer, error)
}

func (s *Server) mailMFAInvite(ctx context.Context, c caller, u store.User) bool {
	m, ok := s.mailer.(mfaMailer)
	if !ok || m == nil {
		return false
	}
	where := "sign in to firmline and open My account"
	if base := s.baseURL(); base != "" {
		where = "open " + base + "/account/mfa"
	}
	who := c.User.Name
	if who == "" {
		who = c.Actor()
	}
	const ask = "%s asks you to turn on two-step sign-in (an authenticator app such as Google Authenticator, " +
		"Microsoft Authenticator, 1Password or Duo Mobile) for the firm's SMS code inbox."
	text := fmt.Sprintf(ask+"\n\nTo do it, %s.\n", who, where)
	htmlBody := "<p>" + html.EscapeString(fmt.Sprintf(ask, who)) + "</p><p>To do it, " + html.EscapeString(where) + ".</p>"
	if _, err := m.Send(ctx, []string{u.Email}, who+" asks you to turn on two-step sign-in", text, htmlBody); err != nil {
		s.log.Warn("second-factor invitation not emailed", "user_id", u.ID, "error", err)
		return false
	}
	return true
}

// disableMFA turns off a locked-out user's factor. The admin must have a factor themselves;
// the primary owner's factor can only be reset on the box.
func (s *Server) disableMFA(ctx context.Context, c caller, id string) (store.User, error) {
	u, err := s.target(c, id)
	switch {
	case err != nil:
		return u, err
	case c.User.TOTPSecret == "":
		return u, forbidden("set up your own second factor before disabling someone else's")
	case u.Primary:
		return u, forbidden("the primary owner's second factor can only be reset on the box (firmline user reset-mfa)")
	case u.ID == c.User.ID:
		return u, conflict("use your own account settings to remove your second factor")
	}
	if u, err = s.st.UpdateUser(id, clearMFA); err != nil {
		return u, err
	}
	return u, s.audit(c.Actor(), "mfa.disabled", u.Email, c.Addr, map[string]string{"by": "admin"})
}

func boolText(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

func (s *Server) handleUsers(w http.ResponseWriter, r *http.Request) error {
	us, err := s.users(r.Context(), s.must(r))
	if err != nil {
		return err
	}
	out := make([]userView, 0, len(us))
	for _, u := range us {
		out = append(out, userJSON(u))
	}
	writeJSON(w, http.StatusOK, map[string]any{"users": out})
	return nil
}

// userPatch is the body of PATCH /api/v1/users/{id}; absent fields are left alone.
type userPatch struct {
	Role        *string `json:"role"`
	MFARequired *bool   `json:"mfa_required"`
	MFAInvited  *bool   `json:"mfa_invited"`
}

func (s *Server) handlePatchUser(w http.ResponseWriter, r *http.Request) error {
	var in userPatch
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	c, id := s.must(r), r.PathValue("id")
	u, err := s.target(c, id)
	if err == nil && in.Role != nil {
		role, perr := store.ParseRole(*in.Role)
		if perr != nil {
			return badRequest("role must be owner, manager or viewer")
		}
		u, err = s.changeRole(r.Context(), c, id, role)
	}
	if err == nil && in.MFARequired != nil {
		u, err = s.requireMFA(r.Context(), c, id, *in.MFARequired)
	}
	if err == nil && in.MFAInvited != nil && *in.MFAInvited {
		u, err = s.inviteMFA(r.Context(), c, id)
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"user": userJSON(u)})
	return nil
}

func (s *Server) handleDeleteUser(w http.ResponseWriter, r *http.Request) error {
	u, err := s.deleteUser(r.Context(), s.must(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"removed": userJSON(u)})
	return nil
}

func (s *Server) handleDisableMFA(w http.ResponseWriter, r *http.Request) error {
	u, err := s.disableMFA(r.Context(), s.must(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"user": userJSON(u)})
	return nil
}
