package contact

import (
	"strings"

	"golang.org/x/text/unicode/norm"
)

// smallKana maps the small kana banks do not write to the full-size ones
// they do: a bank's register has キヤノン for キャノン, so an account
// holder's name is compared with small and large kana as one.
var smallKana = strings.NewReplacer(
	"ァ", "ア", "ィ", "イ", "ゥ", "ウ", "ェ", "エ", "ォ", "オ",
	"ッ", "ツ", "ャ", "ヤ", "ュ", "ユ", "ョ", "ヨ", "ヮ", "ワ", "ヵ", "カ", "ヶ", "ケ",
)

// NormalizeKanaName is a kana name the way a bank compares it: full-width
// katakana (half-width kana, hiragana and voiced marks folded in), no
// spaces or middle dots, small kana written full size, and a long vowel
// mark however it was typed.
func NormalizeKanaName(s string) string {
	s = norm.NFKC.String(s)
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'ぁ' && r <= 'ゖ':
			r += 'ァ' - 'ぁ' // hiragana to katakana
		case r == ' ' || r == '\t' || r == '　' || r == '・' || r == '･':
			continue
		case r == '-' || r == '‐' || r == '−' || r == '―' || r == '–' || r == '—':
			r = 'ー'
		}
		b.WriteRune(r)
	}
	return smallKana.Replace(b.String())
}

// SameKanaName reports whether two kana names are the same person's name
// as a bank writes it. An empty name matches nothing.
func SameKanaName(a, b string) bool {
	na, nb := NormalizeKanaName(a), NormalizeKanaName(b)
	return na != "" && na == nb
}
