package httpui

import (
	"context"
	"encoding/base32"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"firmline/notify"
	"firmline/store"
)

// RFC 6238 Appendix B, SHA-1, 8 digits, secret "12345678901234567890".
func TestTOTPRFC6238Vectors(t *testing.T) {
	secret := base32.StdEncoding.EncodeToString([]byte("12345678901234567890"))
	for _, v := range []struct {
		t    int64
		want string
	}{
		{59, "94287082"}, {1111111109, "07081804"}, {1111111111, "14050471"},
		{1234567890, "89005924"}, {2000000000, "69279037"}, {20000000000, "65353130"},
	} {
		got, err := totpCode(secret, v.t/totpPeriod, 8)
		if err != nil || got != v.want {
			t.Errorf("T=%d: %q %v, want %s", v.t, got, err, v.want)
		}
	}
}

// TestTOTPWindow: one step either side is accepted, two steps are not; a step already used
// (or older) is refused.
func TestTOTPWindow(t *testing.T) {
	secret := base32.StdEncoding.EncodeToString([]byte("firmline-test-secret"))
	now := time.Date(2026, 11, 23, 9, 0, 15, 0, time.UTC)
	cur := now.Unix() / totpPeriod
	for off, ok := range map[int64]bool{-2: false, -1: true, 0: true, 1: true, 2: false} {
		code, _ := totpCode(secret, cur+off, totpDigits)
		step, got := matchTOTP(secret, code, now, 0)
		if got != ok || (ok && step != cur+off) {
			t.Errorf("offset %d: accepted=%v step=%d, want %v", off, got, step, ok)
		}
	}
	code, _ := totpCode(secret, cur, totpDigits)
	if _, ok := matchTOTP(secret, code, now, cur); ok {
		t.Error("the last used step was accepted again")
	}
	for _, bad := range []string{"", "12345", "1234567", "abcdef"} {
		if _, ok := matchTOTP(secret, bad, now, 0); ok {
			t.Errorf("%q accepted", bad)
		}
	}
}

// enrol runs the enrolment API for a session and returns the secret and backup codes.
func enrol(t *testing.T, e *env, c cred) (string, []string) {
	t.Helper()
	secret, codes, _ := enrolCookie(t, e, c)
	return secret, codes
}

// enrolCookie is enrol that also returns the session cookie the confirmation set ("" when
// none: a full session enrolling from its account page keeps its id).
func enrolCookie(t *testing.T, e *env, c cred) (string, []string, string) {
	t.Helper()
	w := e.do("POST", "/api/v1/me/mfa/totp", "", c)
	if w.Code != 200 {
		t.Fatalf("enrol: %d %s", w.Code, w.Body)
	}
	m := decode(t, w)
	secret := m["secret"].(string)
	if qr := m["qr_png"].(string); len(qr) < 100 || qr[:22] != "data:image/png;base64," {
		t.Fatalf("QR %q", qr[:min(len(qr), 40)])
	}
	code, _ := totpCode(secret, e.clk.now().Unix()/totpPeriod, totpDigits)
	w = e.do("POST", "/api/v1/me/mfa/totp/confirm", `{"code":"`+code+`"}`, c)
	if w.Code != 200 {
		t.Fatalf("confirm: %d %s", w.Code, w.Body)
	}
	var codes []string
	for _, x := range decode(t, w)["backup_codes"].([]any) {
		codes = append(codes, x.(string))
	}
	if len(codes) != backupCount {
		t.Fatalf("%d backup codes", len(codes))
	}
	return secret, codes, sessionCookie(w)
}

