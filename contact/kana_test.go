package contact

import "testing"

func TestSameKanaName(t *testing.T) {
	for _, tc := range []struct {
		holder, own string
		want        bool
	}{
		{"スズキ イチロウ", "スズキ イチロウ", true},
		{"スズキイチロウ", "スズキ イチロウ", true},     // no space
		{"スズキ　イチロウ", "スズキ イチロウ", true},    // full-width space
		{"ｽｽﾞｷ ｲﾁﾛｳ", "スズキ イチロウ", true},   // half-width, voiced mark apart
		{"すずき いちろう", "スズキ イチロウ", true},    // hiragana
		{"キヤノン タロウ", "キャノン タロウ", true},    // bank's full-size ヤ for ャ
		{"ハツトリ ヨウコ", "ハットリ ヨウコ", true},    // ツ for ッ
		{"ジヨン・スミス", "ジョン スミス", true},      // middle dot as a space
		{"ｺｰﾀﾞ ｹﾝ", "コーダ ケン", true},       // half-width long vowel
		{"コ-ダ ケン", "コーダ ケン", true},        // hyphen for the long vowel
		{"スズキ ジロウ", "スズキ イチロウ", false},    // another person
		{"スズキ イチロ", "スズキ イチロウ", false},    // a kana short
		{"スズキ イチロウ", "スズキ イチロウ カ", false}, // extra kana
		{"スズキ イチロウ(カ", "スズキ イチロウ", false}, // a company's 略語 is not the customer
		{"ススキ イチロウ", "スズキ イチロウ", false},   // voiced mark matters
		{"", "", false},
		{"   ", "", false},
	} {
		if got := SameKanaName(tc.holder, tc.own); got != tc.want {
			t.Errorf("SameKanaName(%q, %q) = %v, want %v (%q vs %q)", tc.holder, tc.own, got, tc.want,
				NormalizeKanaName(tc.holder), NormalizeKanaName(tc.own))
		}
	}
}
