package httpui

import "net/http"

// access is the least a caller must be to reach a route.
type access int

const (
	anyone  access = iota // no credentials needed
	viewer                // a signed-in Viewer, Manager or Owner (or an API token of that role)
	manager               // Manager or Owner
	owner                 // Owner
)

// flags refine a route's access.
type flags uint8

const (
	// codeOwed also admits a session whose password was accepted but whose TOTP or backup code
	// is still owed (the sign-in's second step).
	codeOwed flags = 1 << iota
	// enrolOwed also admits a session that must enrol a second factor before anything else
	// (MFA required by policy or by an admin, not yet enrolled).
	enrolOwed
	// userOnly refuses API tokens (403): the route acts on the signed-in person's own account.
	userOnly
)

// route is one row of the route table: who may do what.
type route struct {
	pattern string // Go 1.22+ ServeMux pattern with its method: "GET /api/v1/messages/{id}"
	min     access
	flags   flags
	handler http.HandlerFunc
	// denied, when set, answers a caller this route refuses (status 401 or 403); nil answers
	// {"error": ...} as JSON. Page routes set it to redirect to the sign-in page.
	denied func(w http.ResponseWriter, r *http.Request, status int)
}

// routes is THE table. The role middleware wraps every row; the access test iterates it, so a
// row added here without an expected status there fails the test.
func (s *Server) routes() []route {
	rs := []route{
		{pattern: "GET /healthz", min: anyone, handler: s.handleHealth},
	}
	return append(rs, s.pageRoutes()...)
}

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte("ok"))
}
