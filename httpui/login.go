package httpui

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"firmline/store"
)

// loginInput is a sign-in attempt (JSON body of POST /api/v1/session, or the sign-in form).
type loginInput struct {
	Email      string `json:"email"`
	Password   string `json:"password"`
	Code       string `json:"code"`
	BackupCode string `json:"backup_code"`
	Remember   bool   `json:"remember"`
	Addr       string `json:"-"`
	UserAgent  string `json:"-"`
}

// loginResult is a session that was created. Cookie is the raw session id for
// setSessionCookie. MFARequired or EnrolmentRequired mean the session is pending: it may only
// finish the second factor (loginMFA) or enrol (enrolTOTP, confirmTOTP).
type loginResult struct {
	User              store.User
	Cookie            string
	Session           store.Session
	MFARequired       bool
	EnrolmentRequired bool
}

// maxEmailLen is the longest email address (RFC 5321 path limit); sign-in attempts with a
// longer one are cut to it before being counted or audited.
const maxEmailLen = 254

func normEmail(e string) string { return strings.ToLower(strings.TrimSpace(e)) }

// login checks email and password (rate limited per account and per address; an unknown email
// costs the same argon2 work and gets the same answer as a wrong password), then the second
// factor when given, and starts a session: full, or pending when a code or an enrolment is
// owed. Every failure is audited as session.login_failed (never with the password).
func (s *Server) login(ctx context.Context, in loginInput) (loginResult, error) {
	email := normEmail(in.Email)
	if len(email) > maxEmailLen { // no account has one; keep audit entries and limiter keys small
		email = truncate(email, maxEmailLen) + "…"
	}
	keys := []string{"acct:" + email, addrKey(in.Addr)}
	if d := s.limit.begin(keys, signInFree); d > 0 {
		if s.limit.firstRefusal(keys...) {
			s.loginFailed(email, in.Addr, "rate_limited", nil)
		}
		return loginResult{}, tooMany(d)
	}
	defer s.limit.end(keys...)
	u, err := s.checkPassword(email, in.Password)
	if err != nil {
		s.loginFailed(email, in.Addr, "password", keys)
		return loginResult{}, err
	}
	switch {
	case u.TOTPSecret != "" && in.Code == "" && in.BackupCode == "":
		res, err := s.startSession(u, in.Remember, false, in.Addr, in.UserAgent)
		res.MFARequired = true
		return res, err
	case u.TOTPSecret != "":
		if err := s.secondFactor(u, in.Code, in.BackupCode); err != nil {
			s.loginFailed(email, in.Addr, "second_factor", keys)
			return loginResult{}, err
		}
	case s.mfaRequired(u):
		res, err := s.startSession(u, in.Remember, false, in.Addr, in.UserAgent)
		res.EnrolmentRequired = true
		return res, err
	}
	return s.loggedIn(u, in.Remember, in.Addr, in.UserAgent, "password")
}

// checkPassword returns the user when email and password match. It runs argon2 even for an
// unknown email (against a dummy hash) so both cases look and take the same.
func (s *Server) checkPassword(email, pw string) (store.User, error) {
	u, err := s.st.UserByEmail(email)
	hash := s.dummyHash
	switch {
	case err == nil:
		hash = u.PasswordHash
	case !errors.Is(err, store.ErrNotFound):
		return store.User{}, err
	}
	ok, rehash, verr := verifyPassword(hash, pw)
	if err != nil || verr != nil || !ok {
		return store.User{}, errBadLogin
	}
	if rehash {
		if h, herr := HashPassword(pw); herr == nil {
			u, err = s.st.UpdateUser(u.ID, func(x *store.User) error { x.PasswordHash = h; return nil })
		}
	}
	return u, err
}

// loggedIn starts a full session after every factor passed, clears the account's failures,
// and audits session.login.
func (s *Server) loggedIn(u store.User, remember bool, addr, ua, method string) (loginResult, error) {
	s.limit.succeed("acct:" + u.Email)
	res, err := s.startSession(u, remember, true, addr, ua)
	if err != nil {
		return res, err
	}
	s.st.UpdateUser(u.ID, func(x *store.User) error { x.LastSeen = s.now(); return nil })
	return res, s.audit(u.Email, "session.login", u.Email, addr, map[string]string{"method": method})
}

