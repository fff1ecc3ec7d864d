package httpui

import (
	"testing"
)

// BenchmarkLogin is the cost of one password check (argon2id m=19 MiB, t=2, p=1), which bounds
// sign-ins per second per core.
func BenchmarkLogin(b *testing.B) {
	var h string
	var err error
	withDefaultParams(func() { h, err = HashPassword(testPassword) })
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if ok, _, _ := verifyPassword(h, testPassword); !ok {
			b.Fatal("mismatch")
		}
	}
}
