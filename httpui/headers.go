package httpui

import (
	"net/http"
	"net/url"
	"strings"
)

// csp allows only same-origin scripts, styles and connections (no inline script anywhere),
// images from the server and data: URLs (the TOTP QR code), and no framing.
const csp = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

// withHeaders sets the security headers on every response: CSP, frame denial, referrer
// policy, nosniff, HSTS under TLS, and no-store on the API and on every authenticated page.
func (s *Server) withHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		if s.tlsOn() {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		if !strings.HasPrefix(r.URL.Path, "/assets/") && !strings.HasPrefix(r.URL.Path, "/static/") {
			h.Set("Cache-Control", "no-store")
		}
		next.ServeHTTP(w, r)
	})
}

// crossOrigin builds the CSRF guard: http.CrossOriginProtection refuses state-changing
// requests (non-GET/HEAD/OPTIONS) that a browser marks as cross-site (Sec-Fetch-Site) or whose
// Origin differs from the Host. The configured public URL is trusted too (reverse proxies).
func (s *Server) crossOrigin(next http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	if o := publicOrigin(s.cfg.PublicURL); o != "" {
		if err := cop.AddTrustedOrigin(o); err != nil {
			s.log.Warn("public URL not usable as a trusted origin", "public_url", s.cfg.PublicURL, "error", err)
		}
	}
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSONError(w, http.StatusForbidden, "cross-origin request refused")
	}))
	return cop.Handler(next)
}

// publicOrigin returns scheme://host of a public URL, or "" when unset or unparsable.
func publicOrigin(public string) string {
	u, err := url.Parse(public)
	if public == "" || err != nil || u.Scheme == "" || u.Host == "" {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

// sameOrigin is the WebSocket upgrade's Origin check: browsers always send Origin on a
// WebSocket handshake, and a cookie-authenticated socket must only be opened by our own pages.
// The origin must name this request's host or the configured public URL's host. Requests
// without Origin (scripts using a bearer token) pass; the caller refuses them for cookies.
func (s *Server) sameOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return false
	}
	if strings.EqualFold(u.Host, r.Host) {
		return true
	}
	p, err := url.Parse(s.cfg.PublicURL)
	return err == nil && s.cfg.PublicURL != "" && strings.EqualFold(u.Host, p.Host)
}
