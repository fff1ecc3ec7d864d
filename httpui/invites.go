package httpui

import (
	"context"
	"errors"
	"net/http"
	"net/mail"
	"strings"
	"time"

	"firmline/store"
)

// Invitations: an Owner or Manager invites an email with a role no higher than their own.
// The link <origin>/invite/<token> carries 32 random bytes (base64url); only the token's
// SHA-256 is stored. A link is single use, expires after store.InviteTTL (7 days; past that
// it answers 410 Gone), can be revoked, and re-sending issues a fresh token (voiding the old).
// The link is always returned to the inviter to copy, and emailed when a Mailer is set.

// inviteView is an invitation as the API shows it; Link only right after create/re-send.
type inviteView struct {
	ID        string     `json:"id"`
	Email     string     `json:"email"`
	Role      store.Role `json:"role"`
	InvitedBy string     `json:"invited_by"`
	Created   time.Time  `json:"created"`
	Expires   time.Time  `json:"expires"`
	Link      string     `json:"link,omitempty"`
	Emailed   bool       `json:"emailed"`
}

// inviteResult is a created invitation with the link to hand over (shown once).
type inviteResult struct {
	Invite  store.Invite
	Link    string
	Emailed bool
}

func (r inviteResult) view() inviteView {
	v := inviteJSON(r.Invite)
	v.Link, v.Emailed = r.Link, r.Emailed
	return v
}

func inviteJSON(inv store.Invite) inviteView {
	return inviteView{ID: inv.ID, Email: inv.Email, Role: inv.Role, InvitedBy: inv.InvitedBy,
		Created: inv.Created, Expires: inv.Expires}
}

// invite creates an invitation; origin is the public URL or the request's scheme://host.
func (s *Server) invite(ctx context.Context, c caller, email string, role store.Role, origin string) (inviteResult, error) {
	email = normEmail(email)
	if a, err := mail.ParseAddress(email); err != nil || a.Address != email || len(email) > 254 {
		return inviteResult{}, badRequest("that is not a valid email address")
	}
	if !c.Role.AtLeast(role) {
		return inviteResult{}, forbidden("you cannot invite someone with a role higher than your own")
	}
	pending, err := s.st.Invites()
	if err != nil {
		return inviteResult{}, err
	}
	for _, p := range pending {
		if p.Email == email {
			return inviteResult{}, conflict("that email already has a pending invitation; re-send it instead")
		}
	}
	res, err := s.issueInvite(ctx, c, email, role, origin)
	if err != nil {
		return res, err
	}
	return res, s.audit(c.Actor(), "user.invited", email, c.Addr, map[string]string{"role": string(role)})
}

// issueInvite stores a fresh invitation and emails its link when a Mailer is configured.
func (s *Server) issueInvite(ctx context.Context, c caller, email string, role store.Role, origin string) (inviteResult, error) {
	token := randomString(32)
	by := c.User.ID
	if c.isToken() {
		by = c.Token.UserID // the person who made the token ("" for a console-made one)
	}
	inv, err := s.st.CreateInvite(store.Invite{Hash: hashSecret(token), Email: email, Role: role,
		InvitedBy: by, Created: s.now()})
	if err != nil {
		return inviteResult{}, err
	}
	res := inviteResult{Invite: inv, Link: strings.TrimSuffix(origin, "/") + "/invite/" + token}
	if s.mailer != nil {
		inviter := c.User.Name
		if inviter == "" {
			inviter = c.Actor()
		}
		if err := s.mailer.SendInvite(ctx, email, res.Link, inviter, string(role)); err != nil {
			s.log.Warn("invitation email not sent", "invite_id", inv.ID, "error", err)
		} else {
			res.Emailed = true
		}
	}
	return res, nil
}

// pendingInvite finds a pending invitation the caller may manage.
func (s *Server) pendingInvite(c caller, id string) (store.Invite, error) {
	all, err := s.st.Invites()
	if err != nil {
		return store.Invite{}, err
	}
	for _, inv := range all {
		if inv.ID == id {
			if !c.Role.AtLeast(inv.Role) {
				return inv, forbidden("only an Owner can manage an Owner's invitation")
			}
			return inv, nil
		}
	}
	return store.Invite{}, notFound("no such pending invitation")
}

