package httpui

import (
	"net/http"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"firmline/store"
)

// The MFA inventory: the register of platform accounts that use the firm's number for their
// verification codes (store.Account), kept by Owners, read by Managers, and the platforms
// seen in codes that are not in it yet. Every change is audited (inventory.added,
// inventory.removed).

// suggestWindow is how far back codes are looked at for platforms missing from the register.
const suggestWindow = 365 * 24 * time.Hour

// accountInput is what a caller may set on a register entry (API JSON and page form alike).
type accountInput struct {
	Platform     string `json:"platform"`
	Account      string `json:"account"`
	Notes        string `json:"notes"`
	RegisteredBy string `json:"registered_by"`
	Registered   string `json:"registered"` // YYYY-MM-DD or RFC 3339; empty = now
}

// suggestion is a platform seen in codes that the register does not name.
type suggestion struct {
	Platform string `json:"platform"`
	Messages int    `json:"messages"` // visible messages from it in the window
}

// fieldOK checks one free-text field: at most max characters of valid UTF-8 without controls.
func fieldOK(v string, max int) bool {
	return utf8.ValidString(v) && utf8.RuneCountInString(v) <= max &&
		!strings.ContainsFunc(v, func(r rune) bool { return r < 0x20 || r == 0x7f })
}

// addAccount validates in and adds it to the register. RegisteredBy defaults to the caller.
func (s *Server) addAccount(c caller, in accountInput) (store.Account, error) {
	a := store.Account{Platform: strings.TrimSpace(in.Platform), Account: strings.TrimSpace(in.Account),
		Notes: strings.TrimSpace(in.Notes), RegisteredBy: strings.TrimSpace(in.RegisteredBy)}
	switch {
	case a.Platform == "" || !fieldOK(a.Platform, 100):
		return a, badRequest("a platform name of 1 to 100 characters is needed")
	case !fieldOK(a.Account, 200) || !fieldOK(a.RegisteredBy, 200):
		return a, badRequest("the account and who registered it are at most 200 characters each")
	case !utf8.ValidString(a.Notes) || utf8.RuneCountInString(a.Notes) > 1000:
		return a, badRequest("notes are at most 1000 characters")
	}
	if a.RegisteredBy == "" {
		a.RegisteredBy = c.Actor()
	}
	a.Registered = s.now().UTC()
	if v := strings.TrimSpace(in.Registered); v != "" {
		t, err := time.Parse(time.DateOnly, v)
		if err != nil {
			if t, err = time.Parse(time.RFC3339, v); err != nil {
				return a, badRequest("registered must be a date (YYYY-MM-DD) or an RFC 3339 time")
			}
		}
		a.Registered = t.UTC()
	}
	a, err := s.st.PutAccount(a)
	if err != nil {
		return a, err
	}
	return a, s.audit(c.Actor(), "inventory.added", a.Platform, c.Addr,
		map[string]string{"id": a.ID, "account": a.Account, "registered_by": a.RegisteredBy})
}

// removeAccount deletes a register entry by ID.
func (s *Server) removeAccount(c caller, id string) error {
	as, err := s.st.Accounts()
	if err != nil {
		return err
	}
	for _, a := range as {
		if a.ID != id {
			continue
		}
		if err := s.st.DeleteAccount(id); err != nil {
			return err
		}
		return s.audit(c.Actor(), "inventory.removed", a.Platform, c.Addr, map[string]string{"id": a.ID, "account": a.Account})
	}
	return notFound("no such account in the register")
}

// unregistered counts the platforms seen in codes since since (seen) and lists those that no
// register entry names, case-insensitively (out, by platform name).
func (s *Server) unregistered(since time.Time, reg []store.Account) (seen map[string]int, out []suggestion, err error) {
	if seen, err = s.st.SeenPlatforms(since); err != nil {
		return nil, nil, err
	}
	known := map[string]bool{}
	for _, a := range reg {
		known[strings.ToLower(a.Platform)] = true
	}
	out = []suggestion{}
	for p, n := range seen {
		if !known[strings.ToLower(p)] {
			out = append(out, suggestion{Platform: p, Messages: n})
		}
	}
	sort.Slice(out, func(i, j int) bool { return strings.ToLower(out[i].Platform) < strings.ToLower(out[j].Platform) })
	return seen, out, nil
}

func (s *Server) handleAccounts(w http.ResponseWriter, r *http.Request) error {
	as, err := s.st.Accounts()
	if err != nil {
		return err
	}
	if as == nil {
		as = []store.Account{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"accounts": as})
	return nil
}

func (s *Server) handleAddAccount(w http.ResponseWriter, r *http.Request) error {
	var in accountInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	a, err := s.addAccount(s.must(r), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, a)
	return nil
}

func (s *Server) handleDeleteAccount(w http.ResponseWriter, r *http.Request) error {
	if err := s.removeAccount(s.must(r), r.PathValue("id")); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
	return nil
}

func (s *Server) handleAccountSuggestions(w http.ResponseWriter, r *http.Request) error {
	as, err := s.st.Accounts()
	if err != nil {
		return err
	}
	_, sg, err := s.unregistered(s.now().Add(-suggestWindow), as)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"suggestions": sg})
	return nil
}

// inventoryRoutes are the register's rows of the route table: the JSON API and the page.
func (p *pages) inventoryRoutes() []route {
	s := p.s
	return []route{
		{"GET /api/v1/accounts", manager, 0, s.api(s.handleAccounts), nil},
		{"POST /api/v1/accounts", owner, 0, s.api(s.handleAddAccount), nil},
		{"DELETE /api/v1/accounts/{id}", owner, 0, s.api(s.handleDeleteAccount), nil},
		{"GET /api/v1/accounts/suggestions", manager, 0, s.api(s.handleAccountSuggestions), nil},

		{pattern: "GET /inventory", min: manager, handler: p.inventory, denied: p.denied},
		{pattern: "POST /inventory", min: owner, flags: userOnly, handler: p.inventoryAdd, denied: p.denied},
		{pattern: "POST /inventory/{id}/delete", min: owner, flags: userOnly, handler: p.inventoryDelete, denied: p.denied},
	}
}

// inventoryPage shows the register; Owners get the forms.
type inventoryPage struct {
	pageBase
	IsOwner     bool
	Accounts    []store.Account
	Suggestions []suggestion
	Today       string // the default "when" of a new entry
	Me          string // the default "registered by"
}

// inventoryFlashes are this page's fixed confirmations (?ok=KEY).
var inventoryFlashes = map[string]string{
	"added":   "The account was added to the register.",
	"removed": "The account was removed from the register.",
}

func (p *pages) inventory(w http.ResponseWriter, r *http.Request) {
	p.renderInventory(w, r, http.StatusOK, "")
}

func (p *pages) renderInventory(w http.ResponseWriter, r *http.Request, status int, msg string) {
	c, _ := p.s.callerFrom(r)
	pg := inventoryPage{pageBase: p.base(r, "Verification accounts", "settings"), IsOwner: c.Role.AtLeast(store.RoleOwner),
		Today: p.s.now().UTC().Format(time.DateOnly), Me: c.Actor()}
	if f := inventoryFlashes[r.URL.Query().Get("ok")]; f != "" {
		pg.Flash = f
	}
	pg.Error = msg
	var err error
	if pg.Accounts, err = p.s.st.Accounts(); err != nil {
		p.fail(w, r, err)
		return
	}
	if _, pg.Suggestions, err = p.s.unregistered(p.s.now().Add(-suggestWindow), pg.Accounts); err != nil {
		p.fail(w, r, err)
		return
	}
	p.render(w, r, status, "inventory", pg)
}

func (p *pages) inventoryAdd(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	f := r.PostForm
	_, err := p.s.addAccount(p.s.must(r), accountInput{Platform: f.Get("platform"), Account: f.Get("account"),
		Notes: f.Get("notes"), RegisteredBy: f.Get("registered_by"), Registered: f.Get("registered")})
	if err != nil {
		status, msg := formError(err)
		if status >= 500 {
			p.fail(w, r, err)
			return
		}
		p.renderInventory(w, r, status, msg)
		return
	}
	redirect(w, r, "/inventory", "added")
}

func (p *pages) inventoryDelete(w http.ResponseWriter, r *http.Request) {
	if err := p.s.removeAccount(p.s.must(r), r.PathValue("id")); err != nil {
		p.fail(w, r, err)
		return
	}
	redirect(w, r, "/inventory", "removed")
}
