// Package httpui serves firmline's web inbox and JSON API: routes, sign-in, sessions, roles,
// second factor, invitations, team management and the live WebSocket hub.
//
// The server is one *Server. Every action is a method on *Server (the service layer) that
// both the JSON handlers and the server-rendered form handlers (pages*.go) call; those
// methods return typed errors that errorStatus maps to HTTP statuses.
package httpui

import (
	"net/http"
	"time"
)

// Config is the httpui part of firmline's configuration.
type Config struct {
	Listen        string           // ":8443"
	TLS           string           // "self-signed" | "files" | "off"
	TLSCert       string           // for "files"
	TLSKey        string           // for "files"
	DataDir       string           // self-signed cert+key kept here (tls-cert.pem, tls-key.pem, 0600)
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

// Server is the web inbox and API. All methods are safe for concurrent use.
type Server struct {
	cfg Config
	mux *http.ServeMux
}

// Handler returns the whole mux including middleware.
func (s *Server) Handler() http.Handler {
	if s.mux == nil {
		s.mux = http.NewServeMux()
		for _, rt := range s.routes() {
			s.mux.Handle(rt.pattern, rt.handler)
		}
	}
	return s.mux
}
