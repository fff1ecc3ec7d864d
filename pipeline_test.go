package main

import (
	"strings"
	"testing"
	"time"

	"firmline/modem/pdu"
)

func TestMessageFields(t *testing.T) {
	clio, _ := pdu.EncodeDeliver(pdu.Deliver{SMSC: "+15550000000", Sender: "+12065550143",
		Text: "Your Clio verification code is 482913", SentAt: time.Date(2026, 11, 23, 9, 41, 5, 0, time.FixedZone("", -5*3600))})
	long := strings.Repeat("NetDocuments needs a second step to sign you in. ", 4) + "Code: 731904"
	parts, _ := pdu.EncodeDeliver(pdu.Deliver{SMSC: "+15550000000", Sender: "NetDocs", Text: long, Ref: 9})
	tests := []struct {
		name                     string
		parts                    []string
		kind, text, code, sender string
	}{
		{"single", clio, "text", "Your Clio verification code is 482913", "482913", "+12065550143"},
		{"concatenated", parts, "text", long, "731904", "NetDocs"},
		{"missing part", []string{parts[0], ""}, "text", "", "", "NetDocs"},
		{"undecodable", []string{"00"}, "undecodable", "(this message could not be decoded", "", ""},
		// 8-bit data to the WAP push port (SMSC none, sender +1, DCS 0x04, UDH with 16-bit ports).
		{"wap push", []string{"0040" + "0B911234567890F0" + "0004" + "62113291000000" + "0B" + "0605040B8423F0" + "01020304"},
			"data", "(a binary message of 4 bytes for application port 2948", "", "+21436587090"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := messageFields(tc.parts)
			if m.Kind != tc.kind || !strings.HasPrefix(m.Text, tc.text) || m.Code != tc.code || m.Sender != tc.sender {
				t.Fatalf("got kind %q sender %q code %q text %q", m.Kind, m.Sender, m.Code, m.Text)
			}
		})
	}
}
