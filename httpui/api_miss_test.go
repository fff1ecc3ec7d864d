package httpui

import (
	"encoding/json"
	"strings"
	"testing"

	"firmline/store"
)

// TestAPIMissesAreJSON: an unknown /api/ path is 404 and a known one with the wrong method
// is 405 (with Allow), both with the {"error": ...} body of every API answer; pages keep the
// mux's answers.
func TestAPIMissesAreJSON(t *testing.T) {
	e := newEnv(t)
	o := cookieCred(e.session(e.user("owner@example.com", store.RoleOwner)))
	for _, c := range []struct {
		method, path string
		cred         cred
		want         int
		allow        string
	}{
		{"GET", "/api/v1/nope", o, 404, ""},
		{"GET", "/api/v1/nope", cred{}, 404, ""},
		{"GET", "/api/v1/users/x", o, 405, "DELETE, PATCH"},
		{"PUT", "/api/v1/messages", o, 405, "GET, HEAD"},
		{"POST", "/api/v1/me/notifications", o, 405, "PUT"},
	} {
		body := ""
		if c.method != "GET" {
			body = "{}"
		}
		w := e.do(c.method, c.path, body, c.cred)
		var v map[string]any
		if w.Code != c.want || !strings.HasPrefix(w.Header().Get("Content-Type"), "application/json") ||
			json.Unmarshal(w.Body.Bytes(), &v) != nil || v["error"] == nil {
			t.Errorf("%s %s: %d %q %q, want %d with a JSON error", c.method, c.path, w.Code, w.Header().Get("Content-Type"), w.Body, c.want)
		}
		if c.allow != "" && w.Header().Get("Allow") != c.allow {
			t.Errorf("%s %s: Allow %q, want %q", c.method, c.path, w.Header().Get("Allow"), c.allow)
		}
		if w.Header().Get("Content-Security-Policy") == "" {
			t.Errorf("%s %s: no security headers", c.method, c.path)
		}
	}
	if w := e.do("GET", "/nope", "", o); w.Code != 404 {
		t.Errorf("unknown page: %d", w.Code)
	}
	if w := e.do("GET", "/api/v1/messages", "", o); w.Code != 200 {
		t.Errorf("a matched API route: %d", w.Code)
	}
}
