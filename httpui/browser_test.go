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

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/pquerna/otp/totp"

	"firmline/store"
)

// The helpers in this file (browserPath, startBrowser, isolatedTab, within, browserSignIn,
// screenshot, waitLocation, noHorizontalScroll, colorScheme, cutProxy) are meant to be copied
// or reused by the root-level end-to-end test on a real `serve`; apart from apiDeleteUser
// they depend only on chromedp and a base URL.

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
