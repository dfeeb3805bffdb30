package mfa

import (
	"encoding/base32"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/hotp"
	"github.com/pquerna/otp/totp"
)

// b32 encodes an RFC test seed the way secrets are handed to pquerna/otp.
func b32(seed string) string {
	return base32.StdEncoding.EncodeToString([]byte(seed))
}

// RFC 6238 Appendix B test seeds. Note the RFC's reference code uses a seed
// of the hash's natural length for SHA-256 and SHA-512, not the 20-byte one.
const (
	rfcSeedSHA1   = "12345678901234567890"
	rfcSeedSHA256 = "12345678901234567890123456789012"
	rfcSeedSHA512 = "1234567890123456789012345678901234567890123456789012345678901234"
)

// TestTOTPRFC6238Vectors checks the library we build on against every
// RFC 6238 Appendix B vector (8 digits, 30 s step).
func TestTOTPRFC6238Vectors(t *testing.T) {
	tests := []struct {
		unix                 int64
		sha1, sha256, sha512 string
	}{
		{59, "94287082", "46119246", "90693936"},
		{1111111109, "07081804", "68084774", "25091201"},
		{1111111111, "14050471", "67062674", "99943326"},
		{1234567890, "89005924", "91819424", "93441116"},
		{2000000000, "69279037", "90698825", "38618901"},
		{20000000000, "65353130", "77737706", "47863826"},
	}
	algs := []struct {
		name string
		alg  otp.Algorithm
		seed string
		want func(i int) string
	}{
		{"SHA1", otp.AlgorithmSHA1, rfcSeedSHA1, func(i int) string { return tests[i].sha1 }},
		{"SHA256", otp.AlgorithmSHA256, rfcSeedSHA256, func(i int) string { return tests[i].sha256 }},
		{"SHA512", otp.AlgorithmSHA512, rfcSeedSHA512, func(i int) string { return tests[i].sha512 }},
	}
	for _, a := range algs {
		for i, tc := range tests {
			got, err := totp.GenerateCodeCustom(b32(a.seed), time.Unix(tc.unix, 0).UTC(), totp.ValidateOpts{
				Period:    30,
				Digits:    otp.DigitsEight,
				Algorithm: a.alg,
			})
			if err != nil {
				t.Fatalf("%s t=%d: %v", a.name, tc.unix, err)
			}
			if want := a.want(i); got != want {
				t.Errorf("%s t=%d: got %s, want %s", a.name, tc.unix, got, want)
			}
		}
	}
}

// TestTOTPCodeMatchesRFC checks our own TOTPCode (SHA-1, 6 digits). Six-digit
// codes are the same truncated value mod 10^6, so they must equal the last six
// digits of the RFC's 8-digit SHA-1 vectors.
func TestTOTPCodeMatchesRFC(t *testing.T) {
	tests := []struct {
		unix int64
		want string
	}{
		{59, "287082"},
		{1111111109, "081804"},
		{1111111111, "050471"},
		{1234567890, "005924"},
		{2000000000, "279037"},
		{20000000000, "353130"},
	}
	secret := strings.TrimRight(b32(rfcSeedSHA1), "=") // our secrets are unpadded
	for _, tc := range tests {
		got, err := TOTPCode(secret, time.Unix(tc.unix, 0))
		if err != nil {
			t.Fatalf("t=%d: %v", tc.unix, err)
		}
		if got != tc.want {
			t.Errorf("t=%d: got %s, want %s", tc.unix, got, tc.want)
		}
	}
}

func TestTOTPCodeBadSecret(t *testing.T) {
	if _, err := TOTPCode("not base32!", time.Unix(59, 0)); err == nil {
		t.Fatal("expected error for invalid base32 secret")
	}
}

// TestHOTPRFC4226Vectors checks RFC 4226 Appendix D (HOTP, SHA-1, 6 digits).
func TestHOTPRFC4226Vectors(t *testing.T) {
	want := []string{"755224", "287082", "359152", "969429", "338314",
		"254676", "287922", "162583", "399871", "520489"}
	for count, w := range want {
		got, err := hotp.GenerateCodeCustom(b32(rfcSeedSHA1), uint64(count), hotp.ValidateOpts{
			Digits:    otp.DigitsSix,
			Algorithm: otp.AlgorithmSHA1,
		})
		if err != nil {
			t.Fatalf("count %d: %v", count, err)
		}
		if got != w {
			t.Errorf("count %d: got %s, want %s", count, got, w)
		}
	}
}

func TestTOTPStep(t *testing.T) {
	tests := []struct {
		unix int64
		want int64
	}{
		{0, 0},
		{29, 0},
		{30, 1},
		{59, 1},
		{1111111109, 37037036},
		{-1, -1}, // floor, not truncation
		{-30, -1},
		{-31, -2},
	}
	for _, tc := range tests {
		if got := TOTPStep(time.Unix(tc.unix, 0)); got != tc.want {
			t.Errorf("TOTPStep(%d) = %d, want %d", tc.unix, got, tc.want)
		}
	}
}