// TestMFASignIn: password then code (pending session limited to the MFA step), replay of the
// same code refused, backup codes single use.
func TestMFASignIn(t *testing.T) {
	e := newEnv(t)
	e.user("ann@example.com", store.RoleViewer)
	ck := e.session(mustUser(t, e, "ann@example.com"))
	secret, backups := enrol(t, e, cookieCred(ck))
	e.clk.advance(time.Minute)

	w := e.do("POST", "/api/v1/session", `{"email":"ann@example.com","password":"`+testPassword+`"}`, cred{})
	if w.Code != 401 || decode(t, w)["mfa_required"] != true {
		t.Fatalf("password only: %d %s", w.Code, w.Body)
	}
	pending := sessionCookie(w)
	if w := e.do("GET", "/api/v1/messages", "", cookieCred(pending)); w.Code != 401 || decode(t, w)["mfa_required"] != true {
		t.Fatalf("pending session reading messages: %d", w.Code)
	}
	if w := e.do("POST", "/api/v1/me/mfa/totp", "", cookieCred(pending)); w.Code != 401 {
		t.Fatalf("pending session re-enrolling: %d, want 401", w.Code)
	}
	code, _ := totpCode(secret, e.clk.now().Unix()/totpPeriod, totpDigits)
	w = e.do("POST", "/api/v1/session/mfa", `{"code":"`+code+`"}`, cookieCred(pending))
	if w.Code != 200 {
		t.Fatalf("code step: %d %s", w.Code, w.Body)
	}
	full := sessionCookie(w)
	if full == "" || full == pending {
		t.Fatal("the session id was not rotated after the second factor")
	}
	if w := e.do("GET", "/api/v1/messages", "", cookieCred(full)); w.Code != 200 {
		t.Fatalf("full session: %d", w.Code)
	}
	if w := e.do("GET", "/api/v1/me", "", cookieCred(pending)); w.Code != 401 {
		t.Fatalf("old pending id still works: %d", w.Code)
	}
	// Replay: the same code in a one-shot sign-in is refused.
	w = e.do("POST", "/api/v1/session", `{"email":"ann@example.com","password":"`+testPassword+`","code":"`+code+`"}`, cred{})
	if w.Code != 401 {
		t.Fatalf("replayed code: %d, want 401", w.Code)
	}
	// Backup code: once.
	body := `{"email":"ann@example.com","password":"` + testPassword + `","backup_code":"` + backups[3] + `"}`
	if w := e.do("POST", "/api/v1/session", body, cred{}); w.Code != 200 {
		t.Fatalf("backup code: %d %s", w.Code, w.Body)
	}
	if w := e.do("POST", "/api/v1/session", body, cred{}); w.Code != 401 {
		t.Fatalf("backup code reused: %d, want 401", w.Code)
	}
	u := mustUser(t, e, "ann@example.com")
	if len(u.BackupCodes) != backupCount-1 {
		t.Fatalf("%d backup codes left", len(u.BackupCodes))
	}
}

// TestMFAPolicyRequiresEnrolment: with the firm-wide policy on, a user without a factor gets
// a session limited to enrolment until they confirm one.
func TestMFAPolicyRequiresEnrolment(t *testing.T) {
	e := newEnv(t)
	owner := e.user("owner@example.com", store.RoleOwner)
	e.user("ann@example.com", store.RoleViewer)
	ock := e.session(owner)
	if w := e.do("PUT", "/api/v1/settings", `{"mfa_policy":"required"}`, cookieCred(ock)); w.Code != 200 {
		t.Fatalf("policy: %d %s", w.Code, w.Body)
	}
	w := e.do("POST", "/api/v1/session", `{"email":"ann@example.com","password":"`+testPassword+`"}`, cred{})
	if w.Code != 401 || decode(t, w)["mfa_enrolment_required"] != true {
		t.Fatalf("sign-in: %d %s", w.Code, w.Body)
	}
	ck := sessionCookie(w)
	if w := e.do("GET", "/api/v1/messages", "", cookieCred(ck)); w.Code != 401 {
		t.Fatalf("enrolment session reading messages: %d", w.Code)
	}
	_, _, full := enrolCookie(t, e, cookieCred(ck))
	// The enrolment finishes the sign-in with a fresh session id; the pending one is gone.
	if full == "" || full == ck {
		t.Fatalf("enrolment kept the pending session id (new cookie %q)", full)
	}
	if w := e.do("GET", "/api/v1/messages", "", cookieCred(ck)); w.Code != 401 {
		t.Fatalf("the pending session id after enrolment: %d, want 401", w.Code)
	}
	ck = full
	if w := e.do("GET", "/api/v1/messages", "", cookieCred(ck)); w.Code != 200 {
		t.Fatalf("after enrolment: %d", w.Code)
	}
	// Removing one's factor is refused while it is required.
	if w := e.do("DELETE", "/api/v1/me/mfa", `{"password":"`+testPassword+`","code":"000000"}`, cookieCred(ck)); w.Code != 403 {
		t.Fatalf("remove required factor: %d, want 403", w.Code)
	}
}

