package support

import (
	"testing"

	"mfadesk/data"
	"mfadesk/notify"
)

// A reminder goes to the verified email first, else by SMS to the verified
// phone, else nowhere: that customer needs a letter. OutreachCustomers
// leaves unverified contacts empty, so empty means unverified here.
func TestReminderChannel(t *testing.T) {
	for _, tt := range []struct {
		name        string
		c           data.OutreachCustomer
		channel, to string
	}{
		{"both", data.OutreachCustomer{Email: "a@example.jp", Phone: "+819000000001"}, notify.Email, "a@example.jp"},
		{"email only", data.OutreachCustomer{Email: "a@example.jp"}, notify.Email, "a@example.jp"},
		{"phone only", data.OutreachCustomer{Phone: "+819000000001"}, notify.SMS, "+819000000001"},
		{"neither", data.OutreachCustomer{}, "", ""},
	} {
		if channel, to := ReminderChannel(tt.c); channel != tt.channel || to != tt.to {
			t.Errorf("%s: %q %q, want %q %q", tt.name, channel, to, tt.channel, tt.to)
		}
	}
}
