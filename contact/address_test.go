package contact

import (
	"errors"
	"strings"
	"testing"
)

func TestParsePostcode(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"1000005", "1000005"},
		{"100-0005", "1000005"},
		{"１００－０００５", "1000005"},
		{"１００ー０００５", "1000005"},
		{"〒100-0005", "1000005"},
		{" 100‐0005　", "1000005"},
		{"100-000", ""},
		{"100-00056", ""},
		{"abc-defg", ""},
		{"", ""},
		{"100-0005x", ""},
	} {
		got, err := ParsePostcode(tc.in)
		if tc.want == "" {
			var ae *AddressError
			if !errors.As(err, &ae) || ae.Field != "postcode" || ae.Key != "ui.address.error.postcode" {
				t.Errorf("%q: want a postcode error, got %q %v", tc.in, got, err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%q: got %q %v, want %q", tc.in, got, err, tc.want)
		}
	}
}

func TestParseAddress(t *testing.T) {
	long := strings.Repeat("あ", MaxAddressLine+1)
	for _, tc := range []struct {
		name                       string
		postcode, pref, city, bldg string
		want                       Address
		field, key                 string
	}{
		{name: "ok", postcode: "100-0005", pref: "東京都", city: "千代田区丸の内１－２－３", bldg: "",
			want: Address{Postcode: "1000005", Prefecture: "東京都", City: "千代田区丸の内1-2-3"}},
		{name: "full width and spaces folded", postcode: "０６０－０００１", pref: " 北海道 ", city: "札幌市中央区　北一条西２丁目",
			bldg: "  ＡＢＣビル   ５Ｆ ", want: Address{Postcode: "0600001", Prefecture: "北海道", City: "札幌市中央区 北一条西2丁目", Building: "ABCビル 5F"}},
		{name: "bad postcode", postcode: "100-00", pref: "東京都", city: "千代田区", field: "postcode", key: "ui.address.error.postcode"},
		{name: "unknown prefecture", postcode: "1000005", pref: "東京", city: "千代田区", field: "prefecture", key: "ui.address.error.prefecture"},
		{name: "empty prefecture", postcode: "1000005", pref: "", city: "千代田区", field: "prefecture", key: "ui.address.error.prefecture"},
		{name: "empty city", postcode: "1000005", pref: "東京都", city: " 　", field: "city", key: "ui.address.error.empty"},
		{name: "city too long", postcode: "1000005", pref: "東京都", city: long, field: "city", key: "ui.address.error.too_long"},
		{name: "building too long", postcode: "1000005", pref: "東京都", city: "千代田区", bldg: long, field: "building", key: "ui.address.error.too_long"},
		{name: "control character", postcode: "1000005", pref: "東京都", city: "千代田区\x00丸の内", field: "city", key: "ui.address.error.invalid"},
		{name: "huge input", postcode: "1000005", pref: "東京都", city: strings.Repeat("a", 10000), field: "city", key: "ui.address.error.too_long"},
	} {
		got, err := ParseAddress(tc.postcode, tc.pref, tc.city, tc.bldg)
		if tc.field == "" {
			if err != nil || got != tc.want {
				t.Errorf("%s: got %+v %v, want %+v", tc.name, got, err, tc.want)
			}
			continue
		}
		var ae *AddressError
		if !errors.As(err, &ae) || ae.Field != tc.field || ae.Key != tc.key || !errors.Is(err, ErrBadAddress) {
			t.Errorf("%s: got %+v %v, want %s %s", tc.name, got, err, tc.field, tc.key)
		}
	}
}

func TestPrefecturesAre47(t *testing.T) {
	seen := map[string]bool{}
	for _, p := range Prefectures {
		seen[p] = true
	}
	if len(Prefectures) != 47 || len(seen) != 47 {
		t.Fatalf("%d prefectures, %d distinct", len(Prefectures), len(seen))
	}
}

func TestMaskAddress(t *testing.T) {
	a := Address{Postcode: "1000005", Prefecture: "東京都", City: "千代田区丸の内1-2-3", Building: "ビル"}
	if got := MaskAddress(a); got != "〒100-**** 東京都 ***" {
		t.Fatalf("mask: %q", got)
	}
	if got := FormatPostcode("1000005"); got != "〒100-0005" {
		t.Fatalf("format: %q", got)
	}
}
