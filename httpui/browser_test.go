package httpui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/pquerna/otp/totp"

	"firmline/store"
)

// The helpers in this file (browserPath, startBrowser, browserSignIn, screenshot,
// waitLocation, noHorizontalScroll) are meant to be copied or reused by the root-level
// end-to-end test on a real `serve`; they depend only on chromedp and a base URL.

// browserPath finds Debian's Chromium (or $FIRMLINE_CHROMIUM). When none is found the test
// fails if CI=true or FIRMLINE_REQUIRE_BROWSER=1, and is skipped otherwise.
func browserPath(t testing.TB) string {
	t.Helper()
	cands := []string{os.Getenv("FIRMLINE_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			cands = append(cands, p)
		}
	}
	for _, p := range cands {
		if p == "" {
			continue
		}
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p
		}
	}
	if os.Getenv("CI") == "true" || os.Getenv("FIRMLINE_REQUIRE_BROWSER") == "1" {
		t.Fatal("Chromium not found (apt-get install -y chromium) and the browser suite is required")
	}
	t.Skip("Chromium not found; install it (apt-get install -y chromium) to run the browser tests")
	return ""
}

// startBrowser starts a headless Chromium with a fresh profile and a window of w x h CSS
// pixels, and returns its context. The browser is stopped when the test ends.
func startBrowser(t testing.TB, w, h int) context.Context {
	t.Helper()
	exe := browserPath(t)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("no-default-browser-check", true),
		chromedp.Flag("password-store", "basic"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(w, h),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(int64(w), int64(h))); err != nil {
		t.Fatalf("starting %s: %v", exe, err)
	}
	return ctx
}

// isolatedTab opens a tab with its own cookie jar (a new browser context) in a started
// browser, so a second person can sign in without starting another Chromium.
func isolatedTab(t testing.TB, browserCtx context.Context, w, h int) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browserCtx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(int64(w), int64(h))); err != nil {
		t.Fatalf("opening an isolated tab: %v", err)
	}
	return ctx
}

// within runs actions with a deadline, on a context derived from a started browser.
func within(ctx context.Context, d time.Duration, steps ...chromedp.Action[chromedp.Void]) error {
	tctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	return chromedp.Do(tctx, steps...)
}

// browserSignIn signs in on the sign-in page of base: email and password, then the TOTP
// code computed from totpSecret when it is not "", and waits for the inbox.
func browserSignIn(ctx context.Context, base, email, password, totpSecret string) error {
	steps := []chromedp.Action[chromedp.Void]{
		chromedp.Navigate(base + "/login"),
		chromedp.WaitVisible(chromedp.CSS(`input[name=email]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name=email]`), email),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), password),
		chromedp.Click(chromedp.CSS(`form[action="/login"] button[type=submit]`)),
	}
	if totpSecret != "" {
		steps = append(steps,
			chromedp.WaitVisible(chromedp.CSS(`input[name=code]`)),
			chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
				code, err := totp.GenerateCode(totpSecret, time.Now())
				if err != nil {
					return err
				}
				_, err = chromedp.SendKeys(chromedp.CSS(`input[name=code]`), code)(ctx, t)
				return err
			}),
			chromedp.Click(chromedp.CSS(`form[action="/login/mfa"] button[type=submit]`)),
		)
	}
	steps = append(steps, chromedp.WaitVisible(chromedp.CSS(`#messages`)))
	return within(ctx, 20*time.Second, steps...)
}

// artefactDir is where screenshots go: $FIRMLINE_ARTIFACTS, else the test's temp dir.
func artefactDir(t testing.TB) string {
	if d := os.Getenv("FIRMLINE_ARTIFACTS"); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return d
	}
	return t.TempDir()
}

