package web

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// FieldErrors maps a form field to the message shown beside it.
type FieldErrors map[string]string

// CheckText validates one text field as typed by a person: present when
// required, valid UTF-8, at most max characters, no control characters.
// It returns the message for the field, or "".
func CheckText(value string, required bool, max int) string {
	switch {
	case !utf8.ValidString(value):
		return "使用できない文字が含まれています。入力し直してください。"
	case required && strings.TrimSpace(value) == "":
		return "入力してください。"
	case utf8.RuneCountInString(value) > max:
		return "長すぎます。" + strconv.Itoa(max) + "文字以内で入力してください。"
	case strings.ContainsFunc(value, isControl):
		return "使用できない文字が含まれています。入力し直してください。"
	}
	return ""
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }
