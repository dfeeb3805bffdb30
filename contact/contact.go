// Package contact reads the email addresses and Japanese mobile numbers
// customers and staff type, and masks them for display. The customer site,
// the console, mfa and imports all use it, so an input accepted in one
// place is accepted, and stored the same way, in every other.
//
// What is accepted, in both kinds:
//   - full-width letters, digits and signs (ＴＡＲＯ＠example.jp, ０９０):
//     folded by NFKC;
//   - spaces before and after, ideographic (U+3000) included: trimmed.
//
// Email: one bare address, local@domain with a dot in the domain, at most
// 254 bytes. One pair of angle brackets around it (<taro@example.jp>, as
// mail programs copy it) is stripped. A display name (Taro <taro@...>),
// a comment, several addresses or a quoted local part are refused: what
// is stored must be exactly the address the customer meant. The domain is
// stored in lower case (it is case-insensitive), the local part as typed.
//
// Phone: a Japanese mobile number (070, 080, 090), since codes go to it
// by SMS, typed domestically (090-1234-5678) or internationally
// (+81 90-1234-5678, +81 (0)90...), optionally after tel:. Spaces, every
// dash, hyphen, minus and long-vowel mark people type between digits
// (- ‐ ‑ ‒ – — ― − ー ｰ －) and round brackets, half or full width, are
// ignored. It is stored in E.164 (+819012345678), the form the SMS
// provider takes, and shown in the familiar domestic form (090-1234-5678).
package contact

import (
	"errors"
	"net/mail"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

var (
	// ErrBadEmail is an input that is not one email address.
	ErrBadEmail = errors.New("not an email address")
	// ErrBadPhone is an input that is not a Japanese mobile number.
	ErrBadPhone = errors.New("not a Japanese mobile number")
)

// maxInput bounds what is looked at: nothing valid is longer.
const maxInput = 254

// Kinds of contact, as the forms and the change requests name them.
const (
	Email = "email"
	Phone = "phone"
)

// fold applies NFKC and trims spaces (U+3000 folds to a space).
func fold(raw string) (string, bool) {
	if len(raw) > 4*maxInput || !utf8.ValidString(raw) {
		return "", false
	}
	s := strings.TrimSpace(norm.NFKC.String(raw))
	return s, s != "" && len(s) <= maxInput
}

// ParseEmail reads one email address as typed and returns it as stored.
func ParseEmail(raw string) (string, error) {
	s, ok := fold(raw)
	if !ok {
		return "", ErrBadEmail
	}
	if strings.HasPrefix(s, "<") && strings.HasSuffix(s, ">") {
		s = strings.TrimSpace(s[1 : len(s)-1])
	}
	addr, err := mail.ParseAddress(s)
	if err != nil || addr.Name != "" || addr.Address != s {
		return "", ErrBadEmail
	}
	at := strings.LastIndexByte(s, '@')
	domain := strings.ToLower(s[at+1:])
	if !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") {
		return "", ErrBadEmail
	}
	return s[:at+1] + domain, nil
}

// phoneSeparators are what people type between the digits of a number:
// after NFKC, the hyphen-minus, hyphen, non-breaking hyphen (folded to
// hyphen), figure dash, en and em dash, horizontal bar, minus sign, the
// katakana long-vowel mark (ｰ folds to it), spaces and round brackets.
const phoneSeparators = " \t-‐‒–—―−ー()"

// ParsePhone reads a Japanese mobile number as typed and returns it in
// E.164 (+819012345678).
func ParsePhone(raw string) (string, error) {
	s, ok := fold(raw)
	if !ok {
		return "", ErrBadPhone
	}
	s = national(s)
	if !isMobile(s) {
		return "", ErrBadPhone
	}
	return "+81" + s[1:], nil
}

// PhoneDigits reads what looks like a phone number, whole or only its
// start, as its domestic digits: "+81 90-12" and "０９０ー１２" both give
// "09012", and a stored +819012345678 gives 09012345678. ok is false when
// raw holds anything but digits, the separators ParsePhone ignores, a
// leading + and tel:. Staff searching and comparing numbers use it.
func PhoneDigits(raw string) (digits string, ok bool) {
	s, ok := fold(raw)
	if !ok {
		return "", false
	}
	s = national(s)
	if s == "" || strings.Trim(s, "0123456789") != "" {
		return "", false
	}
	return s, true
}

// national drops tel:, separators and the country code of a folded
// number: +81 90-1234-5678 becomes 09012345678.
func national(s string) string {
	if len(s) >= 4 && strings.EqualFold(s[:4], "tel:") {
		s = s[4:]
	}
	s = strings.Map(func(r rune) rune {
		if strings.ContainsRune(phoneSeparators, r) {
			return -1
		}
		return r
	}, s)
	if rest, ok := strings.CutPrefix(s, "+81"); ok {
		// +81 (0)90...: the domestic trunk 0 written after the country code.
		s = "0" + strings.TrimPrefix(rest, "0")
	}
	return s
}

// isMobile reports whether s is a domestic mobile number, digits only:
// 070, 080 or 090 and eight more digits.
func isMobile(s string) bool {
	if len(s) != 11 || s[0] != '0' || s[2] != '0' || s[1] < '7' || s[1] > '9' {
		return false
	}
	return strings.Trim(s, "0123456789") == ""
}

// Domestic is a stored number in the domestic form people know:
// 090-1234-5678 for a mobile, 03-1234-5678 or 045-123-4567 for a fixed
// line (the area code's length is a guess for fixed lines outside Tokyo
// and Osaka). Anything not in E.164 for Japan is returned unchanged.
func Domestic(e164 string) string {
	rest, ok := strings.CutPrefix(e164, "+81")
	if !ok || rest == "" || strings.Trim(rest, "0123456789") != "" {
		return e164
	}
	n := "0" + rest
	switch {
	case len(n) == 11:
		return n[:3] + "-" + n[3:7] + "-" + n[7:]
	case len(n) == 10 && (n[1] == '3' || n[1] == '6'):
		return n[:2] + "-" + n[2:6] + "-" + n[6:]
	case len(n) == 10:
		return n[:3] + "-" + n[3:6] + "-" + n[6:]
	}
	return n
}
