package idp

// Authentication context class references (acr) mfadesk asserts, from the
// strongest down. A login reaches every class at or below its own.
const (
	// ACRPhishingResistant: a passkey (WebAuthn) login.
	ACRPhishingResistant = "urn:mfadesk:acr:phr"
	// ACRMFA: password plus a second factor (app, SMS or e-mail code).
	ACRMFA = "urn:mfadesk:acr:mfa"
	// ACRPassword: password only; possible only while login MFA is not
	// yet mandatory for the customer (the enforcement phase).
	ACRPassword = "urn:mfadesk:acr:pwd"
)

// ACRValues lists the supported classes, strongest first, as discovery
// advertises them.
var ACRValues = []string{ACRPhishingResistant, ACRMFA, ACRPassword}

// acrRank orders the classes; unknown values rank 0 and so are never met.
func acrRank(acr string) int {
	switch acr {
	case ACRPhishingResistant:
		return 3
	case ACRMFA:
		return 2
	case ACRPassword:
		return 1
	}
	return 0
}

// KnownACR reports whether acr is one mfadesk asserts.
func KnownACR(acr string) bool { return acrRank(acr) > 0 }

// ACRSatisfies reports whether a login of class got meets a request for
// class want ("" wants nothing).
func ACRSatisfies(got, want string) bool {
	if want == "" {
		return true
	}
	return acrRank(want) > 0 && acrRank(got) >= acrRank(want)
}

// AMR is the RFC 8176 authentication methods of a login (or step-up) by
// method (mfa.Method's values). The password step comes before every
// second factor. E-mail codes are "otp" (RFC 8176 has no value for them),
// like app codes and recovery codes. Passkeys are "swk" when synced
// (backup eligible or backed up), else "hwk", plus "user" because
// mfadesk requires user verification; a passkey alone is two factors.
func AMR(method string, synced bool) []string {
	switch method {
	case "password":
		return []string{"pwd"}
	case "totp", "email", "recovery":
		return []string{"pwd", "otp", "mfa"}
	case "sms":
		return []string{"pwd", "sms", "mfa"}
	case "passkey":
		key := "hwk"
		if synced {
			key = "swk"
		}
		return []string{key, "user", "mfa"}
	}
	return nil
}

// ACRFor is the class a login by method reaches: a passkey is phishing
// resistant; a password and a second factor are two factors; a password
// alone (only possible before login MFA is mandatory) the password
// class; anything else, such as a support's temporary pass (whose
// session may only enrol a factor), none: such a session signs no one in.
func ACRFor(method string) string {
	switch method {
	case "passkey":
		return ACRPhishingResistant
	case "totp", "sms", "email", "recovery":
		return ACRMFA
	case "password":
		return ACRPassword
	}
	return ""
}

// RequiredACR is the class a request needs: the client's required class
// and the weakest of the known classes the request's acr_values accept
// (any of them will do), whichever is stronger. ok is false when
// acr_values names only classes mfadesk does not know, which no login
// can meet.
func RequiredACR(clientRequired string, acrValues []string) (acr string, ok bool) {
	requested := ""
	for _, v := range acrValues {
		if KnownACR(v) && (requested == "" || acrRank(v) < acrRank(requested)) {
			requested = v
		}
	}
	if len(acrValues) > 0 && requested == "" {
		return "", false
	}
	if acrRank(clientRequired) > acrRank(requested) {
		return clientRequired, true
	}
	return requested, true
}
