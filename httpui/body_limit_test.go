package httpui

import (
	"io"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// countingReader is an endless form body that counts what the server read of it.
type countingReader struct{ n atomic.Int64 }

func (c *countingReader) Read(p []byte) (int, error) {
	if c.n.Load() > 20<<20 {
		return 0, io.EOF
	}
	for i := range p {
		p[i] = 'a'
	}
	c.n.Add(int64(len(p)))
	return len(p), nil
}

// TestFormBodiesAreBounded: an anonymous form post (sign-in, setup, invitation accept) is
// not read past maxRequestBody, whatever the client sends.
func TestFormBodiesAreBounded(t *testing.T) {
	e := newEnv(t)
	for _, path := range []string{"/login", "/setup", "/invite/" + strings.Repeat("A", 43)} {
		body := &countingReader{}
		r := httptest.NewRequest("POST", path, io.MultiReader(strings.NewReader("email=a%40b.c&x="), body))
		r.Header.Set("Origin", "http://example.com")
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		w := httptest.NewRecorder()
		e.h.ServeHTTP(w, r)
		if n := body.n.Load(); n > maxRequestBody+64<<10 {
			t.Errorf("POST %s: the server read %d bytes of the body (limit %d)", path, n, maxRequestBody)
		}
		if w.Code >= 500 {
			t.Errorf("POST %s: %d", path, w.Code)
		}
	}
}
