package httpui

import (
	"testing"
	"time"

	"firmline/store"
)

// TestRateLimitedAuditedOncePerDelay: every failed password check is audited, but a client
// hammering a throttled account gets one rate_limited entry per delay, not one per request.
func TestRateLimitedAuditedOncePerDelay(t *testing.T) {
	e := newEnv(t)
	e.user("ann@example.com", store.RoleViewer)
	login := func() int {
		return e.do("POST", "/api/v1/session", `{"email":"ann@example.com","password":"wrong password"}`, cred{}).Code
	}
	for range limitFreeAcct + 1 {
		if code := login(); code != 401 {
			t.Fatalf("failure: %d", code)
		}
	}
	for range 50 {
		if code := login(); code != 429 {
			t.Fatalf("throttled: %d", code)
		}
	}
	e.clk.advance(time.Second)
	if code := login(); code != 401 {
		t.Fatalf("after the delay: %d", code)
	}
	for range 50 {
		login()
	}
	es, err := e.st.AuditEntries(time.Time{}, time.Time{}, 0, false)
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	for _, en := range es {
		if en.Action == "session.login_failed" {
			counts[en.Detail["reason"]]++
		}
	}
	if counts["password"] != limitFreeAcct+2 || counts["rate_limited"] != 2 {
		t.Fatalf("login_failed by reason %v, want %d password and 2 rate_limited", counts, limitFreeAcct+2)
	}
}
