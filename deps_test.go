package main

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// dependencyBudget is every module firmline may require directly, and why. A new dependency
// must be added here, with its reason, in the same commit that adds it (style.md habit 17).
var dependencyBudget = map[string]string{
	"go.etcd.io/bbolt":                 "the embedded, fsync'd database",
	"github.com/tarm/serial":           "the modem's serial AT port",
	"github.com/coreos/go-systemd/v22": "socket activation (sd_notify is hand-written)",
	"github.com/gorilla/websocket":     "live push to the web inbox",
	"golang.org/x/crypto":              "argon2id password hashing",
	"golang.org/x/term":                "reading a password at the console without echo",
	"github.com/creack/pty":            "the simulated modem's real pseudo-terminal (demo and tests)",
	"github.com/pquerna/otp":           "TOTP (RFC 6238) and its enrolment QR code",
	"github.com/wneessen/go-mail":      "MIME mail over SMTP for notifications and invitations",
	"filippo.io/age":                   "passphrase encryption of backups",
	"github.com/chromedp/chromedp":     "tests only: drives Debian's Chromium for the browser suite",
	"github.com/emersion/go-smtp":      "tests only: a real SMTP server receiving notification mail",
	"github.com/chromedp/cdproto":      "tests only: chromedp's protocol types (clipboard permission, viewport)",
	"github.com/emersion/go-sasl":      "tests only: the SMTP test server's PLAIN authentication",
}

// testOnly modules must never be linked into the firmline binary.
var testOnly = []string{"github.com/chromedp/", "github.com/emersion/go-smtp", "github.com/emersion/go-sasl"}

func TestDependencyBudget(t *testing.T) {
	b, err := os.ReadFile("go.mod")
	if err != nil {
		t.Fatal(err)
	}
	inRequire := false
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(line, "require ("):
			inRequire = true
			continue
		case line == ")":
			inRequire = false
			continue
		case strings.HasPrefix(line, "require "):
			line = strings.TrimPrefix(line, "require ")
		case !inRequire:
			continue
		}
		if strings.Contains(line, "// indirect") || line == "" {
			continue
		}
		mod := strings.Fields(line)[0]
		if _, ok := dependencyBudget[mod]; !ok {
			t.Errorf("go.mod requires %s directly, which is not in the dependency budget (deps_test.go): add it with its reason or remove it", mod)
		}
	}
}

func TestBinaryLinksNoTestOnlyModules(t *testing.T) {
	if testing.Short() {
		t.Skip("needs the go tool")
	}
	out, err := exec.Command("go", "list", "-deps", "-f", "{{with .Module}}{{.Path}}{{end}}", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, mod := range strings.Fields(string(out)) {
		for _, bad := range testOnly {
			if strings.HasPrefix(mod, bad) {
				t.Errorf("the firmline binary links %s, which the budget allows in tests only", mod)
			}
		}
	}
}
