package httpui

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"firmline/store"
)

func TestHashPasswordRoundTrip(t *testing.T) {
	var h, h2 string
	var err error
	withDefaultParams(func() {
		h, err = HashPassword("a long enough passphrase")
		h2, _ = HashPassword("a long enough passphrase")
	})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash %q does not carry the current parameters", h)
	}
	if ok, rehash, err := verifyPassword(h, "a long enough passphrase"); !ok || rehash || err != nil {
		t.Fatalf("verify right password: ok=%v rehash=%v err=%v", ok, rehash, err)
	}
	if ok, _, _ := verifyPassword(h, "a long enough passphrasE"); ok {
		t.Fatal("wrong password accepted")
	}
	if h2 == h {
		t.Fatal("two hashes of one password share a salt")
	}
}

// TestRehashWeakerParams: a hash made with older, weaker parameters verifies and asks to be
// replaced; a sign-in then stores a hash with the current parameters.
func TestRehashWeakerParams(t *testing.T) {
	saved := currentParams
	currentParams = defaultParams
	defer func() { currentParams = saved }()
	old := argonParams{memory: 8 * 1024, time: 1, threads: 1}
	salt := []byte("0123456789abcdef")
	weak := encodePHC(old, salt, argonKey(testPassword, salt, old))
	if ok, rehash, err := verifyPassword(weak, testPassword); !ok || !rehash || err != nil {
		t.Fatalf("weak hash: ok=%v rehash=%v err=%v", ok, rehash, err)
	}
	e := newEnv(t)
	u, err := e.st.CreateUser(store.User{Email: "old@example.com", Role: store.RoleViewer, PasswordHash: weak})
	if err != nil {
		t.Fatal(err)
	}
	w := e.do("POST", "/api/v1/session", `{"email":"old@example.com","password":"`+testPassword+`"}`, cred{})
	if w.Code != 200 {
		t.Fatalf("sign-in: %d %s", w.Code, w.Body)
	}
	u, _ = e.st.User(u.ID)
	if !strings.HasPrefix(u.PasswordHash, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash not upgraded: %q", u.PasswordHash)
	}
}

func TestPasswordPolicy(t *testing.T) {
	for _, c := range []struct {
		pw, email string
		ok        bool
	}{
		{"short", "a@b.c", false},
		{"elevenchars", "a@b.c", false},
		{"password1234", "a@b.c", false},
		{"Password1234!", "a@b.c", false},
		{"P@ssw0rd2026!", "a@b.c", false},
		{"Welcome2026!", "a@b.c", false},
		{"Summer2025!!", "a@b.c", false},
		{"123456789012", "a@b.c", false},
		{"qwertyuiop12", "a@b.c", false},
		{"iloveyou1234", "a@b.c", false},
		{"abcabcabcabc", "a@b.c", false},
		{"aaaaaaaaaaaaaaa", "a@b.c", false},
		{"jsmith-is-great", "jsmith@firm.com", false},
		{strings.Repeat("x", 257) + "y", "a@b.c", false},
		{"correct horse battery staple", "jsmith@firm.com", true},
		{"tidal-mango-forklift-7", "a@b.c", true},
		{"Zq8#kL2!vN0p", "a@b.c", true},
	} {
		err := CheckPasswordPolicy(c.pw, c.email)
		if (err == nil) != c.ok {
			t.Errorf("CheckPasswordPolicy(%q, %q) = %v, want ok=%v", c.pw, c.email, err, c.ok)
		}
		var pe *PolicyError
		if err != nil && !errors.As(err, &pe) {
			t.Errorf("%q: error %T is not a *PolicyError", c.pw, err)
		}
	}
	if n := len(commonPasswords()); n < 1000 {
		t.Errorf("common password list has %d entries, want at least 1000", n)
	}
}

