package httpui

import (
	"net/http"
	"net/url"
	"testing"

	"firmline/store"
)

// TestRevokeOthersEndsPendingSignIns: "Sign out everywhere else" also ends a sign-in that is
// waiting for its second factor (someone who has the password), not only full sessions.
func TestRevokeOthersEndsPendingSignIns(t *testing.T) {
	e := newPgEnv(t, nil)
	u := e.addUser("ann@firm.example", "Ann", store.RoleViewer, "lemon tractor violin 42", "JBSWY3DPEHPK3PXP")
	mine, other := e.cookie(u), e.cookie(u)
	res, err := e.srv.startSession(u, false, false, "198.51.100.9", "attacker")
	if err != nil {
		t.Fatal(err)
	}
	pending := &http.Cookie{Name: cookieName, Value: res.Cookie}
	if got, _, loc := e.do("GET", "/login", pending, nil); got != 200 || loc != "" {
		t.Fatalf("the pending sign-in before: %d %q", got, loc)
	}
	if got, _, loc, _ := e.form("/account/sessions/revoke-others", mine, url.Values{}); got != 303 {
		t.Fatalf("revoke others: %d %q", got, loc)
	}
	for name, ck := range map[string]*http.Cookie{"full": other, "pending": pending} {
		if _, err := e.srv.st.Session(hashSecret(ck.Value)); err == nil {
			t.Errorf("the other %s session survived", name)
		}
	}
	if got, _, _ := e.do("GET", "/", mine, nil); got != 200 {
		t.Fatalf("the current session: %d", got)
	}
}
