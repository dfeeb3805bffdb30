package main

import (
	"net/http"
	"net/url"
	"testing"
	"time"
)

// The customer site (/account) and the console (a contact change on a
// case) read a new email address or mobile number with one parser: what
// one accepts the other accepts and sends the code to the same stored
// form (E.164 for numbers); what one refuses the other refuses.
func TestContactInputSameOnBothSites(t *testing.T) {
	a := newConsoleApp(t, func(cfg *Config) { cfg.MFA.ResendCooldown, cfg.MFA.SendsPerHour = 0, 1000 })
	staff, kase := strongCase(t, a, "supervisor", "demo-email")
	cust := loggedInClient(t, a, "demo-email")
	a.clock.Advance(61 * time.Second)
	stepUp(t, a, cust, "account", "demo-email", "")

	tests := []struct{ kind, typed, stored string }{ // stored "": refused
		{"phone", "090-1234-5678", "+819012345678"},
		{"phone", "090−1234−5678", "+819012345678"}, // U+2212 minus sign
		{"phone", "０９０ー１２３４ー５６７８", "+819012345678"},
		{"phone", "　(090) 1234 5678 ", "+819012345678"},
		{"phone", "+81 80-1234-5678", "+818012345678"},
		{"phone", "tel:070-1234-5678", "+817012345678"},
		{"phone", "03-1234-5678", ""},
		{"phone", "090-1234-567", ""},
		{"email", "taro@example.jp", "taro@example.jp"},
		{"email", "<taro@example.jp>", "taro@example.jp"},
		{"email", "ＴＡＲＯ＠example.jp", "TARO@example.jp"},
		{"email", " taro@Example.JP　", "taro@example.jp"},
		{"email", "Taro <taro@example.jp>", ""},
		{"email", "taro@localhost", ""},
	}
	for _, tt := range tests {
		var onCustomerSite, onConsole string
		switch p := cust.post("/account/"+tt.kind, url.Values{"new_" + tt.kind: {tt.typed}}); {
		case p.location == "/account/"+tt.kind+"/confirm":
			onCustomerSite = a.outbox()[0].To
		case p.status != http.StatusUnprocessableEntity:
			t.Fatalf("customer site, %q: %d %q", tt.typed, p.status, p.location)
		}
		staff.get(kase)
		switch p := staff.post(kase+"/contact/send", url.Values{"kind": {tt.kind}, "value": {tt.typed}}); p.location {
		case kase + "?notice=contact_code_sent":
			onConsole = a.outbox()[0].To
		case kase + "?notice=bad_contact":
		default:
			t.Fatalf("console, %q: %d %q", tt.typed, p.status, p.location)
		}
		if onCustomerSite != tt.stored || onConsole != tt.stored {
			t.Errorf("%s %q: code to %q on the customer site, %q on the console; want %q on both",
				tt.kind, tt.typed, onCustomerSite, onConsole, tt.stored)
		}
	}
}