// TestAdminDisableMFA follows Clio's rule: only an admin with their own factor may disable a
// user's factor, and never the primary owner's.
func TestAdminDisableMFA(t *testing.T) {
	e := newEnv(t)
	primary := e.user("owner@example.com", store.RoleOwner)
	mgr := e.user("mgr@example.com", store.RoleManager)
	ann := e.user("ann@example.com", store.RoleViewer)
	pck, mck, ack := e.session(primary), e.session(mgr), e.session(ann)
	enrol(t, e, cookieCred(ack))
	enrol(t, e, cookieCred(pck))
	if w := e.do("POST", "/api/v1/users/"+ann.ID+"/mfa/disable", "", cookieCred(mck)); w.Code != 403 {
		t.Fatalf("admin without a factor: %d, want 403", w.Code)
	}
	enrol(t, e, cookieCred(mck))
	if w := e.do("POST", "/api/v1/users/"+primary.ID+"/mfa/disable", "", cookieCred(mck)); w.Code != 403 {
		t.Fatalf("manager on the primary owner: %d, want 403", w.Code)
	}
	if w := e.do("POST", "/api/v1/users/"+ann.ID+"/mfa/disable", "", cookieCred(mck)); w.Code != 200 {
		t.Fatalf("disable: %d %s", w.Code, w.Body)
	}
	if u := mustUser(t, e, "ann@example.com"); u.TOTPSecret != "" || len(u.BackupCodes) != 0 {
		t.Fatal("factor still set")
	}
	owner2 := e.user("owner2@example.com", store.RoleOwner)
	o2 := e.session(owner2)
	enrol(t, e, cookieCred(o2))
	if w := e.do("POST", "/api/v1/users/"+primary.ID+"/mfa/disable", "", cookieCred(o2)); w.Code != http.StatusForbidden {
		t.Fatalf("owner on the primary owner: %d, want 403", w.Code)
	}
	if w := e.do("DELETE", "/api/v1/users/"+primary.ID, "", cookieCred(o2)); w.Code != http.StatusForbidden {
		t.Fatalf("delete primary owner: %d, want 403", w.Code)
	}
}

// TestRegenerateBackupCodesVoidsOld.
func TestRegenerateBackupCodesVoidsOld(t *testing.T) {
	e := newEnv(t)
	ck := e.session(e.user("ann@example.com", store.RoleViewer))
	_, old := enrol(t, e, cookieCred(ck))
	w := e.do("POST", "/api/v1/me/backup-codes", `{"password":"`+testPassword+`"}`, cookieCred(ck))
	if w.Code != 200 {
		t.Fatalf("regenerate: %d", w.Code)
	}
	body := `{"email":"ann@example.com","password":"` + testPassword + `","backup_code":"` + old[0] + `"}`
	if w := e.do("POST", "/api/v1/session", body, cred{}); w.Code != 401 {
		t.Fatalf("old backup code after regeneration: %d, want 401", w.Code)
	}
	fresh := decode(t, w)["backup_codes"].([]any)[0].(string)
	body = `{"email":"ann@example.com","password":"` + testPassword + `","backup_code":"` + fresh + `"}`
	if w := e.do("POST", "/api/v1/session", body, cred{}); w.Code != 200 {
		t.Fatalf("new backup code: %d", w.Code)
	}
}

// sentMail records what a Mailer was asked to send.
type sentMail struct {
	mu   sync.Mutex
	to   []string
	text []string
}

func (m *sentMail) SendInvite(ctx context.Context, to, link, inviter, role string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.to, m.text = append(m.to, to), append(m.text, link)
	return nil
}

func (m *sentMail) Send(ctx context.Context, to []string, subject, text, html string) (notify.Answer, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.to, m.text = append(m.to, to...), append(m.text, text)
	return notify.Answer{Status: 250}, nil
}

// TestInviteToMFAEmails: inviting a user to turn on a second factor sets the flag and mails
// them through the configured mailer; invitations to join are mailed with their link.
func TestInviteToMFAEmails(t *testing.T) {
	e := newEnv(t)
	mail := &sentMail{}
	e.srv.mailer = mail
	owner := e.user("owner@example.com", store.RoleOwner)
	ann := e.user("ann@example.com", store.RoleViewer)
	ock := cookieCred(e.session(owner))
	w := e.do("PATCH", "/api/v1/users/"+ann.ID, `{"mfa_invited":true}`, ock)
	if w.Code != 200 || decode(t, w)["user"].(map[string]any)["mfa_invited"] != true {
		t.Fatalf("invite to MFA: %d %s", w.Code, w.Body)
	}
	w = e.do("POST", "/api/v1/invites", `{"email":"new@example.com","role":"viewer"}`, ock)
	if w.Code != 201 || decode(t, w)["invite"].(map[string]any)["emailed"] != true {
		t.Fatalf("invite: %d %s", w.Code, w.Body)
	}
	if len(mail.to) != 2 || mail.to[0] != "ann@example.com" || !strings.Contains(mail.text[0], "two-step sign-in") ||
		mail.to[1] != "new@example.com" || !strings.HasPrefix(mail.text[1], "http://example.com/invite/") {
		t.Fatalf("mail %v %q", mail.to, mail.text)
	}
}
