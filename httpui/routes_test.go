package httpui

import (
	"net/http"
	"strings"
	"testing"

	"firmline/store"
)

// Callers of the access test, in column order.
const (
	cAnon = iota
	cViewer
	cManager
	cOwner
	cOwnerToken
	cGoneCookie
	cGoneToken
	nCallers
)

var callerNames = [nCallers]string{"anonymous", "viewer", "manager", "owner", "owner-token", "deleted-cookie", "deleted-token"}

// accessRow is how the access test calls one API route and the exact status each caller
// gets. Allowed callers use an id that does not exist or an empty body, so the status shows
// the request passed the role check and reached the handler (404/400/409) without changing
// anything the next row depends on.
type accessRow struct {
	path, body string
	want       [nCallers]int
}

// Shorthands for rows.
func all(code int) [nCallers]int {
	return [nCallers]int{code, code, code, code, code, code, code}
}

// authed: anonymous and deleted users 401; the rest per role (viewer, manager, owner, owner token).
func authed(v, m, o, ot int) [nCallers]int {
	return [nCallers]int{401, v, m, o, ot, 401, 401}
}

var accessTable = map[string]accessRow{
	"GET /healthz":                {"/healthz", "", all(200)},
	"GET /api/v1/setup":           {"/api/v1/setup", "", all(200)},
	"POST /api/v1/setup":          {"/api/v1/setup", `{}`, all(410)},
	"POST /api/v1/session":        {"/api/v1/session", `{"email":"nobody@example.com","password":"x"}`, all(401)},
	"POST /api/v1/session/mfa":    {"/api/v1/session/mfa", `{}`, authed(409, 409, 409, 403)},
	"DELETE /api/v1/session":      {"/api/v1/session", "", authed(200, 200, 200, 403)},
	"GET /api/v1/invites/accept":  {"/api/v1/invites/accept?token=nope", "", all(404)},
	"POST /api/v1/invites/accept": {"/api/v1/invites/accept", `{"token":"nope"}`, all(404)},
	"GET /api/v1/me":              {"/api/v1/me", "", authed(200, 200, 200, 200)},
	"POST /api/v1/me/password":    {"/api/v1/me/password", `{}`, authed(401, 401, 401, 403)},
	"POST /api/v1/me/mfa/totp":    {"/api/v1/me/mfa/totp", "", authed(200, 200, 200, 403)},
	"POST /api/v1/me/mfa/totp/confirm": {"/api/v1/me/mfa/totp/confirm", `{"code":"000000"}`,
		authed(401, 401, 401, 403)},
	"DELETE /api/v1/me/mfa":               {"/api/v1/me/mfa", `{}`, authed(401, 401, 401, 403)},
	"POST /api/v1/me/backup-codes":        {"/api/v1/me/backup-codes", `{}`, authed(409, 409, 409, 403)},
	"GET /api/v1/me/sessions":             {"/api/v1/me/sessions", "", authed(200, 200, 200, 403)},
	"DELETE /api/v1/me/sessions/{id}":     {"/api/v1/me/sessions/0123456789abcdef", "", authed(404, 404, 404, 403)},
	"PUT /api/v1/me/notifications":        {"/api/v1/me/notifications", `{"platforms":["Clio"]}`, authed(200, 200, 200, 403)},
	"GET /api/v1/messages":                {"/api/v1/messages", "", authed(200, 200, 200, 200)},
	"GET /api/v1/messages/{id}":           {"/api/v1/messages/nope", "", authed(404, 404, 404, 404)},
	"POST /api/v1/messages/{id}/copied":   {"/api/v1/messages/nope/copied", "", authed(404, 404, 404, 404)},
	"GET /api/v1/messages/{id}/access":    {"/api/v1/messages/nope/access", "", authed(403, 404, 404, 404)},
	"GET /api/v1/stream":                  {"/api/v1/stream", "", authed(400, 400, 400, 400)}, // 400: not a WebSocket handshake
	"GET /api/v1/status":                  {"/api/v1/status", "", authed(200, 200, 200, 200)},
	"GET /api/v1/users":                   {"/api/v1/users", "", authed(403, 200, 200, 200)},
	"PATCH /api/v1/users/{id}":            {"/api/v1/users/nope", `{}`, authed(403, 404, 404, 404)},
	"DELETE /api/v1/users/{id}":           {"/api/v1/users/nope", "", authed(403, 404, 404, 404)},
	"POST /api/v1/users/{id}/mfa/disable": {"/api/v1/users/nope/mfa/disable", "", authed(403, 404, 404, 403)},
	"GET /api/v1/invites":                 {"/api/v1/invites", "", authed(403, 200, 200, 200)},
	"POST /api/v1/invites":                {"/api/v1/invites", `{}`, authed(403, 400, 400, 400)},
	"DELETE /api/v1/invites/{id}":         {"/api/v1/invites/nope", "", authed(403, 404, 404, 404)},
	"POST /api/v1/invites/{id}/resend":    {"/api/v1/invites/nope/resend", "", authed(403, 404, 404, 404)},
	"GET /api/v1/settings":                {"/api/v1/settings", "", authed(403, 200, 200, 200)},
	"PUT /api/v1/settings":                {"/api/v1/settings", `{"retention_days":365}`, authed(403, 403, 200, 200)},
	"GET /api/v1/channels":                {"/api/v1/channels", "", authed(403, 200, 200, 200)},
	"POST /api/v1/channels":               {"/api/v1/channels", `{}`, authed(403, 400, 400, 400)},
	"DELETE /api/v1/channels/{id}":        {"/api/v1/channels/nope", "", authed(403, 404, 404, 404)},
	"POST /api/v1/channels/{id}/test":     {"/api/v1/channels/nope/test", "", authed(403, 404, 404, 404)},
	"GET /api/v1/rules":                   {"/api/v1/rules", "", authed(403, 200, 200, 200)},
	"PUT /api/v1/rules":                   {"/api/v1/rules", `{"rules":[]}`, authed(403, 200, 200, 200)},
	"GET /api/v1/deliveries":              {"/api/v1/deliveries", "", authed(403, 200, 200, 200)},
	"GET /api/v1/audit":                   {"/api/v1/audit", "", authed(403, 200, 200, 200)},
	"GET /api/v1/audit/export":            {"/api/v1/audit/export?format=jsonl", "", authed(403, 200, 200, 200)},
	"GET /api/v1/backup":                  {"/api/v1/backup", "", authed(403, 403, 200, 200)},
	"GET /api/v1/tokens":                  {"/api/v1/tokens", "", authed(403, 403, 200, 200)},
	"POST /api/v1/tokens":                 {"/api/v1/tokens", `{}`, authed(403, 403, 400, 403)},
	"DELETE /api/v1/tokens/{name}":        {"/api/v1/tokens/nope", "", authed(403, 403, 404, 404)},
	"GET /api/v1/accounts":                {"/api/v1/accounts", "", authed(403, 200, 200, 200)},
	"POST /api/v1/accounts":               {"/api/v1/accounts", `{}`, authed(403, 403, 400, 400)},
	"DELETE /api/v1/accounts/{id}":        {"/api/v1/accounts/nope", "", authed(403, 403, 404, 404)},
	"GET /api/v1/accounts/suggestions":    {"/api/v1/accounts/suggestions", "", authed(403, 200, 200, 200)},
}