// screenshot saves a full-page PNG of the current page as <dir>/<name>.png.
func screenshot(t testing.TB, ctx context.Context, dir, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// waitLocation polls the page's URL until it contains want or the deadline passes (the
// page navigates by itself, so a JavaScript poll inside it would be torn down).
func waitLocation(ctx context.Context, want string, d time.Duration) (string, error) {
	deadline := time.Now().Add(d)
	var loc string
	for time.Now().Before(deadline) {
		tctx, cancel := context.WithTimeout(ctx, time.Second)
		l, err := chromedp.Run(tctx, chromedp.Location())
		cancel()
		if err == nil {
			loc = l
			if strings.Contains(loc, want) {
				return loc, nil
			}
		}
		time.Sleep(50 * time.Millisecond) // polling a real browser process
	}
	return loc, fmt.Errorf("location is %q, want it to contain %q", loc, want)
}

// noHorizontalScroll reports whether the page fits its viewport's width.
func noHorizontalScroll(ctx context.Context) (bool, error) {
	return chromedp.Run(ctx, chromedp.Evaluate[bool](
		`document.documentElement.scrollWidth <= document.documentElement.clientWidth`))
}

// colorScheme emulates prefers-color-scheme ("dark", "light", or "" for the default).
func colorScheme(t testing.TB, ctx context.Context, scheme string) {
	t.Helper()
	p := emulation.SetEmulatedMediaParams{}
	if scheme != "" {
		p.Features = []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}}
	}
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, p); err != nil {
		t.Fatalf("emulating %q colours: %v", scheme, err)
	}
}

func evalBool(t testing.TB, ctx context.Context, expr string) bool {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[bool](expr))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

const browserPassword = "correct horse battery staple"

// cutProxy is a TCP proxy in front of the test server whose connections can all be cut at
// once, as a network blip would, while new connections keep working.
type cutProxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	conns  []net.Conn
	wg     sync.WaitGroup
}

func newCutProxy(t testing.TB, target string) *cutProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &cutProxy{ln: ln, target: target}
	p.wg.Add(1)
	go p.accept()
	t.Cleanup(func() { ln.Close(); p.cut(); p.wg.Wait() })
	return p
}

func (p *cutProxy) URL() string { return "http://" + p.ln.Addr().String() }

func (p *cutProxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		up, err := net.Dial("tcp", p.target)
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, c, up)
		p.mu.Unlock()
		p.wg.Add(2)
		go func() { defer p.wg.Done(); io.Copy(up, c); up.Close() }()
		go func() { defer p.wg.Done(); io.Copy(c, up); c.Close() }()
	}
}

