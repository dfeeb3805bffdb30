package contact

import (
	"errors"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// A Japanese postal address as a letter needs it: 郵便番号 (seven digits,
// printed 〒123-4567), one of the 47 都道府県, the 市区町村・番地 line and an
// optional 建物名 line. The name on the letter is the customer's kanji
// name, already on record. Digits, letters and hyphens typed full width
// are folded (NFKC); the postcode's hyphen may be any dash or long-vowel
// mark people type.

// Address is a postal address as stored.
type Address struct {
	Postcode   string // seven ASCII digits
	Prefecture string // one of Prefectures
	City       string // 市区町村・番地
	Building   string // 建物名・部屋番号, may be empty
}

// AddressError is a refused field: Field names the form field, Key the
// message (views/locales) saying what is wrong.
type AddressError struct {
	Field string
	Key   string
}

func (e *AddressError) Error() string { return "address: " + e.Field + ": " + e.Key }

// ErrBadAddress matches every AddressError with errors.Is.
var ErrBadAddress = errors.New("not a postal address")

func (e *AddressError) Is(target error) bool { return target == ErrBadAddress }

// MaxAddressLine is the longest address line, in characters: what fits
// one line of the window of a 長形3号 envelope at the letter's type size.
const MaxAddressLine = 40

// Prefectures are the 47 都道府県 in their usual (JIS X 0401) order.
var Prefectures = []string{
	"北海道", "青森県", "岩手県", "宮城県", "秋田県", "山形県", "福島県",
	"茨城県", "栃木県", "群馬県", "埼玉県", "千葉県", "東京都", "神奈川県",
	"新潟県", "富山県", "石川県", "福井県", "山梨県", "長野県", "岐阜県",
	"静岡県", "愛知県", "三重県", "滋賀県", "京都府", "大阪府", "兵庫県",
	"奈良県", "和歌山県", "鳥取県", "島根県", "岡山県", "広島県", "山口県",
	"徳島県", "香川県", "愛媛県", "高知県", "福岡県", "佐賀県", "長崎県",
	"熊本県", "大分県", "宮崎県", "鹿児島県", "沖縄県",
}

// postcodeDashes are what people type between the third and fourth digit.
const postcodeDashes = "-‐‑‒–—―−ーｰ－ 　"

// ParsePostcode reads a postcode as typed (1234567, 123-4567, １２３－４５６７,
// 〒123-4567) and returns its seven digits.
func ParsePostcode(raw string) (string, error) {
	if len(raw) > 64 || !utf8.ValidString(raw) {
		return "", &AddressError{Field: "postcode", Key: "ui.address.error.postcode"}
	}
	s := strings.TrimSpace(norm.NFKC.String(raw))
	s = strings.TrimPrefix(s, "〒")
	s = strings.Map(func(r rune) rune {
		if strings.ContainsRune(postcodeDashes, r) {
			return -1
		}
		return r
	}, s)
	if len(s) != 7 || strings.Trim(s, "0123456789") != "" {
		return "", &AddressError{Field: "postcode", Key: "ui.address.error.postcode"}
	}
	return s, nil
}

// FormatPostcode shows seven digits as 〒123-4567.
func FormatPostcode(digits string) string {
	if len(digits) != 7 {
		return "〒" + digits
	}
	return "〒" + digits[:3] + "-" + digits[3:]
}

// ParseAddress reads the four fields of the address form.
func ParseAddress(postcode, prefecture, city, building string) (Address, error) {
	var a Address
	var err error
	if a.Postcode, err = ParsePostcode(postcode); err != nil {
		return Address{}, err
	}
	a.Prefecture = strings.TrimSpace(norm.NFKC.String(prefecture))
	if !isPrefecture(a.Prefecture) {
		return Address{}, &AddressError{Field: "prefecture", Key: "ui.address.error.prefecture"}
	}
	if a.City, err = addressLine("city", city, true); err != nil {
		return Address{}, err
	}
	if a.Building, err = addressLine("building", building, false); err != nil {
		return Address{}, err
	}
	return a, nil
}

func isPrefecture(s string) bool {
	for _, p := range Prefectures {
		if s == p {
			return true
		}
	}
	return false
}

// addressLine folds a line (NFKC, spaces trimmed, runs of spaces made
// one) and checks its length; control characters are refused, as they
// would break the letter's layout.
func addressLine(field, raw string, required bool) (string, error) {
	if len(raw) > 8*MaxAddressLine || !utf8.ValidString(raw) {
		return "", &AddressError{Field: field, Key: "ui.address.error.too_long"}
	}
	s := strings.Join(strings.FieldsFunc(norm.NFKC.String(raw), unicode.IsSpace), " ")
	switch {
	case s == "" && required:
		return "", &AddressError{Field: field, Key: "ui.address.error.empty"}
	case utf8.RuneCountInString(s) > MaxAddressLine:
		return "", &AddressError{Field: field, Key: "ui.address.error.too_long"}
	case strings.IndexFunc(s, unicode.IsControl) >= 0:
		return "", &AddressError{Field: field, Key: "ui.address.error.invalid"}
	}
	return s, nil
}

// MaskAddress shows enough of an address for the customer to recognise
// it on a call and nothing of the street: 〒100-**** 東京都 ***.
func MaskAddress(a Address) string {
	if a.Postcode == "" {
		return ""
	}
	pc := a.Postcode
	if len(pc) == 7 {
		pc = pc[:3] + "-****"
	}
	return "〒" + pc + " " + a.Prefecture + " ***"
}
