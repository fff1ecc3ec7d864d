package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/pquerna/otp/totp"
)

// Chromium helpers for the browser suite on a real `serve`. They are a small copy of the ones
// in httpui/browser_test.go (test helpers cannot be imported across packages) and depend only
// on chromedp and a base URL.

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

// startBrowser starts a headless Chromium with a fresh profile and a w x h window and returns
// the context of its first tab (in the default browser context). It stops when the test ends.
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
// browser, so another person can sign in without starting another Chromium.
func isolatedTab(t testing.TB, browserCtx context.Context, w, h int) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browserCtx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(int64(w), int64(h))); err != nil {
		t.Fatalf("opening an isolated tab: %v", err)
	}
	return ctx
}

// within runs steps with a deadline (a safety net for a hung browser, not a timing assertion).
func within(ctx context.Context, d time.Duration, steps ...chromedp.Action[chromedp.Void]) error {
	tctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	return chromedp.Do(tctx, steps...)
}

// browserSignIn signs in on base's sign-in page with email and password and, when totpSecret
// is not "", the authenticator code; it waits for the inbox. The code is the one for the
// next 30 s step: the server accepts one step of skew and each step only once, so a code
// just used to confirm the enrolment cannot collide with it.
func browserSignIn(ctx context.Context, base, email, password, totpSecret string) error {
	steps := []chromedp.Action[chromedp.Void]{
		chromedp.Navigate(base + "/login"),
		chromedp.WaitVisible(chromedp.CSS(`input[name=email]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name=email]`), email),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), password),
		chromedp.Click(chromedp.CSS(`form[action^="/login"] button[type=submit]`)),
	}
	if totpSecret != "" {
		steps = append(steps,
			chromedp.WaitVisible(chromedp.CSS(`form[action="/login/mfa"] input[name=code]`)),
			chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
				code, err := totp.GenerateCode(totpSecret, time.Now().Add(30*time.Second))
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

// artefactDir is where screenshots go: $FIRMLINE_ARTIFACTS/root, else the test's temp dir.
func artefactDir(t testing.TB) string {
	t.Helper()
	if d := os.Getenv("FIRMLINE_ARTIFACTS"); d != "" {
		d = filepath.Join(d, "root")
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
	tctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	png, err := chromedp.Run(tctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// waitLocation polls the tab's URL until it contains want or d passes. The page navigates
// by itself, so a JavaScript poll inside it would be torn down; polling a real browser
// process from outside is the acceptable kind of wait here.
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
		time.Sleep(50 * time.Millisecond)
	}
	return loc, fmt.Errorf("location is %q, want it to contain %q", loc, want)
}

// evalBool evaluates a JavaScript expression in the tab and fails the test on error.
func evalBool(t testing.TB, ctx context.Context, expr string) bool {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	v, err := chromedp.Run(tctx, chromedp.Evaluate[bool](expr))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// evalString evaluates a JavaScript expression that yields a string.
func evalString(t testing.TB, ctx context.Context, expr string) string {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	v, err := chromedp.Run(tctx, chromedp.Evaluate[string](expr))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}
