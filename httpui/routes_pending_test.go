package httpui

import (
	"regexp"
	"strings"
	"testing"

	"firmline/store"
)

// TestPendingSessionsReachOnlyTheirStep tries every row of the route table with a session
// that still owes its second factor and with one that must enrol first: each is refused (API
// 401 with the step flag, pages a redirect to the step) except where its row admits it.
func TestPendingSessionsReachOnlyTheirStep(t *testing.T) {
	e := newEnv(t)
	withTOTP := e.user("code@example.com", store.RoleOwner)
	if _, err := e.st.UpdateUser(withTOTP.ID, func(u *store.User) error { u.TOTPSecret = "JBSWY3DPEHPK3PXP"; return nil }); err != nil {
		t.Fatal(err)
	}
	enrol := e.user("enrol@example.com", store.RoleOwner)
	if _, err := e.st.UpdateUser(enrol.ID, func(u *store.User) error { u.MFARequired = true; return nil }); err != nil {
		t.Fatal(err)
	}
	pending := func(u store.User) string {
		res, err := e.srv.startSession(u, false, false, "192.0.2.9", "test")
		if err != nil {
			t.Fatal(err)
		}
		return res.Cookie
	}
	cases := []struct {
		name   string
		cookie string
		flag   flags
		page   string // where a page route sends it
		json   string // the JSON step flag
	}{
		{"code owed", pending(withTOTP), codeOwed, "/login?step=mfa", "mfa_required"},
		{"enrolment owed", pending(enrol), enrolOwed, "/account/mfa", "mfa_enrolment_required"},
	}
	param := regexp.MustCompile(`\{[^}]+\}`)
	for _, tc := range cases {
		for _, rt := range e.srv.routes() {
			if rt.min == anyone || rt.flags&tc.flag != 0 {
				continue
			}
			method, path, _ := strings.Cut(rt.pattern, " ")
			path = param.ReplaceAllString(strings.TrimSuffix(path, "{$}"), "x")
			body := ""
			if method != "GET" && method != "DELETE" {
				body = "{}"
			}
			w := e.do(method, path, body, cookieCred(tc.cookie))
			if rt.denied != nil {
				if w.Code != 303 || w.Header().Get("Location") != tc.page {
					t.Errorf("%s: %s: %d Location %q, want 303 to %s", tc.name, rt.pattern, w.Code, w.Header().Get("Location"), tc.page)
				}
				continue
			}
			if w.Code != 401 || !strings.Contains(w.Body.String(), `"`+tc.json+`":true`) {
				t.Errorf("%s: %s: %d %s, want 401 with %s", tc.name, rt.pattern, w.Code, w.Body, tc.json)
			}
		}
	}
}
