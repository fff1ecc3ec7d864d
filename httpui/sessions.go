package httpui

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net"
	"net/http"
	"strings"
	"time"

	"firmline/store"
)

// Session lifetimes. A session ends after idleTimeout without a request, and at the latest
// absoluteTimeout after sign-in (rememberTimeout with "keep me signed in for a week"). A
// pending session (password accepted, second factor or enrolment owed) lives pendingTimeout.
const (
	cookieName      = "firmline_session"
	idleTimeout     = 12 * time.Hour
	absoluteTimeout = 24 * time.Hour
	rememberTimeout = 7 * 24 * time.Hour
	pendingTimeout  = 15 * time.Minute
	touchEvery      = time.Minute // LastSeen is written at most this often per session or token
	tokenPrefix     = "fl_"
)

// sessionState says what a session may do.
type sessionState int

const (
	stateFull      sessionState = iota
	stateCodeOwed               // password ok, TOTP or backup code owed
	stateEnrolOwed              // password ok, must enrol a second factor
)

// caller is who makes a request, as the middleware established it.
type caller struct {
	User    store.User    // the signed-in person; zero for a console-made API token
	Session store.Session // zero for tokens
	Token   store.Token   // zero for sessions
	Role    store.Role    // effective role
	Addr    string        // remote IP
	state   sessionState
}

// Actor is the audit log's name for the caller: the email, or "token:<name>".
func (c caller) Actor() string {
	if c.Token.Name != "" {
		return "token:" + c.Token.Name
	}
	return c.User.Email
}

// Pending reports whether the caller's session still owes its second factor or enrolment.
func (c caller) Pending() bool { return c.state != stateFull }

func (c caller) isToken() bool { return c.Token.Hash != "" }

type callerKey struct{}

// callerFrom returns the caller the middleware stored in the request context.
func (s *Server) callerFrom(r *http.Request) (caller, bool) {
	c, ok := r.Context().Value(callerKey{}).(caller)
	return c, ok
}

func withCaller(r *http.Request, c caller) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), callerKey{}, c))
}

// randomString returns n random bytes as unpadded base64url.
func randomString(n int) string {
	b := make([]byte, n)
	rand.Read(b) // never fails (crypto/rand.Read panics rather than return an error)
	return base64.RawURLEncoding.EncodeToString(b)
}

