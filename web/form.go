package web

import (
	"strings"
	"unicode/utf8"

	"mfadesk/views"
)

// FieldErrors maps a form field to the message key shown beside it.
type FieldErrors map[string]string

// CheckText validates one text field as typed by a person: present when
// required, valid UTF-8, at most max characters, no control characters.
// It returns the message key for the field (packed with max when too
// long, see views.Msg), or "".
func CheckText(value string, required bool, max int) string {
	switch {
	case !utf8.ValidString(value):
		return "ui.field.invalid_chars"
	case required && strings.TrimSpace(value) == "":
		return "ui.field.required"
	case utf8.RuneCountInString(value) > max:
		return views.Msg("ui.field.too_long", max)
	case strings.ContainsFunc(value, isControl):
		return "ui.field.invalid_chars"
	}
	return ""
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }
