package httpui

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzParseCookie: any cookie value is either refused or a well-formed 256-bit id; never a panic.
func FuzzParseCookie(f *testing.F) {
	raw, _ := newSessionID()
	f.Add(raw)                     // a real id
	f.Add("")                      // empty
	f.Add(strings.Repeat("A", 43)) // right length, decodes to 32 bytes
	f.Add(strings.Repeat("=", 43)) // right length, not base64url
	f.Add(raw[:42] + "%")          // one bad character
	f.Add(raw + "A")               // one too long
	f.Fuzz(func(t *testing.T, v string) {
		hash, ok := parseSessionID(v)
		if ok && (len(v) != 43 || hash != hashSecret(v)) {
			t.Fatalf("accepted %q -> %q", v, hash)
		}
		if !ok && hash != "" {
			t.Fatal("hash returned for a refused id")
		}
	})
}

// FuzzBearer: Authorization header values.
func FuzzBearer(f *testing.F) {
	plain, _ := NewToken()
	f.Add("Bearer " + plain)                // valid
	f.Add("bearer " + plain)                // scheme is case-insensitive
	f.Add("Basic dXNlcjpwYXNz")             // other scheme
	f.Add("Bearer ")                        // empty token
	f.Add("Bearer fl_")                     // prefix only
	f.Add("Bearer " + plain[:len(plain)-1]) // truncated
	f.Add("Bearer  " + plain + " ")         // extra spaces
	f.Fuzz(func(t *testing.T, h string) {
		hash, ok := parseBearer(h)
		if ok && len(hash) != 64 {
			t.Fatalf("accepted %q with hash %q", h, hash)
		}
	})
}

// FuzzLoginJSON drives POST /api/v1/session with arbitrary bodies: the answer is always JSON
// with a 4xx status (or 200), never a 5xx or a panic, and bodies over 64 KiB are refused.
func FuzzLoginJSON(f *testing.F) {
	e := newEnv(f)
	e.user("ann@example.com", "viewer")
	f.Add(`{"email":"ann@example.com","password":"` + testPassword + `"}`) // right
	f.Add(`{"email":"ann@example.com","password":"nope"}`)                 // wrong password
	f.Add(`{"email":1,"password":[]}`)                                     // wrong types
	f.Add(`{"email":"a@b.c","password":"x","code":"123456","remember":true,"extra":{}}`)
	f.Add(`[]`)                                             // not an object
	f.Add(`{`)                                              // truncated
	f.Add("\x00")                                           // binary
	f.Add(`{"email":"` + strings.Repeat("a", 70000) + `"}`) // over the size limit
	f.Fuzz(func(t *testing.T, body string) {
		e.srv.limit = newLimiter(e.clk.now)
		r := httptest.NewRequest(http.MethodPost, "/api/v1/session", strings.NewReader(body))
		w := httptest.NewRecorder()
		e.h.ServeHTTP(w, r)
		if w.Code >= 500 || (w.Code != 200 && !strings.Contains(w.Body.String(), `"error"`)) {
			t.Fatalf("body %q: %d %s", body, w.Code, w.Body)
		}
		if len(body) > maxBody && w.Code != http.StatusRequestEntityTooLarge && w.Code != 400 {
			t.Fatalf("oversized body answered %d", w.Code)
		}
	})
}

// FuzzPHC: the stored-hash parser never panics, and what it accepts re-encodes to itself with
// bounded parameters.
func FuzzPHC(f *testing.F) {
	f.Add("$argon2id$v=19$m=19456,t=2,p=1$MDEyMzQ1Njc4OWFiY2RlZg$MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY") // well formed
	f.Add("$argon2i$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA")                                  // wrong variant
	f.Add("$argon2id$v=19$m=4294967295,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA")                            // huge memory
	f.Add("$argon2id$v=19$m=019456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA")                                // leading zero
	f.Add("$argon2id$v=19$m=19456,t=2$c2FsdA$aGFzaA")                                                          // missing p
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		p, salt, key, err := parsePHC(s)
		if err != nil {
			return
		}
		if p.memory > 1<<20 || p.time > 16 || p.threads > 16 || p.threads == 0 {
			t.Fatalf("unbounded parameters accepted: %+v", p)
		}
		if got := encodePHC(p, salt, key); got != s {
			t.Fatalf("re-encoded %q as %q", s, got)
		}
	})
}
