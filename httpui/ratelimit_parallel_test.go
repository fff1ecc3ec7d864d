package httpui

import (
	"testing"
	"time"

	"firmline/store"
)

// TestLimiterCountsAttemptsInFlight: failures that have not been recorded yet (their password
// check is still running) count, so parallel requests cannot all pass the check together.
func TestLimiterCountsAttemptsInFlight(t *testing.T) {
	clk := newTestClock()
	l := newLimiter(clk.now)
	keys, free := []string{"acct:a"}, []int{limitFreeAcct}
	for i := range limitFreeAcct {
		if d := l.begin(keys, free); d != 0 {
			t.Fatalf("attempt %d within the free failures: wait %v", i+1, d)
		}
	}
	if d := l.begin(keys, free); d != busyRetry {
		t.Fatalf("attempt beyond the free failures while %d are in flight: wait %v, want %v", limitFreeAcct, d, busyRetry)
	}
	for range limitFreeAcct {
		l.fail(keys, free)
		l.end(keys...)
	}
	// Free failures spent, none in flight: one attempt may run, a second must wait for it.
	if d := l.begin(keys, free); d != 0 {
		t.Fatalf("one attempt after the free failures: wait %v", d)
	}
	if d := l.begin(keys, free); d == 0 {
		t.Fatal("a second parallel attempt after the free failures was let through")
	}
	if d := l.fail(keys, free); d != time.Second {
		t.Fatalf("fourth failure: delay %v, want 1s", d)
	}
	l.end(keys...)
	if d := l.begin(keys, free); d != time.Second {
		t.Fatalf("after the fourth failure: wait %v, want 1s", d)
	}
	// A success with another attempt in flight keeps that reservation.
	clk.advance(time.Second)
	if d := l.begin(keys, free); d != 0 {
		t.Fatalf("after the delay: wait %v", d)
	}
	l.succeed(keys...)
	if e := l.m["acct:a"]; e == nil || e.inflight != 1 || e.failures != 0 {
		t.Fatalf("after success with an attempt in flight: %+v", e)
	}
	l.end(keys...)
}

// TestLoginRefusedWhileAttemptsInFlight: with the account's free failures all in flight, a
// further sign-in (even with the right password) is 429 until they are decided.
func TestLoginRefusedWhileAttemptsInFlight(t *testing.T) {
	e := newEnv(t)
	e.user("ann@example.com", store.RoleViewer)
	keys := []string{"acct:ann@example.com"}
	for range limitFreeAcct {
		if d := e.srv.limit.begin(keys, []int{limitFreeAcct}); d != 0 {
			t.Fatal(d)
		}
	}
	body := `{"email":" ANN@example.com ","password":"` + testPassword + `"}`
	w := e.do("POST", "/api/v1/session", body, cred{})
	if w.Code != 429 || w.Header().Get("Retry-After") != "1" {
		t.Fatalf("sign-in with %d attempts in flight: %d Retry-After %q, want 429 and 1", limitFreeAcct, w.Code, w.Header().Get("Retry-After"))
	}
	e.srv.limit.end(keys...)
	if w := e.do("POST", "/api/v1/session", body, cred{}); w.Code != 200 {
		t.Fatalf("after one in-flight attempt ended: %d %s", w.Code, w.Body)
	}
}
