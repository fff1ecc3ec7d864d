// Package httpui serves firmline's web inbox and JSON API: routes, sign-in, sessions, roles,
// second factor, invitations, team management and the live WebSocket hub.
//
// The server is one *Server. Every action is a method on *Server (the service layer) that
// both the JSON handlers and the server-rendered form handlers (pages*.go) call; those
// methods return typed errors that statusOf maps to HTTP statuses (see SERVICE.md).
package httpui

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"firmline/notify"
	"firmline/store"
)

// Config is the httpui part of firmline's configuration.
type Config struct {
	Listen        string           // ":8443"
	TLS           string           // "self-signed" | "files" | "off"
	TLSCert       string           // for "files"
	TLSKey        string           // for "files"
	DataDir       string           // self-signed cert+key kept here (tls-cert.pem, tls-key.pem 0600)
	PublicURL     string           // "" = derived from the request
	Version       string           // shown by /api/v1/status
	Now           func() time.Time // injected clock (tests); default time.Now
	SecureCookies *bool            // default: true when TLS != "off"
}

// ModemStatus is the JSON of one modem in /api/v1/status and {"type":"modem"} frames.
type ModemStatus struct {
	Name         string    `json:"name"`
	Port         string    `json:"port"`
	State        string    `json:"state"`
	Manufacturer string    `json:"manufacturer"`
	Model        string    `json:"model"`
	Firmware     string    `json:"firmware"`
	IMEI         string    `json:"imei"`
	ICCID        string    `json:"iccid"`
	Operator     string    `json:"operator"`
	OwnNumber    string    `json:"own_number"`
	Registration string    `json:"registration"`
	LastError    string    `json:"last_error"`
	SignalBars   int       `json:"signal_bars"`
	CSQ          int       `json:"csq"`
	StorageUsed  int       `json:"storage_used"`
	StorageTotal int       `json:"storage_total"`
	Since        time.Time `json:"since"`
	LastMessage  time.Time `json:"last_message"`
}

// Notifier is the notify worker as httpui uses it (test sends and wake-ups). Nil-safe.
type Notifier interface {
	Test(ctx context.Context, channelID string) (notify.Answer, error)
	Wake()
}

// Mailer sends invitation emails; nil when SMTP is not configured.
type Mailer interface {
	SendInvite(ctx context.Context, to, link, inviter, role string) error
}

// Deps are the parts the server uses; main owns them and their lifetimes.
type Deps struct {
	Store  *store.Store
	Log    *slog.Logger
	Modems func() []ModemStatus // current state of every modem
	Notify Notifier
	Mailer Mailer
}

// Server is the web inbox and API. All methods are safe for concurrent use. The server owns
// the hub goroutine and every WebSocket connection's goroutines; Serve (or Close) joins them.
type Server struct {
	cfg       Config
	st        *store.Store
	log       *slog.Logger
	modems    func() []ModemStatus
	notifier  Notifier
	mailer    Mailer
	now       func() time.Time
	secure    bool // Secure cookies
	cert      *tls.Certificate
	limit     *limiter
	hub       *hub
	dummyHash string // verified against when an email is unknown, so timing reveals nothing
	handler   http.Handler
	closeOnce sync.Once
}

// New builds the server, loads or creates its TLS certificate (its fingerprint is logged),
// starts the hub, and when the store has no user yet creates a one-time setup code (its hash
// in Settings.SetupCodeHash) and logs it at Warn.
func New(cfg Config, d Deps) (*Server, error) {
	if d.Store == nil {
		return nil, errors.New("httpui: no store")
	}
	s := &Server{cfg: cfg, st: d.Store, log: d.Log, modems: d.Modems, notifier: d.Notify, mailer: d.Mailer, now: cfg.Now}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.modems == nil {
		s.modems = func() []ModemStatus { return nil }
	}
	s.secure = cfg.TLS != "off"
	if cfg.SecureCookies != nil {
		s.secure = *cfg.SecureCookies
	}
	var err error
	if s.cert, err = loadTLS(cfg, s.now()); err != nil {
		return nil, err
	}
	if fp := fingerprint(s.cert); fp != "" {
		s.log.Info("TLS certificate", "sha256_fingerprint", fp, "mode", cfg.TLS)
	}
	if s.dummyHash, err = dummyHash(); err != nil {
		return nil, err
	}
	if err := s.firstRun(); err != nil {
		return nil, err
	}
	s.limit = newLimiter(s.now)
	s.hub = newHub(s.log)
	go s.hub.run()
	s.handler = s.build()
	return s, nil
}

