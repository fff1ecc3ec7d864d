package httpui

import (
	"strings"
	"testing"
	"time"

	"firmline/store"
)

// invite creates an invitation as c and returns its id and token.
func invite(t *testing.T, e *env, c cred, email, role string, want int) (id, token string) {
	t.Helper()
	w := e.do("POST", "/api/v1/invites", `{"email":"`+email+`","role":"`+role+`"}`, c)
	if w.Code != want {
		t.Fatalf("invite %s as %s: %d, want %d (%s)", email, role, w.Code, want, w.Body)
	}
	if want != 201 {
		return "", ""
	}
	inv := decode(t, w)["invite"].(map[string]any)
	link := inv["link"].(string)
	if !strings.HasPrefix(link, "http://example.com/invite/") {
		t.Fatalf("link %q", link)
	}
	return inv["id"].(string), strings.TrimPrefix(link, "http://example.com/invite/")
}

// TestInviteExpiry: a link works at 6 d 23 h and answers 410 Gone after 7 days.
func TestInviteExpiry(t *testing.T) {
	e := newEnv(t)
	ock := e.session(e.user("owner@example.com", store.RoleOwner))
	_, tok := invite(t, e, cookieCred(ock), "new@example.com", "viewer", 201)
	_, tok2 := invite(t, e, cookieCred(ock), "late@example.com", "viewer", 201)
	e.clk.advance(6*24*time.Hour + 23*time.Hour)
	if w := e.do("GET", "/api/v1/invites/accept?token="+tok, "", cred{}); w.Code != 200 {
		t.Fatalf("at 6d23h: %d", w.Code)
	}
	w := e.do("POST", "/api/v1/invites/accept", `{"token":"`+tok+`","name":"New Person","password":"`+testPassword+`"}`, cred{})
	if w.Code != 201 || sessionCookie(w) == "" {
		t.Fatalf("accept: %d %s", w.Code, w.Body)
	}
	if w := e.do("GET", "/api/v1/me", "", cookieCred(sessionCookie(w))); w.Code != 200 {
		t.Fatalf("new user's session: %d", w.Code)
	}
	if w := e.do("POST", "/api/v1/invites/accept", `{"token":"`+tok+`","name":"Again","password":"`+testPassword+`"}`, cred{}); w.Code != 410 {
		t.Fatalf("used link: %d, want 410", w.Code)
	}
	e.clk.advance(time.Hour + time.Second)
	if w := e.do("GET", "/api/v1/invites/accept?token="+tok2, "", cred{}); w.Code != 410 {
		t.Fatalf("after 7d: %d, want 410", w.Code)
	}
	if w := e.do("POST", "/api/v1/invites/accept", `{"token":"`+tok2+`","name":"Late","password":"`+testPassword+`"}`, cred{}); w.Code != 410 {
		t.Fatalf("accept after 7d: %d, want 410", w.Code)
	}
}

// TestInviteRolesResendRevoke: no role above the inviter's; re-send voids the old link;
// revoke voids the link; a Manager cannot touch an Owner's invitation.
func TestInviteRolesResendRevoke(t *testing.T) {
	e := newEnv(t)
	ock := cookieCred(e.session(e.user("owner@example.com", store.RoleOwner)))
	mck := cookieCred(e.session(e.user("mgr@example.com", store.RoleManager)))
	invite(t, e, mck, "boss@example.com", "owner", 403)
	invite(t, e, mck, "bad address", "viewer", 400)
	id, old := invite(t, e, mck, "para@example.com", "viewer", 201)
	invite(t, e, mck, "para@example.com", "viewer", 409)
	w := e.do("POST", "/api/v1/invites/"+id+"/resend", "", mck)
	if w.Code != 200 {
		t.Fatalf("resend: %d %s", w.Code, w.Body)
	}
	fresh := strings.TrimPrefix(decode(t, w)["invite"].(map[string]any)["link"].(string), "http://example.com/invite/")
	if w := e.do("GET", "/api/v1/invites/accept?token="+old, "", cred{}); w.Code != 404 {
		t.Fatalf("old link after re-send: %d, want 404", w.Code)
	}
	if w := e.do("GET", "/api/v1/invites/accept?token="+fresh, "", cred{}); w.Code != 200 {
		t.Fatalf("fresh link: %d", w.Code)
	}
	oid, otok := invite(t, e, ock, "partner@example.com", "owner", 201)
	if w := e.do("DELETE", "/api/v1/invites/"+oid, "", mck); w.Code != 403 {
		t.Fatalf("manager revoking an owner invite: %d, want 403", w.Code)
	}
	if w := e.do("DELETE", "/api/v1/invites/"+oid, "", ock); w.Code != 200 {
		t.Fatalf("revoke: %d", w.Code)
	}
	if w := e.do("GET", "/api/v1/invites/accept?token="+otok, "", cred{}); w.Code != 404 {
		t.Fatalf("revoked link: %d, want 404", w.Code)
	}
	w = e.do("POST", "/api/v1/invites/accept", `{"token":"`+fresh+`","name":"P","password":"password1234"}`, cred{})
	if w.Code != 400 {
		t.Fatalf("weak password on accept: %d, want 400", w.Code)
	}
}

