package pdu_test

import (
	"fmt"

	"firmline/modem/pdu"
)

func ExampleDecode() {
	m, err := pdu.Decode("07917283010010F5040BC87238880900F10000993092516195800AE8329BFD4697D9EC37")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(m.Type, m.Sender, m.SenderType, m.SentAt.Format("2006-01-02T15:04:05Z07:00"), m.Text)
	// Output: deliver 27838890001 national 1999-03-29T15:16:59+02:00 hellohello
}

func ExampleJoin() {
	pdus, _ := pdu.EncodeDeliver(pdu.Deliver{Sender: "Google", Text: "G-123456 😀", PartSize: 10, Ref: 1})
	parts := make([]*pdu.Message, len(pdus))
	for i, h := range pdus {
		parts[i], _ = pdu.Decode(h)
	}
	fmt.Println(len(pdus), pdu.Join(parts))
	fmt.Println(pdu.Join([]*pdu.Message{parts[0], nil}))
	// Output:
	// 3 G-123456 😀
	// G-123 …
}
