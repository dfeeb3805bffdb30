package mfa

import (
	_ "embed"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Length limits of a new password (docs/security.md S13, NIST SP 800-63B §5.1.1.2).
// Eight is NIST's minimum for a password used with a second factor, which
// mfadesk makes mandatory. The maximum is far above the 64 NIST asks us to
// accept; it bounds request size, and nothing is ever truncated.
const (
	MinPasswordLen = 8
	MaxPasswordLen = 256
)

// serviceName is always a context word: a password containing the name of
// the site it protects is among the first an attacker tries.
const serviceName = "mfadesk"

// commonPasswords is the embedded list of common and breached passwords,
// one a line, already lower case and NFKC. It is read, never changed.
//
//go:embed common_passwords.txt
var commonPasswords string

// PasswordProblem names why a new password was refused.
type PasswordProblem string

// Reasons a new password is refused.
const (
	PasswordTooShort   PasswordProblem = "too_short"
	PasswordTooLong    PasswordProblem = "too_long"
	PasswordInvalid    PasswordProblem = "invalid"
	PasswordCommon     PasswordProblem = "common"
	PasswordRepetitive PasswordProblem = "repetitive"
	PasswordSequential PasswordProblem = "sequential"
	PasswordContext    PasswordProblem = "context"
)

// PasswordPolicyError says why a new password was refused. Message is
// Japanese the customer can act on; it never repeats the password.
type PasswordPolicyError struct {
	Problem PasswordProblem
	Message string
}

func (e *PasswordPolicyError) Error() string {
	return "mfa: new password refused: " + string(e.Problem)
}

// CheckNewPassword applies the rules for a new login or trading password:
// 8 to 256 characters (counted as characters, not bytes), no composition
// rules, and none of the passwords attackers try first: common or breached
// ones, repeated or sequential characters, and ones containing a context
// word such as the login ID or the service name. Spaces and any Unicode
// are allowed. It returns nil or a *PasswordPolicyError.
func CheckNewPassword(pw string, context ...string) error {
	if !utf8.ValidString(pw) || strings.ContainsFunc(pw, unicode.IsControl) {
		return refuse(PasswordInvalid, "使用できない文字（改行などの制御文字）が含まれています。入力し直してください。")
	}
	n := utf8.RuneCountInString(pw)
	if n < MinPasswordLen {
		return refuse(PasswordTooShort, fmt.Sprintf("パスワードは%d文字以上にしてください（入力されたのは%d文字です）。", MinPasswordLen, n))
	}
	if n > MaxPasswordLen {
		return refuse(PasswordTooLong, fmt.Sprintf("パスワードは%d文字以内にしてください。", MaxPasswordLen))
	}
	// Compared in one form, so "ＰＡＳＳＷＯＲＤ" is "password".
	folded := foldPassword(pw)
	if containsContext(folded, append(context, serviceName)) {
		return refuse(PasswordContext, "ログインIDやサービス名（mfadesk）を含むパスワードは推測されやすいため使えません。")
	}
	if isCommonPassword(folded) {
		return refuse(PasswordCommon, "このパスワードは多くの人が使っていて、他人に推測されやすいため使えません。ほかのパスワードにしてください。")
	}
	runes := []rune(folded)
	if isRepetitive(runes) {
		return refuse(PasswordRepetitive, "「aaaaaaaa」や「abcabcabc」のような同じ文字・同じ並びのくり返しは推測されやすいため使えません。")
	}
	if isSequential(runes) {
		return refuse(PasswordSequential, "「12345678」や「abcdefgh」のような順番に並んだ文字は推測されやすいため使えません。")
	}
	return nil
}

func refuse(p PasswordProblem, msg string) error {
	return &PasswordPolicyError{Problem: p, Message: msg}
}

// foldPassword is the form passwords are compared in: NFKC (full-width
// letters become ASCII) and lower case. It is used only for the checks;
// the password is stored exactly as typed.
func foldPassword(s string) string {
	return strings.ToLower(norm.NFKC.String(s))
}

// minContextLen keeps a very short login ID from refusing every password
// that happens to contain its letters.
const minContextLen = 4

func containsContext(folded string, words []string) bool {
	for _, w := range words {
		w = strings.TrimSpace(foldPassword(w))
		if utf8.RuneCountInString(w) >= minContextLen && strings.Contains(folded, w) {
			return true
		}
	}
	return false
}

// isCommonPassword reports whether the password, or its core once digits,
// symbols and spaces are trimmed from both ends ("Password1!", "sakura2024"),
// is on the list. The list is scanned rather than kept in a map: new
// passwords are rare, and the package keeps no built state.
func isCommonPassword(folded string) bool {
	core := strings.TrimFunc(folded, func(r rune) bool { return !unicode.IsLetter(r) })
	for line := range strings.Lines(commonPasswords) {
		entry := strings.TrimRight(line, "\r\n")
		if entry == "" || strings.HasPrefix(entry, "#") {
			continue
		}
		if entry == folded || entry == core {
			return true
		}
	}
	return false
}

// maxRepeatUnit is the longest unit whose repetition counts as repetitive:
// "aaaaaaaa", "abababab", "abcabcabc", "12341234".
const maxRepeatUnit = 4

// isRepetitive reports whether the password uses at most two different
// characters, or repeats one short unit throughout.
func isRepetitive(r []rune) bool {
	distinct := map[rune]bool{}
	for _, c := range r {
		distinct[c] = true
	}
	if len(distinct) <= 2 {
		return true
	}
	for unit := 1; unit <= maxRepeatUnit && unit < len(r); unit++ {
		periodic := true
		for i := unit; i < len(r); i++ {
			if r[i] != r[i-unit] {
				periodic = false
				break
			}
		}
		if periodic {
			return true
		}
	}
	return false
}

// isSequential reports whether the password runs up or down one step at a
// time, allowing one jump between two runs ("12345678", "87654321",
// "abcdefgh", "1234abcd", "1234567890" where 9 is followed by 0).
func isSequential(r []rune) bool {
	for _, step := range []int{1, -1} {
		breaks := 0
		for i := 1; i < len(r); i++ {
			if !nextInSequence(r[i-1], r[i], step) {
				breaks++
			}
		}
		if breaks <= 1 {
			return true
		}
	}
	return false
}

func nextInSequence(prev, cur rune, step int) bool {
	if int(cur-prev) == step {
		return true
	}
	// Digits wrap on the keyboard's number row: 7890, 3210987.
	if isDigit(prev) && isDigit(cur) {
		return (int(prev-'0')+step+10)%10 == int(cur-'0')
	}
	return false
}

func isDigit(r rune) bool { return r >= '0' && r <= '9' }
