package contact

import (
	"errors"
	"testing"
)

// TestParsePhone is what Japanese customers and clerks type for a mobile
// number, on either site or in an import.
func TestParsePhone(t *testing.T) {
	const want = "+819012345678"
	ok := []string{
		"09012345678",
		"090-1234-5678",
		"090‐1234‐5678", // U+2010 hyphen
		"090‑1234‑5678", // U+2011 non-breaking hyphen
		"090‒1234‒5678", // U+2012 figure dash
		"090–1234–5678", // U+2013 en dash
		"090—1234—5678", // U+2014 em dash
		"090―1234―5678", // U+2015 horizontal bar
		"090−1234−5678", // U+2212 minus sign
		"090ー1234ー5678", // U+30FC long-vowel mark (IME)
		"090ｰ1234ｰ5678", // U+FF70 half-width long-vowel mark
		"090－1234－5678", // U+FF0D full-width hyphen-minus
		"０９０－１２３４－５６７８", // full-width digits
		"090 1234 5678",
		"090　1234　5678", // U+3000
		"  090-1234-5678 ",
		"　０９０１２３４５６７８　",
		"(090)1234-5678",
		"（090）1234-5678",
		"+81 90-1234-5678",
		"+819012345678",
		"＋８１９０１２３４５６７８",
		"+81 (0)90-1234-5678",
		"+81-90-1234-5678",
		"tel:090-1234-5678",
		"TEL:+81-90-1234-5678",
	}
	for _, in := range ok {
		got, err := ParsePhone(in)
		if err != nil || got != want {
			t.Errorf("ParsePhone(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for in, e164 := range map[string]string{"070-1111-2222": "+817011112222", "080 3333 4444": "+818033334444"} {
		if got, err := ParsePhone(in); err != nil || got != e164 {
			t.Errorf("ParsePhone(%q) = %q, %v; want %q", in, got, err, e164)
		}
	}
	bad := []string{
		"", "   ", "　",
		"03-1234-5678",    // fixed line: no SMS
		"050-1234-5678",   // IP phone
		"0120-123-456",    // free dial
		"090-1234-567",    // a digit short
		"090-1234-56789",  // a digit too many
		"+1 415 555 0100", // not Japan
		"+81 3-1234-5678", // fixed line, international
		"819012345678",    // country code without +
		"090.1234.5678",   // dots are not what people type here
		"090-1234-567８a",  // a letter
		"mailto:090-1234-5678",
		"090-1234-5678\x00",
	}
	for _, in := range bad {
		if got, err := ParsePhone(in); !errors.Is(err, ErrBadPhone) {
			t.Errorf("ParsePhone(%q) = %q, %v; want ErrBadPhone", in, got, err)
		}
	}
}

func TestParseEmail(t *testing.T) {
	ok := map[string]string{
		"taro@example.jp":            "taro@example.jp",
		"  taro@example.jp　":         "taro@example.jp",
		"ＴＡＲＯ＠example.jp":            "TARO@example.jp",
		"ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ":            "taro@example.jp",
		"<taro@example.jp>":          "taro@example.jp",
		"＜taro@example.jp＞":          "taro@example.jp",
		"taro.yamada+mfa@Example.JP": "taro.yamada+mfa@example.jp",
		"Taro@MAIL.Example.co.jp":    "Taro@mail.example.co.jp",
	}
	for in, want := range ok {
		if got, err := ParseEmail(in); err != nil || got != want {
			t.Errorf("ParseEmail(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	bad := []string{
		"", "　",
		"taro",
		"taro@localhost", // no dot in the domain
		"taro@example.jp.",
		"Taro <taro@example.jp>", // display name
		"山田太郎 <taro@example.jp>",
		"taro@example.jp (Taro)", // comment
		"taro@example.jp, hanako@example.jp",
		`"taro yamada"@example.jp`, // quoted local part
		"<<taro@example.jp>>",
		"taro@@example.jp",
		"taro @example.jp",
		"mailto:taro@example.jp",
		"090-1234-5678",
	}
	for _, in := range bad {
		if got, err := ParseEmail(in); !errors.Is(err, ErrBadEmail) {
			t.Errorf("ParseEmail(%q) = %q, %v; want ErrBadEmail", in, got, err)
		}
	}
}

func TestDomestic(t *testing.T) {
	for in, want := range map[string]string{
		"+819012345678": "090-1234-5678",
		"+81312345678":  "03-1234-5678",
		"+81451234567":  "045-123-4567",
		"090-1234-5678": "090-1234-5678", // not E.164: as stored
		"":              "",
	} {
		if got := Domestic(in); got != want {
			t.Errorf("Domestic(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMask(t *testing.T) {
	for _, tt := range []struct{ kind, in, want string }{
		{Email, "taro@example.jp", "t***@example.jp"},
		{Email, "", ""},
		{Email, "@example.jp", "***"},
		{Phone, "+819012345678", "***-****-5678"},
		{Phone, "090-1234-5678", "***-****-5678"},
		{"sms", "+819012345678", "***-****-5678"},
		{"", "taro@example.jp", "t***@example.jp"},
		{Phone, "", ""},
		{Phone, "12", "***"},
	} {
		if got := Mask(tt.kind, tt.in); got != tt.want {
			t.Errorf("Mask(%q, %q) = %q, want %q", tt.kind, tt.in, got, tt.want)
		}
	}
	if got := MaskTail("1234567"); got != "***4567" {
		t.Errorf("MaskTail = %q", got)
	}
}

func TestPhoneDigits(t *testing.T) {
	for _, tt := range []struct {
		in, want string
		ok       bool
	}{
		{"090-1234-5678", "09012345678", true},
		{"+819012345678", "09012345678", true},
		{"+81 90", "090", true},
		{"０９０−１２", "09012", true},
		{"03-0000-0004", "0300000004", true},
		{"1000001", "1000001", true},
		{"山田", "", false},
		{"demo-app", "", false},
		{"taro@example.jp", "", false},
		{"", "", false},
	} {
		if got, ok := PhoneDigits(tt.in); got != tt.want || ok != tt.ok {
			t.Errorf("PhoneDigits(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}
