package httpui

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"firmline/httpui/browsertest"
	"firmline/store"
)

// TestBrowser drives the pages in a real Chromium against a real server and store: sign-in
// with TOTP, a live message without reload, copy to the clipboard, screenshots, 360 px
// layout, a Viewer's view, and a removed user's open page signing out at once.
func TestBrowser(t *testing.T) {
	browsertest.Chromium(t) // skip (or fail in CI) before building anything
	e := newPgEnv(t, func() []ModemStatus {
		return []ModemStatus{{Name: "sim0", State: "ready", SignalBars: 4, Operator: "Firm Mobile", OwnNumber: "+15550100"}}
	})
	e.useWallClock()
	secret := "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
	owner := e.addUser("olivia@firm.example", "Olivia Owner", store.RoleOwner, browserPassword, secret)
	viewer := e.addUser("alex@firm.example", "Alex Associate", store.RoleViewer, browserPassword, "")
	e.addUser("max@firm.example", "Max Manager", store.RoleManager, browserPassword, "")
	e.ingest("+15557654321", "Your NetDocuments security code: 550912. It expires in 10 minutes.", "550912", "NetDocuments")
	dir := browsertest.ArtefactDir(t, "")
	t.Logf("screenshots in %s", dir)

	proxy := newCutProxy(t, e.ts.Listener.Addr().String())
	base := proxy.URL()
	ctx := browsertest.Start(t, 1280, 900)
	if err := browsertest.Within(ctx, 10*time.Second, chromedp.Navigate(base+"/login"), chromedp.WaitVisible(chromedp.CSS(`input[name=email]`))); err != nil {
		t.Fatal(err)
	}
	browsertest.Screenshot(t, ctx, dir, "login")
	if err := browsertest.SignIn(ctx, base, browsertest.Account{Email: owner.Email, Password: browserPassword, TOTPSecret: secret}); err != nil {
		t.Fatalf("sign in with TOTP: %v", err)
	}
	m := browserLiveMessage(t, e, ctx)
	browsertest.Screenshot(t, ctx, dir, "inbox-desktop")
	browserCopy(t, e, ctx, base, m)
	browserModemBanner(t, e, ctx, dir)
	browserBlip(t, e, ctx, proxy)
	browserTitleCount(t, e, ctx)

	for _, pg := range []struct{ name, path, sel string }{
		{"message", "/messages/" + m.ID, `.facts`},
		{"team", "/team", `form[action="/team/invite"]`},
		{"account", "/account", `#sessions`},
		{"settings", "/settings", `#channels`},
		{"report", "/report", `h1`},
	} {
		if err := browsertest.Within(ctx, 10*time.Second, chromedp.Navigate(base+pg.path), chromedp.WaitVisible(chromedp.CSS(pg.sel))); err != nil {
			t.Fatalf("%s: %v", pg.path, err)
		}
		browsertest.Screenshot(t, ctx, dir, pg.name)
	}
	browserNarrow(t, ctx, base, dir, m)
	browserViewerRemoved(t, e, browsertest.IsolatedTab(t, ctx, 1024, 768), viewer, dir)
}

// browserLiveMessage commits and publishes a message while the inbox is open and checks it
// appears without a reload.
func browserLiveMessage(t *testing.T, e *pgEnv, ctx context.Context) store.Message {
	t.Helper()
	if err := browsertest.Within(ctx, 10*time.Second, chromedp.Poll[chromedp.Void](`window.firmline && window.firmline.connected()`)); err != nil {
		t.Fatalf("the inbox never connected its live stream: %v", err)
	}
	browsertest.EvalBool(t, ctx, `(window.__noReload = true)`)
	m := e.ingest("Clio", "Your Clio verification code is 482913. Do not share it.", "482913", "Clio")
	e.srv.Publish(m)
	card := `li.card[data-id="` + m.ID + `"]`
	if err := browsertest.Within(ctx, 10*time.Second, chromedp.WaitVisible(chromedp.CSS(card))); err != nil {
		t.Fatalf("the new message did not appear: %v", err)
	}
	if !browsertest.EvalBool(t, ctx, `window.__noReload === true`) {
		t.Fatal("the page reloaded to show the message")
	}
	text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(card+` .code`)))
	if err != nil || text != "482913" {
		t.Fatalf("card code %q, %v", text, err)
	}
	if !browsertest.EvalBool(t, ctx, `document.querySelector('#messages .card').getAttribute('data-id') === '`+m.ID+`'`) {
		t.Fatal("the live message is not on top")
	}
	return m
}

