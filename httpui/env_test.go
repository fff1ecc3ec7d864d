package httpui

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"firmline/store"
)

// TestMain lowers the argon2id cost for the package's tests: hundreds of sign-ins under -race
// would otherwise take minutes. TestHashPasswordRoundTrip, TestRehashWeakerParams and
// BenchmarkLogin use the production parameters (defaultParams) explicitly.
func TestMain(m *testing.M) {
	currentParams = argonParams{memory: 64, time: 1, threads: 1}
	os.Exit(m.Run())
}

// withDefaultParams runs f with the production argon2id parameters.
func withDefaultParams(f func()) {
	saved := currentParams
	currentParams = defaultParams
	defer func() { currentParams = saved }()
	f()
}

// testClock is the injected clock shared by the store and the server.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func newTestClock() *testClock {
	return &testClock{t: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
}

func (c *testClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

const testPassword = "correct horse battery staple"

var (
	testHashOnce sync.Once
	testHash     string
)

// fixtureHash is one argon2id hash of testPassword, computed once for all fixture users.
func fixtureHash(t testing.TB) string {
	testHashOnce.Do(func() {
		var err error
		if testHash, err = HashPassword(testPassword); err != nil {
			panic(err)
		}
	})
	return testHash
}

// env is a server on a real store in t.TempDir() with an injected clock.
type env struct {
	t   testing.TB
	st  *store.Store
	clk *testClock
	srv *Server
	h   http.Handler
}

func newEnv(t testing.TB) *env {
	t.Helper()
	clk := newTestClock()
	st, err := store.Open(filepath.Join(t.TempDir(), "firmline.db"), store.Options{Now: clk.now})
	if err != nil {
		t.Fatal(err)
	}
	off := false
	srv, err := New(Config{TLS: "off", Now: clk.now, Version: "test", SecureCookies: &off}, Deps{Store: st})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		srv.Close()
		st.Close()
	})
	return &env{t: t, st: st, clk: clk, srv: srv, h: srv.Handler()}
}

// user creates a user with testPassword.
func (e *env) user(email string, role store.Role) store.User {
	e.t.Helper()
	u, err := e.st.CreateUser(store.User{Email: email, Name: strings.Split(email, "@")[0], Role: role, PasswordHash: fixtureHash(e.t)})
	if err != nil {
		e.t.Fatal(err)
	}
	return u
}

// session signs u in (second factor passed) and returns the cookie value.
func (e *env) session(u store.User) string {
	e.t.Helper()
	res, err := e.srv.startSession(u, false, true, "192.0.2.1", "test")
	if err != nil {
		e.t.Fatal(err)
	}
	return res.Cookie
}

// token creates an API token for u (UserID "" when u is zero) and returns it.
func (e *env) token(name string, role store.Role, userID string) string {
	e.t.Helper()
	plain, hash := NewToken()
	if _, err := e.st.CreateToken(store.Token{Name: name, Hash: hash, Role: role, UserID: userID}); err != nil {
		e.t.Fatal(err)
	}
	return plain
}

// cred is how a test request authenticates.
type cred struct {
	cookie, bearer string
}

func cookieCred(c string) cred { return cred{cookie: c} }
func bearerCred(b string) cred { return cred{bearer: b} }

// do makes a same-origin request through the whole handler.
func (e *env) do(method, path, body string, c cred) *httptest.ResponseRecorder {
	e.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	r := httptest.NewRequest(method, path, rd)
	r.Header.Set("Origin", "http://example.com")
	if body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	if c.cookie != "" {
		r.AddCookie(&http.Cookie{Name: cookieName, Value: c.cookie})
	}
	if c.bearer != "" {
		r.Header.Set("Authorization", "Bearer "+c.bearer)
	}
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, r)
	return w
}

// decode parses a JSON response body.
func decode(t testing.TB, w *httptest.ResponseRecorder) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &m); err != nil {
		t.Fatalf("response %d is not JSON: %q", w.Code, w.Body.String())
	}
	return m
}

// sessionCookie returns the session cookie a response set ("" if none).
func sessionCookie(w *httptest.ResponseRecorder) string {
	for _, c := range w.Result().Cookies() {
		if c.Name == cookieName {
			return c.Value
		}
	}
	return ""
}

func httptestRequest(method, path, body string) *http.Request {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	return httptest.NewRequest(method, path, rd)
}

func serve(e *env, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, r)
	return w
}

func contextWithCancel() (context.Context, context.CancelFunc) {
	return context.WithCancel(context.Background())
}
