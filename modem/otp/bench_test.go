package otp

import (
	"strings"
	"testing"
)

// BenchmarkFind measures one call of Find on three shapes of message:
//
//	go test -run '^$' -bench BenchmarkFind -benchmem ./modem/otp
func BenchmarkFind(b *testing.B) {
	long := strings.Repeat("Chase: A $1,250.00 payment to Con Edison posted on 11/23/2026 for card ending 4421. "+
		"Questions? Call 1-800-935-9935. Order #4829130 ships Nov 25 from gate B12. ", 4)
	cases := []struct{ name, sender, text string }{
		{"english_otp", "+14155550123", "Your Clio verification code is 482913. This code will expire in 10 minutes."},
		{"long_non_otp", "24273", long},
		{"chinese_otp", "95555", "【招商银行】您的验证码为：482913，请勿泄露。如有疑问请致电95555。"},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(c.text)))
			for b.Loop() {
				Find(c.sender, c.text)
			}
		})
	}
}
