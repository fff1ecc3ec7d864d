package httpui

import (
	"context"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"firmline/notify"
	"firmline/store"
)

// pgEnv is a real server on a real store behind httptest, for the page tests and the browser
// tests. Its clock only moves when a test moves it.
type pgEnv struct {
	t   testing.TB
	st  *store.Store
	srv *Server
	ts  *httptest.Server

	mu   sync.Mutex
	now  time.Time
	seq  int  // makes every ingested PDU distinct
	real bool // the clock is the wall clock (browser tests: TOTP and real timing)
}

func newPgEnv(t testing.TB, modems func() []ModemStatus) *pgEnv {
	t.Helper()
	e := &pgEnv{t: t, now: time.Date(2026, 11, 23, 9, 41, 0, 0, time.UTC)}
	st, err := store.Open(filepath.Join(t.TempDir(), "firmline.db"), store.Options{Now: e.clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	e.st = st
	e.srv, err = New(Config{TLS: "off", Now: e.clock, Version: "test"},
		Deps{Store: st, Log: slog.New(slog.NewTextHandler(tWriter{t}, nil)), Modems: modems, Notify: pgNotifier{}})
	if err != nil {
		t.Fatal(err)
	}
	e.ts = httptest.NewServer(e.srv.Handler())
	t.Cleanup(func() { e.ts.Close(); e.srv.Close() })
	return e
}

// pgNotifier stands in for the notify worker: every test send gets the answer 200 "ok".
type pgNotifier struct{}

func (pgNotifier) Test(ctx context.Context, channelID string) (notify.Answer, error) {
	return notify.Answer{Status: 200, Body: "ok"}, nil
}

func (pgNotifier) Wake() {}

// tWriter sends the server's log to the test log.
type tWriter struct{ t testing.TB }

func (w tWriter) Write(b []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(b)))
	return len(b), nil
}

// cards counts the message cards of a page (not the card <template> for live messages).
func cards(body string) int {
	return strings.Count(body, `<li class="card`) - strings.Count(body, `<template id="card-template"><li class="card`)
}

func (e *pgEnv) clock() time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.real {
		return time.Now()
	}
	return e.now
}

// useWallClock switches the environment to the real time.
func (e *pgEnv) useWallClock() {
	e.mu.Lock()
	e.real = true
	e.mu.Unlock()
}

func (e *pgEnv) advance(d time.Duration) {
	e.mu.Lock()
	e.now = e.now.Add(d)
	e.mu.Unlock()
}

// pgHashes caches argon2 hashes by password: hashing is deliberately slow, and the tests
// create many users with the same few passwords.
var pgHashes sync.Map

func pgHash(t testing.TB, password string) string {
	if h, ok := pgHashes.Load(password); ok {
		return h.(string)
	}
	h, err := HashPassword(password)
	if err != nil {
		t.Fatal(err)
	}
	pgHashes.Store(password, h)
	return h
}

// addUser creates a user with a password (and, with totpSecret, a confirmed second factor).
func (e *pgEnv) addUser(email, name string, role store.Role, password, totpSecret string) store.User {
	e.t.Helper()
	u, err := e.st.CreateUser(store.User{Email: email, Name: name, Role: role,
		PasswordHash: pgHash(e.t, password), TOTPSecret: totpSecret})
	if err != nil {
		e.t.Fatal(err)
	}
	return u
}

// cookie starts a fully signed-in session for u.
func (e *pgEnv) cookie(u store.User) *http.Cookie {
	e.t.Helper()
	res, err := e.srv.startSession(u, false, true, "127.0.0.1", "test")
	if err != nil {
		e.t.Fatal(err)
	}
	return &http.Cookie{Name: cookieName, Value: res.Cookie}
}

// do sends a request without following redirects and returns the status, body and Location.
func (e *pgEnv) do(method, path string, ck *http.Cookie, form url.Values) (int, string, string) {
	e.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, e.ts.URL+path, body)
	if err != nil {
		e.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", e.ts.URL)
	}
	if ck != nil {
		req.AddCookie(ck)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header.Get("Location")
}

