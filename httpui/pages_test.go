package httpui

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"firmline/store"
)

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

// TestInboxMarksIncomplete: a concatenated message still missing a part after the grace
// period is shown, marked incomplete with the count of parts.
func TestInboxMarksIncomplete(t *testing.T) {
	t.Parallel()
	e := newPgEnv(t, nil)
	u := e.team()
	_, _, err := e.st.Ingest(store.Incoming{Modem: "sim0", PDU: hexOf("part-1-of-2"), ReceivedAt: e.clock(),
		Group: "sim0|Clio|8|7|2", Total: 2, SeqNo: 1}, func([]string) store.Message {
		return store.Message{Sender: "Clio", Text: "Your Clio verification code is 482913. If you did not", Code: "482913", Platform: "Clio", Kind: "text"}
	})
	if err != nil {
		t.Fatal(err)
	}
	e.advance(time.Minute)
	if _, err := e.st.RevealIncomplete(e.clock()); err != nil {
		t.Fatal(err)
	}
	_, body, _ := e.do("GET", "/", u.viewerCk, nil)
	if !strings.Contains(body, "incomplete — 1 of 2 parts") || !strings.Contains(body, "482913") {
		t.Fatal("the incomplete message is not marked as such")
	}
}
