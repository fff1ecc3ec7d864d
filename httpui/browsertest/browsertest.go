// Package browsertest drives Debian's headless Chromium (through chromedp) for the browser
// suites of httpui and of the root package. It is for tests only: only _test.go files may
// import it, so that chromedp is never linked into the firmline binary (deps_test.go checks).
//
// Every helper depends only on chromedp and a base URL; nothing here knows a server, a store
// or a user. Contexts returned by Start and IsolatedTab belong to the test that asked for
// them and are cancelled when it ends; one tab is driven by one goroutine at a time.
package browsertest

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Chromium finds Debian's Chromium (or $FIRMLINE_CHROMIUM) and returns its path. When none
// is found the test fails if CI=true or FIRMLINE_REQUIRE_BROWSER=1, and is skipped otherwise.
func Chromium(t testing.TB) string {
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

// Start starts a headless Chromium with a fresh profile and a window of w x h CSS pixels,
// and returns the context of its first tab (in the default browser context). The browser
// is stopped when the test ends.
func Start(t testing.TB, w, h int) context.Context {
	t.Helper()
	exe := Chromium(t)
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

// IsolatedTab opens a w x h tab with its own cookie jar (a new browser context) in a browser
// from Start, so another person can sign in without starting another Chromium. The tab is
// closed when the test ends.
func IsolatedTab(t testing.TB, browserCtx context.Context, w, h int) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browserCtx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(int64(w), int64(h))); err != nil {
		t.Fatalf("opening an isolated tab: %v", err)
	}
	return ctx
}

// Within runs steps in the tab of ctx with a deadline d (a safety net for a hung browser,
// not a timing assertion).
func Within(ctx context.Context, d time.Duration, steps ...chromedp.Action[chromedp.Void]) error {
	tctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	return chromedp.Do(tctx, steps...)
}

// ArtefactDir is where screenshots go: $FIRMLINE_ARTIFACTS/sub (created; sub may be "" for
// the folder itself), else the test's temp dir.
func ArtefactDir(t testing.TB, sub string) string {
	t.Helper()
	if d := os.Getenv("FIRMLINE_ARTIFACTS"); d != "" {
		d = filepath.Join(d, sub)
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return d
	}
	return t.TempDir()
}

// Screenshot saves a full-page PNG of the tab's current page as <dir>/<name>.png, failing
// the test if that takes more than 15 s.
func Screenshot(t testing.TB, ctx context.Context, dir, name string) {
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
