package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
	"github.com/pquerna/otp/totp"

	"firmline/httpui/browsertest"
	"firmline/modem/pdu"
	"firmline/modem/sim"
	"firmline/store"
)

// TestBrowserRealServe drives Debian's Chromium against a real `serve` (modem engine on the
// simulated modem's pty, bbolt store, notifier, web server, admin socket): the Owner enrols
// TOTP on the account pages and signs in with it; a code received by the modem appears in the
// open inbox without reload; Copy puts it on the clipboard and is audited; long, concatenated
// and incomplete messages fit a 360 px phone; a Viewer sees no Team/Settings and gets 403;
// removing a Viewer (through the API, and through the console on the admin socket) signs
// their open inbox out. Screenshots of the main pages are saved as artefacts.
func TestBrowserRealServe(t *testing.T) {
	browsertest.Chromium(t) // skip (or fail in CI) before starting anything
	ta := startAppliance(t, sim.Profile("quectel-ec25"))
	dir := browsertest.ArtefactDir(t, "root")
	t.Logf("screenshots in %s", dir)
	ctx := browsertest.Start(t, 1280, 900)
	start := time.Now()
	phase := func(what string) { t.Logf("%6.2fs %s", time.Since(start).Seconds(), what) }
	phase("browser up")
	secret := realEnrolTOTP(t, ta, ctx, dir)
	phase("enrolled")
	realSignOut(t, ctx, ta.url)
	// The enrolment has just used this step's code, so sign in with the next step's.
	owner := browsertest.Account{Email: "owner@firm.example", Password: ownerPassword, TOTPSecret: secret, CodeAhead: 30 * time.Second}
	if err := browsertest.SignIn(ctx, ta.url, owner); err != nil {
		t.Fatalf("sign in with password and TOTP: %v", err)
	}
	phase("signed in with TOTP")
	m := realLiveMessage(t, ta, ctx)
	phase("live message")
	realCopy(t, ta, ctx, m)
	phase("copied")
	long := realLongMessages(t, ta, ctx)
	browsertest.Screenshot(t, ctx, dir, "inbox-desktop")

	viewers := []string{"alex.associate@firm.example", "pat.paralegal@firm.example"}
	for _, email := range viewers {
		consoleAdd(t, ta, email, store.RoleViewer)
	}
	phase("viewers added")
	realPageShots(t, ctx, ta.url, dir, long.ID)
	phase("page shots")
	realNarrowInbox(t, ctx, ta.url, dir, long.ID)

	// Viewer 1 is removed by the Owner through DELETE /api/v1/users/{id} (from the Owner's
	// signed-in page); Viewer 2 through the console, which reaches the running server over
	// its admin socket.
	phase("narrow")
	v1 := browsertest.IsolatedTab(t, ctx, 1024, 768)
	realViewerSees(t, ta, v1, viewers[0], dir)
	phase("viewer 1 checked")
	id := userID(t, ta, viewers[0])
	status, err := chromedp.Run(ctx, chromedp.Evaluate[int](
		`fetch('/api/v1/users/`+id+`', {method: 'DELETE', credentials: 'same-origin'}).then(r => r.status)`,
		chromedp.EvalAwaitPromise))
	if err != nil || status != 200 {
		t.Fatalf("Owner DELETE /api/v1/users/%s: status %d, %v", id, status, err)
	}
	realSignedOut(t, ta, v1, viewers[0], dir, "viewer-removed")

	phase("viewer 1 signed out")
	v2 := browsertest.IsolatedTab(t, ctx, 1024, 768)
	realViewerSignIn(t, ta, v2, viewers[1])
	phase("viewer 2 checked")
	var out strings.Builder
	if err := runAdmin(context.Background(), ta.cfg.Data, adminRequest{Cmd: "user.delete", Args: map[string]string{"email": viewers[1]}}, &out); err != nil {
		t.Fatalf("console user delete: %v", err)
	}
	realSignedOut(t, ta, v2, viewers[1], dir, "")
	phase("viewer 2 signed out")
}

const viewerPassword = "quiet lantern orchard seventy 42"