var (
	dummyOnce sync.Once
	dummyVal  string
	dummyErr  error
)

// dummyHash is a hash of a random password, made once per process, that unknown emails are
// checked against.
func dummyHash() (string, error) {
	dummyOnce.Do(func() { dummyVal, dummyErr = HashPassword(randomString(16)) })
	return dummyVal, dummyErr
}

// build wires the route table into a ServeMux behind the CSRF guard and security headers.
func (s *Server) build() http.Handler {
	mux := http.NewServeMux()
	for _, rt := range s.routes() {
		mux.Handle(rt.pattern, s.guard(rt))
	}
	return s.withHeaders(s.crossOrigin(limitBody(apiMisses(mux))))
}

// apiMisses answers an /api/ request that no route matches (404, or 405 with Allow) with the
// JSON error body every API answer has, instead of the mux's plain text.
func apiMisses(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/api/") {
			if _, pattern := mux.Handler(r); pattern == "" {
				w = &jsonMiss{ResponseWriter: w}
			}
		}
		mux.ServeHTTP(w, r)
	})
}

// jsonMiss turns the mux's plain-text 404/405 into {"error": ...}, keeping the status and the
// Allow header, and drops the text body.
type jsonMiss struct {
	http.ResponseWriter
	done bool
}

func (m *jsonMiss) WriteHeader(status int) {
	if m.done {
		return
	}
	m.done = true
	msg := strings.ToLower(http.StatusText(status))
	if msg == "" {
		msg = "request refused"
	}
	writeJSONError(m.ResponseWriter, status, msg)
}

func (m *jsonMiss) Write(b []byte) (int, error) {
	if !m.done {
		m.WriteHeader(http.StatusNotFound)
	}
	return len(b), nil
}

// maxRequestBody bounds every request body, forms included (ParseForm alone would read 10 MB;
// JSON calls are held to maxBody by decodeJSON). No route takes more.
const maxRequestBody = 256 << 10

// limitBody caps every request body at maxRequestBody; reading past it fails.
func limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil && r.Body != http.NoBody {
			r.Body = http.MaxBytesReader(w, r.Body, maxRequestBody)
		}
		next.ServeHTTP(w, r)
	})
}

// Handler returns the whole mux including middleware (for httptest and main).
func (s *Server) Handler() http.Handler { return s.handler }

// TLSFingerprint is the SHA-256 fingerprint of the serving certificate, "" when TLS is off.
func (s *Server) TLSFingerprint() string { return fingerprint(s.cert) }

func (s *Server) tlsOn() bool { return s.cert != nil }

// Serve serves on ln (TLS per Config) until ctx is done, then shuts the HTTP server down, closes
// the hub and every WebSocket, and returns nil on a clean stop.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := s.httpServer()
	if s.cert != nil {
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{*s.cert}, MinVersion: tls.VersionTLS12}
		ln = tls.NewListener(ln, srv.TLSConfig)
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	sweepCtx, stopSweep := context.WithCancel(ctx)
	swept := make(chan struct{})
	go func() { defer close(swept); s.sweep(sweepCtx) }()
	var err error
	select {
	case err = <-errc:
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err = srv.Shutdown(sctx)
		cancel()
		<-errc
	}
	stopSweep()
	<-swept
	s.Close()
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve web: %w", err)
	}
	return nil
}

// httpServer is the http.Server Serve runs. Every phase of a request has a deadline, so a
// client that trickles its headers or its body (Slowloris) cannot hold a connection and a
// handler forever: ReadTimeout covers headers and body (bodies are at most 256 KiB), and a
// WebSocket sets its own read and write deadlines as soon as it is upgraded.
func (s *Server) httpServer() *http.Server {
	return &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelDebug),
	}
}

// sweep removes expired sessions every sweepEvery until ctx ends (they are refused anyway;
// this keeps the bucket small).
func (s *Server) sweep(ctx context.Context) {
	t := time.NewTicker(sweepEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if n, err := s.st.DeleteExpiredSessions(s.now()); err != nil {
				s.log.Warn("expired sessions not swept", "error", err)
			} else if n > 0 {
				s.log.Debug("expired sessions swept", "count", n)
			}
		}
	}
}

const sweepEvery = time.Hour

// Close closes every WebSocket and stops the hub, waiting for their goroutines. Idempotent;
// Serve calls it. Call it yourself only when Serve was never called (tests).
func (s *Server) Close() error {
	s.closeOnce.Do(s.hub.close)
	return nil
}
