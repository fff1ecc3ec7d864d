package httpui

import (
	"testing"

	"firmline/store"
)

// TestInviteDiesWithInviter: an invitation is only as good as the person who made it. A
// Manager who is removed, or demoted below the invitation's role, must not leave a working
// link behind (a departing Manager could otherwise invite a private address and come back).
func TestInviteDiesWithInviter(t *testing.T) {
	e := newEnv(t)
	ock := cookieCred(e.session(e.user("owner@example.com", store.RoleOwner)))
	mgr := e.user("mgr@example.com", store.RoleManager)
	mck := cookieCred(e.session(mgr))
	mgr2 := e.user("mgr2@example.com", store.RoleManager)
	m2ck := cookieCred(e.session(mgr2))
	_, tokRemoved := invite(t, e, mck, "back-door@example.net", "manager", 201)
	_, tokDemoted := invite(t, e, m2ck, "other@example.net", "manager", 201)
	_, tokStill := invite(t, e, m2ck, "para@example.net", "viewer", 201)

	if w := e.do("DELETE", "/api/v1/users/"+mgr.ID, "", ock); w.Code != 200 {
		t.Fatalf("remove manager: %d %s", w.Code, w.Body)
	}
	if w := e.do("PATCH", "/api/v1/users/"+mgr2.ID, `{"role":"viewer"}`, ock); w.Code != 200 {
		t.Fatalf("demote manager: %d %s", w.Code, w.Body)
	}
	for _, tok := range []string{tokRemoved, tokDemoted} {
		if w := e.do("GET", "/api/v1/invites/accept?token="+tok, "", cred{}); w.Code != 410 {
			t.Errorf("check a link whose inviter lost the right: %d, want 410", w.Code)
		}
		body := `{"token":"` + tok + `","name":"Someone","password":"` + testPassword + `"}`
		if w := e.do("POST", "/api/v1/invites/accept", body, cred{}); w.Code != 410 {
			t.Errorf("accept a link whose inviter lost the right: %d, want 410 (%s)", w.Code, w.Body)
		}
	}
	if _, err := e.st.UserByEmail("back-door@example.net"); err == nil {
		t.Fatal("the removed manager's invitation created an account")
	}
	// A Viewer invitation of the demoted (now Viewer) person is still within their role.
	body := `{"token":"` + tokStill + `","name":"Para","password":"` + testPassword + `"}`
	if w := e.do("POST", "/api/v1/invites/accept", body, cred{}); w.Code != 201 {
		t.Fatalf("accept a link still within the inviter's role: %d %s", w.Code, w.Body)
	}
}

// TestTokenInviteRecordsMaker: an invitation made with a person's API token names that person,
// so it too dies with them.
func TestTokenInviteRecordsMaker(t *testing.T) {
	e := newEnv(t)
	ock := cookieCred(e.session(e.user("owner@example.com", store.RoleOwner)))
	mgr := e.user("mgr@example.com", store.RoleManager)
	tk := bearerCred(e.token("mgr-script", store.RoleManager, mgr.ID))
	_, tok := invite(t, e, tk, "script-made@example.net", "viewer", 201)
	if w := e.do("DELETE", "/api/v1/users/"+mgr.ID, "", ock); w.Code != 200 {
		t.Fatalf("remove manager: %d %s", w.Code, w.Body)
	}
	if w := e.do("GET", "/api/v1/invites/accept?token="+tok, "", cred{}); w.Code != 410 {
		t.Fatalf("link made with a removed person's token: %d, want 410", w.Code)
	}
}
