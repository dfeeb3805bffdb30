package contact

import "strings"

// Masks show enough of an address or number for its owner to recognise
// it, and nothing more: in pages, notices, the delivery log, reports and
// the audit trail. An empty value stays empty, so a list shows who has
// none.

// MaskEmail keeps the first character and the domain: t***@example.jp.
func MaskEmail(addr string) string {
	if addr == "" {
		return ""
	}
	at := strings.LastIndexByte(addr, '@')
	if at < 1 {
		return "***"
	}
	return addr[:1] + "***" + addr[at:]
}

// MaskPhone keeps the last four digits: ***-****-5678, whatever form the
// number is in.
func MaskPhone(phone string) string {
	if phone == "" {
		return ""
	}
	digits := onlyDigits(phone)
	if len(digits) < 4 {
		return "***"
	}
	return "***-****-" + digits[len(digits)-4:]
}

// MaskTail keeps the last four characters of a number that is not a phone
// number (a bank account): ***4567.
func MaskTail(s string) string {
	if len(s) < 4 {
		return "***"
	}
	return "***" + s[len(s)-4:]
}

// Mask masks a contact of the kind given: Email, or a channel named
// "email"; anything else is a phone number unless it holds an @.
func Mask(kind, v string) string {
	if kind == Email || strings.Contains(v, "@") {
		return MaskEmail(v)
	}
	return MaskPhone(v)
}

func onlyDigits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}