// cut closes every connection made so far.
func (p *cutProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// TestBrowser drives the pages in a real Chromium against a real server and store: sign-in
// with TOTP, a live message without reload, copy to the clipboard, screenshots, 360 px
// layout, a Viewer's view, and a removed user's open page signing out at once.
func TestBrowser(t *testing.T) {
	browserPath(t) // skip (or fail in CI) before building anything
	e := newPgEnv(t, func() []ModemStatus {
		return []ModemStatus{{Name: "sim0", State: "ready", SignalBars: 4, Operator: "Firm Mobile", OwnNumber: "+15550100"}}
	})
	e.useWallClock()
	secret := "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
	owner := e.addUser("olivia@firm.example", "Olivia Owner", store.RoleOwner, browserPassword, secret)
	viewer := e.addUser("alex@firm.example", "Alex Associate", store.RoleViewer, browserPassword, "")
	e.addUser("max@firm.example", "Max Manager", store.RoleManager, browserPassword, "")
	e.ingest("+15557654321", "Your NetDocuments security code: 550912. It expires in 10 minutes.", "550912", "NetDocuments")
	dir := artefactDir(t)
	t.Logf("screenshots in %s", dir)

	proxy := newCutProxy(t, e.ts.Listener.Addr().String())
	base := proxy.URL()
	ctx := startBrowser(t, 1280, 900)
	if err := within(ctx, 10*time.Second, chromedp.Navigate(base+"/login"), chromedp.WaitVisible(chromedp.CSS(`input[name=email]`))); err != nil {
		t.Fatal(err)
	}
	screenshot(t, ctx, dir, "login")
	if err := browserSignIn(ctx, base, owner.Email, browserPassword, secret); err != nil {
		t.Fatalf("sign in with TOTP: %v", err)
	}
	m := browserLiveMessage(t, e, ctx)
	screenshot(t, ctx, dir, "inbox-desktop")
	browserCopy(t, e, ctx, base, m)
	browserModemBanner(t, e, ctx, dir)
	browserBlip(t, e, ctx, proxy)

	for _, pg := range []struct{ name, path, sel string }{
		{"message", "/messages/" + m.ID, `.facts`},
		{"team", "/team", `form[action="/team/invite"]`},
		{"account", "/account", `#sessions`},
		{"settings", "/settings", `#channels`},
		{"report", "/report", `h1`},
	} {
		if err := within(ctx, 10*time.Second, chromedp.Navigate(base+pg.path), chromedp.WaitVisible(chromedp.CSS(pg.sel))); err != nil {
			t.Fatalf("%s: %v", pg.path, err)
		}
		screenshot(t, ctx, dir, pg.name)
	}
	browserNarrow(t, ctx, base, dir, m)
	browserViewerRemoved(t, e, isolatedTab(t, ctx, 1024, 768), viewer, dir)
}

// browserLiveMessage commits and publishes a message while the inbox is open and checks it
// appears without a reload.
func browserLiveMessage(t *testing.T, e *pgEnv, ctx context.Context) store.Message {
	t.Helper()
	if err := within(ctx, 10*time.Second, chromedp.Poll[chromedp.Void](`window.firmline && window.firmline.connected()`)); err != nil {
		t.Fatalf("the inbox never connected its live stream: %v", err)
	}
	evalBool(t, ctx, `(window.__noReload = true)`)
	m := e.ingest("Clio", "Your Clio verification code is 482913. Do not share it.", "482913", "Clio")
	e.srv.Publish(m)
	card := `li.card[data-id="` + m.ID + `"]`
	if err := within(ctx, 10*time.Second, chromedp.WaitVisible(chromedp.CSS(card))); err != nil {
		t.Fatalf("the new message did not appear: %v", err)
	}
	if !evalBool(t, ctx, `window.__noReload === true`) {
		t.Fatal("the page reloaded to show the message")
	}
	text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(card+` .code`)))
	if err != nil || text != "482913" {
		t.Fatalf("card code %q, %v", text, err)
	}
	if !evalBool(t, ctx, `document.querySelector('#messages .card').getAttribute('data-id') === '`+m.ID+`'`) {
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
	if err := within(ctx, 10*time.Second, chromedp.WaitVisible(chromedp.CSS(banner))); err != nil {
		t.Fatalf("no banner after the modem lost its SIM: %v", err)
	}
	if txt, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(banner))); !strings.Contains(txt, "has no SIM card") {
		t.Fatalf("banner %q", txt)
	}
	if st, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`[data-modem="sim0"] [data-f="state"]`))); st != "no-sim" {
		t.Fatalf("the pill says %q", st)
	}
	screenshot(t, ctx, dir, "inbox-no-sim")
	e.srv.PublishModem(ModemStatus{Name: "sim0", State: "ready", SignalBars: 4, Operator: "Firm Mobile", OwnNumber: "+15550100"})
	if err := within(ctx, 10*time.Second, chromedp.WaitNotVisible(chromedp.CSS(banner))); err != nil {
		t.Fatalf("the banner stayed after recovery: %v", err)
	}
}

