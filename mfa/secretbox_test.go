package mfa

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"testing"
)

func testKey() []byte {
	k := make([]byte, 32)
	for i := range k {
		k[i] = byte(i)
	}
	return k
}

func TestSecretBoxRoundTrip(t *testing.T) {
	box, err := NewSecretBox(testKey())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		plaintext []byte
		aad       []byte
	}{
		{"totp secret", []byte("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"), []byte("user:42")},
		{"empty plaintext", []byte{}, []byte("user:42")},
		{"nil aad", []byte("secret"), nil},
	}
	for _, tc := range tests {
		sealed, err := box.Seal(tc.plaintext, tc.aad)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if len(sealed) != 12+len(tc.plaintext)+16 {
			t.Errorf("%s: sealed length %d, want nonce+plaintext+tag", tc.name, len(sealed))
		}
		if len(tc.plaintext) > 0 && bytes.Contains(sealed, tc.plaintext) {
			t.Errorf("%s: plaintext visible in sealed output", tc.name)
		}
		got, err := box.Open(sealed, tc.aad)
		if err != nil {
			t.Fatalf("%s: Open: %v", tc.name, err)
		}
		if !bytes.Equal(got, tc.plaintext) {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.plaintext)
		}
	}
}

func TestSecretBoxNoncesDiffer(t *testing.T) {
	box, err := NewSecretBox(testKey())
	if err != nil {
		t.Fatal(err)
	}
	a, _ := box.Seal([]byte("same"), nil)
	b, _ := box.Seal([]byte("same"), nil)
	if bytes.Equal(a[:12], b[:12]) || bytes.Equal(a, b) {
		t.Fatal("two seals of the same plaintext are identical (nonce reuse)")
	}
}

func TestSecretBoxOpenFailures(t *testing.T) {
	box, err := NewSecretBox(testKey())
	if err != nil {
		t.Fatal(err)
	}
	aad := []byte("user:42")
	sealed, err := box.Seal([]byte("GEZDGNBVGY3TQOJQ"), aad)
	if err != nil {
		t.Fatal(err)
	}
	otherKey := testKey()
	otherKey[0] ^= 1
	otherBox, err := NewSecretBox(otherKey)
	if err != nil {
		t.Fatal(err)
	}

	tamper := func(i int) []byte {
		c := bytes.Clone(sealed)
		c[i] ^= 0x01
		return c
	}

	tests := []struct {
		name   string
		box    *SecretBox
		sealed []byte
		aad    []byte
	}{
		{"wrong aad", box, sealed, []byte("user:43")},
		{"missing aad", box, sealed, nil},
		{"tampered nonce", box, tamper(0), aad},
		{"tampered ciphertext", box, tamper(12), aad},
		{"tampered tag", box, tamper(len(sealed) - 1), aad},
		{"truncated", box, sealed[:len(sealed)-1], aad},
		{"too short", box, sealed[:27], aad},
		{"empty", box, nil, aad},
		{"wrong key", otherBox, sealed, aad},
	}
	for _, tc := range tests {
		if pt, err := tc.box.Open(tc.sealed, tc.aad); err == nil {
			t.Errorf("%s: Open succeeded with %q", tc.name, pt)
		}
	}
	// Control: the untouched input opens, so the failures above are real.
	if _, err := box.Open(sealed, aad); err != nil {
		t.Fatalf("control: %v", err)
	}
}

func TestNewSecretBoxKeyLength(t *testing.T) {
	for _, n := range []int{0, 16, 24, 31, 33, 64} {
		if _, err := NewSecretBox(make([]byte, n)); err == nil {
			t.Errorf("key length %d accepted", n)
		}
	}
	if _, err := NewSecretBox(make([]byte, 32)); err != nil {
		t.Errorf("32-byte key rejected: %v", err)
	}
}

func TestDevSecretKey(t *testing.T) {
	k := DevSecretKey()
	if len(k) != 32 {
		t.Fatalf("len %d", len(k))
	}
	if !bytes.Equal(k, DevSecretKey()) {
		t.Fatal("DevSecretKey is not deterministic")
	}
	// Callers must not be able to change the key others see.
	k[0] ^= 0xff
	if bytes.Equal(k, DevSecretKey()) {
		t.Fatal("DevSecretKey returns shared storage")
	}
	if _, err := NewSecretBox(DevSecretKey()); err != nil {
		t.Fatal(err)
	}
}

func TestParseSecretKey(t *testing.T) {
	key := testKey()
	// A key whose base64 contains both '+' and '/' (std) or '-' and '_'
	// (url), so the alphabets are genuinely exercised.
	mixed := bytes.Repeat([]byte{0xfb, 0xff, 0xbf}, 11)[:32]

	ok := []struct {
		name string
		in   string
		want []byte
	}{
		{"hex lower", hex.EncodeToString(key), key},
		{"hex upper", strings.ToUpper(hex.EncodeToString(key)), key},
		{"base64 std", base64.StdEncoding.EncodeToString(key), key},
		{"base64 raw std", base64.RawStdEncoding.EncodeToString(key), key},
		{"base64 url", base64.URLEncoding.EncodeToString(mixed), mixed},
		{"base64 raw url", base64.RawURLEncoding.EncodeToString(mixed), mixed},
		{"base64 std mixed", base64.StdEncoding.EncodeToString(mixed), mixed},
		{"surrounding whitespace", "  " + hex.EncodeToString(key) + "\n", key},
	}
	for _, tc := range ok {
		got, err := ParseSecretKey(tc.in)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if !bytes.Equal(got, tc.want) {
			t.Errorf("%s: wrong key %x", tc.name, got)
		}
	}

	bad := []struct {
		name string
		in   string
	}{
		{"empty", ""},
		{"hex 16 bytes", hex.EncodeToString(key[:16])},
		{"hex 33 bytes", hex.EncodeToString(append(bytes.Clone(key), 0))},
		{"hex bad char", "zz" + hex.EncodeToString(key)[2:]},
		{"base64 31 bytes", base64.StdEncoding.EncodeToString(key[:31])},
		{"base64 33 bytes", base64.RawURLEncoding.EncodeToString(append(bytes.Clone(key), 0))},
		{"base64 16 bytes", base64.StdEncoding.EncodeToString(key[:16])},
		{"garbage", "this is not a key at all!"},
	}
	for _, tc := range bad {
		if got, err := ParseSecretKey(tc.in); err == nil {
			t.Errorf("%s: accepted, got %x", tc.name, got)
		}
	}
}

func TestParseSecretKeyErrorHidesKey(t *testing.T) {
	in := base64.StdEncoding.EncodeToString(testKey()[:31])
	_, err := ParseSecretKey(in)
	if err == nil {
		t.Fatal("expected error")
	}
	if strings.Contains(err.Error(), in) {
		t.Fatal("error message contains the key material")
	}
}
