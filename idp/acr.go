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