// TestRoleChangeRules: a Manager cannot promote to Owner or touch an Owner; lowering a role
// ends the user's sessions at once.
func TestRoleChangeRules(t *testing.T) {
	e := newEnv(t)
	owner := e.user("owner@example.com", store.RoleOwner)
	mgr := e.user("mgr@example.com", store.RoleManager)
	ann := e.user("ann@example.com", store.RoleManager)
	ock, mck, ack := cookieCred(e.session(owner)), cookieCred(e.session(mgr)), cookieCred(e.session(ann))
	if w := e.do("PATCH", "/api/v1/users/"+ann.ID, `{"role":"owner"}`, mck); w.Code != 403 {
		t.Fatalf("manager promoting to owner: %d", w.Code)
	}
	if w := e.do("PATCH", "/api/v1/users/"+owner.ID, `{"role":"viewer"}`, mck); w.Code != 403 {
		t.Fatalf("manager demoting an owner: %d", w.Code)
	}
	if w := e.do("PATCH", "/api/v1/users/"+owner.ID, `{"role":"viewer"}`, ock); w.Code != 403 {
		t.Fatalf("demoting the primary owner: %d", w.Code)
	}
	if w := e.do("PATCH", "/api/v1/users/"+ann.ID, `{"role":"viewer"}`, mck); w.Code != 200 {
		t.Fatalf("demote: %d %s", w.Code, w.Body)
	}
	if w := e.do("GET", "/api/v1/me", "", ack); w.Code != 401 {
		t.Fatalf("demoted user's session: %d, want 401", w.Code)
	}
	if w := e.do("PATCH", "/api/v1/users/"+ann.ID, `{"mfa_required":true}`, mck); w.Code != 200 || decode(t, w)["user"].(map[string]any)["mfa_required"] != true {
		t.Fatalf("require MFA: %d", w.Code)
	}
	if w := e.do("DELETE", "/api/v1/users/"+mgr.ID, "", mck); w.Code != 409 {
		t.Fatalf("removing oneself: %d, want 409", w.Code)
	}
}

// TestFirstRunSetup: the setup code is required, works once, and setup closes afterwards.
func TestFirstRunSetup(t *testing.T) {
	e := newEnv(t)
	set, _ := e.st.Settings()
	if set.SetupCodeHash == "" {
		t.Fatal("no setup code hash stored on first run")
	}
	code := newSetupCode()
	e.st.UpdateSettings(func(s *store.Settings) error { s.SetupCodeHash = hashSecret(normSetupCode(code)); return nil })
	body := `{"code":"WRNG-CODE","email":"boss@example.com","name":"Boss","password":"` + testPassword + `"}`
	if w := e.do("POST", "/api/v1/setup", body, cred{}); w.Code != 401 {
		t.Fatalf("wrong code: %d, want 401", w.Code)
	}
	body = strings.Replace(body, "WRNG-CODE", strings.ToLower(code), 1)
	w := e.do("POST", "/api/v1/setup", body, cred{})
	if w.Code != 201 {
		t.Fatalf("setup: %d %s", w.Code, w.Body)
	}
	if u := mustUser(t, e, "boss@example.com"); !u.Primary || u.Role != store.RoleOwner {
		t.Fatalf("setup user %+v", u)
	}
	if w := e.do("POST", "/api/v1/setup", body, cred{}); w.Code != 410 {
		t.Fatalf("second setup: %d, want 410", w.Code)
	}
}
