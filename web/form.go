package web

import (
	"strings"
	"unicode/utf8"

	"mfadesk/views"
)

// FieldErrors maps a form field to the message shown beside it.
type FieldErrors map[string]views.Message

// CheckText validates one text field as typed by a person: present when
// required, valid UTF-8, at most max characters, no control characters.
// It returns the message for the field (with max as its argument when
// too long), or the zero Message when the value is fine.
func CheckText(value string, required bool, max int) views.Message {
	switch {
	case !utf8.ValidString(value):
		return views.Message{Key: "ui.field.invalid_chars"}
	case required && strings.TrimSpace(value) == "":
		return views.Message{Key: "ui.field.required"}
	case utf8.RuneCountInString(value) > max:
		return views.Message{Key: "ui.field.too_long", Args: []any{max}}
	case strings.ContainsFunc(value, isControl):
		return views.Message{Key: "ui.field.invalid_chars"}
	}
	return views.Message{}
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }
