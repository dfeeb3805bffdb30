package main

import (
	"context"
	"regexp"
	"strings"
	"testing"
)

var japaneseChars = regexp.MustCompile(`[\p{Hiragana}\p{Katakana}\p{Han}]`)

// A customer who chose English gets codes and the new-device notice in
// English, the device named in English too; the codes work as ever.
func TestCodeMessagesInCustomersLanguage(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	if err := a.DB.SetCustomerLang(context.Background(), a.customerID("demo-sms"), "en"); err != nil {
		t.Fatal(err)
	}
	phone, email := "+819000000002", demoContacts["demo-sms"].email // numbers are sent in E.164
	newest := func(to, says string) outboxEntry {
		t.Helper()
		for _, m := range a.outbox() {
			if m.To == to && strings.Contains(m.Subject+m.Body, says) {
				if japaneseChars.MatchString(m.Subject + m.Body) {
					t.Errorf("message to %s has Japanese: %q %q", to, m.Subject, m.Body)
				}
				return m
			}
		}
		t.Fatalf("no message to %s saying %q", to, says)
		return outboxEntry{}
	}
	c := pendingClient(t, a, "demo-sms")
	code := sixDigits.FindString(newest(phone, "login code").Body)
	if p := c.submitCode(code); p.location != "/home" {
		t.Fatalf("login with the English code: %d %q", p.status, p.location)
	}
	notice := newest(email, "New login from another device")
	if !strings.Contains(notice.Body, "Device: Unknown device / unknown browser") {
		t.Fatalf("device not named in English: %s", notice.Body)
	}
	forgotStart(a, "demo-sms", demoBirthDates["demo-sms"])
	if m := newest(phone, "password reset code"); !sixDigits.MatchString(m.Body) {
		t.Fatalf("reset code message: %q", m.Body)
	}
}
