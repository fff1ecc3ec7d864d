package httpui

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"firmline/notify"
	"firmline/store"
)

// auditTrail checks the audit log entry by entry as a scenario runs: every expect finds an
// entry written since the previous one and re-verifies the whole chain.
type auditTrail struct {
	t    *testing.T
	st   *store.Store
	seen uint64 // entries up to this Seq were written before the step under test
}

// mark starts a step: only entries written after it count for the next expect.
func (a *auditTrail) mark() {
	a.t.Helper()
	es, err := a.st.AuditEntries(time.Time{}, time.Time{}, 1, true)
	if err != nil {
		a.t.Fatal(err)
	}
	a.seen = 0
	if len(es) == 1 {
		a.seen = es[0].Seq
	}
}

// expect finds an entry with action written since mark whose Actor and Target equal actor
// and target ("" = any), checks the chain and returns the entry.
func (a *auditTrail) expect(step, action, actor, target string) store.AuditEntry {
	a.t.Helper()
	es, err := a.st.AuditEntries(time.Time{}, time.Time{}, 0, false)
	if err != nil {
		a.t.Fatal(err)
	}
	var got []string
	for _, e := range es {
		if e.Seq <= a.seen {
			continue
		}
		got = append(got, e.Action+"("+e.Actor+" -> "+e.Target+")")
		if e.Action == action && (actor == "" || e.Actor == actor) && (target == "" || e.Target == target) {
			if _, err := a.st.VerifyAudit(); err != nil {
				a.t.Fatalf("%s: chain after %s: %v", step, action, err)
			}
			return e
		}
	}
	a.t.Fatalf("%s: no %q entry by %q on %q; written since the step began: %v", step, action, actor, target, got)
	return store.AuditEntry{}
}

