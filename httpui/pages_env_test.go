package httpui

import (
	"context"
	"fmt"
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
	resp, body := e.send(method, path, ck, form)
	return resp.StatusCode, body, resp.Header.Get("Location")
}

// send makes one request as a browser on the same origin would (a form carries its Origin),
// without following redirects, and returns the response with its body read.
func (e *pgEnv) send(method, path string, ck *http.Cookie, form url.Values) (*http.Response, string) {
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
	return resp, string(b)
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

// form posts a same-origin form and returns the status, body, Location and the session
// cookie the response set (nil when none).
func (e *pgEnv) form(path string, ck *http.Cookie, form url.Values) (int, string, string, *http.Cookie) {
	e.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	resp, body := e.send("POST", path, ck, form)
	var set *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == cookieName && c.Value != "" {
			set = c
		}
	}
	return resp.StatusCode, body, resp.Header.Get("Location"), set
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