// browserModemBanner pushes a modem state change and expects the pill and the banner to
// follow without a reload, then pushes the recovery.
func browserModemBanner(t *testing.T, e *pgEnv, ctx context.Context, dir string) {
	t.Helper()
	e.srv.PublishModem(ModemStatus{Name: "sim0", State: "no-sim", Operator: "Firm Mobile", OwnNumber: "+15550100"})
	banner := `[data-modem-banner="sim0"]`
	if err := browsertest.Within(ctx, 10*time.Second, chromedp.WaitVisible(chromedp.CSS(banner))); err != nil {
		t.Fatalf("no banner after the modem lost its SIM: %v", err)
	}
	if txt, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(banner))); !strings.Contains(txt, "has no SIM card") {
		t.Fatalf("banner %q", txt)
	}
	if st, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`[data-modem="sim0"] [data-f="state"]`))); st != "no-sim" {
		t.Fatalf("the pill says %q", st)
	}
	browsertest.Screenshot(t, ctx, dir, "inbox-no-sim")
	e.srv.PublishModem(ModemStatus{Name: "sim0", State: "ready", SignalBars: 4, Operator: "Firm Mobile", OwnNumber: "+15550100"})
	if err := browsertest.Within(ctx, 10*time.Second, chromedp.WaitNotVisible(chromedp.CSS(banner))); err != nil {
		t.Fatalf("the banner stayed after recovery: %v", err)
	}
}

// browserBlip cuts the page's connection, commits a message while it is away (its live frame
// is lost), and expects the page to reconnect and fetch it with ?since= without a reload.
func browserBlip(t *testing.T, e *pgEnv, ctx context.Context, proxy *cutProxy) {
	t.Helper()
	browsertest.EvalBool(t, ctx, `(window.__noReload = true)`)
	proxy.cut()
	if err := browsertest.Within(ctx, 10*time.Second, chromedp.Poll[chromedp.Void](`!window.firmline.connected()`)); err != nil {
		t.Fatalf("the page did not notice the cut: %v", err)
	}
	m := e.ingest("iManage", "iManage Work sign-in code: 903114", "903114", "iManage")
	e.srv.Publish(m) // nobody of this page is connected: the frame is lost
	if err := browsertest.Within(ctx, 20*time.Second, chromedp.WaitVisible(chromedp.CSS(`li.card[data-id="`+m.ID+`"]`))); err != nil {
		t.Fatalf("the message committed during the blip never appeared: %v", err)
	}
	if !browsertest.EvalBool(t, ctx, `window.__noReload === true && window.firmline.connected()`) {
		t.Fatal("the page reloaded, or is not connected again")
	}
}

// browserTitleCount: while the tab is hidden, new codes are counted in the title; showing
// the tab clears the count. Headless Chromium always reports a visible page, so the test
// overrides document.hidden, which is all app.js reads.
func browserTitleCount(t *testing.T, e *pgEnv, ctx context.Context) {
	t.Helper()
	base, err := chromedp.Run(ctx, chromedp.Title())
	if err != nil {
		t.Fatal(err)
	}
	browsertest.EvalBool(t, ctx, `Object.defineProperty(document, 'hidden', {configurable: true, get: () => true}) && true`)
	for _, code := range []string{"118822", "339944"} {
		m := e.ingest("Microsoft", "Use "+code+" as your Microsoft account security code", code, "Microsoft")
		e.srv.Publish(m)
		if err := browsertest.Within(ctx, 10*time.Second, chromedp.WaitVisible(chromedp.CSS(`li.card[data-id="`+m.ID+`"]`))); err != nil {
			t.Fatalf("message %s did not appear: %v", code, err)
		}
	}
	if title, _ := chromedp.Run(ctx, chromedp.Title()); title != "(2) "+base {
		t.Fatalf("hidden tab title %q, want %q", title, "(2) "+base)
	}
	browsertest.EvalBool(t, ctx, `Object.defineProperty(document, 'hidden', {configurable: true, get: () => false}) &&
		document.dispatchEvent(new Event('visibilitychange'))`)
	if title, _ := chromedp.Run(ctx, chromedp.Title()); title != base {
		t.Fatalf("title after showing the tab %q, want %q", title, base)
	}
}