// TestAuditEventsAreWritten drives the real API through every event of the audit trail that
// the web service owns (issue 7's list) and checks each one is in the log as it happens, with
// the chain intact after each. Console, modem and backup events are in the root package test.
func TestAuditEventsAreWritten(t *testing.T) {
	e := newEnv(t)
	a := &auditTrail{t: t, st: e.st}
	owner := e.user("owner@example.com", store.RoleOwner)
	ck := cookieCred(e.session(owner))
	ok := func(step string, w *httptest.ResponseRecorder, want int) {
		t.Helper()
		if w.Code != want {
			t.Fatalf("%s: %d, want %d: %s", step, w.Code, want, w.Body)
		}
	}

	// Message received, and received with parts missing (revealed after the grace period).
	a.mark()
	m, _, err := e.st.Ingest(store.Incoming{Modem: "sim0", PDU: "AA01", ReceivedAt: e.clk.now()},
		func([]string) store.Message {
			return store.Message{Sender: "Clio", Text: "Your Clio code is 123456", Code: "123456", Platform: "Clio", Kind: "text"}
		})
	if err != nil {
		t.Fatal(err)
	}
	if got := a.expect("received", "message.received", "system", m.ID); got.Detail["platform"] != "Clio" {
		t.Errorf("received detail: %v", got.Detail)
	}
	a.mark()
	part, _, err := e.st.Ingest(store.Incoming{Modem: "sim0", PDU: "BB01", ReceivedAt: e.clk.now(),
		Group: "sim0|+1555|8|9|3", Total: 3, SeqNo: 2}, func([]string) store.Message { return store.Message{Kind: "text", Text: "part"} })
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.RevealIncomplete(e.clk.now().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if got := a.expect("parts missing", "message.received", "system", part.ID); got.Detail["parts_missing"] != "1,3" || got.Detail["complete"] != "false" {
		t.Errorf("parts-missing detail: %v", got.Detail)
	}

	// Message viewed and code copied, by whom.
	a.mark()
	ok("view", e.do("GET", "/api/v1/messages/"+m.ID, "", ck), 200)
	a.expect("view", "message.viewed", "owner@example.com", m.ID)
	a.mark()
	ok("copy", e.do("POST", "/api/v1/messages/"+m.ID+"/copied", "", ck), 200)
	a.expect("copy", "message.code_copied", "owner@example.com", m.ID)

	// Sign-in success and failure.
	a.mark()
	ok("sign-in", e.do("POST", "/api/v1/session", `{"email":"owner@example.com","password":"`+testPassword+`"}`, cred{}), 200)
	a.expect("sign-in", "session.login", "owner@example.com", "owner@example.com")
	a.mark()
	ok("bad sign-in", e.do("POST", "/api/v1/session", `{"email":"owner@example.com","password":"wrong wrong wrong"}`, cred{}), 401)
	a.expect("bad sign-in", "session.login_failed", "owner@example.com", "owner@example.com")

	// User invited and joined.
	a.mark()
	_, tok := invite(t, e, ck, "new@example.com", "viewer", 201)
	a.expect("invite", "user.invited", "owner@example.com", "new@example.com")
	a.mark()
	ok("join", e.do("POST", "/api/v1/invites/accept", `{"token":"`+tok+`","name":"New Person","password":"`+testPassword+`"}`, cred{}), 201)
	a.expect("join", "user.joined", "new@example.com", "new@example.com")
	joined, err := e.st.UserByEmail("new@example.com")
	if err != nil {
		t.Fatal(err)
	}

	// Second factor enrolled, then disabled by an administrator (who needs one of their own).
	a.mark()
	enrol(t, e, cookieCred(e.session(joined)))
	a.expect("enrol", "mfa.enrolled", "new@example.com", "new@example.com")
	ownerSecret, _ := enrol(t, e, ck)
	a.mark()
	ok("mfa disable", e.do("POST", "/api/v1/users/"+joined.ID+"/mfa/disable", "", ck), 200)
	a.expect("mfa disable", "mfa.disabled", "owner@example.com", "new@example.com")

	// Second factor turned off by its owner (with password and a fresh code).
	e.clk.advance(totpPeriod * time.Second)
	code, _ := totpCode(ownerSecret, e.clk.now().Unix()/totpPeriod, totpDigits)
	a.mark()
	ok("own mfa off", e.do("DELETE", "/api/v1/me/mfa", `{"password":"`+testPassword+`","code":"`+code+`"}`, ck), 200)
	if got := a.expect("own mfa off", "mfa.disabled", "owner@example.com", "owner@example.com"); got.Detail["by"] != "self" {
		t.Errorf("self-disable detail: %v", got.Detail)
	}

	// Role changed, then removed (offboarded).
	a.mark()
	ok("role", e.do("PATCH", "/api/v1/users/"+joined.ID, `{"role":"manager"}`, ck), 200)
	if got := a.expect("role", "user.role_changed", "owner@example.com", "new@example.com"); !strings.Contains(strings.Join(mapValues(got.Detail), " "), "manager") {
		t.Errorf("role change detail: %v", got.Detail)
	}
	a.mark()
	ok("remove", e.do("DELETE", "/api/v1/users/"+joined.ID, "", ck), 200)
	a.expect("remove", "user.removed", "owner@example.com", "new@example.com")

	// API token created and revoked.
	a.mark()
	ok("token", e.do("POST", "/api/v1/tokens", `{"name":"ci","role":"viewer"}`, ck), 201)
	a.expect("token", "token.created", "owner@example.com", "ci")
	a.mark()
	ok("revoke", e.do("DELETE", "/api/v1/tokens/ci", "", ck), 200)
	a.expect("revoke", "token.revoked", "owner@example.com", "ci")

	// Settings changed.
	a.mark()
	ok("settings", e.do("PUT", "/api/v1/settings", `{"retention_days":200}`, ck), 200)
	a.expect("settings", "settings.changed", "owner@example.com", "settings")

	// Notification channel and rules changed.
	a.mark()
	w := e.do("POST", "/api/v1/channels", `{"type":"webhook","name":"spare","url":"https://hooks.example.com/x","secret":"0123456789abcdef"}`, ck)
	ok("channel", w, 201)
	chID := decode(t, w)["channel"].(map[string]any)["id"].(string)
	a.expect("channel", "channel.created", "owner@example.com", "spare")
	a.mark()
	ok("rules", e.do("PUT", "/api/v1/rules", `{"rules":[{"platform":"Clio","channels":["`+chID+`"],"stop":true}]}`, ck), 200)
	a.expect("rules", "rules.changed", "owner@example.com", "rules")
	a.mark()
	ok("rules cleared", e.do("PUT", "/api/v1/rules", `{"rules":[]}`, ck), 200)
	a.expect("rules cleared", "rules.changed", "owner@example.com", "rules")
	a.mark()
	ok("channel delete", e.do("DELETE", "/api/v1/channels/"+chID, "", ck), 200)
	a.expect("channel delete", "channel.deleted", "owner@example.com", "spare")

	// Audit export and the MFA inventory are audited too.
	a.mark()
	ok("export", e.do("GET", "/api/v1/audit/export?format=jsonl", "", ck), 200)
	a.expect("export", "audit.exported", "owner@example.com", "jsonl")
	a.mark()
	ok("inventory", e.do("POST", "/api/v1/accounts", `{"platform":"Clio","account":"admin"}`, ck), 201)
	a.expect("inventory", "inventory.added", "owner@example.com", "Clio")

	// Message bodies removed by retention leave a record.
	a.mark()
	e.clk.advance(201 * 24 * time.Hour)
	if _, err := e.st.ExpireMessages(e.clk.now().AddDate(0, 0, -200)); err != nil {
		t.Fatal(err)
	}
	a.expect("retention", "message.expired", "system", m.ID)
}

func mapValues(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

// TestAuditNotificationOutcomes runs a real notify.Worker against two httptest receivers, one
// accepting and one refusing for good, and checks "notification.delivered" and
// "notification.failed" are logged for a received code.
func TestAuditNotificationOutcomes(t *testing.T) {
	e := newEnv(t)
	a := &auditTrail{t: t, st: e.st}
	owner := e.user("owner@example.com", store.RoleOwner)
	ck := cookieCred(e.session(owner))
	good := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) }))
	defer good.Close()
	bad := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "no such hook", http.StatusNotFound)
	}))
	defer bad.Close()
	// A Slack 4xx is final (a webhook 4xx is retried for a day), so the failure is audited at once.
	for _, ch := range []struct{ typ, name, url string }{{"webhook", "good-hook", good.URL}, {"slack", "bad-hook", bad.URL}} {
		w := e.do("POST", "/api/v1/channels", `{"type":"`+ch.typ+`","name":"`+ch.name+`","url":"`+ch.url+`","secret":"0123456789abcdef","default":true}`, ck)
		if w.Code != 201 {
			t.Fatalf("channel %s: %d %s", ch.name, w.Code, w.Body)
		}
	}
	wk := notify.New(e.st, notify.Config{Now: e.clk.now, HTTPClient: good.Client()}, slog.New(slog.DiscardHandler))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- wk.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("worker Run: %v", err)
		}
	}()
	a.mark()
	m, _, err := e.st.Ingest(store.Incoming{Modem: "sim0", PDU: "CC01", ReceivedAt: e.clk.now()},
		func([]string) store.Message {
			return store.Message{Sender: "Clio", Text: "Your Clio code is 123456", Code: "123456", Platform: "Clio", Kind: "text"}
		})
	if err != nil {
		t.Fatal(err)
	}
	wk.Wake()
	// The worker is a real goroutine making real HTTP calls: wait for both outcomes.
	want := map[string]string{"notification.delivered": "good-hook", "notification.failed": "bad-hook"}
	for deadline := time.Now().Add(20 * time.Second); ; {
		es, err := e.st.AuditEntries(time.Time{}, time.Time{}, 0, false)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, x := range es {
			if x.Seq > a.seen && want[x.Action] == x.Target && x.Detail["msg_id"] == m.ID {
				n++
			}
		}
		if n == len(want) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("notification outcomes not audited; entries: %+v", es)
		}
		time.Sleep(10 * time.Millisecond)
	}
	for action, target := range want {
		a.expect("notify", action, "system", target)
	}
}