// signInFree are the free failures of a sign-in's keys: account, then address.
var signInFree = []int{limitFreeAcct, limitFreeAddr}

func (s *Server) loginFailed(email, addr, reason string, keys []string) {
	if keys != nil {
		s.limit.fail(keys, signInFree)
	}
	s.audit(email, "session.login_failed", email, addr, map[string]string{"reason": reason})
}

// loginMFA completes a pending sign-in with a TOTP code or a backup code. The pending session
// is replaced by a fresh full one (new id), so a pending id never gains rights.
func (s *Server) loginMFA(ctx context.Context, c caller, code, backupCode string) (loginResult, error) {
	if c.state != stateCodeOwed {
		return loginResult{}, conflict("no second factor is owed by this session")
	}
	keys := []string{"acct:" + c.User.Email, addrKey(c.Addr)}
	if d := s.limit.begin(keys, signInFree); d > 0 {
		if s.limit.firstRefusal(keys...) {
			s.loginFailed(c.User.Email, c.Addr, "rate_limited", nil)
		}
		return loginResult{}, tooMany(d)
	}
	defer s.limit.end(keys...)
	if err := s.secondFactor(c.User, code, backupCode); err != nil {
		s.loginFailed(c.User.Email, c.Addr, "second_factor", keys)
		return loginResult{}, err
	}
	if err := s.st.DeleteSession(c.Session.Hash); err != nil {
		return loginResult{}, err
	}
	return s.loggedIn(c.User, c.Session.Persistent, c.Addr, c.Session.UserAgent, "password+mfa")
}

// secondFactor accepts a TOTP code (once) or an unused backup code (consumed).
func (s *Server) secondFactor(u store.User, code, backupCode string) error {
	switch {
	case code != "":
		return s.useTOTP(u.ID, code)
	case backupCode != "":
		return s.useBackupCode(u.ID, backupCode)
	}
	return errBadCode
}

// logout ends the caller's session and closes the sockets opened with it.
func (s *Server) logout(ctx context.Context, c caller) error {
	if err := s.st.DeleteSession(c.Session.Hash); err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	s.hub.disconnectSession(c.Session.Hash)
	return s.audit(c.Actor(), "session.logout", c.User.Email, c.Addr, nil)
}

// handleLogin: 200 {"user"} with the cookie; 401 {"error"} for bad credentials;
// 401 {"error","mfa_required":true} with a pending cookie when a code is owed (send it to
// POST /api/v1/session/mfa, or repeat this call with "code"/"backup_code");
// 401 {"error","mfa_enrolment_required":true} with a pending cookie limited to enrolment.
func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) error {
	var in loginInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	in.Addr, in.UserAgent = remoteAddr(r), r.UserAgent()
	res, err := s.login(r.Context(), in)
	if err != nil {
		return err
	}
	return s.renderLogin(w, res)
}

func (s *Server) renderLogin(w http.ResponseWriter, res loginResult) error {
	s.setSessionCookie(w, res)
	switch {
	case res.MFARequired:
		return errMFAOwed
	case res.EnrolmentRequired:
		return errEnrolOwed
	}
	writeJSON(w, http.StatusOK, map[string]any{"user": userJSON(res.User)})
	return nil
}

func (s *Server) handleLoginMFA(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Code       string `json:"code"`
		BackupCode string `json:"backup_code"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	res, err := s.loginMFA(r.Context(), s.must(r), in.Code, in.BackupCode)
	if err != nil {
		return err
	}
	return s.renderLogin(w, res)
}

func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) error {
	if err := s.logout(r.Context(), s.must(r)); err != nil {
		return err
	}
	s.clearSessionCookie(w)
	writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
	return nil
}

// audit appends one entry; a failure is logged and returned.
func (s *Server) audit(actor, action, target, addr string, detail map[string]string) error {
	_, err := s.st.Audit(store.AuditEntry{Actor: actor, Action: action, Target: target, Addr: addr, Detail: detail})
	if err != nil {
		s.log.Error("audit append failed", "action", action, "error", err)
	}
	return err
}