func isAPIRoute(pattern string) bool {
	_, path, _ := strings.Cut(pattern, " ")
	return strings.HasPrefix(path, "/api/") || path == "/healthz"
}

// TestRouteAccess calls every API route in the table as every kind of caller and checks the
// exact status. It iterates the route table itself: a route without a row fails.
func TestRouteAccess(t *testing.T) {
	e := newEnv(t)
	users := [nCallers]store.User{}
	users[cViewer] = e.user("viewer@example.com", store.RoleViewer)
	users[cManager] = e.user("manager@example.com", store.RoleManager)
	users[cOwner] = e.user("owner@example.com", store.RoleOwner)
	gone := e.user("gone@example.com", store.RoleManager)
	goneCookie, goneToken := e.session(gone), e.token("gone-token", store.RoleManager, gone.ID)
	ownerToken := e.token("owner-token", store.RoleOwner, users[cOwner].ID)
	if _, err := e.st.DeleteUser(gone.ID); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, rt := range e.srv.routes() {
		if !isAPIRoute(rt.pattern) {
			continue
		}
		seen[rt.pattern] = true
		row, ok := accessTable[rt.pattern]
		if !ok {
			t.Errorf("route %q has no row in accessTable", rt.pattern)
			continue
		}
		method, _, _ := strings.Cut(rt.pattern, " ")
		for who := range nCallers {
			var c cred
			switch who {
			case cViewer, cManager, cOwner:
				c = cookieCred(e.session(users[who])) // fresh: some rows sign the caller out
			case cOwnerToken:
				c = bearerCred(ownerToken)
			case cGoneCookie:
				c = cookieCred(goneCookie)
			case cGoneToken:
				c = bearerCred(goneToken)
			}
			e.srv.limit = newLimiter(e.clk.now) // rows must not throttle each other
			w := e.do(method, row.path, row.body, c)
			if w.Code != row.want[who] {
				t.Errorf("%s as %s: status %d, want %d (body %s)", rt.pattern, callerNames[who], w.Code, row.want[who], w.Body.String())
			}
		}
	}
	for p := range accessTable {
		if !seen[p] {
			t.Errorf("accessTable row %q names no route", p)
		}
	}
}