// ingest stores a single-part message with the given fields, as the modem path would.
func (e *pgEnv) ingest(sender, text, code, platform string) store.Message {
	e.t.Helper()
	e.mu.Lock()
	e.seq++
	pdu := hexOf(fmt.Sprintf("%d|%s|%s", e.seq, sender, text))
	e.mu.Unlock()
	m, _, err := e.st.Ingest(store.Incoming{Modem: "sim0", PDU: pdu, ReceivedAt: e.clock()},
		func([]string) store.Message {
			return store.Message{Sender: sender, SenderType: "alphanumeric", Text: text, Code: code,
				Platform: platform, Kind: "text"}
		})
	if err != nil {
		e.t.Fatal(err)
	}
	return m
}

func hexOf(s string) string {
	const digits = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		b.WriteByte(digits[s[i]>>4])
		b.WriteByte(digits[s[i]&15])
	}
	return b.String()
}

// pgUsers are one user of each role, signed in.
type pgUsers struct {
	owner, manager, viewer store.User
	ownerCk, managerCk     *http.Cookie
	viewerCk               *http.Cookie
}

func (e *pgEnv) team() pgUsers {
	var u pgUsers
	u.owner = e.addUser("olivia@firm.example", "Olivia Owner", store.RoleOwner, "correct horse battery staple", "")
	u.manager = e.addUser("max@firm.example", "Max Manager", store.RoleManager, "correct horse battery staple", "")
	u.viewer = e.addUser("val@firm.example", "Val Viewer", store.RoleViewer, "correct horse battery staple", "")
	u.ownerCk, u.managerCk, u.viewerCk = e.cookie(u.owner), e.cookie(u.manager), e.cookie(u.viewer)
	return u
}

func TestPagesByRole(t *testing.T) {
	t.Parallel()
	e := newPgEnv(t, nil)
	u := e.team()
	m := e.ingest("Clio", "Your Clio verification code is 482913", "482913", "Clio")
	const anon, viewer, manager, owner = 0, 1, 2, 3
	cookies := []*http.Cookie{nil, u.viewerCk, u.managerCk, u.ownerCk}
	cases := []struct {
		path string
		want [4]int // anonymous, viewer, manager, owner
	}{
		{"/", [4]int{303, 200, 200, 200}},
		{"/messages/" + m.ID, [4]int{303, 200, 200, 200}},
		{"/messages/ffffffffffffffff", [4]int{303, 404, 404, 404}},
		{"/account", [4]int{303, 200, 200, 200}},
		{"/account/mfa", [4]int{303, 200, 200, 200}},
		{"/team", [4]int{303, 403, 200, 200}},
		{"/team/users/" + u.viewer.ID + "/remove", [4]int{303, 403, 200, 200}},
		{"/settings", [4]int{303, 403, 200, 200}},
		{"/audit", [4]int{303, 403, 200, 200}},
		{"/report", [4]int{303, 403, 200, 200}},
		{"/login", [4]int{200, 303, 303, 303}},
		{"/setup", [4]int{303, 303, 303, 303}},
		{"/static/app.css", [4]int{404, 404, 404, 404}},
	}
	for _, c := range cases {
		for who, ck := range cookies {
			got, body, _ := e.do("GET", c.path, ck, nil)
			if got != c.want[who] {
				t.Errorf("GET %s as %d: status %d, want %d", c.path, who, got, c.want[who])
			}
			if got == 403 && !strings.Contains(body, "Not allowed") {
				t.Errorf("GET %s as %d: 403 without the refusal page", c.path, who)
			}
		}
	}
	// Owner-only forms refuse a Manager.
	if got, _, _ := e.do("POST", "/settings/box", u.managerCk, url.Values{"retention_days": {"30"}}); got != 403 {
		t.Errorf("POST /settings/box as manager: %d, want 403", got)
	}
	if got, _, _ := e.do("POST", "/team/invite", u.viewerCk, url.Values{"email": {"x@y.example"}, "role": {"viewer"}}); got != 403 {
		t.Errorf("POST /team/invite as viewer: %d, want 403", got)
	}
	_ = anon
	_, _, _ = viewer, manager, owner
}