// browserCopy clicks Copy and checks the clipboard (and the audit entry the click writes).
func browserCopy(t *testing.T, e *pgEnv, ctx context.Context, base string, m store.Message) {
	t.Helper()
	for _, name := range []string{"clipboard-read", "clipboard-write"} {
		_, err := chromedp.CallBrowser(ctx, browser.SetPermission, browser.SetPermissionParams{
			Permission: &browser.PermissionDescriptor{Name: name}, Setting: browser.PermissionSettingGranted, Origin: base})
		if err != nil {
			t.Logf("granting %s: %v", name, err)
		}
	}
	btn := `li.card[data-id="` + m.ID + `"] button.copy`
	if err := browsertest.Within(ctx, 10*time.Second, chromedp.Click(chromedp.CSS(btn)),
		chromedp.WaitVisible(chromedp.CSS(btn+`[data-copied]`))); err != nil {
		t.Fatalf("copy: %v", err)
	}
	clip, err := chromedp.Run(ctx, chromedp.Evaluate[string](`navigator.clipboard.readText()`, chromedp.EvalAwaitPromise))
	switch {
	case err == nil && clip != m.Code:
		t.Fatalf("clipboard holds %q, want %q", clip, m.Code)
	case err != nil:
		t.Logf("reading the clipboard is not possible here (%v); checking the Copied state and audit entry", err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for !copiedAudited(t, e, m.ID) {
		if time.Now().After(deadline) {
			t.Fatal("no message.code_copied audit entry after Copy")
		}
		time.Sleep(20 * time.Millisecond) // the browser's POST is a real request
	}
}

func copiedAudited(t *testing.T, e *pgEnv, id string) bool {
	entries, err := e.st.AuditEntries(time.Time{}, time.Time{}, 50, true)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range entries {
		if a.Action == "message.code_copied" && a.Target == id {
			return true
		}
	}
	return false
}

// narrowShots names the 360 px screenshots.
var narrowShots = map[string]string{"/": "inbox-360", "/team": "team-360", "/settings": "settings-360", "/account": "account-360"}

// browserNarrow checks the main pages at 360 x 740 have no horizontal scroll.
func browserNarrow(t *testing.T, ctx context.Context, base, dir string, m store.Message) {
	t.Helper()
	if err := browsertest.Within(ctx, 5*time.Second, chromedp.EmulateViewport(360, 740, chromedp.EmulateMobile)); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/", "/messages/" + m.ID, "/team", "/account", "/settings", "/audit", "/report"} {
		if err := browsertest.Within(ctx, 10*time.Second, chromedp.Navigate(base+path), chromedp.WaitVisible(chromedp.CSS(`main`))); err != nil {
			t.Fatalf("%s at 360px: %v", path, err)
		}
		ok, err := browsertest.NoHorizontalScroll(ctx)
		if err != nil || !ok {
			sw, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
			t.Errorf("%s at 360px scrolls horizontally (scrollWidth %d), %v", path, sw, err)
		}
		if name := narrowShots[path]; name != "" {
			browsertest.Screenshot(t, ctx, dir, name)
		}
		if path == "/" {
			browsertest.ColorScheme(t, ctx, "dark")
			browsertest.Screenshot(t, ctx, dir, "inbox-360-dark")
			browsertest.ColorScheme(t, ctx, "")
		}
	}
	browsertest.Within(ctx, 5*time.Second, chromedp.EmulateViewport(1280, 900))
}

// browserViewerRemoved signs a Viewer in, checks they see no admin pages, then removes them
// through the API as an Owner and expects their open inbox to go to the sign-in page.
func browserViewerRemoved(t *testing.T, e *pgEnv, ctx context.Context, viewer store.User, dir string) {
	t.Helper()
	if err := browsertest.SignIn(ctx, e.ts.URL, browsertest.Account{Email: viewer.Email, Password: browserPassword}); err != nil {
		t.Fatalf("viewer sign-in: %v", err)
	}
	if !browsertest.EvalBool(t, ctx, `!document.querySelector('a[href="/settings"]') && !document.querySelector('a[href="/team"]')`) {
		t.Fatal("a Viewer sees the Settings or Team link")
	}
	if err := browsertest.Within(ctx, 10*time.Second, chromedp.Navigate(e.ts.URL+"/settings"), chromedp.WaitVisible(chromedp.CSS(`h1`))); err != nil {
		t.Fatal(err)
	}
	if h, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`h1`))); h != "Not allowed" {
		t.Fatalf("a Viewer opening /settings sees %q, want the refusal page", h)
	}
	browsertest.Screenshot(t, ctx, dir, "viewer-settings-403")
	if err := browsertest.Within(ctx, 10*time.Second, chromedp.Navigate(e.ts.URL+"/"), chromedp.WaitVisible(chromedp.CSS(`#messages`)),
		chromedp.Poll[chromedp.Void](`window.firmline && window.firmline.connected()`)); err != nil {
		t.Fatalf("viewer inbox: %v", err)
	}
	if err := apiDeleteUser(e, viewer.ID); err != nil {
		t.Fatal(err)
	}
	if loc, err := browsertest.WaitLocation(ctx, "/login", 5*time.Second); err != nil {
		t.Fatalf("the removed user's open inbox was not signed out: %v", err)
	} else if !strings.Contains(loc, "signed_out=1") {
		t.Errorf("signed-out page %q lacks signed_out=1", loc)
	}
}
