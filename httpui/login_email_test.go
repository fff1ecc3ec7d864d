package httpui

import (
	"strings"
	"testing"
	"time"
)

// TestLoginHugeEmailStaysSmall: an unauthenticated sign-in with a 60 KB "email" is refused
// like any wrong login, but what it leaves behind (audit entry, limiter key) is bounded, so
// repeating it cannot fill the box's storage or memory.
func TestLoginHugeEmailStaysSmall(t *testing.T) {
	e := newEnv(t)
	huge := strings.Repeat("a", 60<<10) + "@example.com"
	for range 5 { // the last ones are throttled, and audited as rate_limited
		w := e.do("POST", "/api/v1/session", `{"email":"`+huge+`","password":"x"}`, cred{})
		if w.Code != 401 && w.Code != 429 {
			t.Fatalf("huge email: %d %s", w.Code, w.Body)
		}
	}
	es, err := e.st.AuditEntries(time.Time{}, time.Time{}, 0, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(es) == 0 {
		t.Fatal("no audit entry for the failed sign-ins")
	}
	for _, en := range es {
		if len(en.Actor) > maxEmailLen+8 || len(en.Target) > maxEmailLen+8 {
			t.Fatalf("audit entry %s keeps a %d-byte actor / %d-byte target", en.Action, len(en.Actor), len(en.Target))
		}
	}
	e.srv.limit.mu.Lock()
	defer e.srv.limit.mu.Unlock()
	for k := range e.srv.limit.m {
		if len(k) > maxEmailLen+16 {
			t.Fatalf("limiter key of %d bytes", len(k))
		}
	}
}
