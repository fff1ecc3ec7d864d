package httpui

import (
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
)

func TestAddrKey(t *testing.T) {
	cases := map[string]string{
		"192.0.2.7":               "addr:192.0.2.7",
		"::ffff:192.0.2.7":        "addr:192.0.2.7",
		"2001:db8:1:2:aaaa::1":    "addr:2001:db8:1:2::/64",
		"2001:db8:1:2:ffff:1:2:3": "addr:2001:db8:1:2::/64",
		"fe80::1%eth0":            "addr:fe80::/64",
		"2001:db8:1:3::1":         "addr:2001:db8:1:3::/64",
		"not an address":          "addr:not an address",
		"":                        "addr:",
	}
	for in, want := range cases {
		if got := addrKey(in); got != want {
			t.Errorf("addrKey(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestIPv6RotationSharesAddressLimit: a client hopping through the addresses of its IPv6 /64
// (each sign-in for a different email, so the account limit never bites) is stopped by the
// address limit like a client on one address.
func TestIPv6RotationSharesAddressLimit(t *testing.T) {
	e := newEnv(t)
	refused := false
	for i := range limitFreeAddr + 2 {
		r := httptest.NewRequest("POST", "/api/v1/session", strings.NewReader(`{"email":"u`+strings.Repeat("x", i)+`@example.com","password":"wrong password"}`))
		r.Header.Set("Content-Type", "application/json")
		r.RemoteAddr = "[2001:db8:1:2:" + strconv.FormatInt(int64(i+1), 16) + "::1]:40000" // a fresh address each time
		w := serve(e, r)
		if w.Code == 429 {
			refused = true
			break
		}
		if w.Code != 401 {
			t.Fatalf("attempt %d: %d %s", i, w.Code, w.Body)
		}
	}
	if !refused {
		t.Fatalf("%d failures from one IPv6 /64 were never throttled", limitFreeAddr+2)
	}
}
