package mfa

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestCheckNewPassword(t *testing.T) {
	tests := []struct {
		name    string
		pw      string
		context []string
		want    PasswordProblem // "" means accepted
	}{
		{"passphrase with spaces", "correct horse battery staple", nil, ""},
		{"the demo password", "Demo#2025login", []string{"demo-app"}, ""},
		{"no composition rules: lower-case letters only", "plumtreeriverbank", nil, ""},
		{"japanese, 9 characters", "春はあけぼの夜は月", nil, ""},
		{"exactly 8", "k7#mq2Lx", nil, ""},
		{"64 characters of one repeated unit", strings.Repeat("kq7#", 16), nil, PasswordRepetitive},
		{"64 varied characters", "私の好きな季節は秋です。 The quick brown fox jumps over the lazy dog 2025!", nil, ""},
		{"256 characters", longPassword(256), nil, ""},

		{"7 characters", "k7#mq2L", nil, PasswordTooShort},
		{"6 japanese characters are 18 bytes but 6 characters", "春はあけぼの", nil, PasswordTooShort},
		{"257 characters", longPassword(257), nil, PasswordTooLong},
		{"control character", "abc\ndefghijk", nil, PasswordInvalid},
		{"invalid utf-8", "abcdefgh\xff", nil, PasswordInvalid},

		{"common", "password", nil, PasswordCommon},
		{"common, upper case", "PASSWORD1", nil, PasswordCommon},
		{"common, full-width", "ｐａｓｓｗｏｒｄ１", nil, PasswordCommon},
		{"common with symbols added", "Password1!", nil, PasswordCommon},
		{"common keyboard pattern", "1qaz2wsx", nil, PasswordCommon},
		{"japanese romaji with a year", "sakura2024", nil, PasswordCommon},
		{"japanese context", "tokyo2020", nil, PasswordCommon},
		{"iloveyou", "iloveyou", nil, PasswordCommon},
		{"qwerty123", "qwerty123", nil, PasswordCommon},
		{"katakana", "パスワード1234", nil, PasswordCommon},

		{"one character repeated", "ffffffff", nil, PasswordRepetitive},
		{"two characters", "abababab", nil, PasswordRepetitive},
		{"unit of three repeated", "xyqxyqxyq", nil, PasswordRepetitive},
		{"unit of four repeated", "k9#zk9#zk9", nil, PasswordRepetitive},

		{"ascending digits", "23456789", nil, PasswordSequential},
		{"descending digits", "76543210", nil, PasswordSequential},
		{"digits wrapping at 9", "67890123", nil, PasswordSequential},
		{"letters", "bcdefghi", nil, PasswordSequential},
		{"two runs", "5678lmno", nil, PasswordSequential},

		{"contains login id", "my-yamada77-secret", []string{"yamada77"}, PasswordContext},
		{"contains login id in another case", "xxYAMADA77xx", []string{"yamada77"}, PasswordContext},
		{"contains service name", "MFAdesk-is-great", nil, PasswordContext},
		{"short context word is not applied", "abc-river-stone", []string{"abc"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckNewPassword(tt.pw, tt.context...)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var pe *PasswordPolicyError
			if !errors.As(err, &pe) {
				t.Fatalf("got %v, want a *PasswordPolicyError %s", err, tt.want)
			}
			if pe.Problem != tt.want {
				t.Fatalf("problem %s, want %s", pe.Problem, tt.want)
			}
			if pe.Message == "" || !utf8.ValidString(pe.Message) || strings.Contains(pe.Message, tt.pw) {
				t.Fatalf("message %q must explain without repeating the password", pe.Message)
			}
		})
	}
}

// longPassword is n varied characters: no list entry, repetition or run.
func longPassword(n int) string {
	const alphabet = "k7#mQ2 xあ9Lz!"
	r := []rune(alphabet)
	var b strings.Builder
	for i := 0; i < n; i++ {
		b.WriteRune(r[(i*5+i/len(r))%len(r)])
	}
	return b.String()
}

// The list must be in the form passwords are compared in, or its entries
// could never match.
func TestCommonPasswordListIsFolded(t *testing.T) {
	entries := 0
	for line := range strings.Lines(commonPasswords) {
		entry := strings.TrimRight(line, "\r\n")
		if entry == "" || strings.HasPrefix(entry, "#") {
			continue
		}
		entries++
		if foldPassword(entry) != entry || strings.TrimSpace(entry) != entry {
			t.Errorf("entry %q is not lower case NFKC without surrounding space", entry)
		}
	}
	if entries < 300 {
		t.Fatalf("only %d entries", entries)
	}
}