// hashSecret is the stored form of a high-entropy secret (session id, token, invite, code).
func hashSecret(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// newSessionID returns a fresh 256-bit session id for the cookie and its stored hash.
func newSessionID() (raw, hash string) {
	raw = randomString(32)
	return raw, hashSecret(raw)
}

// parseSessionID validates a cookie value (43 base64url characters = 32 bytes) and returns
// the hash to look up.
func parseSessionID(v string) (hash string, ok bool) {
	if len(v) != 43 {
		return "", false
	}
	if b, err := base64.RawURLEncoding.Strict().DecodeString(v); err != nil || len(b) != 32 {
		return "", false
	}
	return hashSecret(v), true
}

// NewToken returns a fresh API token ("fl_" + 43 base64url characters) and the hash stored
// for it. The console's `token create` uses it too.
func NewToken() (plain, hash string) {
	plain = tokenPrefix + randomString(32)
	return plain, hashSecret(plain)
}

// parseBearer extracts the token hash from an Authorization header value.
func parseBearer(h string) (hash string, ok bool) {
	scheme, tok, found := strings.Cut(h, " ")
	if !found || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	tok = strings.TrimSpace(tok)
	rest, has := strings.CutPrefix(tok, tokenPrefix)
	if !has || len(rest) != 43 {
		return "", false
	}
	if b, err := base64.RawURLEncoding.Strict().DecodeString(rest); err != nil || len(b) != 32 {
		return "", false
	}
	return hashSecret(tok), true
}

// remoteAddr is the client IP (no port). Behind a proxy it is the proxy's address; firmline
// does not trust X-Forwarded-For because anyone on the LAN could set it.
func remoteAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// authenticate identifies the caller from a bearer token or the session cookie. It returns
// errSignIn when neither is present or valid.
func (s *Server) authenticate(r *http.Request) (caller, error) {
	addr := remoteAddr(r)
	if h := r.Header.Get("Authorization"); h != "" {
		return s.tokenCaller(h, addr)
	}
	ck, err := r.Cookie(cookieName)
	if err != nil {
		return caller{}, errSignIn
	}
	hash, ok := parseSessionID(ck.Value)
	if !ok {
		return caller{}, errSignIn
	}
	return s.sessionCaller(hash, addr)
}

func (s *Server) sessionCaller(hash, addr string) (caller, error) {
	sess, err := s.st.Session(hash)
	if err != nil {
		return caller{}, notFoundAs(err, errSignIn)
	}
	now := s.now()
	if !sessionLive(sess, now) {
		s.st.DeleteSession(hash)
		return caller{}, errSignIn
	}
	u, err := s.st.User(sess.UserID)
	if err != nil {
		return caller{}, notFoundAs(err, errSignIn)
	}
	if now.Sub(sess.LastSeen) >= touchEvery {
		if err := s.st.TouchSession(hash, now, sess.Expires); err != nil {
			return caller{}, notFoundAs(err, errSignIn) // signed out a moment ago
		}
		if sess.MFAPassed {
			if u, err = s.st.UpdateUser(u.ID, func(x *store.User) error { x.LastSeen = now; return nil }); err != nil {
				return caller{}, notFoundAs(err, errSignIn)
			}
		}
	}
	return caller{User: u, Session: sess, Role: u.Role, Addr: addr, state: s.stateOf(sess, u)}, nil
}

// sessionLive reports whether sess is neither past its absolute expiry nor idle too long.
func sessionLive(sess store.Session, now time.Time) bool {
	return now.Before(sess.Expires) && now.Sub(sess.LastSeen) < idleTimeout
}

func (s *Server) stateOf(sess store.Session, u store.User) sessionState {
	switch {
	case sess.MFAPassed:
		return stateFull
	case u.TOTPSecret != "":
		return stateCodeOwed
	}
	return stateEnrolOwed
}

func (s *Server) tokenCaller(h, addr string) (caller, error) {
	hash, ok := parseBearer(h)
	if !ok {
		return caller{}, errSignIn
	}
	t, err := s.st.TokenByHash(hash)
	if err != nil {
		return caller{}, notFoundAs(err, errSignIn)
	}
	c := caller{Token: t, Role: t.Role, Addr: addr}
	if t.UserID != "" { // a token never outranks the person who made it
		u, err := s.st.User(t.UserID)
		if err != nil {
			return caller{}, notFoundAs(err, errSignIn)
		}
		if !u.Role.AtLeast(t.Role) {
			c.Role = u.Role
		}
	}
	if now := s.now(); now.Sub(t.LastUsed) >= touchEvery {
		if err := s.st.TouchToken(hash, now); err != nil {
			return caller{}, notFoundAs(err, errSignIn) // revoked a moment ago
		}
	}
	return c, nil
}

// notFoundAs maps store.ErrNotFound to repl and passes other errors through.
func notFoundAs(err, repl error) error {
	if errors.Is(err, store.ErrNotFound) {
		return repl
	}
	return err
}

// startSession creates a session for u and returns the raw id for the cookie. A session that
// still owes its second factor lives pendingTimeout.
func (s *Server) startSession(u store.User, remember, mfaPassed bool, addr, ua string) (loginResult, error) {
	raw, hash := newSessionID()
	now := s.now()
	sess := store.Session{Hash: hash, UserID: u.ID, Created: now, LastSeen: now, Persistent: remember,
		MFAPassed: mfaPassed, Addr: addr, UserAgent: truncate(ua, 200)}
	sess.Expires = now.Add(sessionLifetime(sess))
	if err := s.st.CreateSession(sess); err != nil {
		return loginResult{}, err
	}
	return loginResult{User: u, Cookie: raw, Session: sess}, nil
}

func sessionLifetime(sess store.Session) time.Duration {
	switch {
	case !sess.MFAPassed:
		return pendingTimeout
	case sess.Persistent:
		return rememberTimeout
	}
	return absoluteTimeout
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// setSessionCookie sets the session cookie for a sign-in result (no-op without one). The
// cookie is HttpOnly, SameSite=Strict, Secure under TLS, and persistent only with "keep me
// signed in"; otherwise it ends with the browser.
func (s *Server) setSessionCookie(w http.ResponseWriter, res loginResult) {
	if res.Cookie == "" {
		return
	}
	ck := &http.Cookie{Name: cookieName, Value: res.Cookie, Path: "/", HttpOnly: true,
		Secure: s.secure, SameSite: http.SameSiteStrictMode}
	if res.Session.Persistent && res.Session.MFAPassed {
		ck.Expires = res.Session.Expires
	}
	http.SetCookie(w, ck)
}

// clearSessionCookie removes the session cookie.
func (s *Server) clearSessionCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		Secure: s.secure, SameSite: http.SameSiteStrictMode})
}