func TestMatchTOTP(t *testing.T) {
	secret := strings.TrimRight(b32(rfcSeedSHA1), "=")
	// 15 s into a step, so T-1/T+1 are a genuine "one step either side".
	now := time.Unix(1234567890, 0)
	T := TOTPStep(now)

	codeAt := func(step int64) string {
		t.Helper()
		c, err := TOTPCode(secret, time.Unix(step*TOTPPeriod, 0))
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	codes := map[int64]string{}
	for s := T - 2; s <= T+2; s++ {
		codes[s] = codeAt(s)
	}
	// The test is only meaningful if the five codes are distinct; with this
	// fixed secret and time they are, but say so if that ever changes.
	seen := map[string]int64{}
	for s, c := range codes {
		if other, dup := seen[c]; dup {
			t.Fatalf("test setup: steps %d and %d share code %s", s, other, c)
		}
		seen[c] = s
	}

	tests := []struct {
		name         string
		code         string
		lastAccepted int64
		wantOK       bool
		wantStep     int64
	}{
		{"previous step", codes[T-1], -1, true, T - 1},
		{"current step", codes[T], -1, true, T},
		{"next step", codes[T+1], -1, true, T + 1},
		{"lastAccepted 0 means none", codes[T], 0, true, T},
		{"two steps back", codes[T-2], -1, false, 0},
		{"two steps ahead", codes[T+2], -1, false, 0},
		{"replay of current step", codes[T], T, false, 0},
		{"replay of earlier step", codes[T-1], T, false, 0},
		{"previous step already used", codes[T-1], T - 1, false, 0},
		{"later step after earlier accepted", codes[T+1], T, true, T + 1},
		{"current step after previous accepted", codes[T], T - 1, true, T},
		{"wrong code", wrongCode(codes), -1, false, 0},
		{"too short", codes[T][:5], -1, false, 0},
		{"too long", codes[T] + "0", -1, false, 0},
		{"empty", "", -1, false, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			step, ok := MatchTOTP(secret, tc.code, now, tc.lastAccepted)
			if ok != tc.wantOK {
				t.Fatalf("ok = %v, want %v", ok, tc.wantOK)
			}
			if ok && step != tc.wantStep {
				t.Errorf("step = %d, want %d", step, tc.wantStep)
			}
		})
	}
}

// wrongCode returns a 6-digit code that is none of the given codes.
func wrongCode(codes map[int64]string) string {
	for _, c := range []string{"000000", "111111", "222222", "333333", "444444", "555555"} {
		used := false
		for _, v := range codes {
			if v == c {
				used = true
			}
		}
		if !used {
			return c
		}
	}
	panic("unreachable: five codes cannot cover six candidates")
}

func TestMatchTOTPBadSecret(t *testing.T) {
	if _, ok := MatchTOTP("not base32!", "123456", time.Unix(1234567890, 0), -1); ok {
		t.Fatal("malformed secret must not match")
	}
}

func TestNewTOTPSecret(t *testing.T) {
	a, err := NewTOTPSecret()
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewTOTPSecret()
	if err != nil {
		t.Fatal(err)
	}
	if a == b {
		t.Fatal("two secrets are equal")
	}
	for _, s := range []string{a, b} {
		if strings.Contains(s, "=") {
			t.Errorf("secret %q is padded", s)
		}
		if s != strings.ToUpper(s) {
			t.Errorf("secret %q is not upper case", s)
		}
		raw, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(s)
		if err != nil {
			t.Fatalf("secret %q does not decode: %v", s, err)
		}
		if len(raw) != 20 {
			t.Errorf("secret decodes to %d bytes, want 20", len(raw))
		}
		// And it must be usable for codes.
		if _, err := TOTPCode(s, time.Now()); err != nil {
			t.Errorf("TOTPCode with new secret: %v", err)
		}
	}
}

func TestTOTPURI(t *testing.T) {
	const secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
	tests := []struct {
		issuer, account string
		wantPath        string
	}{
		{"mfadesk", "alice@example.com", "/mfadesk:alice@example.com"},
		{"ACME Brokerage", "bob smith", "/ACME Brokerage:bob smith"},
		// Characters that are significant in URIs must survive the round trip.
		{"A&B=C?#/+%", "x&y", "/A&B=C?#/+%:x&y"},
	}
	for _, tc := range tests {
		raw := TOTPURI(tc.issuer, tc.account, secret)
		if strings.Contains(raw, " ") || strings.Contains(raw, "+") {
			t.Errorf("%q: URI contains a raw space or '+' (spaces must be %%20)", raw)
		}
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatalf("%q does not parse: %v", raw, err)
		}
		if u.Scheme != "otpauth" || u.Host != "totp" {
			t.Errorf("%q: scheme/host = %q/%q", raw, u.Scheme, u.Host)
		}
		if u.Path != tc.wantPath {
			t.Errorf("%q: label path = %q, want %q", raw, u.Path, tc.wantPath)
		}
		q := u.Query()
		want := map[string]string{
			"secret":    secret,
			"issuer":    tc.issuer,
			"algorithm": "SHA1",
			"digits":    "6",
			"period":    "30",
		}
		for k, v := range want {
			if got := q.Get(k); got != v {
				t.Errorf("%q: %s = %q, want %q", raw, k, got, v)
			}
		}
	}
}

// TestTOTPURIReadableByOTPLibrary checks interoperability: pquerna/otp, which
// mirrors how authenticator apps read the URI, must see the same values.
func TestTOTPURIReadableByOTPLibrary(t *testing.T) {
	raw := TOTPURI("ACME Brokerage", "alice@example.com", "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")
	k, err := otp.NewKeyFromURL(raw)
	if err != nil {
		t.Fatal(err)
	}
	if k.Type() != "totp" || k.Issuer() != "ACME Brokerage" || k.AccountName() != "alice@example.com" ||
		k.Secret() != "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ" || k.Period() != 30 ||
		k.Digits() != otp.DigitsSix || k.Algorithm() != otp.AlgorithmSHA1 {
		t.Errorf("key read back wrongly: type=%s issuer=%q account=%q secret=%q period=%d digits=%v alg=%v",
			k.Type(), k.Issuer(), k.AccountName(), k.Secret(), k.Period(), k.Digits(), k.Algorithm())
	}
}
