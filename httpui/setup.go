package httpui

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"firmline/store"
)

// First run: while the store has no user, New creates a one-time setup code, stores its
// hash in Settings.SetupCodeHash and logs the code at Warn (the person installing the box reads
// it from the journal). POST /api/v1/setup with that code creates the primary owner. A fresh
// code replaces the old one on every start; once any user exists, setup answers 410 Gone.

// setupAlphabet avoids look-alike characters (no 0/O, 1/I/L).
const setupAlphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"

func newSetupCode() string {
	b := make([]byte, 8)
	rand.Read(b)
	for i := range b {
		b[i] = setupAlphabet[int(b[i])%len(setupAlphabet)]
	}
	return string(b[:4]) + "-" + string(b[4:])
}

func normSetupCode(c string) string {
	return strings.ReplaceAll(strings.ToUpper(strings.TrimSpace(c)), "-", "")
}

func (s *Server) firstRun() error {
	n, err := s.st.CountUsers()
	if err != nil || n > 0 {
		return err
	}
	code := newSetupCode()
	if _, err := s.st.UpdateSettings(func(st *store.Settings) error {
		st.SetupCodeHash = hashSecret(normSetupCode(code))
		return nil
	}); err != nil {
		return fmt.Errorf("first-run setup code: %w", err)
	}
	s.log.Warn(fmt.Sprintf("first run: open %s/setup and enter setup code %s", s.startURL(), code))
	return nil
}

// startURL is the inbox address as best known at start-up (for the first-run log line).
func (s *Server) startURL() string {
	if s.cfg.PublicURL != "" {
		return strings.TrimSuffix(s.cfg.PublicURL, "/")
	}
	scheme, listen := "https", s.cfg.Listen
	if s.cfg.TLS == "off" {
		scheme = "http"
	}
	if strings.HasPrefix(listen, ":") {
		listen = "localhost" + listen
	}
	return scheme + "://" + listen
}

// setupOpen reports whether first-run setup is still possible (no user yet).
func (s *Server) setupOpen() bool {
	n, err := s.st.CountUsers()
	return err == nil && n == 0
}

// setupInput is the first-run form.
type setupInput struct {
	Code      string `json:"code"`
	Email     string `json:"email"`
	Name      string `json:"name"`
	Password  string `json:"password"`
	Addr      string `json:"-"`
	UserAgent string `json:"-"`
}

var errSetupDone = gone("setup is already done; sign in instead")

// setup consumes the setup code and creates the primary owner, signed in (or pending
// enrolment when the MFA policy is already "required"). Attempts are rate limited per address.
func (s *Server) setup(ctx context.Context, in setupInput) (loginResult, error) {
	if !s.setupOpen() {
		return loginResult{}, errSetupDone
	}
	key := addrKey(in.Addr)
	if d := s.limit.wait(key, "setup"); d > 0 {
		return loginResult{}, tooMany(d)
	}
	email := normEmail(in.Email)
	if err := s.validSignup(email, in.Name, in.Password); err != nil {
		return loginResult{}, err
	}
	h, err := HashPassword(in.Password)
	if err != nil {
		return loginResult{}, err
	}
	want := hashSecret(normSetupCode(in.Code))
	if _, err := s.st.UpdateSettings(func(st *store.Settings) error {
		if st.SetupCodeHash == "" {
			return errSetupDone
		}
		if subtle.ConstantTimeCompare([]byte(st.SetupCodeHash), []byte(want)) != 1 {
			return &apiError{Status: http.StatusUnauthorized, Msg: "wrong setup code; it is in the log of firmline serve"}
		}
		st.SetupCodeHash = ""
		return nil
	}); err != nil {
		var ae *apiError
		if errors.As(err, &ae) && ae.Status == http.StatusUnauthorized {
			s.limit.fail([]string{key, "setup"}, []int{limitFreeAcct, limitFreeAddr})
			s.audit(email, "session.login_failed", email, in.Addr, map[string]string{"reason": "setup_code"})
		}
		return loginResult{}, err
	}
	u, err := s.st.CreateUser(store.User{Email: email, Name: strings.TrimSpace(in.Name), Role: store.RoleOwner,
		PasswordHash: h, LastSeen: s.now()})
	if err != nil {
		return loginResult{}, err
	}
	if err := s.audit(u.Email, "setup.completed", u.Email, in.Addr, nil); err != nil {
		return loginResult{}, err
	}
	return s.signedUp(u, in.Addr, in.UserAgent)
}

// validSignup checks a new account's email, name and password.
func (s *Server) validSignup(email, name, password string) error {
	if !strings.Contains(email, "@") || len(email) > 254 || strings.ContainsAny(email, " <>\"") {
		return badRequest("that is not a valid email address")
	}
	if n := strings.TrimSpace(name); n == "" || len(n) > 100 {
		return badRequest("a name of 1 to 100 characters is needed")
	}
	return CheckPasswordPolicy(password, email)
}

func (s *Server) handleSetupState(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, map[string]bool{"open": s.setupOpen()})
	return nil
}

func (s *Server) handleSetup(w http.ResponseWriter, r *http.Request) error {
	var in setupInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	in.Addr, in.UserAgent = remoteAddr(r), r.UserAgent()
	res, err := s.setup(r.Context(), in)
	if err != nil {
		return err
	}
	s.renderSignup(w, res)
	return nil
}