// resendInvite voids the old link and issues a fresh one (a new 7 days) for the same email.
func (s *Server) resendInvite(ctx context.Context, c caller, id, origin string) (inviteResult, error) {
	inv, err := s.pendingInvite(c, id)
	if err != nil {
		return inviteResult{}, err
	}
	if err := s.st.RevokeInvite(inv.ID); err != nil {
		return inviteResult{}, err
	}
	res, err := s.issueInvite(ctx, c, inv.Email, inv.Role, origin)
	if err != nil {
		return res, err
	}
	return res, s.audit(c.Actor(), "invite.resent", inv.Email, c.Addr, nil)
}

// revokeInvite voids a pending invitation.
func (s *Server) revokeInvite(ctx context.Context, c caller, id string) error {
	inv, err := s.pendingInvite(c, id)
	if err != nil {
		return err
	}
	if err := s.st.RevokeInvite(inv.ID); err != nil {
		return err
	}
	return s.audit(c.Actor(), "invite.revoked", inv.Email, c.Addr, nil)
}

// invites lists pending invitations.
func (s *Server) invites(ctx context.Context, c caller) ([]store.Invite, error) {
	return s.st.Invites()
}

// checkInvite validates a link's token: 404 unknown or revoked, 410 used or expired.
func (s *Server) checkInvite(ctx context.Context, token string) (store.Invite, error) {
	if len(token) != 43 || strings.ContainsFunc(token, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_')
	}) {
		return store.Invite{}, notFound("this invitation link is not valid")
	}
	inv, err := s.st.InviteByHash(hashSecret(token))
	if err != nil {
		return inv, err
	}
	return inv, s.inviterStands(inv)
}

// errInviterGone refuses a link whose inviter was removed or now ranks below its role.
var errInviterGone = gone("this invitation is no longer valid; ask your firm for a new one")

// inviterStands reports (as errInviterGone) whether the person who made inv was removed or
// demoted below the role it grants: an invitation is only as good as its inviter, so an
// offboarded Manager leaves no working link behind. Invitations without a recorded inviter
// (made with a console token) stand.
func (s *Server) inviterStands(inv store.Invite) error {
	if inv.InvitedBy == "" {
		return nil
	}
	u, err := s.st.User(inv.InvitedBy)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return errInviterGone
	case err != nil:
		return err
	case !u.Role.AtLeast(inv.Role):
		return errInviterGone
	}
	return nil
}

// acceptInput is the invitation form: the token from the link, name and password.
type acceptInput struct {
	Token     string `json:"token"`
	Name      string `json:"name"`
	Password  string `json:"password"`
	Addr      string `json:"-"`
	UserAgent string `json:"-"`
}

// acceptInvite creates the invited user and signs them in; when a second factor is required
// the session is pending and limited to enrolment.
func (s *Server) acceptInvite(ctx context.Context, in acceptInput) (loginResult, error) {
	inv, err := s.checkInvite(ctx, in.Token)
	if err != nil {
		return loginResult{}, err
	}
	name := strings.TrimSpace(in.Name)
	if name == "" || len(name) > 100 {
		return loginResult{}, badRequest("a name of 1 to 100 characters is needed")
	}
	if err := CheckPasswordPolicy(in.Password, inv.Email); err != nil {
		return loginResult{}, err
	}
	h, err := HashPassword(in.Password)
	if err != nil {
		return loginResult{}, err
	}
	u, err := s.st.AcceptInvite(hashSecret(in.Token), store.User{Name: name, PasswordHash: h, LastSeen: s.now()})
	if err != nil {
		return loginResult{}, err
	}
	if err := s.audit(u.Email, "user.joined", u.Email, in.Addr, map[string]string{"role": string(u.Role)}); err != nil {
		return loginResult{}, err
	}
	return s.signedUp(u, in.Addr, in.UserAgent)
}

// signedUp starts the first session of a new user: pending enrolment when MFA is required.
func (s *Server) signedUp(u store.User, addr, ua string) (loginResult, error) {
	if s.mfaRequired(u) {
		res, err := s.startSession(u, false, false, addr, ua)
		res.EnrolmentRequired = true
		return res, err
	}
	return s.loggedIn(u, false, addr, ua, "signup")
}

// origin is the base of links we hand out: the configured public URL (settings first, then
// config), else this request's scheme://host.
func (s *Server) origin(r *http.Request) string {
	if base := s.baseURL(); base != "" {
		return base
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// baseURL is the configured public URL (settings first, then config) without a trailing
// slash, or "" when neither is set.
func (s *Server) baseURL() string {
	if set, err := s.st.Settings(); err == nil && set.PublicURL != "" {
		return strings.TrimSuffix(set.PublicURL, "/")
	}
	return strings.TrimSuffix(s.cfg.PublicURL, "/")
}
