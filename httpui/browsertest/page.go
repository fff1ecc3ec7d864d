package browsertest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/pquerna/otp/totp"
)

// Account is whom SignIn signs in as.
type Account struct {
	Email, Password string
	// TOTPSecret is the authenticator key, or "" when the account has no second factor.
	TOTPSecret string
	// CodeAhead shifts the time the authenticator code is computed for. The server accepts
	// one 30 s step of skew and each step only once, so a caller that has just used a code
	// (to confirm the enrolment, say) asks for the next step's with 30 s.
	CodeAhead time.Duration
}

// SignIn signs in as a on base's sign-in page: email and password, then, when a.TOTPSecret is
// not "", the authenticator code; it waits (at most 20 s) for the inbox.
func SignIn(ctx context.Context, base string, a Account) error {
	steps := []chromedp.Action[chromedp.Void]{
		chromedp.Navigate(base + "/login"),
		chromedp.WaitVisible(chromedp.CSS(`input[name=email]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name=email]`), a.Email),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), a.Password),
		chromedp.Click(chromedp.CSS(`form[action^="/login"] button[type=submit]`)),
	}
	if a.TOTPSecret != "" {
		steps = append(steps,
			chromedp.WaitVisible(chromedp.CSS(`form[action="/login/mfa"] input[name=code]`)),
			chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
				code, err := totp.GenerateCode(a.TOTPSecret, time.Now().Add(a.CodeAhead))
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
	return Within(ctx, 20*time.Second, steps...)
}

// WaitLocation polls the tab's URL until it contains want or d passes, and returns the last
// URL seen. The page navigates by itself, so a JavaScript poll inside it would be torn down;
// polling a real browser process from outside is the acceptable kind of wait here.
func WaitLocation(ctx context.Context, want string, d time.Duration) (string, error) {
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

// EvalBool evaluates a JavaScript expression in the tab and fails the test on error (or
// after 10 s).
func EvalBool(t testing.TB, ctx context.Context, expr string) bool {
	t.Helper()
	return eval[bool](t, ctx, expr)
}

// EvalString evaluates a JavaScript expression that yields a string, as EvalBool does.
func EvalString(t testing.TB, ctx context.Context, expr string) string {
	t.Helper()
	return eval[string](t, ctx, expr)
}

func eval[T any](t testing.TB, ctx context.Context, expr string) T {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	v, err := chromedp.Run(tctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// NoHorizontalScroll reports whether the tab's page fits its viewport's width.
func NoHorizontalScroll(ctx context.Context) (bool, error) {
	return chromedp.Run(ctx, chromedp.Evaluate[bool](
		`document.documentElement.scrollWidth <= document.documentElement.clientWidth`))
}

// ColorScheme emulates prefers-color-scheme in the tab ("dark", "light", or "" for the
// default).
func ColorScheme(t testing.TB, ctx context.Context, scheme string) {
	t.Helper()
	p := emulation.SetEmulatedMediaParams{}
	if scheme != "" {
		p.Features = []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}}
	}
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, p); err != nil {
		t.Fatalf("emulating %q colours: %v", scheme, err)
	}
}
