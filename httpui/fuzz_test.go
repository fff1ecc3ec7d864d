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

// FuzzAPIJSON sends arbitrary bodies and query strings to every JSON-reading route as a
// signed-in Owner: the answer is never a 5xx, and every refusal is a JSON {"error"}.
func FuzzAPIJSON(f *testing.F) {
	e := newEnv(f)
	owner := e.user("owner@example.com", "owner")
	target := e.user("ann@example.com", "viewer")
	ck := e.session(owner)
	routes := []string{
		"POST /api/v1/invites", "PUT /api/v1/settings", "POST /api/v1/channels", "PUT /api/v1/rules",
		"PATCH /api/v1/users/" + target.ID, "POST /api/v1/tokens", "PUT /api/v1/me/notifications",
		"POST /api/v1/me/mfa/totp/confirm", "POST /api/v1/setup", "POST /api/v1/invites/accept",
		"GET /api/v1/messages", "GET /api/v1/audit", "GET /api/v1/audit/export", "GET /api/v1/invites/accept",
		"POST /api/v1/session/mfa", "DELETE /api/v1/me/mfa", "POST /api/v1/me/backup-codes",
	}
	f.Add(uint8(0), `{"email":"x@example.com","role":"viewer"}`, "")               // invite
	f.Add(uint8(1), `{"mfa_policy":"required","retention_days":-1}`, "")           // bad settings
	f.Add(uint8(2), `{"type":"webhook","name":"h","url":"http://10.0.0.1/x"}`, "") // refused URL
	f.Add(uint8(3), `{"rules":[{"regex":true,"text":"(","channels":["x"]}]}`, "")  // bad regex
	f.Add(uint8(4), `{"role":"owner","mfa_required":true,"mfa_invited":true}`, "") // promote
	f.Add(uint8(5), `{"name":"a b","role":"god"}`, "")                             // bad token
	f.Add(uint8(6), `{"platforms":[""," ","Clio","Clio"]}`, "")                    // duplicates
	f.Add(uint8(10), "", "limit=0&before=%ff&q="+strings.Repeat("x", 300))         // bad query
	f.Add(uint8(11), "", "since=yesterday&until=2026-13-40&limit=99999")           // bad times
	f.Add(uint8(12), "", "format=xml")                                             // bad format
	f.Add(uint8(13), "", "token="+strings.Repeat("A", 43))                         // unknown token
	f.Fuzz(func(t *testing.T, which uint8, body, query string) {
		e.srv.limit = newLimiter(e.clk.now)
		method, path, _ := strings.Cut(routes[int(which)%len(routes)], " ")
		r := httptest.NewRequest(method, path, strings.NewReader(body))
		r.URL.RawQuery = query
		r.AddCookie(&http.Cookie{Name: cookieName, Value: ck})
		w := httptest.NewRecorder()
		e.h.ServeHTTP(w, r)
		if w.Code >= 500 {
			t.Fatalf("%s %s?%s %q: %d %s", method, path, query, body, w.Code, w.Body)
		}
		if w.Code >= 400 && !strings.Contains(w.Body.String(), `"error"`) {
			t.Fatalf("%s %s: %d without a JSON error: %q", method, path, w.Code, w.Body)
		}
	})
}
