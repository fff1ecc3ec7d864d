package httpui

import (
	"crypto/tls"
	"crypto/x509"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestSelfSignedGeneratedOnceAndReused: the key is 0600, the certificate names localhost and
// 127.0.0.1, and a second start reuses it (same fingerprint).
func TestSelfSignedGeneratedOnceAndReused(t *testing.T) {
	dir := t.TempDir()
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	c1, err := loadTLS(Config{TLS: "self-signed", DataDir: dir}, now)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(filepath.Join(dir, selfKeyFile))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", st.Mode(), err)
	}
	leaf, err := x509.ParseCertificate(c1.Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	if leaf.VerifyHostname("localhost") != nil || leaf.VerifyHostname("127.0.0.1") != nil {
		t.Fatalf("SANs %v %v", leaf.DNSNames, leaf.IPAddresses)
	}
	c2, err := loadTLS(Config{TLS: "self-signed", DataDir: dir}, now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	fp := fingerprint(c1)
	if fp != fingerprint(c2) || len(fp) != 95 || strings.Count(fp, ":") != 31 {
		t.Fatalf("fingerprints %q %q", fp, fingerprint(c2))
	}
	if c, err := loadTLS(Config{TLS: "off"}, now); c != nil || err != nil {
		t.Fatal("TLS off returned a certificate")
	}
	if _, err := loadTLS(Config{TLS: "files", TLSCert: filepath.Join(dir, "nope.pem"), TLSKey: "nope"}, now); err == nil {
		t.Fatal("missing files accepted")
	}
}

// TestServeTLS: Serve speaks TLS with the self-signed certificate, sends HSTS, and stops
// cleanly when its context ends.
func TestServeTLS(t *testing.T) {
	e := newEnv(t)
	srv, err := New(Config{TLS: "self-signed", DataDir: t.TempDir(), Now: e.clk.now}, Deps{Store: e.st})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := contextWithCancel()
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	conn, err := tls.Dial("tcp", ln.Addr().String(), &tls.Config{InsecureSkipVerify: true})
	if err != nil {
		t.Fatal(err)
	}
	sum := fingerprint(&tls.Certificate{Certificate: [][]byte{conn.ConnectionState().PeerCertificates[0].Raw}})
	if sum != srv.TLSFingerprint() {
		t.Fatalf("served %s, fingerprint says %s", sum, srv.TLSFingerprint())
	}
	conn.Write([]byte("GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"))
	buf := make([]byte, 4096)
	n, _ := conn.Read(buf)
	conn.Close()
	if resp := string(buf[:n]); !strings.HasPrefix(resp, "HTTP/1.1 200") || !strings.Contains(resp, "Strict-Transport-Security") {
		t.Fatalf("response %q", resp)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Serve: %v", err)
	}
}
