package mfa

import (
	"strings"
	"testing"
)

func TestNormalizeCode(t *testing.T) {
	tests := []struct {
		in     string
		want   string
		wantOK bool
	}{
		{"123456", "123456", true},
		{" 123456", "123456", true},
		{"123456\n", "123456", true},
		{"123 456", "123456", true},
		{"123\t456", "123456", true},
		{"123-456", "123456", true},
		{"123\u2010456", "123456", true}, // hyphen
		{"123\u2013456", "123456", true}, // en dash
		{"123\u30fc456", "123456", true}, // katakana prolonged sound mark
		{"123\uff0d456", "123456", true}, // full-width hyphen-minus
		{"123\u00a0456", "123456", true}, // no-break space
		{"１２３４５６", "123456", true},       // full-width digits
		{"１２３　４５６", "123456", true},      // with U+3000 ideographic space
		{"000000", "000000", true},
		{"12345", "", false},
		{"1234567", "", false},
		{"abcdef", "", false},
		{"", "", false},
		{"12345６7", "", false}, // 7 digits once normalised
		{"12345a", "", false},
		{"123.456", "", false},
		{"١٢٣٤٥٦", "", false},                           // Arabic-Indic digits are not folded to ASCII by NFKC
		{"123456" + strings.Repeat(" ", 59), "", false}, // 65 bytes: over the limit
	}
	for _, tc := range tests {
		got, ok := NormalizeCode(tc.in)
		if ok != tc.wantOK || got != tc.want {
			t.Errorf("NormalizeCode(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.wantOK)
		}
	}
}

// TestNormalizeCodeLengthLimit pins the limit exactly at 64 bytes.
func TestNormalizeCodeLengthLimit(t *testing.T) {
	in64 := "123456" + strings.Repeat(" ", 58)
	if len(in64) != 64 {
		t.Fatalf("setup: len %d", len(in64))
	}
	if _, ok := NormalizeCode(in64); !ok {
		t.Error("64-byte input should be accepted")
	}
	if _, ok := NormalizeCode(in64 + " "); ok {
		t.Error("65-byte input should be rejected")
	}
}

func TestNewCode(t *testing.T) {
	const draws = 2000
	var seen [6][10]bool
	for i := 0; i < draws; i++ {
		c, err := NewCode()
		if err != nil {
			t.Fatal(err)
		}
		if len(c) != 6 {
			t.Fatalf("code %q is not 6 characters", c)
		}
		for pos, r := range c {
			if r < '0' || r > '9' {
				t.Fatalf("code %q has non-digit %q", c, r)
			}
			seen[pos][r-'0'] = true
		}
	}
	// A sanity check of uniformity, not a statistical test: with 2000 draws
	// the chance that a fair generator misses a digit in some position is
	// about 6*10*0.9^2000, i.e. zero for practical purposes. It catches
	// e.g. missing zero padding or a biased/constant position.
	for pos := range seen {
		for d, ok := range seen[pos] {
			if !ok {
				t.Errorf("digit %d never appeared at position %d", d, pos)
			}
		}
	}
}

func TestCodeHasher(t *testing.T) {
	h := NewCodeHasher([]byte("server-side secret key for tests, 32+ bytes"))
	stored, err := h.Hash("123456")
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(stored, "$")
	if len(parts) != 3 || parts[0] != KeyID([]byte("server-side secret key for tests, 32+ bytes")) ||
		len(parts[1]) != 32 || len(parts[2]) != 64 {
		t.Fatalf("unexpected format %q", stored)
	}
	mac := parts[2]

	again, err := h.Hash("123456")
	if err != nil {
		t.Fatal(err)
	}
	if again == stored {
		t.Error("two hashes of the same code are identical (salt not random?)")
	}

	other := NewCodeHasher([]byte("a different server-side secret key"))

	tests := []struct {
		name   string
		h      CodeHasher
		stored string
		code   string
		want   bool
	}{
		{"right code", h, stored, "123456", true},
		{"right code, second hash", h, again, "123456", true},
		{"wrong code", h, stored, "123457", false},
		{"empty code", h, stored, "", false},
		{"other key", other, stored, "123456", false},
		{"empty stored", h, "", "123456", false},
		{"no separator", h, strings.ReplaceAll(stored, "$", ""), "123456", false},
		{"no key id", h, parts[1] + "$" + parts[2], "123456", false},
		{"bad hex salt", h, parts[0] + "$zz" + parts[1][2:] + "$" + mac, "123456", false},
		{"short salt", h, parts[0] + "$" + parts[1][2:] + "$" + mac, "123456", false},
		{"short mac", h, stored[:len(stored)-2], "123456", false},
		{"extra separator", h, stored + "$00", "123456", false},
		{"tampered mac", h, flipLastHex(stored), "123456", false},
		// The MAC must cover the salt: another hash's salt with this MAC
		// must not verify.
		{"salt swapped", h, parts[0] + "$" + strings.Split(again, "$")[1] + "$" + mac, "123456", false},
	}
	for _, tc := range tests {
		if got := tc.h.Check(tc.stored, tc.code); got != tc.want {
			t.Errorf("%s: Check = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestCodeHasherCopiesKey makes sure the hasher is not affected by later
// changes to the caller's key slice.
func TestCodeHasherCopiesKey(t *testing.T) {
	key := []byte("server-side secret key for tests, 32+ bytes")
	h := NewCodeHasher(key)
	stored, err := h.Hash("654321")
	if err != nil {
		t.Fatal(err)
	}
	key[0] ^= 0xff
	if !h.Check(stored, "654321") {
		t.Fatal("hasher changed when caller modified its key slice")
	}
}

// flipLastHex changes the last hex digit of s to a different valid hex digit.
func flipLastHex(s string) string {
	last := s[len(s)-1]
	repl := byte('0')
	if last == '0' {
		repl = '1'
	}
	return s[:len(s)-1] + string(repl)
}