// realEnrolTOTP signs the Owner in with the password alone, sets up two-step sign-in on the
// account pages with the key shown there, and returns that key.
func realEnrolTOTP(t *testing.T, ta *testAppliance, ctx context.Context, dir string) string {
	t.Helper()
	if err := browsertest.Within(ctx, 10*time.Second, chromedp.Navigate(ta.url+"/login"), chromedp.WaitVisible(chromedp.CSS(`input[name=email]`))); err != nil {
		t.Fatal(err)
	}
	browsertest.Screenshot(t, ctx, dir, "login")
	if err := browsertest.SignIn(ctx, ta.url, browsertest.Account{Email: "owner@firm.example", Password: ownerPassword}); err != nil {
		t.Fatalf("sign in with the password: %v", err)
	}
	if err := browsertest.Within(ctx, 10*time.Second, chromedp.Navigate(ta.url+"/account"),
		chromedp.Click(chromedp.CSS(`a[href="/account/mfa"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#totp-secret`)), chromedp.WaitVisible(chromedp.CSS(`img.qr`))); err != nil {
		t.Fatalf("opening the two-step set-up from the account page: %v", err)
	}
	secret := strings.TrimSpace(browsertest.EvalString(t, ctx, `document.getElementById('totp-secret').textContent`))
	if u, err := ta.store.UserByEmail("owner@firm.example"); err != nil || u.TOTPPending != secret || u.TOTPSecret != "" {
		t.Fatalf("the page shows key %q; the store holds pending %q, confirmed %q (%v)", secret, u.TOTPPending, u.TOTPSecret, err)
	}
	code, err := totp.GenerateCode(secret, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := browsertest.Within(ctx, 10*time.Second,
		chromedp.SendKeys(chromedp.CSS(`form[action="/account/mfa"] input[name=code]`), code),
		chromedp.Click(chromedp.CSS(`form[action="/account/mfa"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`ol.backup-codes`))); err != nil {
		t.Fatalf("confirming the authenticator code: %v", err)
	}
	if n := browsertest.EvalString(t, ctx, `String(document.querySelectorAll('ol.backup-codes li').length)`); n != "10" {
		t.Errorf("%s backup codes shown, want 10", n)
	}
	browsertest.Screenshot(t, ctx, dir, "mfa-backup-codes")
	if u, _ := ta.store.UserByEmail("owner@firm.example"); u.TOTPSecret != secret {
		t.Fatal("the second factor is not on in the store after confirming it")
	}
	return secret
}

// realSignOut presses Sign out and expects the sign-in page.
func realSignOut(t *testing.T, ctx context.Context, base string) {
	t.Helper()
	if err := browsertest.Within(ctx, 10*time.Second, chromedp.Navigate(base+"/"),
		chromedp.Click(chromedp.CSS(`nav.main form[action="/logout"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action^="/login"] input[name=password]`))); err != nil {
		t.Fatalf("sign out: %v", err)
	}
	if status := navStatus(t, ctx, base+"/api/v1/me"); status != 401 {
		t.Fatalf("after signing out /api/v1/me answers %d, want 401", status)
	}
}

// realLiveMessage has the simulated modem receive a code while the inbox is open and waits
// for its card, checking the page did not reload.
func realLiveMessage(t *testing.T, ta *testAppliance, ctx context.Context) store.Message {
	t.Helper()
	if err := browsertest.Within(ctx, 30*time.Second, chromedp.Poll[chromedp.Void](`window.firmline && window.firmline.connected()`)); err != nil {
		t.Fatalf("the inbox never connected its live stream: %v", err)
	}
	browsertest.EvalBool(t, ctx, `(window.__noReload = true)`)
	ta.deliver(t, "+12065550143", "Your Clio verification code is 482913. It expires in 10 minutes.", 1)
	id := waitCard(t, ctx, "482913")
	if !browsertest.EvalBool(t, ctx, `window.__noReload === true`) {
		t.Fatal("the page reloaded to show the message")
	}
	if top := browsertest.EvalString(t, ctx, `document.querySelector('#messages .card').getAttribute('data-id')`); top != id {
		t.Fatalf("the live message %s is not on top (%s is)", id, top)
	}
	m, err := ta.store.Message(id)
	if err != nil || m.Code != "482913" || m.Platform != "Clio" {
		t.Fatalf("the card %s is not the stored message: %+v, %v", id, m, err)
	}
	if p := browsertest.EvalString(t, ctx, `document.querySelector('li.card[data-id="`+id+`"] [data-f=platform]').textContent`); p != "Clio" {
		t.Errorf("card platform %q", p)
	}
	return m
}

// waitCard waits (generously: a real modem engine, pty and socket are involved) for a card
// showing code and returns its message id.
func waitCard(t *testing.T, ctx context.Context, code string) string {
	t.Helper()
	expr := fmt.Sprintf(`(() => { const c = [...document.querySelectorAll('#messages li.card')].find(li =>
		(li.querySelector('[data-f=code]') || {}).textContent === %q); return c ? c.getAttribute('data-id') : ''; })()`, code)
	tctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	id, err := chromedp.Run(tctx, chromedp.Poll[string](expr, chromedp.WithPollingInterval(50*time.Millisecond)))
	if err != nil || id == "" {
		t.Fatalf("no card with code %s appeared in the open inbox: %v", code, err)
	}
	return id
}

// realCopy grants the clipboard, presses Copy on m's card, reads the clipboard back in the
// page and waits for the audit entry the click writes.
func realCopy(t *testing.T, ta *testAppliance, ctx context.Context, m store.Message) {
	t.Helper()
	for _, name := range []string{"clipboard-read", "clipboard-write"} {
		if _, err := chromedp.CallBrowser(ctx, browser.SetPermission, browser.SetPermissionParams{
			Permission: &browser.PermissionDescriptor{Name: name, AllowWithoutSanitization: true},
			Setting:    browser.PermissionSettingGranted, Origin: ta.url}); err != nil {
			t.Fatalf("granting %s: %v", name, err)
		}
	}
	btn := `li.card[data-id="` + m.ID + `"] button.copy`
	if err := browsertest.Within(ctx, 10*time.Second, chromedp.Click(chromedp.CSS(btn)), chromedp.WaitVisible(chromedp.CSS(btn+`[data-copied]`))); err != nil {
		t.Fatalf("copy: %v", err)
	}
	tctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	clip, err := chromedp.Run(tctx, chromedp.Evaluate[string](`navigator.clipboard.readText()`, chromedp.EvalAwaitPromise))
	cancel()
	if err != nil || clip != m.Code {
		t.Fatalf("clipboard holds %q (%v), want %q", clip, err, m.Code)
	}
	waitFor(t, "message.code_copied in the audit log", func() bool {
		entries, err := ta.store.AuditEntries(time.Time{}, time.Time{}, 50, true)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range entries {
			if a.Action == "message.code_copied" && a.Target == m.ID && a.Actor == "owner@firm.example" {
				return true
			}
		}
		return false
	})
}

// realLongMessages has the modem receive a concatenated message, one with a long unbroken
// link, and the first part only of another (shown incomplete after the grace period), and
// waits for all three in the open inbox. It returns the concatenated one.
func realLongMessages(t *testing.T, ta *testAppliance, ctx context.Context) store.Message {
	t.Helper()
	long := strings.Repeat("Your NetDocuments sign-in needs a second step. ", 5) + "Security code: 731904"
	ta.deliver(t, "+14155550199", long, 77)
	ta.deliver(t, "+16515550123", "Westlaw: use 615243 to sign in, or open https://signon.westlaw.example/v2/verify?token="+
		strings.Repeat("A1b2C3d4E5f6", 14), 0)
	partial := "Microsoft account: use 318476 as your security code. " + strings.Repeat("If you did not ask for it, someone may be trying to reach your account. ", 3)
	pdus, err := pdu.EncodeDeliver(pdu.Deliver{SMSC: "+15550000000", Sender: "+14255550100", Text: partial, SentAt: time.Now(), Ref: 78})
	if err != nil || len(pdus) < 2 {
		t.Fatalf("encode: %v (%d parts)", err, len(pdus))
	}
	if err := ta.sim.Deliver(pdus[0]); err != nil {
		t.Fatal(err)
	}
	id := waitCard(t, ctx, "731904")
	waitCard(t, ctx, "615243")
	inc := waitCard(t, ctx, "318476")
	want := fmt.Sprintf("incomplete — 1 of %d parts", len(pdus))
	if got := browsertest.EvalString(t, ctx, `(document.querySelector('li.card[data-id="`+inc+`"] [data-f=incomplete]') || {}).textContent || ''`); got != want {
		t.Errorf("incomplete card is marked %q, want %q", got, want)
	}
	m, err := ta.store.Message(id)
	if err != nil || m.Text != long || m.Parts < 2 || !m.Complete {
		t.Fatalf("concatenated message: %+v, %v", m, err)
	}
	return m
}

// realPageShots opens the main pages as the Owner and saves a screenshot of each.
func realPageShots(t *testing.T, ctx context.Context, base, dir, msgID string) {
	t.Helper()
	for _, pg := range []struct{ name, path, sel string }{
		{"message", "/messages/" + msgID, `.facts`},
		{"team", "/team", `form[action="/team/invite"]`},
		{"account", "/account", `#sessions`},
		{"settings", "/settings", `#channels`},
	} {
		if err := browsertest.Within(ctx, 10*time.Second, chromedp.Navigate(base+pg.path), chromedp.WaitVisible(chromedp.CSS(pg.sel))); err != nil {
			t.Fatalf("%s: %v", pg.path, err)
		}
		browsertest.Screenshot(t, ctx, dir, pg.name)
	}
}

// realNarrowInbox loads the inbox (with the long messages) and a long message's page on a
// 360 x 740 phone and checks neither scrolls sideways.
func realNarrowInbox(t *testing.T, ctx context.Context, base, dir, msgID string) {
	t.Helper()
	if err := browsertest.Within(ctx, 5*time.Second, chromedp.EmulateViewport(360, 740, chromedp.EmulateMobile)); err != nil {
		t.Fatal(err)
	}
	defer browsertest.Within(ctx, 5*time.Second, chromedp.EmulateViewport(1280, 900))
	for _, pg := range []struct{ path, shot string }{{"/", "inbox-360"}, {"/messages/" + msgID, "message-360"}} {
		if err := browsertest.Within(ctx, 10*time.Second, chromedp.Navigate(base+pg.path), chromedp.WaitVisible(chromedp.CSS(`#messages li.card`))); err != nil {
			t.Fatalf("%s at 360 px: %v", pg.path, err)
		}
		if pg.path == "/" {
			if n := browsertest.EvalString(t, ctx, `String(document.querySelectorAll('#messages li.card').length)`); n != "4" {
				t.Fatalf("the inbox at 360 px shows %s cards, want 4", n)
			}
		}
		if !browsertest.EvalBool(t, ctx, `document.documentElement.scrollWidth <= document.documentElement.clientWidth`) {
			sw := browsertest.EvalString(t, ctx, `document.documentElement.scrollWidth + ' > ' + document.documentElement.clientWidth`)
			t.Errorf("%s at 360 px scrolls horizontally (%s)", pg.path, sw)
		}
		browsertest.Screenshot(t, ctx, dir, pg.shot)
	}
}

// consoleAdd creates a user with the console command, which reaches the running server over
// its admin socket.
func consoleAdd(t *testing.T, ta *testAppliance, email string, role store.Role) {
	t.Helper()
	var out strings.Builder
	req := adminRequest{Cmd: "user.add", Args: map[string]string{"email": email, "role": string(role), "name": "Test " + string(role)}, Password: viewerPassword}
	if err := runAdmin(context.Background(), ta.cfg.Data, req, &out); err != nil {
		t.Fatalf("console user add %s: %v", email, err)
	}
}

func userID(t *testing.T, ta *testAppliance, email string) string {
	t.Helper()
	u, err := ta.store.UserByEmail(email)
	if err != nil {
		t.Fatalf("user %s: %v", email, err)
	}
	return u.ID
}

// navStatus opens url in the tab and returns the HTTP status of the document.
func navStatus(t *testing.T, ctx context.Context, url string) int64 {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	resp, err := chromedp.Run(tctx, chromedp.NavigateResponse(url))
	if err != nil || resp == nil {
		t.Fatalf("open %s: %v", url, err)
	}
	return resp.Status
}

// realViewerSees signs a Viewer in, checks the navigation offers no Team or Settings and
// that /settings and /team are refused with 403, and leaves the inbox open and connected.
func realViewerSees(t *testing.T, ta *testAppliance, ctx context.Context, email, dir string) {
	t.Helper()
	if err := browsertest.SignIn(ctx, ta.url, browsertest.Account{Email: email, Password: viewerPassword}); err != nil {
		t.Fatalf("viewer sign-in: %v", err)
	}
	if !browsertest.EvalBool(t, ctx, `!!document.querySelector('nav.main a[href="/account"]') &&
		!document.querySelector('a[href="/settings"]') && !document.querySelector('a[href="/team"]')`) {
		t.Fatal("a Viewer sees the Settings or Team link (or no navigation at all)")
	}
	for _, path := range []string{"/settings", "/team"} {
		if status := navStatus(t, ctx, ta.url+path); status != 403 {
			t.Fatalf("a Viewer opening %s gets %d, want 403", path, status)
		}
	}
	if h := browsertest.EvalString(t, ctx, `document.querySelector('h1').textContent`); h != "Not allowed" {
		t.Errorf("the refusal page says %q", h)
	}
	browsertest.Screenshot(t, ctx, dir, "viewer-team-403")
	realViewerInbox(t, ta, ctx)
}

// realViewerSignIn signs a Viewer in and leaves the inbox open and connected.
func realViewerSignIn(t *testing.T, ta *testAppliance, ctx context.Context, email string) {
	t.Helper()
	if err := browsertest.SignIn(ctx, ta.url, browsertest.Account{Email: email, Password: viewerPassword}); err != nil {
		t.Fatalf("viewer sign-in: %v", err)
	}
	realViewerInbox(t, ta, ctx)
}

func realViewerInbox(t *testing.T, ta *testAppliance, ctx context.Context) {
	t.Helper()
	if err := browsertest.Within(ctx, 10*time.Second, chromedp.Navigate(ta.url+"/"), chromedp.WaitVisible(chromedp.CSS(`#messages`)),
		chromedp.Poll[chromedp.Void](`window.firmline && window.firmline.connected()`)); err != nil {
		t.Fatalf("viewer inbox: %v", err)
	}
	if !browsertest.EvalBool(t, ctx, `!!document.querySelector('#messages li.card [data-f=code]')`) {
		t.Error("the Viewer's inbox shows no codes")
	}
}

// realSignedOut waits for a removed Viewer's open inbox to go to the sign-in page by itself
// and checks the session is really gone.
func realSignedOut(t *testing.T, ta *testAppliance, ctx context.Context, email, dir, shot string) {
	t.Helper()
	loc, err := browsertest.WaitLocation(ctx, "/login", 30*time.Second)
	if err != nil {
		t.Fatalf("the removed Viewer %s's open inbox was not signed out: %v", email, err)
	}
	if !strings.Contains(loc, "signed_out=1") {
		t.Errorf("signed-out page %q lacks signed_out=1", loc)
	}
	if shot != "" {
		if err := browsertest.Within(ctx, 10*time.Second, chromedp.WaitVisible(chromedp.CSS(`input[name=email]`))); err != nil {
			t.Fatal(err)
		}
		browsertest.Screenshot(t, ctx, dir, shot)
	}
	if status := navStatus(t, ctx, ta.url+"/api/v1/me"); status != 401 {
		t.Errorf("the removed Viewer's session still answers %d on /api/v1/me, want 401", status)
	}
	if _, err := ta.store.UserByEmail(email); err == nil {
		t.Errorf("the removed Viewer %s is still in the store", email)
	}
}
