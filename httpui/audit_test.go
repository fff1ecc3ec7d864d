package httpui

import (
	"strings"
	"testing"
	"time"

	"firmline/store"
)

// TestAuditEvents drives the real API through every web/API event of the audit list and
// checks each was written with the right actor (never a secret in the detail).
func TestAuditEvents(t *testing.T) {
	e := newEnv(t)
	code := newSetupCode()
	e.st.UpdateSettings(func(s *store.Settings) error { s.SetupCodeHash = hashSecret(normSetupCode(code)); return nil })
	w := e.do("POST", "/api/v1/setup", `{"code":"`+code+`","email":"boss@example.com","name":"Boss","password":"`+testPassword+`"}`, cred{})
	if w.Code != 201 {
		t.Fatalf("setup %d %s", w.Code, w.Body)
	}
	boss := cookieCred(sessionCookie(w))
	must := func(method, path, body string, c cred, want int) map[string]any {
		t.Helper()
		w := e.do(method, path, body, c)
		if w.Code != want {
			t.Fatalf("%s %s: %d, want %d (%s)", method, path, w.Code, want, w.Body)
		}
		if strings.HasPrefix(w.Header().Get("Content-Type"), "application/json") {
			return decode(t, w)
		}
		return nil
	}
	e.do("POST", "/api/v1/session", `{"email":"boss@example.com","password":"wrong"}`, cred{})
	must("POST", "/api/v1/session", `{"email":"boss@example.com","password":"`+testPassword+`"}`, cred{}, 200)
	enrol(t, e, boss)
	must("POST", "/api/v1/me/backup-codes", `{"password":"`+testPassword+`"}`, boss, 200)
	inv := must("POST", "/api/v1/invites", `{"email":"ann@example.com","role":"manager"}`, boss, 201)["invite"].(map[string]any)
	inv = must("POST", "/api/v1/invites/"+inv["id"].(string)+"/resend", "", boss, 200)["invite"].(map[string]any)
	tok := strings.TrimPrefix(inv["link"].(string), "http://example.com/invite/")
	w = e.do("POST", "/api/v1/invites/accept", `{"token":"`+tok+`","name":"Ann","password":"`+testPassword+`"}`, cred{})
	ann := cookieCred(sessionCookie(w))
	other := must("POST", "/api/v1/invites", `{"email":"zed@example.com","role":"viewer"}`, boss, 201)["invite"].(map[string]any)
	must("DELETE", "/api/v1/invites/"+other["id"].(string), "", boss, 200)
	annU := mustUser(t, e, "ann@example.com")
	enrol(t, e, ann)
	must("POST", "/api/v1/users/"+annU.ID+"/mfa/disable", "", boss, 200)
	must("PATCH", "/api/v1/users/"+annU.ID, `{"mfa_required":true}`, boss, 200)
	must("PATCH", "/api/v1/users/"+annU.ID, `{"role":"viewer"}`, boss, 200)
	must("POST", "/api/v1/me/password", `{"current_password":"`+testPassword+`","new_password":"another long passphrase"}`, boss, 200)
	must("POST", "/api/v1/tokens", `{"name":"script","role":"viewer"}`, boss, 201)
	must("DELETE", "/api/v1/tokens/script", "", boss, 200)
	must("PUT", "/api/v1/settings", `{"retention_days":30}`, boss, 200)
	ch := must("POST", "/api/v1/channels", `{"type":"webhook","name":"hook","url":"https://hooks.example.com/x"}`, boss, 201)
	if s := ch["signing_secret"].(string); len(s) < 16 || strings.Contains(ch["channel"].(map[string]any)["secret"].(string), s) {
		t.Fatal("generated secret not returned once, or returned in the listing view")
	}
	chID := ch["channel"].(map[string]any)["id"].(string)
	must("PUT", "/api/v1/rules", `{"rules":[{"platform":"Clio","channels":["`+chID+`"]}]}`, boss, 200)
	must("DELETE", "/api/v1/channels/"+chID, "", boss, 200)
	m := ingest(t, e.st, "Your Clio verification code is 482913")
	must("GET", "/api/v1/messages/"+m.ID, "", boss, 200)
	must("POST", "/api/v1/messages/"+m.ID+"/copied", "", boss, 200)
	access := must("GET", "/api/v1/messages/"+m.ID+"/access", "", boss, 200)["access"].([]any)
	if len(access) != 2 {
		t.Fatalf("message access %v", access)
	}
	annID := annU.ID
	must("DELETE", "/api/v1/users/"+annID, "", boss, 200)
	must("DELETE", "/api/v1/session", "", boss, 200)

	es, err := e.st.AuditEntries(time.Time{}, time.Time{}, 0, false)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]store.AuditEntry{}
	for _, en := range es {
		got[en.Action] = en
		for k, v := range en.Detail {
			if strings.Contains(v, testPassword) || strings.Contains(v, "482913") || k == "password" {
				t.Errorf("%s carries a secret: %v", en.Action, en.Detail)
			}
		}
	}
	for _, a := range []string{"setup.completed", "session.login", "session.login_failed", "session.logout",
		"mfa.enrolled", "mfa.disabled", "mfa.required", "backup_codes.regenerated", "password.changed",
		"user.invited", "invite.revoked", "invite.resent", "user.joined", "user.role_changed", "user.removed",
		"token.created", "token.revoked", "settings.changed", "channel.created", "channel.deleted",
		"rules.changed", "message.viewed", "message.code_copied"} {
		en, ok := got[a]
		if !ok {
			t.Errorf("no %s entry", a)
			continue
		}
		if en.Actor == "" || (en.Addr == "" && a != "message.received") {
			t.Errorf("%s without actor or address: %+v", a, en)
		}
	}
	if got["user.removed"].Actor != "boss@example.com" || got["user.removed"].Target != "ann@example.com" {
		t.Errorf("user.removed %+v", got["user.removed"])
	}
	if n, err := e.st.VerifyAudit(); err != nil || n != len(es) {
		t.Fatalf("chain: %d %v", n, err)
	}
}