func TestViewerSeesNoAdminLinks(t *testing.T) {
	t.Parallel()
	e := newPgEnv(t, nil)
	u := e.team()
	_, body, _ := e.do("GET", "/", u.viewerCk, nil)
	if strings.Contains(body, `href="/settings"`) || strings.Contains(body, `href="/team"`) {
		t.Fatal("a Viewer's inbox links to Team or Settings")
	}
	_, body, _ = e.do("GET", "/", u.managerCk, nil)
	if !strings.Contains(body, `href="/settings"`) || !strings.Contains(body, `href="/team"`) {
		t.Fatal("a Manager's inbox lacks the Team and Settings links")
	}
}

func TestInboxShowsMessage(t *testing.T) {
	t.Parallel()
	e := newPgEnv(t, func() []ModemStatus {
		return []ModemStatus{{Name: "sim0", State: "no-sim", SignalBars: 3, Operator: "Test Net", OwnNumber: "+15550100"}}
	})
	u := e.team()
	e.ingest("+15551234567", "Your Westlaw one-time passcode is 771204", "771204", "Westlaw")
	status, body, _ := e.do("GET", "/", u.viewerCk, nil)
	if status != 200 {
		t.Fatalf("status %d", status)
	}
	body = html.UnescapeString(body)
	for _, want := range []string{"771204", "Westlaw", "+15551234567", `data-copy="771204"`,
		"Test Net", "+15550100", "has no SIM card", "just now"} {
		if !strings.Contains(body, want) {
			t.Errorf("inbox lacks %q", want)
		}
	}
	// Ten minutes later the code is stale.
	e.advance(11 * time.Minute)
	_, body, _ = e.do("GET", "/", u.viewerCk, nil)
	if !strings.Contains(body, `class="card stale"`) || !strings.Contains(body, "11 min ago") {
		t.Error("an 11-minute-old code is not marked stale")
	}
	// Search and platform filter.
	e.ingest("Clio", "Your Clio verification code is 482913", "482913", "Clio")
	_, body, _ = e.do("GET", "/?platform=Clio", u.viewerCk, nil)
	if !strings.Contains(body, "482913") || strings.Contains(body, "771204") {
		t.Error("the platform filter does not filter")
	}
	_, body, _ = e.do("GET", "/?q=westlaw", u.viewerCk, nil)
	if strings.Contains(body, "482913") || !strings.Contains(body, "771204") {
		t.Error("the text search does not filter")
	}
}

func TestInboxEscapesHostileText(t *testing.T) {
	t.Parallel()
	e := newPgEnv(t, nil)
	u := e.team()
	e.ingest(`<img src=x onerror=alert(1)>`, `Code 123456 <script>alert("x")</script>`, "123456", `<b>Evil</b>`)
	_, body, _ := e.do("GET", "/", u.viewerCk, nil)
	if strings.Contains(body, `<script>alert`) || strings.Contains(body, `<img src=x`) || strings.Contains(body, "<b>Evil") {
		t.Fatal("hostile SMS text reached the page unescaped")
	}
	if !strings.Contains(body, `&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;`) {
		t.Fatal("the escaped text is missing from the page")
	}
}

func TestInboxPaging(t *testing.T) {
	t.Parallel()
	e := newPgEnv(t, nil)
	u := e.team()
	for i := 0; i < inboxPageSize+3; i++ {
		e.ingest("Clio", "Your Clio verification code is "+strings.Repeat("1", 6), "111111", "Clio")
		e.advance(time.Second)
	}
	_, body, _ := e.do("GET", "/", u.viewerCk, nil)
	if n := cards(body); n != inboxPageSize {
		t.Fatalf("first page has %d cards, want %d", n, inboxPageSize)
	}
	i := strings.Index(body, `href="/?before=`)
	if i < 0 {
		t.Fatal("no Older link")
	}
	next := body[i+len(`href="`):]
	next = strings.ReplaceAll(next[:strings.IndexByte(next, '"')], "&amp;", "&")
	_, body, _ = e.do("GET", next, u.viewerCk, nil)
	if n := cards(body); n != 3 {
		t.Fatalf("second page has %d cards, want 3", n)
	}
}

func TestMessageDetailShowsAccessToManagers(t *testing.T) {
	t.Parallel()
	e := newPgEnv(t, nil)
	u := e.team()
	m := e.ingest("Clio", "Your Clio verification code is 482913", "482913", "Clio")
	if got, _, _ := e.do("GET", "/messages/"+m.ID, u.viewerCk, nil); got != 200 {
		t.Fatalf("viewer: %d", got)
	}
	_, body, _ := e.do("GET", "/messages/"+m.ID, u.managerCk, nil)
	if !strings.Contains(body, "Who viewed or copied it") || !strings.Contains(body, "val@firm.example") {
		t.Fatal("the manager does not see that the viewer viewed the message")
	}
	_, body, _ = e.do("GET", "/messages/"+m.ID, u.viewerCk, nil)
	if strings.Contains(body, "Who viewed or copied it") {
		t.Fatal("a viewer sees the access log")
	}
}

func TestStaticHashedAndCached(t *testing.T) {
	t.Parallel()
	e := newPgEnv(t, nil)
	u := e.team()
	_, body, _ := e.do("GET", "/", u.viewerCk, nil)
	i := strings.Index(body, `href="/static/app.`)
	if i < 0 {
		t.Fatal("no hashed stylesheet link")
	}
	path := body[i+len(`href="`):]
	path = path[:strings.IndexByte(path, '"')]
	resp, err := http.Get(e.ts.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Cache-Control") != "public, max-age=31536000, immutable" ||
		!strings.HasPrefix(resp.Header.Get("Content-Type"), "text/css") {
		t.Fatalf("GET %s: %d %q %q", path, resp.StatusCode, resp.Header.Get("Cache-Control"), resp.Header.Get("Content-Type"))
	}
}

func TestRemoveUserConfirmationAndPRG(t *testing.T) {
	t.Parallel()
	e := newPgEnv(t, nil)
	u := e.team()
	_, body, _ := e.do("GET", "/team/users/"+u.viewer.ID+"/remove", u.managerCk, nil)
	want := "Val Viewer will be signed out everywhere at once, their API tokens revoked, and they will not be able to sign in again."
	if !strings.Contains(body, want) {
		t.Fatalf("the confirmation page does not say what happens:\n%s", body)
	}
	status, _, loc := e.do("POST", "/team/users/"+u.viewer.ID+"/remove", u.managerCk, url.Values{"confirm": {"yes"}})
	if status != 303 || loc != "/team?ok=removed" {
		t.Fatalf("remove: %d %q", status, loc)
	}
	if got, _, loc := e.do("GET", "/", u.viewerCk, nil); got != 303 || !strings.HasPrefix(loc, "/login") {
		t.Fatalf("the removed viewer's cookie still works: %d %q", got, loc)
	}
}

func TestLoginFormErrorsInline(t *testing.T) {
	t.Parallel()
	e := newPgEnv(t, nil)
	e.team()
	status, body, _ := e.do("POST", "/login", nil, url.Values{"email": {"olivia@firm.example"}, "password": {"wrong password!!"}})
	if status != 401 || !strings.Contains(body, "Wrong email or password.") || !strings.Contains(body, `value="olivia@firm.example"`) {
		t.Fatalf("wrong password: %d\n%s", status, body)
	}
	status, _, loc := e.do("POST", "/login", nil, url.Values{"email": {"olivia@firm.example"}, "password": {"correct horse battery staple"}})
	if status != 303 || loc != "/" {
		t.Fatalf("good password: %d %q", status, loc)
	}
	// A page asked for before signing in is where the sign-in ends; other hosts are not.
	if status, _, loc = e.do("GET", "/team", nil, nil); status != 303 || loc != "/login?next=%2Fteam" {
		t.Fatalf("GET /team signed out: %d %q", status, loc)
	}
	if _, body, _ := e.do("GET", loc, nil, nil); !strings.Contains(body, `action="/login?next=%2fteam"`) {
		t.Fatal("the sign-in form drops ?next=")
	}
	good := url.Values{"email": {"olivia@firm.example"}, "password": {"correct horse battery staple"}}
	if _, _, loc = e.do("POST", "/login?next=%2Fteam", nil, good); loc != "/team" {
		t.Fatalf("next=/team: redirected to %q", loc)
	}
	if _, _, loc = e.do("POST", "/login?next=%2F%2Fevil.example", nil, good); loc != "/" {
		t.Fatalf("next=//evil.example: redirected to %q", loc)
	}
}

// form posts a same-origin form and returns the status, Location and the session cookie the
// response set (nil when none).
func (e *pgEnv) form(path string, ck *http.Cookie, form url.Values) (int, string, string, *http.Cookie) {
	e.t.Helper()
	req, err := http.NewRequest("POST", e.ts.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", e.ts.URL)
	if ck != nil {
		req.AddCookie(ck)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var set *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == cookieName && c.Value != "" {
			set = c
		}
	}
	return resp.StatusCode, string(b), resp.Header.Get("Location"), set
}

// between returns the text of s between the first before and the next after.
func between(s, before, after string) string {
	i := strings.Index(s, before)
	if i < 0 {
		return ""
	}
	s = s[i+len(before):]
	if j := strings.Index(s, after); j >= 0 {
		return s[:j]
	}
	return ""
}

// TestFirstRunInviteAndMFA walks the pages a firm uses on day one: setup with the logged
// code, an invitation accepted, a second factor enrolled with its backup codes, and a
// sign-in that owes and then pays its second factor with a backup code.
func TestFirstRunInviteAndMFA(t *testing.T) {
	t.Parallel()
	e := newPgEnv(t, nil)
	if _, err := e.st.UpdateSettings(func(s *store.Settings) error {
		s.SetupCodeHash = hashSecret(normSetupCode("TEST-CODE"))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if got, _, loc := e.do("GET", "/login", nil, nil); got != 303 || loc != "/setup" {
		t.Fatalf("GET /login before setup: %d %q", got, loc)
	}
	setup := url.Values{"setup_code": {"test-code"}, "name": {"Olivia Owner"}, "email": {"olivia@firm.example"},
		"password": {"correct horse battery staple"}, "password2": {"correct horse battery stapler"}}
	if got, body, _, _ := e.form("/setup", nil, setup); got != 400 || !strings.Contains(body, "The two passwords differ.") {
		t.Fatalf("setup with differing passwords: %d", got)
	}
	setup.Set("password2", "correct horse battery staple")
	got, _, loc, ownerCk := e.form("/setup", nil, setup)
	if got != 303 || loc != "/?ok=welcome" || ownerCk == nil {
		t.Fatalf("setup: %d %q cookie %v", got, loc, ownerCk)
	}

	got, body, _, _ := e.form("/team/invite", ownerCk, url.Values{"email": {"alex@firm.example"}, "role": {"viewer"}})
	link := between(body, `<code class="link-box" id="invite-link">`, "</code>")
	if got != 200 || !strings.Contains(link, "/invite/") {
		t.Fatalf("invite: %d, link %q", got, link)
	}
	invitePath := link[strings.Index(link, "/invite/"):]
	if got, body, _ := e.do("GET", invitePath, nil, nil); got != 200 || !strings.Contains(body, "alex@firm.example") {
		t.Fatalf("GET %s: %d", invitePath, got)
	}
	got, _, loc, alexCk := e.form(invitePath, nil, url.Values{"name": {"Alex Associate"},
		"password": {"lemon tractor violin 42"}, "password2": {"lemon tractor violin 42"}})
	if got != 303 || alexCk == nil {
		t.Fatalf("accept: %d %q", got, loc)
	}
	if got, body, _ := e.do("GET", invitePath, nil, nil); got != 404 || !strings.Contains(body, "already used") {
		t.Fatalf("a used invitation: %d", got)
	}

	_, body, _ = e.do("GET", "/account/mfa", alexCk, nil)
	secret := between(body, `<code class="secret" id="totp-secret">`, "</code>")
	if secret == "" || !strings.Contains(body, `src="data:image/png;base64,`) {
		t.Fatal("the enrolment page has no key or QR code")
	}
	if got, body, _, _ := e.form("/account/mfa", alexCk, url.Values{"code": {"000000"}}); got != 400 || !strings.Contains(body, secret) {
		t.Fatalf("a wrong first code: %d (the same key must stay on the page)", got)
	}
	code, err := totp.GenerateCode(secret, e.clock())
	if err != nil {
		t.Fatal(err)
	}
	got, body, _, _ = e.form("/account/mfa", alexCk, url.Values{"code": {code}})
	backup := between(body, `<ol class="backup-codes mono"><li>`, "</li>")
	if got != 200 || strings.Count(body, "</li>") < 10 || backup == "" || !strings.Contains(body, `download="firmline-backup-codes.txt"`) {
		t.Fatalf("confirm: %d, first backup code %q", got, backup)
	}

	e.form("/logout", alexCk, url.Values{})
	got, _, loc, pending := e.form("/login", nil, url.Values{"email": {"alex@firm.example"}, "password": {"lemon tractor violin 42"}})
	if got != 303 || loc != "/login?step=mfa" || pending == nil {
		t.Fatalf("password step: %d %q", got, loc)
	}
	if got, _, loc := e.do("GET", "/", pending, nil); got != 303 || loc != "/login?step=mfa" {
		t.Fatalf("the inbox with a code still owed: %d %q", got, loc)
	}
	if got, body, _, _ := e.form("/login/mfa", pending, url.Values{"code": {"000000"}}); got != 200 || !strings.Contains(body, "Wrong or already used code.") {
		t.Fatalf("a wrong code: %d", got)
	}
	got, _, loc, full := e.form("/login/mfa", pending, url.Values{"backup": {backup}})
	if got != 303 || loc != "/" {
		t.Fatalf("backup code: %d %q", got, loc)
	}
	if full == nil {
		full = pending // the session was upgraded in place
	}
	if got, _, _ := e.do("GET", "/", full, nil); got != 200 {
		t.Fatalf("the inbox after the second factor: %d", got)
	}
}

// TestSettingsChannelsRulesAndTest adds a webhook channel (its generated secret shown once),
// sends a test and shows the receiver's answer, adds and deletes a rule, deletes the channel
// after its confirmation page, and saves the Owner's box settings.
func TestSettingsChannelsRulesAndTest(t *testing.T) {
	t.Parallel()
	e := newPgEnv(t, nil)
	u := e.team()
	got, body, _, _ := e.form("/settings/channels", u.managerCk, url.Values{"type": {"webhook"}, "name": {"Front desk hook"},
		"url": {"https://hooks.firm.example/in"}, "default": {"1"}})
	if got != 200 || !strings.Contains(body, "Webhook signing secret") {
		t.Fatalf("add webhook: %d", got)
	}
	chs, err := e.st.Channels()
	if err != nil || len(chs) != 1 {
		t.Fatalf("channels %v, %v", chs, err)
	}
	if strings.Contains(body, "https://hooks.firm.example/in") {
		t.Error("the settings page shows a channel's full URL")
	}
	got, body, _, _ = e.form("/settings/channels", u.managerCk, url.Values{"type": {"teams"}, "name": {"Old"},
		"url": {"https://firm.webhook.office.com/webhookb2/x"}})
	if got != 400 || !strings.Contains(body, "Microsoft retired") {
		t.Errorf("a retired Office 365 connector: %d (want the reason inline)", got)
	}
	id := chs[0].ID
	if got, body, _, _ = e.form("/settings/channels/"+id+"/test", u.managerCk, url.Values{}); got != 200 ||
		!strings.Contains(body, "the receiver answered 200") {
		t.Fatalf("send test: %d", got)
	}
	if got, _, loc, _ := e.form("/settings/rules", u.managerCk, url.Values{"platform": {"Clio"}, "channel": {id}, "stop": {"1"}}); got != 303 || loc != "/settings?ok=rule" {
		t.Fatalf("add rule: %d %q", got, loc)
	}
	rules, _ := e.st.Rules()
	if len(rules) != 1 || rules[0].Platform != "Clio" {
		t.Fatalf("rules %+v", rules)
	}
	if got, _, _, _ := e.form("/settings/rules/"+rules[0].ID+"/delete", u.managerCk, url.Values{}); got != 303 {
		t.Fatalf("delete rule: %d", got)
	}
	if _, body, _ := e.do("GET", "/settings/channels/"+id+"/delete", u.managerCk, nil); !strings.Contains(body, "Codes will no longer be sent to Front desk hook.") {
		t.Fatal("the channel delete confirmation does not say what happens")
	}
	if got, _, _, _ := e.form("/settings/channels/"+id+"/delete", u.managerCk, url.Values{"confirm": {"yes"}}); got != 303 {
		t.Fatalf("delete channel: %d", got)
	}
	if chs, _ := e.st.Channels(); len(chs) != 0 {
		t.Fatal("the channel is still there")
	}
	box := url.Values{"retention_days": {"90"}, "public_url": {"https://inbox.firm.example:8443"}, "number_sim0": {"+15550100"}}
	if got, _, loc, _ := e.form("/settings/box", u.ownerCk, box); got != 303 || loc != "/settings?ok=box" {
		t.Fatalf("box settings: %d %q", got, loc)
	}
	set, _ := e.st.Settings()
	if set.RetentionDays != 90 || set.OwnNumbers["sim0"] != "+15550100" || set.PublicURL != "https://inbox.firm.example:8443" {
		t.Fatalf("settings not saved: %+v", set)
	}
	if got, _, _, _ := e.form("/settings/box", u.ownerCk, url.Values{"retention_days": {"-1"}}); got != 400 {
		t.Fatalf("a negative retention: %d", got)
	}
}

func TestAgo(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		d    time.Duration
		want string
	}{
		{-time.Minute, "just now"}, {0, "just now"}, {44 * time.Second, "just now"}, {45 * time.Second, "1 min ago"},
		{2 * time.Minute, "2 min ago"}, {59 * time.Minute, "59 min ago"}, {90 * time.Minute, "2 h ago"},
		{23 * time.Hour, "23 h ago"}, {30 * time.Hour, "yesterday"}, {72 * time.Hour, "3 days ago"},
	} {
		if got := ago(c.d); got != c.want {
			t.Errorf("ago(%v) = %q, want %q", c.d, got, c.want)
		}
	}
}

// FuzzSafeNext: whatever ?next= holds, the sign-in only ever redirects to a path on this
// host (no scheme, no host, no protocol-relative or backslash tricks).
func FuzzSafeNext(f *testing.F) {
	for _, seed := range []string{
		"/team",                 // the usual case
		"//evil.example/x",      // protocol-relative URL
		"/\\evil.example",       // browsers treat a backslash like a slash
		"https://evil.example/", // absolute URL
		"",                      // nothing asked for
		"/%2F%2Fevil.example",   // encoded slashes stay a path
		"javascript:alert(1)",   // script URL
		"/\t/evil.example",      // browsers drop tabs and newlines from URLs
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, next string) {
		got := safeNext(next)
		if got != "/" && got != next {
			t.Fatalf("safeNext(%q) = %q: neither the input nor /", next, got)
		}
		cleaned := strings.NewReplacer("\t", "", "\n", "", "\r", "").Replace(got)
		if !strings.HasPrefix(cleaned, "/") || strings.HasPrefix(cleaned, "//") || strings.HasPrefix(cleaned, "/\\") {
			t.Fatalf("safeNext(%q) = %q leaves this host", next, got)
		}
		if u, err := url.Parse(cleaned); err == nil && (u.Host != "" || u.Scheme != "") {
			t.Fatalf("safeNext(%q) = %q has host %q scheme %q", next, got, u.Host, u.Scheme)
		}
	})
}
