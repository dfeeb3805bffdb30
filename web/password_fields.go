package web

import (
	"errors"
	"unicode/utf8"

	"mfadesk/mfa"
	"mfadesk/views"
)

// CheckNewPassword checks a new password typed twice, on the customer
// site and the console alike: mfa's rules, with the login ID as a
// context word, then the repetition. The messages go into errs under the
// two fields' names.
func CheckNewPassword(errs FieldErrors, newField, confirmField, newPassword, confirm, loginID string) {
	var pe *mfa.PasswordPolicyError
	switch err := mfa.CheckNewPassword(newPassword, loginID); {
	case newPassword == "":
		errs[newField] = views.Message{Key: "ui.password.error.new_required"}
	case errors.As(err, &pe):
		errs[newField] = PasswordPolicyMessage(pe, newPassword)
	}
	if confirm != newPassword && errs[newField].Empty() {
		errs[confirmField] = views.Message{Key: "ui.password.error.mismatch"}
	}
}

// PasswordPolicyMessage is the message for a refused new password, by its
// problem; mfa's own Message is Japanese only. The lengths are counted
// as mfa counts them, in characters.
func PasswordPolicyMessage(pe *mfa.PasswordPolicyError, pw string) views.Message {
	switch pe.Problem {
	case mfa.PasswordTooShort:
		return views.Message{Key: "ui.password.policy.too_short", Args: []any{mfa.MinPasswordLen, utf8.RuneCountInString(pw)}}
	case mfa.PasswordTooLong:
		return views.Message{Key: "ui.password.policy.too_long", Args: []any{mfa.MaxPasswordLen}}
	case mfa.PasswordInvalid:
		return views.Message{Key: "ui.password.policy.invalid"}
	case mfa.PasswordContext:
		return views.Message{Key: "ui.password.policy.context"}
	case mfa.PasswordCommon:
		return views.Message{Key: "ui.password.policy.common"}
	case mfa.PasswordRepetitive:
		return views.Message{Key: "ui.password.policy.repetitive"}
	case mfa.PasswordSequential:
		return views.Message{Key: "ui.password.policy.sequential"}
	}
	return views.Message{Key: pe.Message} // not a key: Text shows it as it is
}
