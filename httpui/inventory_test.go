package httpui

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"firmline/httpui/browsertest"
	"firmline/store"
)

// lastAudit returns the newest audit entry with action (zero when none).
func lastAudit(t testing.TB, st *store.Store, action string) store.AuditEntry {
	t.Helper()
	es, err := st.AuditEntries(time.Time{}, time.Time{}, 0, true)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		if e.Action == action {
			return e
		}
	}
	return store.AuditEntry{}
}

func TestInventoryAPI(t *testing.T) {
	e := newEnv(t)
	owner := e.user("owner@example.com", store.RoleOwner)
	ck := cookieCred(e.session(owner))
	w := e.do("POST", "/api/v1/accounts", `{"platform":"Clio","account":"firm admin login at Clio","registered":"2026-10-01"}`, ck)
	if w.Code != http.StatusCreated {
		t.Fatalf("add: %d %s", w.Code, w.Body)
	}
	var a store.Account
	json.Unmarshal(w.Body.Bytes(), &a)
	if a.ID == "" || a.RegisteredBy != "owner@example.com" || a.Registered.Format(time.DateOnly) != "2026-10-01" {
		t.Fatalf("added: %+v", a)
	}
	if ae := lastAudit(t, e.st, "inventory.added"); ae.Actor != "owner@example.com" || ae.Target != "Clio" || ae.Detail["id"] != a.ID {
		t.Fatalf("audit: %+v", ae)
	}
	for _, bad := range []string{`{"platform":""}`, `{"platform":"X","registered":"yesterday"}`, `{"platform":"a\nb"}`} {
		if w := e.do("POST", "/api/v1/accounts", bad, ck); w.Code != http.StatusBadRequest {
			t.Errorf("%s: %d", bad, w.Code)
		}
	}
	if w := e.do("GET", "/api/v1/accounts", "", ck); !strings.Contains(w.Body.String(), `"account":"firm admin login at Clio"`) {
		t.Fatalf("list: %s", w.Body)
	}
	if w := e.do("DELETE", "/api/v1/accounts/"+a.ID, "", ck); w.Code != http.StatusOK {
		t.Fatalf("delete: %d %s", w.Code, w.Body)
	}
	if ae := lastAudit(t, e.st, "inventory.removed"); ae.Target != "Clio" || ae.Detail["id"] != a.ID {
		t.Fatalf("removal audit: %+v", ae)
	}
	if w := e.do("DELETE", "/api/v1/accounts/"+a.ID, "", ck); w.Code != http.StatusNotFound {
		t.Fatalf("second delete: %d", w.Code)
	}
	if _, err := e.st.VerifyAudit(); err != nil {
		t.Fatal(err)
	}
}

func TestInventorySuggestions(t *testing.T) {
	e := newPgEnv(t, nil)
	u := e.team()
	e.ingest("Clio", "Your Clio code is 123456", "123456", "Clio")
	e.ingest("Westlaw", "Westlaw code 222333", "222333", "Westlaw")
	e.ingest("+15550100", "hello", "", "")
	if _, err := e.st.PutAccount(store.Account{Platform: "clio", Account: "admin"}); err != nil {
		t.Fatal(err)
	}
	status, body, _ := e.do("GET", "/api/v1/accounts/suggestions", u.managerCk, nil)
	if status != 200 || body != `{"suggestions":[{"platform":"Westlaw","messages":1}]}`+"\n" {
		t.Fatalf("suggestions: %d %q", status, body)
	}
	e.advance(400 * 24 * time.Hour) // older than a year: no longer suggested
	if _, body, _ := e.do("GET", "/api/v1/accounts/suggestions", e.cookie(u.manager), nil); !strings.Contains(body, `"suggestions":[]`) {
		t.Fatalf("suggestions after a year: %s", body)
	}
}

func TestInventoryPage(t *testing.T) {
	e := newPgEnv(t, nil)
	u := e.team()
	e.ingest("Westlaw", "Westlaw code 222333", "222333", "Westlaw")
	// Owner: the suggestion's one-click form adds it, then the page shows it registered.
	status, body, _ := e.do("GET", "/inventory", u.ownerCk, nil)
	if status != 200 || !strings.Contains(body, `<input type="hidden" name="platform" value="Westlaw">`) || !strings.Contains(body, `action="/inventory"`) {
		t.Fatalf("owner page: %d\n%s", status, body)
	}
	status, _, loc, _ := e.form("/inventory", u.ownerCk, url.Values{"platform": {"Westlaw"}, "registered_by": {"olivia@firm.example"}, "registered": {"2026-11-20"}})
	if status != http.StatusSeeOther || loc != "/inventory?ok=added" {
		t.Fatalf("add: %d %s", status, loc)
	}
	_, body, _ = e.do("GET", "/inventory?ok=added", u.ownerCk, nil)
	if !strings.Contains(body, "The account was added") || !strings.Contains(body, "every platform seen is in the register") || !strings.Contains(body, "20 Nov 2026") {
		t.Fatalf("after add:\n%s", body)
	}
	as, _ := e.st.Accounts()
	if len(as) != 1 {
		t.Fatalf("register: %+v", as)
	}
	// A bad form is shown again with the error, nothing stored.
	status, body, _, _ = e.form("/inventory", u.ownerCk, url.Values{"platform": {""}})
	if status != http.StatusBadRequest || !strings.Contains(body, "A platform name") {
		t.Fatalf("bad form: %d", status)
	}
	// Manager: read-only.
	_, body, _ = e.do("GET", "/inventory", u.managerCk, nil)
	if !strings.Contains(body, "Westlaw") || strings.Contains(body, `method="post" action="/inventory`) {
		t.Fatalf("manager page has forms:\n%s", body)
	}
	if status, _, _, _ := e.form("/inventory/"+as[0].ID+"/delete", u.managerCk, url.Values{}); status != http.StatusForbidden {
		t.Fatalf("manager delete: %d", status)
	}
	// Viewer: not at all.
	if status, _, _ := e.do("GET", "/inventory", u.viewerCk, nil); status != http.StatusForbidden {
		t.Fatalf("viewer: %d", status)
	}
	status, _, loc, _ = e.form("/inventory/"+as[0].ID+"/delete", u.ownerCk, url.Values{})
	if status != http.StatusSeeOther || loc != "/inventory?ok=removed" {
		t.Fatalf("delete: %d %s", status, loc)
	}
	if as, _ := e.st.Accounts(); len(as) != 0 {
		t.Fatalf("after delete: %+v", as)
	}
	// The settings page links to it.
	if _, body, _ := e.do("GET", "/settings", u.managerCk, nil); !strings.Contains(body, `href="/inventory"`) {
		t.Fatal("settings does not link the register")
	}
}

