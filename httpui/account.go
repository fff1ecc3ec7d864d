package httpui

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"time"

	"firmline/store"
)

// userView is a user as the API shows it (no hashes or secrets).
type userView struct {
	ID              string     `json:"id"`
	Email           string     `json:"email"`
	Name            string     `json:"name"`
	Role            store.Role `json:"role"`
	Primary         bool       `json:"primary"`
	Created         time.Time  `json:"created"`
	LastSeen        time.Time  `json:"last_seen"`
	MFAEnabled      bool       `json:"mfa_enabled"`
	MFARequired     bool       `json:"mfa_required"`
	MFAInvited      bool       `json:"mfa_invited"`
	BackupCodesLeft int        `json:"backup_codes_left"`
	NotifyPlatforms []string   `json:"notify_platforms"`
}

func userJSON(u store.User) userView {
	return userView{ID: u.ID, Email: u.Email, Name: u.Name, Role: u.Role, Primary: u.Primary,
		Created: u.Created, LastSeen: u.LastSeen, MFAEnabled: u.TOTPSecret != "", MFARequired: u.MFARequired,
		MFAInvited: u.MFAInvited, BackupCodesLeft: len(u.BackupCodes), NotifyPlatforms: u.NotifyPlatforms}
}

// handleMe: the caller, with the sign-in state ("mfa_pending", "mfa_enrolment_required").
func (s *Server) handleMe(w http.ResponseWriter, r *http.Request) error {
	c := s.must(r)
	out := map[string]any{"role": c.Role, "mfa_pending": c.state == stateCodeOwed,
		"mfa_enrolment_required": c.state == stateEnrolOwed}
	if c.isToken() {
		out["token"] = c.Token.Name
	} else {
		out["user"] = userJSON(c.User)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// changePassword checks the current password and the policy, stores the new hash, and ends
// the caller's other sessions (and closes their sockets, which re-check per frame anyway).
func (s *Server) changePassword(ctx context.Context, c caller, current, next string) error {
	if err := s.reauth(c, current); err != nil {
		return err
	}
	if err := CheckPasswordPolicy(next, c.User.Email); err != nil {
		return err
	}
	h, err := HashPassword(next)
	if err != nil {
		return err
	}
	if _, err := s.st.UpdateUser(c.User.ID, func(u *store.User) error { u.PasswordHash = h; return nil }); err != nil {
		return err
	}
	if _, err := s.st.DeleteUserSessions(c.User.ID, c.Session.Hash); err != nil {
		return err
	}
	s.hub.disconnectUser(c.User.ID, c.Session.Hash)
	return s.audit(c.Actor(), "password.changed", c.User.Email, c.Addr, nil)
}

func (s *Server) handleChangePassword(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Current string `json:"current_password"`
		New     string `json:"new_password"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	if err := s.changePassword(r.Context(), s.must(r), in.Current, in.New); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
	return nil
}

func (s *Server) handleEnrolTOTP(w http.ResponseWriter, r *http.Request) error {
	e, err := s.enrolTOTP(r.Context(), s.must(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, e)
	return nil
}

func (s *Server) handleConfirmTOTP(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Code string `json:"code"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	codes, res, err := s.confirmTOTP(r.Context(), s.must(r), in.Code)
	if err != nil {
		return err
	}
	s.setSessionCookie(w, res)
	writeJSON(w, http.StatusOK, map[string]any{"backup_codes": codes})
	return nil
}

func (s *Server) handleRemoveMFA(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Password string `json:"password"`
		Code     string `json:"code"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	if err := s.removeMFA(r.Context(), s.must(r), in.Password, in.Code); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
	return nil
}

func (s *Server) handleBackupCodes(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Password string `json:"password"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	codes, err := s.regenerateBackupCodes(r.Context(), s.must(r), in.Password)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"backup_codes": codes})
	return nil
}

// sessionView is one of the caller's sessions. ID is a prefix of the stored hash (never the
// cookie value), enough to name it for revocation.
type sessionView struct {
	ID         string    `json:"id"`
	Created    time.Time `json:"created"`
	LastSeen   time.Time `json:"last_seen"`
	Expires    time.Time `json:"expires"`
	Addr       string    `json:"addr"`
	UserAgent  string    `json:"user_agent"`
	Persistent bool      `json:"persistent"`
	Current    bool      `json:"current"`
}

const sessionIDLen = 16

// sessions lists the caller's live sessions, newest first.
func (s *Server) sessions(ctx context.Context, c caller) ([]sessionView, error) {
	all, err := s.st.UserSessions(c.User.ID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	out := []sessionView{}
	for _, x := range all {
		if !sessionLive(x, now) || !x.MFAPassed {
			continue
		}
		out = append(out, sessionView{ID: x.Hash[:sessionIDLen], Created: x.Created, LastSeen: x.LastSeen,
			Expires: x.Expires, Addr: x.Addr, UserAgent: x.UserAgent, Persistent: x.Persistent,
			Current: x.Hash == c.Session.Hash})
	}
	slices.SortFunc(out, func(a, b sessionView) int { return b.Created.Compare(a.Created) })
	return out, nil
}

// revokeSession ends one of the caller's own sessions (404 for anyone else's).
func (s *Server) revokeSession(ctx context.Context, c caller, id string) error {
	all, err := s.st.UserSessions(c.User.ID)
	if err != nil {
		return err
	}
	for _, x := range all {
		if len(id) == sessionIDLen && strings.HasPrefix(x.Hash, id) {
			if err := s.st.DeleteSession(x.Hash); err != nil {
				return err
			}
			s.hub.disconnectSession(x.Hash)
			return s.audit(c.Actor(), "session.logout", c.User.Email, c.Addr, map[string]string{"session": id})
		}
	}
	return notFound("no such session")
}

// revokeOtherSessions ends every session of the caller but the current one, including
// sign-ins still waiting for their second factor (someone who has the password and is
// waiting for a code), and closes their sockets.
func (s *Server) revokeOtherSessions(ctx context.Context, c caller) error {
	n, err := s.st.DeleteUserSessions(c.User.ID, c.Session.Hash)
	if err != nil {
		return err
	}
	s.hub.disconnectUser(c.User.ID, c.Session.Hash)
	if n == 0 {
		return nil
	}
	return s.audit(c.Actor(), "session.logout", c.User.Email, c.Addr, map[string]string{"sessions": "others"})
}

func (s *Server) handleSessions(w http.ResponseWriter, r *http.Request) error {
	list, err := s.sessions(r.Context(), s.must(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"sessions": list})
	return nil
}

func (s *Server) handleRevokeSession(w http.ResponseWriter, r *http.Request) error {
	if err := s.revokeSession(r.Context(), s.must(r), r.PathValue("id")); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
	return nil
}

// setNotifications stores the caller's email preferences: platform names, or "*" for all.
func (s *Server) setNotifications(ctx context.Context, c caller, platforms []string) (store.User, error) {
	clean := []string{}
	for _, p := range platforms {
		if p = strings.TrimSpace(p); p != "" && len(p) <= 64 && !slices.Contains(clean, p) {
			clean = append(clean, p)
		}
	}
	if len(clean) > 100 {
		return store.User{}, badRequest("too many platforms")
	}
	return s.st.UpdateUser(c.User.ID, func(u *store.User) error { u.NotifyPlatforms = clean; return nil })
}

func (s *Server) handleNotifications(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Platforms []string `json:"platforms"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	u, err := s.setNotifications(r.Context(), s.must(r), in.Platforms)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"user": userJSON(u)})
	return nil
}