// TestPageRouteAccess checks the page rows of the table generically: a caller below a
// route's minimum role is never served (no 2xx), and anonymous callers never reach a
// non-public page.
func TestPageRouteAccess(t *testing.T) {
	e := newEnv(t)
	viewerU := e.user("viewer@example.com", store.RoleViewer)
	managerU := e.user("manager@example.com", store.RoleManager)
	for _, rt := range e.srv.routes() {
		if isAPIRoute(rt.pattern) || rt.min == anyone {
			continue
		}
		method, path, _ := strings.Cut(rt.pattern, " ")
		path = strings.NewReplacer("{$}", "", "{id}", "nope", "{file}", "nope", "{token}", "nope").Replace(path)
		callers := []struct {
			name string
			c    cred
			role access
		}{{"anonymous", cred{}, anyone}, {"viewer", cookieCred(e.session(viewerU)), viewer}, {"manager", cookieCred(e.session(managerU)), manager}}
		for _, who := range callers {
			if who.role >= rt.min {
				continue
			}
			w := e.do(method, path, "", who.c)
			if w.Code >= 200 && w.Code < 300 {
				t.Errorf("%s as %s: status %d, want a refusal", rt.pattern, who.name, w.Code)
			}
		}
	}
}

// TestCrossOriginRefused: a state-changing request from another origin is refused even with
// a valid cookie, and the security headers are on every response.
func TestCrossOriginRefused(t *testing.T) {
	e := newEnv(t)
	u := e.user("owner@example.com", store.RoleOwner)
	ck := e.session(u)
	r := httptestRequest(http.MethodPost, "/api/v1/invites", `{"email":"x@example.com","role":"viewer"}`)
	r.Header.Set("Origin", "https://evil.example")
	r.Header.Set("Sec-Fetch-Site", "cross-site")
	r.AddCookie(&http.Cookie{Name: cookieName, Value: ck})
	w := serve(e, r)
	if w.Code != http.StatusForbidden {
		t.Fatalf("cross-origin POST: %d, want 403", w.Code)
	}
	for h, want := range map[string]string{
		"Content-Security-Policy": csp, "X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer",
		"X-Content-Type-Options": "nosniff", "Cache-Control": "no-store",
	} {
		if got := w.Header().Get(h); got != want {
			t.Errorf("%s = %q, want %q", h, got, want)
		}
	}
	if strings.Contains(csp, "unsafe-inline") {
		t.Error("CSP allows inline script")
	}
}
