package httpui

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"firmline/store"
)

func TestSessionCookieAttributes(t *testing.T) {
	e := newEnv(t)
	e.user("ann@example.com", store.RoleViewer)
	on := true
	e.srv.secure = on
	w := e.do("POST", "/api/v1/session", `{"email":"ann@example.com","password":"`+testPassword+`"}`, cred{})
	var ck *http.Cookie
	for _, c := range w.Result().Cookies() {
		if c.Name == cookieName {
			ck = c
		}
	}
	if ck == nil || !ck.HttpOnly || !ck.Secure || ck.SameSite != http.SameSiteStrictMode || ck.Path != "/" || !ck.Expires.IsZero() {
		t.Fatalf("cookie %+v", ck)
	}
	if _, ok := parseSessionID(ck.Value); !ok {
		t.Fatalf("cookie value %q is not a 256-bit id", ck.Value)
	}
	sessions, _ := e.st.UserSessions(mustUser(t, e, "ann@example.com").ID)
	if len(sessions) != 1 || sessions[0].Hash == ck.Value || strings.Contains(sessions[0].Hash, ck.Value) {
		t.Fatalf("the store holds the raw id, or not exactly one session: %+v", sessions)
	}
}

func mustUser(t *testing.T, e *env, email string) store.User {
	u, err := e.st.UserByEmail(email)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// TestSessionIdleTimeout: a session lives while used; 12 h without a request ends it.
func TestSessionIdleTimeout(t *testing.T) {
	e := newEnv(t)
	ck := e.session(e.user("ann@example.com", store.RoleViewer))
	e.clk.advance(idleTimeout - time.Minute)
	if w := e.do("GET", "/api/v1/me", "", cookieCred(ck)); w.Code != 200 {
		t.Fatalf("just inside the idle timeout: %d", w.Code)
	}
	e.clk.advance(idleTimeout - time.Second)
	if w := e.do("GET", "/api/v1/me", "", cookieCred(ck)); w.Code != 200 {
		t.Fatalf("used again before idling out: %d", w.Code)
	}
	e.clk.advance(idleTimeout + time.Second)
	if w := e.do("GET", "/api/v1/me", "", cookieCred(ck)); w.Code != 401 {
		t.Fatalf("after 12 h idle: %d, want 401", w.Code)
	}
}

// TestSessionAbsoluteTimeout: even a busy session ends after 24 h; "keep me signed in" lasts
// 7 days.
func TestSessionAbsoluteTimeout(t *testing.T) {
	e := newEnv(t)
	u := e.user("ann@example.com", store.RoleViewer)
	short := e.session(u)
	res, err := e.srv.startSession(u, true, true, "192.0.2.1", "test")
	if err != nil {
		t.Fatal(err)
	}
	long := res.Cookie
	for h := range 23 {
		e.clk.advance(time.Hour)
		e.do("GET", "/api/v1/me", "", cookieCred(long))
		if w := e.do("GET", "/api/v1/me", "", cookieCred(short)); w.Code != 200 {
			t.Fatalf("busy session after %d h: %d", h+1, w.Code)
		}
	}
	e.clk.advance(time.Hour)
	if w := e.do("GET", "/api/v1/me", "", cookieCred(short)); w.Code != 401 {
		t.Fatalf("24 h after sign-in: %d, want 401", w.Code)
	}
	if w := e.do("GET", "/api/v1/me", "", cookieCred(long)); w.Code != 200 {
		t.Fatalf("remembered session after 24 h: %d", w.Code)
	}
	for range 6 * 2 {
		e.clk.advance(11 * time.Hour)
		if w := e.do("GET", "/api/v1/me", "", cookieCred(long)); w.Code != 200 {
			t.Fatalf("remembered session at %v: %d", e.clk.now(), w.Code)
		}
	}
	e.clk.advance(rememberTimeout)
	if w := e.do("GET", "/api/v1/me", "", cookieCred(long)); w.Code != 401 {
		t.Fatalf("after 7 days: %d, want 401", w.Code)
	}
}

// TestRevokeOwnSession lists sessions and revokes the other one by its id.
func TestRevokeOwnSession(t *testing.T) {
	e := newEnv(t)
	u := e.user("ann@example.com", store.RoleViewer)
	other := e.user("bob@example.com", store.RoleViewer)
	a, b := e.session(u), e.session(u)
	bobs := e.session(other)
	w := e.do("GET", "/api/v1/me/sessions", "", cookieCred(a))
	list := decode(t, w)["sessions"].([]any)
	if len(list) != 2 {
		t.Fatalf("%d sessions, want 2", len(list))
	}
	var otherID string
	for _, x := range list {
		m := x.(map[string]any)
		if !m["current"].(bool) {
			otherID = m["id"].(string)
		}
	}
	// Bob cannot revoke Ann's session.
	if w := e.do("DELETE", "/api/v1/me/sessions/"+otherID, "", cookieCred(bobs)); w.Code != 404 {
		t.Fatalf("someone else's session: %d, want 404", w.Code)
	}
	if w := e.do("DELETE", "/api/v1/me/sessions/"+otherID, "", cookieCred(a)); w.Code != 200 {
		t.Fatalf("revoke: %d %s", w.Code, w.Body)
	}
	if w := e.do("GET", "/api/v1/me", "", cookieCred(b)); w.Code != 401 {
		t.Fatalf("revoked session: %d, want 401", w.Code)
	}
}

// TestLogout ends the session server-side.
func TestLogout(t *testing.T) {
	e := newEnv(t)
	ck := e.session(e.user("ann@example.com", store.RoleViewer))
	if w := e.do("DELETE", "/api/v1/session", "", cookieCred(ck)); w.Code != 200 {
		t.Fatalf("logout %d", w.Code)
	}
	if w := e.do("GET", "/api/v1/me", "", cookieCred(ck)); w.Code != 401 {
		t.Fatalf("after logout %d", w.Code)
	}
}
