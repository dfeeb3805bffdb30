package idp

import (
	"slices"
	"testing"
)

// Each login method maps to its RFC 8176 amr values and its class.
func TestAMRAndACR(t *testing.T) {
	for _, c := range []struct {
		method string
		synced bool
		amr    []string
		acr    string
	}{
		{"password", false, []string{"pwd"}, ACRPassword},
		{"totp", false, []string{"pwd", "otp", "mfa"}, ACRMFA},
		{"sms", false, []string{"pwd", "sms", "mfa"}, ACRMFA},
		{"email", false, []string{"pwd", "otp", "mfa"}, ACRMFA},
		{"recovery", false, []string{"pwd", "otp", "mfa"}, ACRMFA},
		{"temp_pass", false, nil, ""},
		{"passkey", false, []string{"hwk", "user", "mfa"}, ACRPhishingResistant},
		{"passkey", true, []string{"swk", "user", "mfa"}, ACRPhishingResistant},
		{"none", false, nil, ""},
	} {
		if got := AMR(c.method, c.synced); !slices.Equal(got, c.amr) {
			t.Errorf("AMR(%s, synced %v) = %v, want %v", c.method, c.synced, got, c.amr)
		}
		if got := ACRFor(c.method); got != c.acr {
			t.Errorf("ACRFor(%s) = %q, want %q", c.method, got, c.acr)
		}
	}
}

// A class is met by itself and every stronger class, never by a weaker
// or unknown one; a request needs the stronger of the client's class and
// the weakest class its acr_values accept.
func TestACRRequirement(t *testing.T) {
	for _, c := range []struct {
		got, want string
		ok        bool
	}{
		{ACRPhishingResistant, ACRPhishingResistant, true},
		{ACRPhishingResistant, ACRMFA, true},
		{ACRMFA, ACRPhishingResistant, false},
		{ACRPassword, ACRMFA, false},
		{ACRPassword, "", true},
		{"", ACRPassword, false},
		{ACRPhishingResistant, "urn:other", false},
	} {
		if ACRSatisfies(c.got, c.want) != c.ok {
			t.Errorf("ACRSatisfies(%q, %q) = %v", c.got, c.want, !c.ok)
		}
	}
	for _, c := range []struct {
		client string
		values []string
		want   string
		ok     bool
	}{
		{"", nil, "", true},
		{ACRMFA, nil, ACRMFA, true},
		{"", []string{ACRPhishingResistant}, ACRPhishingResistant, true},
		{"", []string{ACRPhishingResistant, ACRMFA}, ACRMFA, true},
		{ACRPhishingResistant, []string{ACRMFA}, ACRPhishingResistant, true},
		{ACRMFA, []string{"urn:other", ACRPassword}, ACRMFA, true},
		{"", []string{"urn:other"}, "", false},
	} {
		got, ok := RequiredACR(c.client, c.values)
		if got != c.want || ok != c.ok {
			t.Errorf("RequiredACR(%q, %v) = %q %v, want %q %v", c.client, c.values, got, ok, c.want, c.ok)
		}
	}
}