// TestLimiterGrowingDelays: 3 free failures, then 1 s, 2 s, 4 s ... capped at 15 min; the
// window forgets old failures; success clears.
func TestLimiterGrowingDelays(t *testing.T) {
	clk := newTestClock()
	l := newLimiter(clk.now)
	keys, free := []string{"acct:a"}, []int{limitFreeAcct}
	for i := range 3 {
		if d := l.fail(keys, free); d != 0 {
			t.Fatalf("failure %d: delay %v, want none", i+1, d)
		}
	}
	want := time.Second
	for i := range 12 {
		d := l.fail(keys, free)
		if d != min(want, limitWindow) {
			t.Fatalf("failure %d: delay %v, want %v", i+4, d, min(want, limitWindow))
		}
		if w := l.wait("acct:a"); w != d {
			t.Fatalf("wait %v, want %v", w, d)
		}
		clk.advance(d)
		if w := l.wait("acct:a"); w != 0 {
			t.Fatalf("after the delay: wait %v", w)
		}
		want *= 2
	}
	l.succeed("acct:a")
	if d := l.fail(keys, free); d != 0 {
		t.Fatalf("after success: delay %v", d)
	}
	clk.advance(limitWindow + time.Second)
	for range 3 {
		l.fail(keys, free)
	}
	if w := l.wait("acct:a"); w != 0 {
		t.Fatalf("old failures outside the window still count: %v", w)
	}
}

// TestLoginRateLimitAndEnumeration drives POST /api/v1/session: growing 429s with
// Retry-After, an unknown email answered exactly like a wrong password (and throttled the
// same), and every failure audited without the password.
func TestLoginRateLimitAndEnumeration(t *testing.T) {
	e := newEnv(t)
	e.user("ann@example.com", store.RoleViewer)
	login := func(email, pw string) (int, string, string) {
		w := e.do("POST", "/api/v1/session", `{"email":"`+email+`","password":"`+pw+`"}`, cred{})
		return w.Code, strings.TrimSpace(w.Body.String()), w.Header().Get("Retry-After")
	}
	for _, email := range []string{"ann@example.com", "nobody@example.com"} {
		var bodies []string
		for range 4 {
			code, body, _ := login(email, "wrong password here")
			if code != 401 {
				t.Fatalf("%s: %d, want 401", email, code)
			}
			bodies = append(bodies, body)
		}
		code, _, retry := login(email, testPassword)
		if code != 429 || retry != "1" {
			t.Fatalf("%s after 4 failures: %d Retry-After %q, want 429 and 1", email, code, retry)
		}
		e.clk.advance(time.Second)
		login(email, "wrong again")
		if code, _, retry := login(email, "x"); code != 429 || retry != "2" {
			t.Fatalf("%s: next delay %d %q, want 429 and 2", email, code, retry)
		}
		if bodies[0] != `{"error":"wrong email or password"}` {
			t.Fatalf("body %s", bodies[0])
		}
		e.clk.advance(2 * time.Second)
	}
	if code, _, _ := login("ann@example.com", testPassword); code != 200 {
		t.Fatalf("right password after waiting: %d", code)
	}
	es, _ := e.st.AuditEntries(time.Time{}, time.Time{}, 0, false)
	failed := 0
	for _, en := range es {
		if en.Action == "session.login_failed" {
			failed++
			if en.Addr == "" {
				t.Error("login_failed without address")
			}
		}
		for _, v := range en.Detail {
			if strings.Contains(v, "wrong") || strings.Contains(v, testPassword) {
				t.Errorf("audit entry carries a password: %+v", en)
			}
		}
	}
	if failed < 12 {
		t.Fatalf("%d login_failed entries, want every failure (>= 12)", failed)
	}
}

// TestPasswordChangeEndsOtherSessions: the other session gets 401, the current one stays.
func TestPasswordChangeEndsOtherSessions(t *testing.T) {
	e := newEnv(t)
	u := e.user("ann@example.com", store.RoleViewer)
	a, b := e.session(u), e.session(u)
	w := e.do("POST", "/api/v1/me/password", `{"current_password":"`+testPassword+`","new_password":"Welcome2026!"}`, cookieCred(a))
	if w.Code != 400 {
		t.Fatalf("common new password: %d, want 400", w.Code)
	}
	w = e.do("POST", "/api/v1/me/password", `{"current_password":"`+testPassword+`","new_password":"a different long passphrase"}`, cookieCred(a))
	if w.Code != 200 {
		t.Fatalf("change: %d %s", w.Code, w.Body)
	}
	if w := e.do("GET", "/api/v1/me", "", cookieCred(b)); w.Code != 401 {
		t.Fatalf("other session: %d, want 401", w.Code)
	}
	if w := e.do("GET", "/api/v1/me", "", cookieCred(a)); w.Code != 200 {
		t.Fatalf("current session: %d, want 200", w.Code)
	}
	w = e.do("POST", "/api/v1/session", `{"email":"ann@example.com","password":"a different long passphrase"}`, cred{})
	if w.Code != http.StatusOK || sessionCookie(w) == "" {
		t.Fatalf("sign in with the new password: %d", w.Code)
	}
}