// browserBlip cuts the page's connection, commits a message while it is away (its live frame
// is lost), and expects the page to reconnect and fetch it with ?since= without a reload.
func browserBlip(t *testing.T, e *pgEnv, ctx context.Context, proxy *cutProxy) {
	t.Helper()
	evalBool(t, ctx, `(window.__noReload = true)`)
	proxy.cut()
	if err := within(ctx, 10*time.Second, chromedp.Poll[chromedp.Void](`!window.firmline.connected()`)); err != nil {
		t.Fatalf("the page did not notice the cut: %v", err)
	}
	m := e.ingest("iManage", "iManage Work sign-in code: 903114", "903114", "iManage")
	e.srv.Publish(m) // nobody of this page is connected: the frame is lost
	if err := within(ctx, 20*time.Second, chromedp.WaitVisible(chromedp.CSS(`li.card[data-id="`+m.ID+`"]`))); err != nil {
		t.Fatalf("the message committed during the blip never appeared: %v", err)
	}
	if !evalBool(t, ctx, `window.__noReload === true && window.firmline.connected()`) {
		t.Fatal("the page reloaded, or is not connected again")
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
	if err := within(ctx, 10*time.Second, chromedp.Click(chromedp.CSS(btn)),
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

// browserNarrow checks the main pages at 360 x 740 have no horizontal scroll.
func browserNarrow(t *testing.T, ctx context.Context, base, dir string, m store.Message) {
	t.Helper()
	if err := within(ctx, 5*time.Second, chromedp.EmulateViewport(360, 740, chromedp.EmulateMobile)); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/", "/messages/" + m.ID, "/team", "/account", "/settings", "/audit", "/report"} {
		if err := within(ctx, 10*time.Second, chromedp.Navigate(base+path), chromedp.WaitVisible(chromedp.CSS(`main`))); err != nil {
			t.Fatalf("%s at 360px: %v", path, err)
		}
		ok, err := noHorizontalScroll(ctx)
		if err != nil || !ok {
			sw, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
			t.Errorf("%s at 360px scrolls horizontally (scrollWidth %d), %v", path, sw, err)
		}
		if path == "/" {
			screenshot(t, ctx, dir, "inbox-360")
			colorScheme(t, ctx, "dark")
			screenshot(t, ctx, dir, "inbox-360-dark")
			colorScheme(t, ctx, "")
		}
	}
	within(ctx, 5*time.Second, chromedp.EmulateViewport(1280, 900))
}

// browserViewerRemoved signs a Viewer in, checks they see no admin pages, then removes them
// through the API as an Owner and expects their open inbox to go to the sign-in page.
func browserViewerRemoved(t *testing.T, e *pgEnv, ctx context.Context, viewer store.User, dir string) {
	t.Helper()
	if err := browserSignIn(ctx, e.ts.URL, viewer.Email, browserPassword, ""); err != nil {
		t.Fatalf("viewer sign-in: %v", err)
	}
	if !evalBool(t, ctx, `!document.querySelector('a[href="/settings"]') && !document.querySelector('a[href="/team"]')`) {
		t.Fatal("a Viewer sees the Settings or Team link")
	}
	if err := within(ctx, 10*time.Second, chromedp.Navigate(e.ts.URL+"/settings"), chromedp.WaitVisible(chromedp.CSS(`h1`))); err != nil {
		t.Fatal(err)
	}
	if h, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`h1`))); h != "Not allowed" {
		t.Fatalf("a Viewer opening /settings sees %q, want the refusal page", h)
	}
	screenshot(t, ctx, dir, "viewer-settings-403")
	if err := within(ctx, 10*time.Second, chromedp.Navigate(e.ts.URL+"/"), chromedp.WaitVisible(chromedp.CSS(`#messages`)),
		chromedp.Poll[chromedp.Void](`window.firmline && window.firmline.connected()`)); err != nil {
		t.Fatalf("viewer inbox: %v", err)
	}
	if err := apiDeleteUser(e, viewer.ID); err != nil {
		t.Fatal(err)
	}
	if loc, err := waitLocation(ctx, "/login", 5*time.Second); err != nil {
		t.Fatalf("the removed user's open inbox was not signed out: %v", err)
	} else if !strings.Contains(loc, "signed_out=1") {
		t.Errorf("signed-out page %q lacks signed_out=1", loc)
	}
}

// apiDeleteUser removes a user through DELETE /api/v1/users/{id} with an Owner's API token.
func apiDeleteUser(e *pgEnv, id string) error {
	plain, hash := NewToken()
	if _, err := e.st.CreateToken(store.Token{Name: "browser-test-" + id, Hash: hash, Role: store.RoleOwner, Created: time.Now()}); err != nil {
		return err
	}
	req, err := http.NewRequest(http.MethodDelete, e.ts.URL+"/api/v1/users/"+id, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+plain)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return errors.New("DELETE user: " + resp.Status)
	}
	return nil
}