func TestReportShowsRegister(t *testing.T) {
	e := newPgEnv(t, nil)
	u := e.team()
	e.ingest("Clio", "Your Clio code is 123456", "123456", "Clio")
	e.ingest("Westlaw", "Westlaw code 222333", "222333", "Westlaw")
	if _, err := e.st.PutAccount(store.Account{Platform: "Clio", Account: "firm admin login at Clio", RegisteredBy: "olivia@firm.example",
		Registered: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	if err := e.srv.audit("olivia@firm.example", "session.login", "max@firm.example", "", nil); err != nil {
		t.Fatal(err)
	}
	if err := e.srv.audit("olivia@firm.example", "user.removed", "gone@firm.example", "", nil); err != nil {
		t.Fatal(err)
	}
	_, body, _ := e.do("GET", "/report", u.managerCk, nil)
	for _, want := range []string{"firm admin login at Clio", "Seen in codes but not in the register:</strong> Westlaw (1)",
		`href="/inventory"`, "gone@firm.example", "Offboardings in the period", "23 Nov 2026 09:41:00 UTC", "intact"} {
		if !strings.Contains(body, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	_, body, _ = e.do("GET", "/report?format=json", u.managerCk, nil)
	var f reportFile
	if err := json.Unmarshal([]byte(body), &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Register) != 1 || f.Register[0].Account != "firm admin login at Clio" || f.Register[0].RegisteredBy != "olivia@firm.example" ||
		len(f.Unregistered) != 1 || f.Unregistered[0].Platform != "Westlaw" || len(f.Offboardings) != 1 || !f.AuditIntact {
		t.Fatalf("report JSON: %+v", f)
	}
	for _, ru := range f.Users {
		if ru.Email == "max@firm.example" && ru.LastSignIn.IsZero() {
			t.Errorf("last sign-in missing for %s", ru.Email)
		}
	}
}

// TestBrowserInventoryNarrow: at 360 px an Owner adds a suggested platform to the register
// with its one-click form (no script), and the register page and the report fit the width.
func TestBrowserInventoryNarrow(t *testing.T) {
	e := newPgEnv(t, nil)
	e.useWallClock()
	owner := e.addUser("olivia@firm.example", "Olivia Owner", store.RoleOwner, browserPassword, "")
	e.ingest("Westlaw", "Westlaw code 222333", "222333", "Westlaw")
	if _, err := e.st.PutAccount(store.Account{Platform: "Clio", Account: "firm admin login at Clio (the long one used by the whole billing team)",
		RegisteredBy: owner.Email, Registered: time.Now()}); err != nil {
		t.Fatal(err)
	}
	ctx := browsertest.Start(t, 360, 740)
	if err := browsertest.Within(ctx, 5*time.Second, chromedp.EmulateViewport(360, 740, chromedp.EmulateMobile)); err != nil {
		t.Fatal(err)
	}
	if err := browsertest.SignIn(ctx, e.ts.URL, browsertest.Account{Email: owner.Email, Password: browserPassword}); err != nil {
		t.Fatalf("sign-in: %v", err)
	}
	dir := browsertest.ArtefactDir(t, "")
	err := browsertest.Within(ctx, 20*time.Second,
		chromedp.Navigate(e.ts.URL+"/inventory"),
		chromedp.WaitVisible(chromedp.CSS(`#suggestions form button`)),
		chromedp.Click(chromedp.CSS(`#suggestions form button`)),
		chromedp.WaitVisible(chromedp.CSS(`p.flash`)),
	)
	if err != nil {
		t.Fatalf("one-click add: %v", err)
	}
	as, err := e.st.Accounts()
	if err != nil || len(as) != 2 || as[1].Platform != "Westlaw" || as[1].RegisteredBy != owner.Email {
		t.Fatalf("register after the click: %+v %v", as, err)
	}
	for _, pg := range []struct{ path, shot string }{{"/inventory", "inventory-360"}, {"/report", "report-360"}} {
		if err := browsertest.Within(ctx, 10*time.Second, chromedp.Navigate(e.ts.URL+pg.path), chromedp.WaitVisible(chromedp.CSS(`h1`))); err != nil {
			t.Fatalf("%s: %v", pg.path, err)
		}
		if ok, err := browsertest.NoHorizontalScroll(ctx); err != nil || !ok {
			t.Errorf("%s at 360px scrolls horizontally (%v)", pg.path, err)
		}
		browsertest.Screenshot(t, ctx, dir, pg.shot)
	}
}
